import Foundation
import SluiceCore
import SluiceDelivery
import SluiceTesting
import Testing

@Suite struct SSRFGuardTests {
    @Test func loopbackLiteralIsBlockedByDefault() async throws {
        let error = try await #require(throws: SSRFError.self) {
            try await SSRFGuard().check(url: "http://127.0.0.1:8080/hook")
        }
        #expect(error.kind == .blockedAddress)
        #expect(error.reason == "blocked_address")
        #expect(error.host == "127.0.0.1")
        #expect(error.address == IPAddress("127.0.0.1"))
        #expect(error.category == .loopback)
        #expect(error.message.contains("127.0.0.1"))
    }

    @Test func allowCIDRAdmitsTheLoopbackLiteral() async throws {
        let guardian = SSRFGuard(policy: AddressPolicy(allowCIDRs: [CIDR(parsing: "127.0.0.1/32")!]))
        let pinned = try await guardian.check(url: "https://127.0.0.1/hook")
        #expect(pinned == PinnedAddress(host: "127.0.0.1", port: 443, ip: IPAddress("127.0.0.1")!))
    }

    @Test(arguments: [
        "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f.0.0.1/",
        "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://10.0.0.1/",
    ])
    func internalAddressesInAnySpellingAreBlocked(url: String) async throws {
        let error = try await #require(throws: SSRFError.self) { try await SSRFGuard().check(url: url) }
        #expect(error.kind == .blockedAddress)
    }

    @Test func allowPrivateStillBlocksMetadata() async throws {
        let guardian = SSRFGuard(policy: AddressPolicy(allowPrivate: true))
        _ = try await guardian.check(url: "http://10.0.0.1/")
        let error = try await #require(throws: SSRFError.self) { try await guardian.check(url: "http://169.254.169.254/") }
        #expect(error.category == .metadata)
        // The refusal tells how to admit it, and not by the setting already on.
        #expect(error.message.hasSuffix("admit it with network.allow_cidrs (network.allow_private never admits metadata addresses)"), "\(error.message)")
    }

    @Test func localhostIsResolvedAndChecked() async throws {
        let error = try await #require(throws: SSRFError.self) { try await SSRFGuard().check(url: "http://localhost:9/") }
        #expect(error.kind == .blockedAddress)
        #expect(error.host == "localhost")
        #expect(error.category == .loopback)

        let guardian = SSRFGuard(policy: AddressPolicy(allowCIDRs: [CIDR(parsing: "127.0.0.1/32")!]))
        let pinned = try await guardian.check(url: "http://localhost:9/")
        #expect(pinned.ip == IPAddress("127.0.0.1"))
        #expect(pinned.host == "localhost")
        #expect(pinned.port == 9)
    }

    @Test func unresolvableHostIsAResolutionFailureNotABlock() async throws {
        let error = try await #require(throws: SSRFError.self) {
            try await SSRFGuard().check(url: "http://no-such-host.invalid/")
        }
        #expect(error.kind == .resolutionFailed)
    }

    @Test func anInternationalizedHostIsCheckedInThePunycodeFormCurlConnectsTo() async throws {
        // curl looks up and matches CONNECT_TO against xn--bcher-kva, never the UTF-8 spelling:
        // resolving the UTF-8 name would judge an address curl never uses.
        let error = try await #require(throws: SSRFError.self) {
            try await SSRFGuard().check(url: "http://bücher.invalid:8080/hook")
        }
        #expect(error.kind == .resolutionFailed)
        #expect(error.host == "xn--bcher-kva.invalid")
    }

    @Test func aConnectionToAnotherAddressThanThePinIsAbortedBeforeTheRequestIsSent() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        // A bare listening socket (the kernel completes the handshake; nothing answers), so what
        // arrived can be read back byte for byte afterwards.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        // The pin names another host, so curl resolves `localhost` itself and connects to
        // 127.0.0.1, not the pinned 127.0.0.2: what the guard checked is not where it went.
        let url = "http://localhost:\(port)/hook"
        let pinned = PinnedAddress(host: "elsewhere.invalid", port: port, ip: IPAddress("127.0.0.2")!)
        let error = try await #require(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: url, body: Array("secret".utf8), timeout: .seconds(5), connectTo: pinned))
        }
        #expect(error.kind == .addressMismatch)
        #expect(error.message.contains("instead of 127.0.0.2"), "\(error.message)")
        // Nothing of the request reached the address the guard never judged.
        let accepted = accept(listener, nil, nil)
        try #require(accepted >= 0)
        defer { close(accepted) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(recv(accepted, &buffer, buffer.count, 0) <= 0, "bytes of the request arrived")
    }

    @Test func nonWebURLsAreInvalid() async throws {
        let error = try await #require(throws: SSRFError.self) { try await SSRFGuard().check(url: "file:///etc/passwd") }
        #expect(error.kind == .invalidURL)
    }

    @Test func pinnedRequestGoesToTheCheckedAddressKeepingTheHostName() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        try await withSink { sink in
            // A name no resolver knows: only the pin can get the request to the sink.
            let url = "http://hook.sluice.invalid:\(sink.port)/pinned"
            let pinned = PinnedAddress(host: "hook.sluice.invalid", port: sink.port, ip: IPAddress("127.0.0.1")!)
            let response = try await client.execute(HTTPRequest(url: url, body: Array("hi".utf8), timeout: .seconds(5), connectTo: pinned))
            #expect(response.status == 200)
            let received = try await sink.waitForRequests(count: 1)
            #expect(received[0].header("host") == "hook.sluice.invalid:\(sink.port)")
            #expect(received[0].text == "hi")
        }
    }

    @Test func guardThenPinDeliversToLocalhostWhenAllowed() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        try await withSink { sink in
            let url = "http://localhost:\(sink.port)/hook"
            let guardian = SSRFGuard(policy: AddressPolicy(allowCIDRs: [CIDR(parsing: "127.0.0.1/32")!]))
            let pinned = try await guardian.check(url: url)
            let response = try await client.execute(HTTPRequest(url: url, timeout: .seconds(5), connectTo: pinned))
            #expect(response.status == 200)
            #expect(try await sink.waitForRequests(count: 1)[0].header("host") == "localhost:\(sink.port)")
        }
    }
}
