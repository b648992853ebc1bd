import Foundation
import Testing

@testable import SluiceConsole

@Suite("Console sign-in and sessions")
struct ConsoleSessionsTests {
    static let token = "operator-token-4f1d2c9a"

    @Test func onlyTheTokenSignsInAndTheSessionCarriesItsOwnCSRFValue() throws {
        let sessions = ConsoleSessions(token: Self.token)
        #expect(sessions.signIn(operatorName: "mallory", candidate: "operator-token-4f1d2c9b", address: "10.0.0.9") == nil)
        #expect(sessions.signIn(operatorName: "mallory", candidate: "", address: "10.0.0.9") == nil)
        #expect(sessions.signIn(operatorName: "mallory", candidate: Self.token + " ", address: "10.0.0.9") == nil)
        let (id, session) = try #require(sessions.signIn(operatorName: "  alice ", candidate: Self.token, address: "127.0.0.1"))
        #expect(session.operatorName == "alice" && session.actor == "alice (127.0.0.1)")
        #expect(sessions.session(id)?.csrf == session.csrf)
        // Two sign-ins never share a session id or a CSRF value.
        let (other, second) = try #require(sessions.signIn(operatorName: "bob", candidate: Self.token, address: "127.0.0.1"))
        #expect(other != id && second.csrf != session.csrf)
        #expect(id.count == 64 && session.csrf.count == 64)
        sessions.signOut(id)
        #expect(sessions.session(id) == nil)
        #expect(sessions.session(other) != nil)
        #expect(sessions.session(nil) == nil && sessions.session("not-a-session") == nil)
    }

    /// The operator's name is written into the audit log: it cannot carry a line break (a
    /// forged log line) or other control characters.
    @Test func anOperatorNameCannotBreakTheAuditLogsLines() throws {
        let sessions = ConsoleSessions(token: Self.token)
        let forged = "mallory\n21:20:00 notice operator=root\r\u{1B}[2J\u{202E}x"
        let (_, session) = try #require(sessions.signIn(operatorName: forged, candidate: Self.token, address: "10.0.0.9"))
        #expect(session.operatorName == "mallory 21:20:00 notice operator=root [2J x")
        #expect(!session.operatorName.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test func sessionsExpire() throws {
        let sessions = ConsoleSessions(token: Self.token, lifetime: .seconds(60))
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let (id, _) = try #require(sessions.signIn(operatorName: "alice", candidate: Self.token, address: "127.0.0.1", now: start))
        #expect(sessions.session(id, now: start.addingTimeInterval(59)) != nil)
        #expect(sessions.session(id, now: start.addingTimeInterval(61)) == nil)
    }

    @Test func withoutATokenNothingSignsIn() {
        let sessions = ConsoleSessions(token: nil)
        #expect(!sessions.acceptsActions)
        #expect(sessions.signIn(operatorName: "alice", candidate: "", address: "127.0.0.1") == nil)
    }

    @Test func comparisonIsByValue() {
        #expect(ConsoleSessions.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConsoleSessions.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConsoleSessions.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!ConsoleSessions.constantTimeEqual([], Array("a".utf8)))
    }
}
