import SluiceCore
import SluiceRedis
import SluiceTesting
import Testing

@Suite("Redis crashes and restarts")
struct RedisFailureTests {
    @Test func killedServerFailsCommandsPromptlyAndTheSameClientRecoversAfterRestart() async throws {
        try await withRedis { redis in
            try await redis.client.ping()
            await redis.server.kill()

            for _ in 0..<5 {
                let started = ContinuousClock.now
                do throws(RedisError) {
                    _ = try await redis.client.send(["PING"])
                    Issue.record("expected a connection error while Redis is down")
                } catch {
                    #expect(error.isConnectionProblem, "\(error)")
                    #expect(error.message.contains(redis.url.description))
                }
                // Refused at once rather than waiting out the 10 s command timeout; the bound
                // leaves room for a loaded machine and still tells the two apart.
                #expect(ContinuousClock.now - started < .seconds(5))
            }

            // Many queued callers all fail too; none hangs.
            let client = redis.client
            let failures = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        do throws(RedisError) {
                            try await client.ping()
                            return false
                        } catch {
                            return error.isConnectionProblem
                        }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 100)

            try await redis.server.restart()
            try await poll(until: {
                (try? await client.ping()) != nil
            }, "the client to reconnect after restart")
            #expect(try await client.send(["SET", "k", "v"]) == .status("OK"))
        }
    }

    /// A worker holds several connections to one Redis: the lines about losing and regaining one
    /// say which (the pipelined commands, the router's or the delivery stage's blocking reads).
    @Test func connectionLinesSayWhichOfAWorkersConnectionsTheyAreAbout() async throws {
        try await withRedis { redis in
            let capture = LogCapture()
            let stores = WorkerStores(url: redis.url, prefix: redis.prefix, count: 1, logger: capture.logger(label: "worker"))
            defer { stores.shutdown() }
            let router = stores.store(0), delivery = stores.deliveryStore(0)
            try await router.client.ping()
            try await router.blockingClient.ping()
            try await delivery.blockingClient.ping()
            await redis.server.kill()
            // The first command finds the connection gone, the second fails to connect.
            for client in [router.client, router.blockingClient, delivery.blockingClient] {
                _ = try? await client.ping()
                _ = try? await client.ping()
            }
            try await redis.server.restart()
            for client in [router.client, router.blockingClient, delivery.blockingClient] {
                try await poll(until: { (try? await client.ping()) != nil }, "each connection back")
            }
            let lines = capture.text.split(separator: "\n")
            for role in ["commands", "router-reads", "delivery-reads"] {
                for message in ["warning Cannot connect to Redis", "info Reconnected to Redis"] {
                    let named = lines.filter { $0.hasPrefix(message) && $0.contains("connection=\(role)") }
                    #expect(named.count == 1, "\(role), \(message): \(capture.text)")
                }
            }
            #expect(lines.filter { $0.contains("connection=router-reads") }.allSatisfy { $0.contains("partition=0") })
        }
    }

    @Test func acceptedEventsSurviveACrashWithAppendOnlyFile() async throws {
        try await withRedis(appendOnly: true, appendFsync: "always") { redis in
            let store = IngressStore(client: redis.client, keyspace: redis.keyspace)
            var accepted: [String] = []
            for index in 0..<20 {
                let event = IngressEvent(
                    webhookID: "msg_\(index)", source: "gemini", channel: nil, eventType: "video.generated",
                    webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: Array("{}".utf8)
                )
                if case .accepted(let id) = try await store.accept(event, dedupeWindow: .seconds(3600)) {
                    accepted.append(id)
                }
            }
            #expect(accepted.count == 20)

            await redis.server.kill()
            try await redis.server.restart()

            let client = redis.client
            try await poll(until: { (try? await client.ping()) != nil }, "Redis to come back")
            let entries = try await client.send(["XRANGE", RedisArgument(redis.keyspace.ingress), "-", "+"]).array ?? []
            #expect(entries.compactMap { $0.array?.first?.string } == accepted)
            // Dedupe markers survived too.
            let again = IngressEvent(
                webhookID: "msg_3", source: "gemini", channel: nil, eventType: "video.generated",
                webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: Array("{}".utf8)
            )
            #expect(try await store.accept(again, dedupeWindow: .seconds(3600)) == .duplicate)
        }
    }
}
