import Hummingbird
import NIOCore
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the edge's port.
struct OperationsController: Sendable {
    let state: EdgeState
    let redis: RedisClient
    let exporter: PrometheusExporter

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            Self.text(.ok, "ok\n")
        }
        router.get("/readyz") { _, _ in
            if state.isDraining { return Self.text(.serviceUnavailable, "draining\n") }
            do {
                try await redis.ping()
            } catch {
                return Self.text(.serviceUnavailable, "redis unreachable: \(error)\n")
            }
            return Self.text(.ok, "ready\n")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: exporter.render())))
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
