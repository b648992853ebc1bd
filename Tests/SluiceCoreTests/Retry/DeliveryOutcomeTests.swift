import SluiceTesting
import Testing

@testable import SluiceCore

@Suite struct DeliveryOutcomeTests {
    let policy = RetryPolicy(schedule: [.zero, .seconds(5), .seconds(300)], jitter: 0)

    func classify(_ result: AttemptResult, attempt: Int = 1, nowMillis: Int64 = 0) -> DeliveryOutcome {
        var rng = SeededRandom(seed: 1)
        return DeliveryOutcome.classify(result, attempt: attempt, policy: policy, nowMillis: nowMillis, random: &rng)
    }

    @Test func anyTwoHundredIsDelivered() {
        #expect(classify(.response(status: 200, retryAfter: nil)) == .delivered)
        #expect(classify(.response(status: 204, retryAfter: nil)) == .delivered)
        #expect(classify(.response(status: 299, retryAfter: nil), attempt: 3) == .delivered)
    }

    @Test func redirectIsAFailureThatRetries() {
        guard case .retry(let after, let status, let error) = classify(.response(status: 302, retryAfter: nil)) else {
            Issue.record("expected a retry")
            return
        }
        #expect(after == .seconds(5))
        #expect(status == 302)
        #expect(error?.contains("redirect") == true)
    }

    @Test func goneDeadLettersAtOnce() {
        #expect(classify(.response(status: 410, retryAfter: nil)) == .deadLetter(.gone, lastStatus: 410, lastError: "HTTP 410 Gone"))
    }

    @Test func blockedAddressDeadLettersAtOnce() {
        let outcome = classify(.blockedAddress(message: "loopback"))
        guard case .deadLetter(.blockedAddress, nil, _) = outcome else {
            Issue.record("expected blocked_address, got \(outcome)")
            return
        }
    }

    @Test func serverErrorsAndTransportFailuresRetryBySchedule() {
        #expect(classify(.response(status: 500, retryAfter: nil), attempt: 2) == .retry(after: .seconds(300), lastStatus: 500, lastError: "HTTP 500"))
        #expect(classify(.transportFailure(.timeout, message: "timed out after 15000 ms"))
            == .retry(after: .seconds(5), lastStatus: nil, lastError: "timeout: timed out after 15000 ms"))
        // Retry-After only counts on 429/503.
        #expect(classify(.response(status: 500, retryAfter: "60")) == .retry(after: .seconds(5), lastStatus: 500, lastError: "HTTP 500"))
    }

    @Test func tooManyRequestsWithRetryAfterWaitsLonger() {
        #expect(classify(.response(status: 429, retryAfter: "60")) == .retry(after: .seconds(60), lastStatus: 429, lastError: "HTTP 429"))
        let headers: [(name: String, value: String)] = [("Retry-After", "Thu, 01 Jan 1970 00:02:00 GMT")]
        #expect(classify(.response(status: 503, headers: headers), nowMillis: 20_000)
            == .retry(after: .seconds(100), lastStatus: 503, lastError: "HTTP 503"))
    }

    @Test func retryAfterIsCappedAtTheLargestStep() {
        #expect(classify(.response(status: 429, retryAfter: "99999")) == .retry(after: .seconds(300), lastStatus: 429, lastError: "HTTP 429"))
    }

    @Test func lastAttemptFailureIsExhaustedWithItsStatusAndError() {
        #expect(classify(.response(status: 500, retryAfter: nil), attempt: 3) == .deadLetter(.exhausted, lastStatus: 500, lastError: "HTTP 500"))
        #expect(classify(.transportFailure(.connect, message: "refused"), attempt: 3)
            == .deadLetter(.exhausted, lastStatus: nil, lastError: "connect: refused"))
    }
}
