import SluiceCore
import Synchronization

/// What the scripted receivers saw: every delivery they accepted (2xx, after any delay), and
/// every request they refused because its signature or body was wrong.
final class ReceiverLedger: Sendable {
    private struct State {
        var deliveries: [EndpointRef: [String: [ContinuousClock.Instant]]] = [:]
        var requests: [EndpointRef: Int] = [:]
        var badSignatures = 0
        var wrongBodies = 0
        var unknownIDs = 0
        var generations: Set<String> = []
    }

    private let state = Mutex(State())

    /// Counts a request to `endpoint`; returns its 1-based number there.
    func arrive(at endpoint: EndpointRef) -> Int {
        state.withLock { state in
            state.requests[endpoint, default: 0] += 1
            return state.requests[endpoint]!
        }
    }

    func delivered(_ id: String, to endpoint: EndpointRef, at instant: ContinuousClock.Instant) {
        state.withLock { $0.deliveries[endpoint, default: [:]][id, default: []].append(instant) }
    }

    /// Records the routes.yaml generation a delivery's headers came from.
    func saw(generation: String) { state.withLock { _ = $0.generations.insert(generation) } }

    func badSignature() { state.withLock { $0.badSignatures += 1 } }
    func wrongBody() { state.withLock { $0.wrongBodies += 1 } }
    func unknownID() { state.withLock { $0.unknownIDs += 1 } }

    /// Accepted deliveries of `id` at `endpoint`, in order.
    func deliveries(of id: String, to endpoint: EndpointRef) -> [ContinuousClock.Instant] {
        state.withLock { $0.deliveries[endpoint]?[id] ?? [] }
    }

    /// Distinct ids delivered to `endpoint`.
    func deliveredIDs(to endpoint: EndpointRef) -> Set<String> {
        state.withLock { Set(($0.deliveries[endpoint] ?? [:]).keys) }
    }

    var requestCounts: [EndpointRef: Int] { state.withLock { $0.requests } }
    var generations: Set<String> { state.withLock { $0.generations } }
    var badSignatures: Int { state.withLock { $0.badSignatures } }
    var wrongBodies: Int { state.withLock { $0.wrongBodies } }
    var unknownIDs: Int { state.withLock { $0.unknownIDs } }
}
