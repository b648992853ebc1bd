import SluiceCore
import Testing

@testable import SluiceWorker

/// A lane never holds more than it can finish before the visibility timeout hands its deliveries
/// to another worker — counting each attempt's address lookup, not only the endpoint timeout.
@Suite struct LaneSizingTests {
    static func routes(timeout: String, maxInFlight: Int, visibility: String) throws -> RoutesConfig {
        let loaded = RoutesLoader.load(
            text: text(timeout: timeout, maxInFlight: maxInFlight, visibility: visibility), path: "routes.yaml", environment: [:],
            readSecretFile: { _ in "" })
        return try #require(loaded.config, "\(loaded.diagnostics)")
    }

    static func text(timeout: String, maxInFlight: Int, visibility: String) -> String {
        """
            version: 1
            sources:
              gemini:
                verify:
                  hmac: {secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}
            tenants:
              acme:
                signing: {secrets: ["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}
                endpoints:
                  slow: {url: "https://hooks.example/x", timeout: \(timeout), max_in_flight: \(maxInFlight)}
            routes:
              - name: all
                match: {source: gemini}
                to: [acme/slow]
            worker: {visibility_timeout: \(visibility)}
            """
    }

    @Test(arguments: ["1s", "2s", "15s", "30s", "2m"])
    func everyDeliveryALaneHoldsIsSettledWithinTheVisibilityTimeout(timeout: String) throws {
        let ref = EndpointRef(tenant: "acme", endpoint: "slow")
        let seconds = try #require(Int(timeout.dropLast())) * (timeout.hasSuffix("m") ? 60 : 1)
        // The smallest accepted value, a few just above, auto, and a generous one.
        let visibilities = ["\(seconds + 7)s", "\(seconds + 8)s", "\(2 * seconds + 9)s", "auto", "10m"]
        for visibility in visibilities {
            for maxInFlight in [1, 4, 32] {
                let routes = try Self.routes(timeout: timeout, maxInFlight: maxInFlight, visibility: visibility)
                let endpoint = try #require(routes.endpoint(ref))
                for room in [64, 256, 4096] {
                    let lane = DeliveryStage.laneSize(for: ref, in: WorkerSnapshot(routes: routes), maxInFlight: room)
                    let worst = LaneSizing.worstClaimedTime(limit: lane.limit, queue: lane.queue, timeout: endpoint.timeout)
                    #expect(
                        worst <= routes.worker.visibilityTimeout,
                        "timeout \(timeout), max_in_flight \(maxInFlight), visibility \(visibility), room \(room): lane \(lane) may hold a delivery \(worst)")
                }
            }
        }
    }

    @Test func autoKeepsAQueuedRoundAtTheDefaultTimeoutAndNoneWhenOnlyOneRoundFits() throws {
        let ref = EndpointRef(tenant: "acme", endpoint: "slow")
        let usual = try Self.routes(timeout: "15s", maxInFlight: 4, visibility: "auto")
        #expect(usual.worker.visibilityTimeout == .seconds(45))
        #expect(DeliveryStage.laneSize(for: ref, in: WorkerSnapshot(routes: usual), maxInFlight: 256) == (4, 4))
        // 60 s holds one 35 s round (lookup + timeout) and 2 s to record it, not two.
        let slow = try Self.routes(timeout: "30s", maxInFlight: 4, visibility: "auto")
        #expect(DeliveryStage.laneSize(for: ref, in: WorkerSnapshot(routes: slow), maxInFlight: 256) == (4, 0))
    }

    @Test func anEndpointAtAnIPAddressIsGivenNoLookupTime() {
        #expect(LaneSizing.needsLookup(url: "https://hooks.example/x"))
        #expect(!LaneSizing.needsLookup(url: "http://127.0.0.1:8080/hook"))
        #expect(!LaneSizing.needsLookup(url: "http://[::1]:8080/hook"))
        #expect(!LaneSizing.needsLookup(url: "https://user@10.0.0.1/x"))
        // 5 s timeout, 35 s visibility: six rounds fit without a lookup, three with one.
        let direct = LaneSizing.lane(maxInFlight: 64, timeout: .seconds(5), visibility: .seconds(35), processRoom: 1024, lookup: false)
        let named = LaneSizing.lane(maxInFlight: 64, timeout: .seconds(5), visibility: .seconds(35), processRoom: 1024, lookup: true)
        #expect(direct == (64, 256) && named == (64, 128))
        #expect(LaneSizing.worstClaimedTime(limit: 64, queue: 256, timeout: .seconds(5), lookup: false) <= .seconds(35))
    }

    /// A lane size times the rounds that fit (a 1 ms timeout under a century's visibility) could
    /// multiply past Int.max and crash the worker (routes.yaml now caps max_in_flight at 100,000,
    /// well below); the queue saturates instead.
    @Test func aHugeLaneUnderTheLongestVisibilityDoesNotOverflow() {
        let lane = LaneSizing.lane(maxInFlight: Int.max / 2, timeout: .milliseconds(1), visibility: .seconds(36_500 * 86_400), processRoom: 1024, lookup: false)
        #expect(lane == (Int.max / 2, Int.max / 2))
    }

    @Test func aVisibilityTimeoutThatCannotHoldOneAttemptIsRefused() {
        // 32 s would have been accepted before (it is above the 30 s timeout), but an attempt may
        // take the 5 s address lookup and then 30 s.
        let text = Self.text(timeout: "30s", maxInFlight: 4, visibility: "32s")
        let loaded = RoutesLoader.load(text: text, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" })
        #expect(loaded.config == nil)
        #expect(loaded.diagnostics.map(\.description) == [
            "routes.yaml:15:30: 'visibility_timeout' (32s) must be at least 37s: the longest endpoint timeout (30s) plus 5s for the address lookup and 2s to record the result, or a delivery still in flight would be handed to a second worker; use auto",
        ])
    }
}
