import Foundation

/// An operator signed in to the console: who they said they are, where from, and the value
/// their forms must carry (the CSRF token), which no other site can read.
struct ConsoleSession: Sendable {
    /// The name given at sign-in, for the audit log.
    let operatorName: String
    /// The client address at sign-in.
    let address: String
    /// Every mutating form carries this; a cross-site form cannot know it.
    let csrf: String
    /// Sessions end after this (unix s).
    let expiresAt: TimeInterval

    /// "name (address)", as the audit log names the actor.
    var actor: String { "\(operatorName) (\(address))" }
}
