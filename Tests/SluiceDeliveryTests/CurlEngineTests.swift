import SluiceDelivery
import SluiceTesting
import Testing

/// The engine's event loop under load and at its edges: many transfers in flight at once,
/// cancellation and shutdown among them, timeouts of many at once, and waking from idle.
@Suite struct CurlEngineTests {
    /// Every request is held by the sink until all 500 have arrived, so all 500 are in flight
    /// in the engine at the same moment; then all must complete. (The timeout only has to outlast
    /// 500 connections reaching the sink on a loaded machine: 30 s once did not.)
    @Test func fiveHundredTransfersInFlightAtOnceAllComplete() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let count = 500
        let gate = SinkGate(opensAt: count)
        try await withSink { sink in
            await sink.respond(to: "/held") { _ in
                await gate.arrive()
                return .ok
            }
            let outcomes = await withTaskGroup(of: String.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let request = HTTPRequest(
                            url: sink.url("/held"), headers: [HTTPHeader(name: "x-n", value: "\(index)")],
                            body: Array("\(index)".utf8), timeout: .seconds(120))
                        do throws(HTTPClientError) {
                            return "\(try await client.execute(request).status)"
                        } catch {
                            return "\(error.kind): \(error.message)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            await gate.open()
            #expect(outcomes.count == count)
            let failures = outcomes.filter { $0 != "200" }
            #expect(failures.isEmpty, "\(failures.count) of \(count) did not get 200, e.g. \(Set(failures).prefix(3))")
            #expect(await gate.peak == count)
            let bodies = Set(await sink.requests.map(\.text))
            #expect(bodies.count == count)
        }
    }

    /// Cancelling one transfer ends only that one; the others on the same engine carry on.
    @Test func cancellingOneOfManyLeavesTheOthersRunning() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let gate = SinkGate()
        try await withSink { sink in
            await sink.respond(to: "/held") { _ in
                await gate.arrive()
                return .ok
            }
            await sink.respond(to: "/hang", with: .hang)
            let others = (0..<20).map { _ in
                Task { await outcome(client, HTTPRequest(url: sink.url("/held"), timeout: .seconds(30))) }
            }
            let doomed = Task { await outcome(client, HTTPRequest(url: sink.url("/hang"), timeout: .seconds(30))) }
            _ = try await sink.waitForRequests(count: 21)
            doomed.cancel()
            let doomedResult = await doomed.value
            let error = try #require(throws: HTTPClientError.self) { try doomedResult.get() }
            #expect(error.kind == .cancelled)
            #expect(error.duration < .seconds(10))
            await gate.open()
            for other in others {
                #expect(try await other.value.get().status == 200)
            }
        }
    }

    /// Shutdown with many transfers in flight fails every one of them with `.shutdown`, promptly.
    @Test func shutdownFailsEveryTransferInFlight() async throws {
        let client = try HTTPClient()
        try await withSink { sink in
            await sink.setFallback(.hang)
            let count = 100
            let transfers = (0..<count).map { index in
                Task { await outcome(client, HTTPRequest(url: sink.url("/hang/\(index)"), timeout: .seconds(60))) }
            }
            _ = try await sink.waitForRequests(count: count)
            let start = ContinuousClock.now
            client.shutdown()
            for transfer in transfers {
                let result = await transfer.value
                let error = try #require(throws: HTTPClientError.self) { try result.get() }
                #expect(error.kind == .shutdown)
            }
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    /// curl's timer, not a socket event, ends these: many hanging transfers all time out on time.
    @Test func manyHangingTransfersTimeOutOnTime() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        try await withSink { sink in
            await sink.setFallback(.hang)
            let results = await withTaskGroup(of: Result<HTTPResponse, HTTPClientError>.self) { group in
                for index in 0..<50 {
                    group.addTask { await outcome(client, HTTPRequest(url: sink.url("/hang/\(index)"), timeout: .seconds(1))) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 50)
            for result in results {
                let error = try #require(throws: HTTPClientError.self) { try result.get() }
                #expect(error.kind == .timeout)
                #expect(error.duration >= .milliseconds(950))
                #expect(error.duration < .seconds(8))
            }
        }
    }

    /// Every response closes its connection, so curl closes each socket and the next one usually
    /// gets the same descriptor number: the epoll bookkeeping (parked sockets) must follow.
    @Test func connectionsClosedAfterEachResponseDoNotStallTheNext() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        try await withSink { sink in
            await sink.respond(to: "/close", with: .status(200, headers: [("Connection", "close")]))
            var newConnections = 0
            for index in 0..<20 {
                let response = try await client.execute(
                    HTTPRequest(url: sink.url("/close"), body: Array("\(index)".utf8), timeout: .seconds(5)))
                #expect(response.status == 200)
                newConnections += response.newConnections
            }
            #expect(newConnections == 20)
        }
    }

    /// With nothing in flight the engine thread waits with no curl timer; a submission must wake
    /// it, not wait for that wait to end. The wait is made a minute long here, so a lost wake-up
    /// costs a minute while a busy machine costs at most seconds.
    @Test func anIdleEngineStartsANewTransferPromptly() async throws {
        let client = try HTTPClient(configuration: .init(idleWait: .seconds(60)))
        defer { client.shutdown() }
        try await withSink { sink in
            // The first request opens the connection; later ones reuse it, so only the wake-up is timed.
            _ = try await client.execute(HTTPRequest(url: sink.url("/warm"), timeout: .seconds(5)))
            var slowest = Duration.zero
            for _ in 0..<5 {
                // Not synchronisation: this lets the engine go idle, which is the state under test.
                try await Task.sleep(for: .milliseconds(150))
                let start = ContinuousClock.now
                let response = try await client.execute(HTTPRequest(url: sink.url("/idle"), timeout: .seconds(5)))
                #expect(response.status == 200)
                slowest = max(slowest, ContinuousClock.now - start)
            }
            #expect(slowest < .seconds(20))
        }
    }
}
