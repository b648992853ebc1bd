import SluiceRedis
import SluiceTesting
import Testing

@Suite("RedisClient against a real redis-server")
struct RedisClientTests {
    @Test func basicCommandsReturnTypedReplies() async throws {
        try await withRedis { redis in
            let key = RedisArgument("\(redis.prefix):counter")
            #expect(try await redis.client.send(["SET", key, 41]) == .status("OK"))
            #expect(try await redis.client.send(["INCR", key]) == .integer(42))
            #expect(try await redis.client.send(["GET", key]).int == 42)
            #expect(try await redis.client.send(["GET", "\(redis.prefix):missing"]) == .null)
            let list = RedisArgument("\(redis.prefix):list")
            _ = try await redis.client.send(["RPUSH", list, "a", "b"])
            #expect(try await redis.client.send(["LRANGE", list, 0, -1]) == .array([.string(Array("a".utf8)), .string(Array("b".utf8))]))
            try await redis.client.ping()
        }
    }

    @Test func binaryValuesRoundTripByteForByte() async throws {
        try await withRedis { redis in
            let value: [UInt8] = [0, 1, 0xFF, 0xFE, 0xC3, 0x28, 0, 13, 10, 0x80] + Array(repeating: 0, count: 100)
            let key = RedisArgument([0x6B, 0x00, 0xFF])  // a key with a NUL and invalid UTF-8, too
            _ = try await redis.client.send(["SET", key, RedisArgument(value)])
            #expect(try await redis.client.send(["GET", key]) == .string(value))
            #expect(try await redis.client.send(["STRLEN", key]) == .integer(Int64(value.count)))
            #expect(try await redis.client.send(["SET", "\(redis.prefix):empty", ""]) == .status("OK"))
            #expect(try await redis.client.send(["GET", "\(redis.prefix):empty"]) == .string([]))
        }
    }

    @Test func errorRepliesAreThrownAsServerErrors() async throws {
        try await withRedis { redis in
            do throws(RedisError) {
                _ = try await redis.client.send(["NOSUCHCOMMAND"])
                Issue.record("expected a server error")
            } catch {
                #expect(error.kind == .server)
                #expect(error.serverCode == "ERR")
                #expect(!error.isConnectionProblem)
            }
            do throws(RedisError) {
                _ = try await redis.client.send(["XREADGROUP", "GROUP", "g", "c", "STREAMS", "\(redis.prefix):none", ">"])
                Issue.record("expected NOGROUP")
            } catch {
                #expect(error.isNoGroup)
            }
            // The connection is still usable after error replies.
            try await redis.client.ping()
        }
    }

    /// A read blocked on a stream that is deleted under it (FLUSHALL) is told `-UNBLOCKED the
    /// stream key no longer exists`: as much a missing group as NOGROUP, for the worker to recreate.
    @Test func aBlockedGroupReadWhoseStreamIsDeletedFailsAsAMissingGroup() async throws {
        try await withRedis { redis in
            let stream = RedisArgument("\(redis.prefix):s")
            _ = try await redis.client.send(["XGROUP", "CREATE", stream, "g", "0", "MKSTREAM"])
            let blocking = RedisClient(url: redis.url, logger: redis.logger, commandTimeout: .seconds(30))
            defer { blocking.shutdown() }
            async let read: Result<RedisReply, RedisError> = {
                do throws(RedisError) { return .success(try await blocking.send(["XREADGROUP", "GROUP", "g", "c", "BLOCK", 20000, "STREAMS", stream, ">"])) }
                catch { return .failure(error) }
            }()
            try await poll(until: { (try await redis.client.send(["CLIENT", "LIST"]).string ?? "").contains("cmd=xreadgroup") }, "the read is blocked")
            _ = try await redis.client.send(["DEL", stream])
            guard case .failure(let error) = await read else {
                Issue.record("the blocked read returned instead of failing")
                return
            }
            #expect(error.serverCode == "UNBLOCKED", "\(error)")
            #expect(error.isNoGroup, "\(error)")
        }
    }

    @Test func pipelineReturnsErrorRepliesInPlace() async throws {
        try await withRedis { redis in
            let key = RedisArgument("\(redis.prefix):p")
            let replies = try await redis.client.pipeline([
                ["SET", key, "v"],
                ["INCR", key],
                ["GET", key],
            ])
            try #require(replies.count == 3)
            #expect(replies[0] == .status("OK"))
            #expect(replies[1].errorMessage?.hasPrefix("ERR") == true)
            #expect(replies[2].string == "v")
        }
    }

    @Test func fiveHundredConcurrentSendsEachGetTheirOwnReply() async throws {
        try await withRedis { redis in
            let client = redis.client
            try await withThrowingTaskGroup(of: (Int, RedisReply).self) { group in
                for index in 0..<500 {
                    group.addTask {
                        (index, try await client.send(["ECHO", RedisArgument("reply-\(index)")]))
                    }
                }
                var seen = Set<Int>()
                for try await (index, reply) in group {
                    #expect(reply.string == "reply-\(index)")
                    seen.insert(index)
                }
                #expect(seen.count == 500)
            }
            // Concurrent callers shared round trips (the fixture's pings add a few of their own).
            let statistics = client.statistics
            #expect(statistics.commands >= 500)
            #expect(statistics.roundTrips < statistics.commands / 2, "\(statistics)")
        }
    }

    @Test func severalConnectionsShareTheLoad() async throws {
        try await withRedis { redis in
            let client = RedisClient(url: redis.url, connectionCount: 3, logger: redis.logger)
            defer { client.shutdown() }
            let key = RedisArgument("\(redis.prefix):n")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<300 {
                    group.addTask { _ = try await client.send(["INCR", key]) }
                }
                try await group.waitForAll()
            }
            #expect(try await client.send(["GET", key]).int == 300)
            let clients = try await client.send(["CLIENT", "LIST"]).string ?? ""
            #expect(clients.split(separator: "\n").count >= 3)
        }
    }

    @Test func scriptsRunByShaAndFallBackToEval() async throws {
        try await withRedis { redis in
            let script = RedisScript("return {KEYS[1], ARGV[1]}")
            #expect(script.sha1.count == 40)
            let first = try await redis.client.run(script, keys: ["k"], args: ["v"])
            #expect(first == .array([.string(Array("k".utf8)), .string(Array("v".utf8))]))
            // Now cached: EVALSHA alone succeeds.
            let loaded = try await redis.client.send(["SCRIPT", "EXISTS", RedisArgument(script.sha1)])
            #expect(loaded == .array([.integer(1)]))
            _ = try await redis.client.send(["SCRIPT", "FLUSH"])
            #expect(try await redis.client.run(script, keys: ["a"], args: ["b"]).array?.count == 2)
        }
    }

    @Test func preEncodedScriptArgumentsArriveByteForByteAndFallBackToEval() async throws {
        try await withRedis { redis in
            let script = RedisScript("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4]}")
            _ = try await redis.client.send(["SCRIPT", "FLUSH"])
            // Binary bytes, an empty argument, a negative number, and lengths of one to four digits.
            let binary: [UInt8] = [0, 13, 10, 36, 42, 255]
            let long = String(repeating: "x", count: 1234)
            var arguments = RESPArguments(capacity: 64)
            arguments.append("\(redis.prefix):one")
            arguments.append("\(redis.prefix):two")
            arguments.append(binary)
            arguments.append("")
            arguments.append(Int64(-42))
            arguments.append(long)
            let expected = RedisReply.array([
                .string(Array("\(redis.prefix):one".utf8)), .string(Array("\(redis.prefix):two".utf8)), .string(binary), .string([]),
                .string(Array("-42".utf8)), .string(Array(long.utf8)),
            ])
            let before = redis.client.statistics.commands
            #expect(try await redis.client.run(script, keyCount: 2, arguments: arguments) == expected)
            #expect(redis.client.statistics.commands - before == 2, "EVALSHA answered NOSCRIPT, then EVAL with the same arguments")
            #expect(try await redis.client.run(script, keyCount: 2, arguments: arguments) == expected)
            #expect(redis.client.statistics.commands - before == 3, "cached now: EVALSHA alone")
        }
    }

    @Test func shutdownFailsLaterCommandsWithoutHanging() async throws {
        try await withRedis { redis in
            let client = RedisClient(url: redis.url, logger: redis.logger)
            try await client.ping()
            client.shutdown()
            client.shutdown()
            do throws(RedisError) {
                try await client.ping()
                Issue.record("expected a shutdown error")
            } catch {
                #expect(error.kind == .clientShutdown)
                #expect(error.isConnectionProblem)
            }
        }
    }

    @Test func shutdownInterruptsABlockingCommand() async throws {
        try await withRedis { redis in
            let blocking = RedisClient(url: redis.url, logger: redis.logger, commandTimeout: nil)
            try await blocking.ping()
            let started = ContinuousClock.now
            let pending = Task { () async throws(RedisError) -> RedisReply in
                try await blocking.send(["BLPOP", "\(redis.prefix):never", 30])
            }
            try await poll(until: {
                let clients = try await redis.client.send(["CLIENT", "LIST"]).string ?? ""
                return clients.contains("cmd=blpop")
            }, "BLPOP to be blocked")
            blocking.shutdown()
            await #expect(throws: RedisError.self) { _ = try await pending.value }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func unreachableServerFailsFastWithTheURLButNotThePassword() async throws {
        let url = try RedisURL("redis://:topsecret@127.0.0.1:1")
        let client = RedisClient(url: url, logger: testLogger)
        defer { client.shutdown() }
        for _ in 0..<3 {
            do throws(RedisError) {
                try await client.ping()
                Issue.record("expected a connection error")
            } catch {
                #expect(error.kind == .unreachable)
                #expect(error.isConnectionProblem && error.isUnavailable)
                #expect(error.message.contains("127.0.0.1:1"))
                #expect(!error.message.contains("topsecret"))
            }
        }
    }
}
