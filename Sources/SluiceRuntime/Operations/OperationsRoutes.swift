public import Hummingbird
import NIOCore

/// `/healthz`, `/readyz` and `/metrics`, as the edge and the worker both serve them (docs/http.md).
public enum OperationsRoutes {
    /// Registers the three routes (`/healthz` and `/readyz` also for HEAD).
    ///
    /// - Parameter readiness: nil when the process is ready, else why not (the 503's body).
    public static func register(
        on router: Router<BasicRequestContext>,
        exporter: PrometheusExporter,
        readiness: @escaping @Sendable () async -> String?
    ) {
        router.get("/healthz") { _, _ in
            text(.ok, "ok\n")
        }
        router.get("/readyz") { _, _ in
            if let reason = await readiness() { return text(.serviceUnavailable, reason + "\n") }
            return text(.ok, "ready\n")
        }
        // Some load balancers and uptime checks probe with HEAD: the same status, no body.
        router.head("/healthz") { _, _ in
            Response(status: .ok)
        }
        router.head("/readyz") { _, _ in
            Response(status: await readiness() == nil ? .ok : .serviceUnavailable)
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
