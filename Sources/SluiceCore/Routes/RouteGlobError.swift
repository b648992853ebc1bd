/// Why a glob pattern could not be compiled.
public struct RouteGlobError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the pattern.
    public var message: String

    init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
