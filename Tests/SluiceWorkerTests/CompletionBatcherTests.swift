import SluiceCore
import SluiceRedis
import Synchronization
import Testing

@testable import SluiceWorker

/// The batcher in isolation, with a stand-in for the store.
@Suite struct CompletionBatcherTests {
    static func completion(_ number: Int) -> DeliveryCompletion {
        let event = IngressEvent(
            webhookID: "msg_\(number)", source: "gemini", channel: nil, eventType: "batch.completed",
            webhookTimestamp: 1_700_000_000, receivedAtMillis: 1_700_000_000_000, body: Array("{}".utf8))
        let delivery = Delivery(ingressID: "1-\(number)", event: event, target: EndpointRef(tenant: "acme", endpoint: "main"))
        return DeliveryCompletion(entry: DeliveryEntry(streamID: "2-\(number)", delivery: delivery), attempt: nil, resolution: .delivered)
    }

    /// Completions arriving while a batch is on its way go together in the next one.
    @Test func completionsArrivingDuringARoundTripShareTheNextBatch() async throws {
        let batches = Mutex<[[String]]>([])
        let batcher = CompletionBatcher(maxBatch: 64) { completions throws(RedisError) in
            batches.withLock { $0.append(completions.map(\.entry.streamID)) }
            try? await Task.sleep(for: .milliseconds(50))  // a slow round trip
            return completions.map { $0.entry.streamID != "2-7" ? .settled : .notPending }
        }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for number in 0..<40 {
                group.addTask { (number, (try? await batcher.complete(Self.completion(number))) ?? false) }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 40)
        #expect(results.filter { !$0.value }.map(\.key) == [7])
        let sent = batches.withLock { $0 }
        #expect(sent.flatMap { $0 }.sorted() == (0..<40).map { "2-\($0)" }.sorted())
        #expect(sent.count < 40)
        #expect(sent.allSatisfy { $0.count <= 64 })
    }

    @Test func aBatchNeverExceedsTheMaximum() async throws {
        let sizes = Mutex<[Int]>([])
        let batcher = CompletionBatcher(maxBatch: 3) { completions throws(RedisError) in
            sizes.withLock { $0.append(completions.count) }
            try? await Task.sleep(for: .milliseconds(20))
            return completions.map { _ in .settled }
        }
        await withTaskGroup(of: Void.self) { group in
            for number in 0..<20 {
                group.addTask { _ = try? await batcher.complete(Self.completion(number)) }
            }
        }
        let sent = sizes.withLock { $0 }
        #expect(sent.reduce(0, +) == 20)
        #expect(sent.allSatisfy { $0 <= 3 })
    }

    /// A delivery Redis refuses fails alone, with Redis's message, and the rest of its batch is
    /// settled; a batch Redis cannot take for now (a lost connection, a replica) fails every
    /// completion in it, each caller retrying — it is not resent delivery by delivery; a script
    /// that fails outright on one completion is tried one by one, and only that one fails.
    @Test func aRefusedDeliveryFailsAloneAndAFailedBatchFailsWhole() async throws {
        let batcher = CompletionBatcher { completions throws(RedisError) in
            try? await Task.sleep(for: .milliseconds(20))
            return completions.map {
                $0.entry.streamID == "2-3" ? .refused("WRONGTYPE Operation against a key holding the wrong kind of value") : .settled
            }
        }
        let results = await withTaskGroup(of: (Int, Result<Bool, RedisError>).self) { group in
            for number in 0..<8 {
                group.addTask {
                    do throws(RedisError) {
                        return (number, .success(try await batcher.complete(Self.completion(number))))
                    } catch {
                        return (number, .failure(error))
                    }
                }
            }
            return await group.reduce(into: [Int: Result<Bool, RedisError>]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 8)
        for (number, result) in results {
            if number == 3 {
                #expect(throws: RedisError.self) { try result.get() }
                if case .failure(let error) = result { #expect(error.kind == .server && error.message.hasPrefix("WRONGTYPE")) }
            } else {
                #expect((try? result.get()) == true)
            }
        }

        let sent = Mutex(0)
        let refusedWhole = CompletionBatcher { completions throws(RedisError) in
            sent.withLock { $0 += completions.count }
            try? await Task.sleep(for: .milliseconds(20))
            throw RedisError(kind: .server, message: "READONLY You can't write against a read only replica.")
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for number in 0..<6 {
                group.addTask { (try? await refusedWhole.complete(Self.completion(number))) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 6)
        #expect(sent.withLock { $0 } == 6, "each completion sent once, in its batch")
        // A script that fails outright on one completion's arguments: tried one by one, only that one fails.
        let poisoned = CompletionBatcher { completions throws(RedisError) in
            try? await Task.sleep(for: .milliseconds(20))
            if completions.contains(where: { $0.entry.streamID == "2-3" }) {
                throw RedisError(kind: .server, message: "ERR user_script:1: bad argument #1 to 'tonumber'")
            }
            return completions.map { _ in .settled }
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for number in 0..<6 {
                group.addTask { (number, (try? await poisoned.complete(Self.completion(number))) == true) }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [3])

        let lost = CompletionBatcher { _ throws(RedisError) in
            throw RedisError(kind: .connectionLost, message: "lost the connection")
        }
        await #expect(throws: RedisError.self) { try await lost.complete(Self.completion(1)) }
    }
}
