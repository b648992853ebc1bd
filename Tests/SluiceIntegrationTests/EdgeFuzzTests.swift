import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// Hostile input against a real `sluice edge` process: every request gets a 4xx, nothing
/// unverified is stored, the process survives, and its memory stays bounded.
@Suite struct EdgeFuzzTests {
    static let seed: UInt64 = 0x51_1CE
    static let route = """
          - name: all
            match: {source: gemini}
            to: [acme/main]
        """

    /// Runs `body` with a real edge (1 MiB max body) on its own redis-server.
    func withEdge(
        environment: [String: String] = [:], openFiles: Int? = nil, _ body: (GatewayProcesses, ChildProcess) async throws -> Void
    ) async throws {
        try await withRedis { redis in
            var gateway = try GatewayProcesses(
                redis: redis, routes: GatewayProcesses.routes(prefix: redis.prefix, sinkURL: "http://127.0.0.1:9/hook", routes: Self.route))
            defer { gateway.close() }
            let edge = try await gateway.startEdge(environment: environment, openFiles: openFiles)
            defer { edge.send(SIGKILL) }
            try await body(gateway, edge)
        }
    }

    @Test func mutatedRequestsGetAClientErrorAndNothingUnverifiedIsStored() async throws {
        try await withEdge { gateway, edge in
            var corpus = EdgeFuzzCorpus(
                secret: try WebhookSecret(parsing: GatewayProcesses.sourceSecret), now: Int64(Date().timeIntervalSince1970), seed: Self.seed)
            let cases = corpus.cases(count: 600)
            let outcomes = await withTaskGroup(of: (EdgeFuzzCase, RawHTTP.Outcome).self) { group in
                var results: [(EdgeFuzzCase, RawHTTP.Outcome)] = []
                var pending = cases[...]
                // Eight at a time: enough to overlap requests, not so many that a busy CI machine times out.
                for _ in 0..<8 {
                    guard let next = pending.popFirst() else { break }
                    group.addTask { (next, await RawHTTP.exchange(port: gateway.edgePort, request: next.bytes)) }
                }
                while let result = await group.next() {
                    results.append(result)
                    if let next = pending.popFirst() {
                        group.addTask { (next, await RawHTTP.exchange(port: gateway.edgePort, request: next.bytes)) }
                    }
                }
                return results
            }

            var accepted: Set<String> = []
            for (fuzz, outcome) in outcomes {
                switch outcome {
                case .status(let code):
                    #expect(fuzz.allowed.contains(code), "seed \(Self.seed), \(fuzz.id) (\(fuzz.name)): answered \(code), allowed \(fuzz.allowed.sorted())")
                    if code == 202 { accepted.insert(fuzz.id) }
                case .closed:
                    #expect(fuzz.mayClose, "seed \(Self.seed), \(fuzz.id) (\(fuzz.name)): the connection closed without an answer")
                case .timedOut:
                    Issue.record("seed \(Self.seed), \(fuzz.id) (\(fuzz.name)): no answer within 10 s")
                }
            }
            // The corpus is seeded, so these hold for every run; they keep the test from passing vacuously.
            #expect(outcomes.count == cases.count)
            #expect(cases.filter { $0.allowed == [202] }.allSatisfy { accepted.contains($0.id) }, "every control request was accepted")
            #expect(Set(cases.map(\.kind)).count == EdgeFuzzCorpus.kinds, "the corpus covers every kind of input")

            #expect(edge.exit.hasExited == false, "the edge survived")
            let stored = Set(try await Self.storedIDs(gateway))
            let verifiable = Set(cases.filter(\.verifiable).map(\.id))
            #expect(stored == accepted, "exactly the accepted events are in the ingress stream")
            #expect(stored.isSubset(of: verifiable), "nothing whose signature does not verify was stored")
        }
    }

    @Test func tenMegabyteBodiesAreRefusedWith413AndMemoryStaysBounded() async throws {
        try await withEdge { gateway, edge in
            let before = try #require(Self.residentMegabytes(pid: edge.pid))
            let secret = try WebhookSecret(parsing: GatewayProcesses.sourceSecret)
            let now = Int64(Date().timeIntervalSince1970)
            let corpus = EdgeFuzzCorpus(secret: secret, now: now, seed: Self.seed)
            let huge = [UInt8](repeating: UInt8(ascii: " "), count: 10 << 20)

            let outcomes = await withTaskGroup(of: RawHTTP.Outcome.self) { group in
                for index in 0..<16 {
                    let id = "msg_huge_\(index)"
                    let body = Array(#"{"type":"x","pad":""#.utf8) + huge + Array(#""}"#.utf8)
                    let signature = WebhookSigner.signatureHeader(for: SignedContent(id: id, timestamp: now, body: body), secrets: [secret])
                    let headers = [
                        EdgeFuzzCorpus.Header("webhook-id", id), EdgeFuzzCorpus.Header("webhook-timestamp", String(now)),
                        EdgeFuzzCorpus.Header("webhook-signature", signature),
                    ]
                    var bytes = corpus.rawRequest(headers: headers, body: body)
                    if index.isMultiple(of: 2) {
                        // Half of them hide the size: chunked, so the limit must hold while reading.
                        bytes = Self.chunked(bytes, bodyCount: body.count)
                    }
                    group.addTask { await RawHTTP.exchange(port: gateway.edgePort, request: bytes, timeout: .seconds(30)) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 == .status(413) }, "every oversize body answered 413: \(outcomes)")
            #expect(edge.exit.hasExited == false)
            let after = try #require(Self.residentMegabytes(pid: edge.pid))
            // 16 requests may each hold up to max_body (1 MiB) while they are read; 160 MiB of
            // input must not turn into 160 MiB of resident memory.
            #expect(after - before < 64, "edge RSS grew from \(before) MB to \(after) MB")
            #expect(try await Self.storedIDs(gateway).isEmpty)
        }
    }

    @Test func slowClientsCannotTakeTheEdgesDescriptors() async throws {
        // 1,024 descriptors, as a default soft limit would give, and 2,000 connections that
        // trickle their headers or their body a byte at a time and never finish. The request
        // timeout is long here, so only the connection limit can make room.
        try await withEdge(environment: ["SLUICE_REQUEST_TIMEOUT": "120"], openFiles: 1024) { gateway, edge in
            let before = try #require(Self.residentMegabytes(pid: edge.pid))
            let trickle = SlowClients(port: gateway.edgePort, count: 2000)
            trickle.start()
            defer { trickle.stop() }
            try await poll(until: { trickle.connected == 2000 }, timeout: .seconds(60), "2,000 slow connections are open")

            // Real calls still get their 202: the oldest unfinished reads make room. A call locked
            // out would wait for the slow clients' 120 s request timeout (and `post` gives up after
            // 10 s); the bound leaves room for a machine busy with the rest of the suite, where a
            // call once took 2.03 s.
            for _ in 0..<20 {
                let started = ContinuousClock.now
                try await gateway.post(type: "batch.succeeded")
                let took = ContinuousClock.now - started
                #expect(took < .seconds(5), "a valid call took \(took) beside 2,000 slow clients")
            }
            #expect(edge.exit.hasExited == false)
            let shed = try await Self.metric(#"sluice_edge_connections_shed_total{reason="connection_limit"}"#, gateway)
            #expect((shed ?? 0) >= 1000, "connections shed at the limit: \(String(describing: shed))")
            let open = try #require(try await Self.metric("sluice_edge_connections", gateway))
            #expect(open < 1024, "\(open) connections open with 1,024 descriptors")
            let after = try #require(Self.residentMegabytes(pid: edge.pid))
            #expect(after - before < 64, "edge RSS grew from \(before) MB to \(after) MB with 2,000 slow clients")
            #expect(try await Self.storedIDs(gateway).count == 20)
        }
    }

    @Test func requestsThatTrickleInAreCutOffAtTheRequestTimeout() async throws {
        try await withEdge(environment: ["SLUICE_REQUEST_TIMEOUT": "2"]) { gateway, edge in
            let trickle = SlowClients(port: gateway.edgePort, count: 200)
            trickle.start()
            defer { trickle.stop() }
            try await poll(until: { trickle.connected == 200 }, timeout: .seconds(30), "200 slow connections are open")
            // However steadily their bytes come, none is read for longer than the timeout.
            try await poll(until: {
                let timedOut: Double?? = try? await Self.metric(#"sluice_edge_connections_shed_total{reason="request_timeout"}"#, gateway)
                return (timedOut.flatMap { $0 } ?? 0) >= 200
            }, "every slow request is cut off after the request timeout")
            try await poll(until: {
                let open: Double?? = try? await Self.metric("sluice_edge_connections", gateway)
                return (open.flatMap { $0 } ?? .infinity) < 5
            }, "the slow connections are closed")
            try await gateway.post(type: "batch.succeeded")
            #expect(try await Self.storedIDs(gateway).count == 1)
        }
    }

    @Test func bodiesThatNeverFinishCannotHoldMoreThanTheBufferBudget() async throws {
        // 4 MiB for every connection's unfinished request, and 48 senders that each send 512 KiB
        // of a 1 MiB body and stop: 24 MiB asked for, so the oldest are shed as new ones come.
        try await withEdge(environment: ["SLUICE_MAX_BUFFERED_MIB": "4"]) { gateway, edge in
            let before = try #require(Self.residentMegabytes(pid: edge.pid))
            let stalled = StalledBodies(port: gateway.edgePort, count: 48, declared: 1 << 20, sent: 512 << 10)
            defer { stalled.close() }
            try await poll(until: {
                let shed: Double?? = try? await Self.metric(#"sluice_edge_connections_shed_total{reason="buffer_limit"}"#, gateway)
                return (shed.flatMap { $0 } ?? 0) >= 30
            }, "senders over the buffer budget are shed")
            let buffered = try #require(try await Self.metric("sluice_edge_buffered_bytes", gateway))
            #expect(buffered <= 4 * 1_048_576, "buffered \(buffered) bytes with a 4 MiB budget")
            for _ in 0..<5 {
                try await gateway.post(type: "batch.succeeded")
            }
            let after = try #require(Self.residentMegabytes(pid: edge.pid))
            #expect(after - before < 48, "edge RSS grew from \(before) MB to \(after) MB")
            #expect(try await Self.storedIDs(gateway).count == 5)
        }
    }

    /// The value of one series on the edge's /metrics, or nil when it is not there.
    static func metric(_ series: String, _ gateway: GatewayProcesses) async throws -> Double? {
        let response = try await gateway.client.execute(
            HTTPRequest(method: "GET", url: "http://127.0.0.1:\(gateway.edgePort)/metrics", timeout: .seconds(5)))
        let text = String(decoding: response.body, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(series + " ") }) else { return nil }
        return Double(line.dropFirst(series.count + 1).trimmingCharacters(in: .whitespaces))
    }

    /// The webhook-ids of the events on the ingress stream.
    static func storedIDs(_ gateway: GatewayProcesses) async throws -> [String] {
        let reply = try await gateway.redis.client.send(["XRANGE", RedisArgument(gateway.redis.keyspace.ingress), "-", "+"])
        return RedisStreamEntry.entries(from: reply).compactMap { IngressEvent.decode(fields: $0.fields)?.webhookID }
    }

    /// The request with its body re-framed as 64 KiB chunks and no content-length.
    static func chunked(_ request: [UInt8], bodyCount: Int) -> [UInt8] {
        let head = String(decoding: request[..<(request.count - bodyCount)], as: UTF8.self)
            .replacingOccurrences(of: "content-length: \(bodyCount)\r\n", with: "transfer-encoding: chunked\r\n")
        var bytes = Array(head.utf8)
        var offset = request.count - bodyCount
        while offset < request.count {
            let end = min(offset + 65_536, request.count)
            bytes += Array("\(String(end - offset, radix: 16))\r\n".utf8) + request[offset..<end] + [0x0D, 0x0A]
            offset = end
        }
        return bytes + Array("0\r\n\r\n".utf8)
    }

    /// VmRSS of `pid` in MB, from /proc.
    static func residentMegabytes(pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes / 1024
    }
}
