import SluiceCore
import Testing

@testable import SluiceWorker

@Suite("A worker's recent attempts per endpoint, for the console")
struct EndpointActivityTests {
    static let main = EndpointRef(tenant: "acme", endpoint: "main")

    @Test func countsSuccessLatencyInFlightAndTheLastError() throws {
        let activity = EndpointActivity()
        activity.started(Self.main)
        activity.started(Self.main)
        for index in 1...10 {
            activity.started(Self.main)
            activity.finished(Self.main, succeeded: index != 4, duration: .milliseconds(index * 10), error: index == 4 ? "HTTP 503" : nil, atMillis: 1_000 + Int64(index))
        }
        // Abandoned at shutdown: no longer in flight, counted for nothing.
        activity.finished(Self.main, succeeded: nil, duration: .seconds(9), error: "ignored", atMillis: 9_999)
        let summary = try #require(activity.summaries(consumer: "w1", nowMillis: 5_000).first)
        #expect(summary.endpoint == "acme/main" && summary.consumer == "w1" && summary.atMillis == 5_000)
        #expect(summary.attempts == 10 && summary.succeeded == 9)
        #expect(summary.p50Millis == 60 && summary.p95Millis == 100 && summary.p99Millis == 100)
        #expect(summary.inFlight == 1)
        #expect(summary.lastError == "HTTP 503" && summary.lastErrorAtMillis == 1_004)
        // All ten ended within the minute before 5,000 ms; one failed.
        #expect(summary.lastMinute == 10 && summary.failedLastMinute == 1)
        #expect(activity.summaries(consumer: "w1", nowMillis: 70_000, all: true).first?.lastMinute == 0)
        // Nothing changed since: nothing to publish, unless everything is asked for.
        #expect(activity.summaries(consumer: "w1", nowMillis: 6_000).isEmpty)
        #expect(activity.summaries(consumer: "w1", nowMillis: 6_000, all: true).count == 1)
    }

    /// An endpoint removed from routes.yaml is no longer published once its attempts have ended
    /// (each publication would otherwise keep its summary in Redis for good).
    @Test func anEndpointNoLongerInTheRoutesIsForgottenOnceIdle() throws {
        let activity = EndpointActivity()
        let removed = EndpointRef(tenant: "temp", endpoint: "e1")
        for ref in [Self.main, removed] {
            activity.started(ref)
            activity.finished(ref, succeeded: true, duration: .milliseconds(5), error: nil, atMillis: 1_000)
        }
        activity.started(removed)
        let exists = { (ref: EndpointRef) in ref != removed }
        // Still running an attempt: kept and published.
        #expect(Set(activity.summaries(consumer: "w1", nowMillis: 2_000, all: true, exists: exists).map(\.endpoint)) == ["acme/main", "temp/e1"])
        activity.finished(removed, succeeded: true, duration: .milliseconds(5), error: nil, atMillis: 2_500)
        #expect(activity.summaries(consumer: "w1", nowMillis: 3_000, all: true, exists: exists).map(\.endpoint) == ["acme/main"])
        // Forgotten, not hidden: back in the routes, it starts afresh.
        #expect(activity.summaries(consumer: "w1", nowMillis: 4_000, all: true).map(\.endpoint) == ["acme/main"])
    }

    @Test func keepsTheLastWindowOfAttempts() throws {
        let activity = EndpointActivity()
        for _ in 0..<250 {
            activity.started(Self.main)
            activity.finished(Self.main, succeeded: false, duration: .milliseconds(1), error: "refused", atMillis: 1)
        }
        for _ in 0..<200 {
            activity.started(Self.main)
            activity.finished(Self.main, succeeded: true, duration: .milliseconds(2), error: nil, atMillis: 2)
        }
        let summary = try #require(activity.summaries(consumer: "w", nowMillis: 3).first)
        #expect(summary.attempts == 200 && summary.succeeded == 200 && summary.p99Millis == 2)
    }
}
