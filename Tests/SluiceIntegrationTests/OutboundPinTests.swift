import Foundation
import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

/// The outbound address pin holds for internationalized host names: the worker resolves and
/// checks the punycode form curl connects to, not the UTF-8 spelling.
@Suite struct OutboundPinTests {
    @Test func anIDNHostResolvingToABlockedAddressIsDeadLetteredNotDelivered() async throws {
        try await withSink { sink in
            try await withRedis { redis in
                // The endpoint's UTF-8 name resolves to the sink (an allowed address), its
                // punycode form — the one curl looks up — to 127.0.0.9, which the policy refuses.
                let url = "http://bücher.test:\(sink.port)/hook"
                var gateway = try GatewayProcesses(
                    redis: redis,
                    routes: GatewayProcesses.routes(
                        prefix: redis.prefix, sinkURL: url,
                        routes: """
                              - name: all
                                to: [acme/main]
                            """))
                defer { gateway.close() }
                let hosts = try String(contentsOfFile: "/etc/hosts", encoding: .utf8)
                    + "\n127.0.0.1 bücher.test\n127.0.0.9 xn--bcher-kva.test\n"
                let hostsFile = try gateway.dir.write("hosts", hosts)
                let edge = try await gateway.startEdge()
                defer { edge.send(SIGKILL) }
                let worker = try await gateway.startWorker(name: "worker", hostsFile: hostsFile)
                defer { worker.send(SIGKILL) }

                let id = try await gateway.post(type: "batch.succeeded")
                var dead: [DeadLetterEntry] = []
                try await poll(until: {
                    dead = try await gateway.store.deadLetters()
                    return !dead.isEmpty
                }, "the delivery is dead-lettered")
                #expect(dead.map(\.reason) == [.blockedAddress])
                #expect(dead.first?.delivery.event.webhookID == id)
                #expect(dead.first?.lastError?.contains("xn--bcher-kva.test") == true, "\(String(describing: dead.first?.lastError))")
                #expect(await sink.requests.isEmpty, "nothing reached an address the guard refused or never judged")
            }
        }
    }
}
