import Testing

@testable import SluiceCore

@Suite struct CircuitBreakerTests {
    func openBreaker(at now: Int64 = 1_000) -> CircuitBreaker {
        var breaker = CircuitBreaker(config: CircuitBreakerConfig(failures: 3, cooldown: .seconds(30)))
        for _ in 0..<3 { breaker.record(success: false, nowMillis: now) }
        return breaker
    }

    @Test func opensAfterConsecutiveFailuresOnly() {
        var breaker = CircuitBreaker(config: CircuitBreakerConfig(failures: 3, cooldown: .seconds(30)))
        breaker.record(success: false, nowMillis: 0)
        breaker.record(success: false, nowMillis: 0)
        breaker.record(success: true, nowMillis: 0)
        breaker.record(success: false, nowMillis: 0)
        breaker.record(success: false, nowMillis: 0)
        #expect(breaker.state == .closed)
        let sent1 = breaker.canSend(nowMillis: 0)
        #expect(sent1)
        breaker.record(success: false, nowMillis: 500)
        #expect(breaker.state == .open)
        #expect(breaker.reopensAt() == 30_500)
    }

    @Test func openCircuitHoldsRequestsUntilTheCooldownPasses() {
        var breaker = openBreaker()
        let sent2 = breaker.canSend(nowMillis: 1_000)
        #expect(!sent2)
        let sent3 = breaker.canSend(nowMillis: 30_999)
        #expect(!sent3)
        #expect(breaker.state == .open)
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        var breaker = openBreaker()
        let sent4 = breaker.canSend(nowMillis: 31_000)
        #expect(sent4)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.reopensAt() == nil)
        let sent5 = breaker.canSend(nowMillis: 31_001)
        #expect(!sent5)
        let sent6 = breaker.canSend(nowMillis: 40_000)
        #expect(!sent6)
    }

    @Test func probeSuccessClosesTheCircuit() {
        var breaker = openBreaker()
        _ = breaker.canSend(nowMillis: 31_000)
        breaker.record(success: true, nowMillis: 31_050)
        #expect(breaker.state == .closed)
        let sent7 = breaker.canSend(nowMillis: 31_060)
        #expect(sent7)
        let sent8 = breaker.canSend(nowMillis: 31_060)
        #expect(sent8)
        // The failure count starts again from zero.
        breaker.record(success: false, nowMillis: 31_100)
        breaker.record(success: false, nowMillis: 31_100)
        #expect(breaker.state == .closed)
    }

    @Test func probeFailureReopensWithAFreshCooldown() {
        var breaker = openBreaker()
        _ = breaker.canSend(nowMillis: 31_000)
        breaker.record(success: false, nowMillis: 32_000)
        #expect(breaker.state == .open)
        #expect(breaker.reopensAt() == 62_000)
        let sent9 = breaker.canSend(nowMillis: 61_999)
        #expect(!sent9)
        let sent10 = breaker.canSend(nowMillis: 62_000)
        #expect(sent10)
    }

    @Test func lateResultsWhileOpenChangeNothing() {
        var breaker = openBreaker()
        breaker.record(success: true, nowMillis: 2_000)
        breaker.record(success: false, nowMillis: 20_000)
        #expect(breaker.state == .open)
        #expect(breaker.reopensAt() == 31_000)
    }

    @Test func lostProbeIsReplacedAfterAnotherCooldown() {
        var breaker = openBreaker()
        let sent11 = breaker.canSend(nowMillis: 31_000)
        #expect(sent11)
        let sent12 = breaker.canSend(nowMillis: 60_999)
        #expect(!sent12)
        let sent13 = breaker.canSend(nowMillis: 61_000)
        #expect(sent13)
        let sent14 = breaker.canSend(nowMillis: 61_001)
        #expect(!sent14)
    }

    /// How long the endpoint has been down: from the opening, through failed probes, until a
    /// probe succeeds; a later opening starts afresh.
    @Test func openSinceSpansFailedProbesAndEndsWithASuccessfulOne() {
        var breaker = openBreaker(at: 1_000)
        #expect(breaker.openSinceMillis == 1_000)
        let probe1 = breaker.canSend(nowMillis: 31_000)
        #expect(probe1)
        breaker.record(success: false, nowMillis: 31_050)
        #expect(breaker.state == .open && breaker.openSinceMillis == 1_000)
        let probe2 = breaker.canSend(nowMillis: 61_050)
        #expect(probe2)
        breaker.record(success: true, nowMillis: 61_100)
        #expect(breaker.state == .closed && breaker.openSinceMillis == nil)
        for _ in 0..<3 { breaker.record(success: false, nowMillis: 70_000) }
        #expect(breaker.state == .open && breaker.openSinceMillis == 70_000)
    }
}
