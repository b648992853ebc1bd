import NIOCore
import SluiceRuntime
import Synchronization
import Testing

@testable import SluiceEdge

/// The edge's connection and buffer limits across connections: at a limit the connections that
/// waited on their own client longest are shed, and one doing accepted work never is.
@Suite struct EdgeConnectionRegistryTests {
    /// Which tickets were shed, by the name each was given.
    final class ShedLog: Sendable {
        let names = Mutex<[String]>([])

        func ticket(_ name: String, since seconds: UInt64, sheddable: Bool = true) -> EdgeConnectionTicket {
            let ticket = EdgeConnectionTicket(now: .uptimeNanoseconds(seconds * 1_000_000_000)) { [self] in
                names.withLock { $0.append(name) }
            }
            ticket.sheddable.store(sheddable, ordering: .relaxed)
            return ticket
        }

        var shed: [String] { names.withLock { $0 } }
    }

    static func registry(connections: Int = 128, bytes: Int = 1000) -> EdgeConnectionRegistry {
        EdgeConnectionRegistry(
            limits: EdgeConnectionLimits(maxConnections: connections, maxBufferedBytes: bytes), factory: PrometheusExporter().factory)
    }

    @Test func atTheConnectionLimitTheOldestSheddableConnectionMakesRoom() {
        let log = ShedLog()
        let registry = Self.registry(connections: 3)
        let storing = log.ticket("storing", since: 1, sheddable: false)
        let old = log.ticket("old", since: 2)
        let young = log.ticket("young", since: 3)
        #expect(registry.admit(storing) && registry.admit(old) && registry.admit(young))
        #expect(log.shed.isEmpty)

        // The connection writing its event to Redis is older, but is never shed.
        #expect(registry.admit(log.ticket("new", since: 4)))
        #expect(log.shed == ["old"])
        #expect(registry.openConnections == 3)
        // Removing a shed connection again (its close arrives later) changes nothing.
        registry.remove(old)
        #expect(registry.openConnections == 3)
    }

    @Test func aNewConnectionIsRefusedWhenNoneCanBeShed() {
        let log = ShedLog()
        let registry = Self.registry(connections: 2)
        #expect(registry.admit(log.ticket("a", since: 1, sheddable: false)))
        #expect(registry.admit(log.ticket("b", since: 2, sheddable: false)))
        #expect(!registry.admit(log.ticket("c", since: 3)))
        #expect(log.shed.isEmpty)
        #expect(registry.openConnections == 2)
    }

    @Test func bytesOverTheBudgetShedTheOldestHoldersThenFit() {
        let log = ShedLog()
        let registry = Self.registry(bytes: 1000)
        let oldest = log.ticket("oldest", since: 1)
        let middle = log.ticket("middle", since: 2)
        let busy = log.ticket("busy", since: 0, sheddable: false)
        let reader = log.ticket("reader", since: 3)
        for ticket in [oldest, middle, busy, reader] { #expect(registry.admit(ticket)) }
        #expect(registry.reserve(300, for: oldest))
        #expect(registry.reserve(300, for: middle))
        #expect(registry.reserve(300, for: busy))
        #expect(registry.bufferedBytes == 900)

        // 400 more needs 300 freed: the oldest sheddable holder goes, the busy one stays.
        #expect(registry.reserve(400, for: reader))
        #expect(log.shed == ["oldest"])
        #expect(registry.bufferedBytes == 1000)
        // Giving back is idempotent: a shed connection's close releases nothing twice.
        registry.release(oldest)
        registry.remove(oldest)
        #expect(registry.bufferedBytes == 1000)

        // More than can be freed: shed what it may, and refuse.
        #expect(!registry.reserve(800, for: reader))
        #expect(log.shed == ["oldest", "middle"])
        #expect(registry.bufferedBytes == 700)
        registry.release(reader)
        registry.release(busy)
        #expect(registry.bufferedBytes == 0)
    }
}
