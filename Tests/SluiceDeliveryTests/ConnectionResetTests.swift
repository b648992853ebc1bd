import SluiceDelivery
import SluiceTesting
import Testing

/// A receiver that resets the connection (what `SinkResponse.reset` scripts for the chaos
/// harness) is a transport failure, and the next request on a fresh connection succeeds.
@Suite struct ConnectionResetTests {
    @Test func resetConnectionIsATransportErrorAndTheNextRequestSucceeds() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        try await withSink { sink in
            await sink.enqueue(.reset, for: "/hook")
            let request = HTTPRequest(url: sink.url("/hook"), body: Array(#"{"type":"a"}"#.utf8), timeout: .seconds(5))
            await #expect(throws: HTTPClientError.self) { try await client.execute(request) }
            let retried = try await client.execute(request)
            #expect(retried.status == 200)
            #expect(try await sink.waitForRequests(count: 2, path: "/hook").count == 2)
        }
    }
}
