import Hummingbird

/// Answers webhook calls with `503 durability_unmet` (and `Retry-After`) while Redis does not give
/// the configured durability, so the sender keeps the event and retries instead of being told
/// "accepted" for a write that could be lost.
///
/// It sits in front of the ingress routes rather than inside them so the ingest path stays as it
/// is; other routes (health, metrics, wrong methods) pass through.
struct DurabilityMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let gate: DurabilityGate
    let state: EdgeState
    let metrics: IngressMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let reason = gate.unmetReason else {
            return try await next(request, context)
        }
        let source = context.parameters.get("source") ?? ""
        metrics.record(source: state.current.sources[source] == nil ? "_unknown" : source, outcome: "durability_unmet", duration: .zero)
        return IngressRejection.durabilityUnmet(reason).response
    }
}
