import Crypto
import Foundation
import Synchronization

/// The console's sign-ins: the operator token is checked once, in constant time, and exchanged
/// for a random session id kept in an HttpOnly, SameSite=Strict cookie, so the token itself never
/// travels again, nor appears in a URL or a log.
final class ConsoleSessions: Sendable {
    /// The operator token (from `--token-file`); nil: the console is read-only.
    private let token: [UInt8]?
    private let lifetime: TimeInterval
    private let sessions = Mutex<[String: ConsoleSession]>([:])

    init(token: String?, lifetime: Duration = .seconds(8 * 3600)) {
        self.token = token.map { Array($0.utf8) }
        self.lifetime = TimeInterval(lifetime.components.seconds)
    }

    /// Whether actions are possible at all (a token is configured).
    var acceptsActions: Bool { token != nil }

    /// A new session for `operatorName` when `candidate` is the token; nil otherwise.
    func signIn(operatorName: String, candidate: String, address: String, now: Date = Date()) -> (id: String, session: ConsoleSession)? {
        guard let token, Self.constantTimeEqual(Array(candidate.utf8), token) else { return nil }
        // The name goes into the audit log: control characters (a line break would start a
        // forged log line) become spaces, runs of spaces one.
        let name = operatorName.unicodeScalars
            .map { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format ? " " : String($0) }
            .joined().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let session = ConsoleSession(
            operatorName: name.isEmpty ? "operator" : String(name.prefix(64)), address: address, csrf: Self.randomToken(),
            expiresAt: now.timeIntervalSince1970 + lifetime)
        let id = Self.randomToken()
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > now.timeIntervalSince1970 }
            sessions[id] = session
        }
        return (id, session)
    }

    /// The live session `id` names, if any.
    func session(_ id: String?, now: Date = Date()) -> ConsoleSession? {
        guard let id else { return nil }
        return sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expiresAt > now.timeIntervalSince1970 else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func signOut(_ id: String?) {
        guard let id else { return }
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Equal bytes, compared in time that does not depend on where they differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        // Compare digests: equal length, so no early exit on a length mismatch either.
        let left = SHA256.hash(data: lhs), right = SHA256.hash(data: rhs)
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// 32 random bytes, hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
