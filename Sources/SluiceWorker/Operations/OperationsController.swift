import Hummingbird
import NIOCore
import SluiceRedis
import SluiceRuntime

/// `/healthz`, `/readyz` and `/metrics` on the worker's metrics port (SPEC §2).
struct OperationsController: Sendable {
    let state: WorkerState
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
            guard state.areGroupsReady else { return Self.text(.serviceUnavailable, "consumer groups not created yet\n") }
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
