import Foundation
import SluiceCore
import SluiceDelivery
import SluiceRedis
import SluiceTesting
import Testing

/// TLS to endpoints against a real TLS server (`openssl s_server`) with a certificate made for the test:
/// verification is always on, a CA file makes a private CA trusted, and the name must match.
@Suite struct TLSVerificationTests {
    /// A self-signed certificate for `subjectAltName`, and an `openssl s_server` serving it on a free port.
    struct TLSServer {
        let dir: URL
        let port: Int
        let process: ChildProcess
        var certificate: String { dir.appendingPathComponent("cert.pem").path }
        /// A client certificate (self-signed, so also its own CA) and its key, for mutual TLS.
        var clientCertificate: String { dir.appendingPathComponent("client-cert.pem").path }
        var clientKey: String { dir.appendingPathComponent("client-key.pem").path }

        /// With `requireClientCertificate`, the server refuses any client that does not present
        /// ``clientCertificate``.
        static func start(subjectAltName: String, requireClientCertificate: Bool = false) async throws -> TLSServer {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try await makeCertificate(in: dir, name: "", subject: "/CN=sluice-test", subjectAltName: subjectAltName)
            var arguments = ["s_server", "-accept", "", "-cert", dir.appendingPathComponent("cert.pem").path,
                             "-key", dir.appendingPathComponent("key.pem").path, "-www", "-quiet"]
            if requireClientCertificate {
                try await makeCertificate(in: dir, name: "client-", subject: "/CN=sluice-client", subjectAltName: "DNS:sluice-client")
                arguments += ["-Verify", "1", "-verify_return_error", "-CAfile", dir.appendingPathComponent("client-cert.pem").path]
            }
            guard let port = FreePort.pick() else { throw TLSSetupFailed(step: "no free port") }
            arguments[2] = "127.0.0.1:\(port)"
            let process = try ChildProcess.spawn(
                executable: "/usr/bin/openssl", arguments: arguments, logPath: dir.appendingPathComponent("s_server.log").path)
            return TLSServer(dir: dir, port: port, process: process)
        }

        /// `NAMEcert.pem` and `NAMEkey.pem` in `dir`: a self-signed P-256 certificate valid for a day.
        private static func makeCertificate(in dir: URL, name: String, subject: String, subjectAltName: String) async throws {
            let made = try await ToolRun.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", subject, "-addext", "subjectAltName=\(subjectAltName)",
                "-keyout", dir.appendingPathComponent("\(name)key.pem").path, "-out", dir.appendingPathComponent("\(name)cert.pem").path,
            ])
            guard made.status == 0 else { throw TLSSetupFailed(step: "openssl req exited \(made.status): \(made.text)") }
        }

        func stop() async {
            process.send(SIGKILL)
            await process.exit.wait()
            try? FileManager.default.removeItem(at: dir)
        }
    }

    struct TLSSetupFailed: Error { let step: String }

    func request(_ server: TLSServer, caFile: String?) -> HTTPRequest {
        HTTPRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/", timeout: .seconds(5), tls: caFile.map { TLSConfig(caFile: $0) })
    }

    @Test func untrustedCertificateIsATLSFailureAndATrustedOneConnects() async throws {
        let server = try await TLSServer.start(subjectAltName: "IP:127.0.0.1")
        let client = try HTTPClient()
        defer { client.shutdown() }
        do {
            // Wait until the server accepts TLS, using the CA file that makes it trusted.
            try await poll(until: { (try? await client.execute(request(server, caFile: server.certificate)))?.status == 200 },
                           "openssl s_server answers over TLS")
            let untrusted = await #expect(throws: HTTPClientError.self) { try await client.execute(request(server, caFile: nil)) }
            #expect(untrusted?.kind == .tls)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func certificateForAnotherNameIsRefusedEvenWhenItsCAIsTrusted() async throws {
        let server = try await TLSServer.start(subjectAltName: "DNS:hooks.other.example")
        let client = try HTTPClient()
        defer { client.shutdown() }
        do {
            // The server is up once a plain TCP+TLS handshake gets as far as the name check.
            try await poll(until: {
                do {
                    _ = try await client.execute(request(server, caFile: server.certificate))
                    return true
                } catch {
                    return (error as? HTTPClientError)?.kind == .tls
                }
            }, "openssl s_server is listening")
            let mismatch = await #expect(throws: HTTPClientError.self) { try await client.execute(request(server, caFile: server.certificate)) }
            #expect(mismatch?.kind == .tls)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func mutualTLSPresentsTheEndpointsClientCertificate() async throws {
        let server = try await TLSServer.start(subjectAltName: "IP:127.0.0.1", requireClientCertificate: true)
        let client = try HTTPClient()
        defer { client.shutdown() }
        let withIdentity = HTTPRequest(
            method: "GET", url: "https://127.0.0.1:\(server.port)/", timeout: .seconds(5),
            tls: TLSConfig(caFile: server.certificate, clientCertFile: server.clientCertificate, clientKeyFile: server.clientKey))
        do {
            try await poll(until: { (try? await client.execute(withIdentity))?.status == 200 },
                           "the server accepts the client certificate")
            // Without the client identity the same server refuses the connection, and that is a TLS
            // failure: under TLS 1.3 the refusal is an alert curl reads after the handshake.
            let refused = await #expect(throws: HTTPClientError.self) { try await client.execute(request(server, caFile: server.certificate)) }
            #expect(refused?.kind == .tls, "\(String(describing: refused))")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
