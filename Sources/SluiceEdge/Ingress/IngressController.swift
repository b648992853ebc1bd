import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SluiceCore
import SluiceRedis

/// `POST /webhooks/{source}[/{channel}]`: verify, then make durable, then answer.
///
/// The order is the contract: nothing is answered 2xx before Redis confirmed the write,
/// and verification runs before the dedupe check so a forged replay still gets 401.
///
/// Calls to sources verified without a JWKS are normally answered by `EdgeConnectionHandler` on
/// the event loop, using the steps below; this route serves the rest (JWKS sources, unusual
/// paths) and is the reference the fast path must match.
struct IngressController: Sendable {
    let state: EdgeState
    let store: IngressStore
    let metrics: IngressMetrics
    let logger: Logger
    let clock: @Sendable () -> Date

    func register(on router: Router<BasicRequestContext>) {
        for path in ["/webhooks/:source", "/webhooks/:source/:channel"] {
            router.post(RouterPath(path)) { request, context in
                try await self.handle(request, context: context)
            }
            for method in [HTTPRequest.Method.get, .put, .delete, .patch, .head, .options] {
                router.on(RouterPath(path), method: method) { _, _ in IngressRejection.methodNotAllowed().response }
            }
        }
    }

    private func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let sourceName = context.parameters.get("source") ?? ""
        let answer: IngressAnswer
        do {
            answer = try await ingest(request, sourceName: sourceName, channel: context.parameters.get("channel"))
        } catch let rejection as IngressRejection {
            answer = rejected(rejection, sourceName: sourceName)
        }
        record(answer, sourceName: sourceName, started: started)
        return answer.response
    }

    private func ingest(_ request: Request, sourceName: String, channel: String?) async throws -> IngressAnswer {
        let call = try IngressRequest(sourceName: sourceName, channel: channel, headers: WebhookHeaders(request.headers), snapshot: state.current)
        var request = request
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.collectBody(upTo: call.maxBody))
        } catch is NIOTooManyBytesError {
            throw IngressRejection.bodyTooLarge(limit: call.maxBody)
        }
        try await verify(call, body: body)
        let event = try call.event(body: body, receivedAt: clock())
        do {
            return IngressAnswer.stored(try await store.accept(event, dedupeWindow: call.source.config.dedupeWindow), id: call.id)
        } catch {
            return storeFailed(error, call: call)
        }
    }

    /// Verifies with the cached key set first; fetches keys only when the request needs them.
    private func verify(_ call: IngressRequest, body: [UInt8]) async throws {
        let now = Int64(clock().timeIntervalSince1970)
        let cache = state.keySetCache(for: call.source.config)
        func attempt(_ keySet: JSONWebKeySet?) -> WebhookVerification {
            call.verify(body: body, now: now, keySet: keySet, jwksConfigured: cache != nil)
        }
        var verdict = attempt(await cache?.cached)
        if let cache {
            if case .needsKeySet = verdict, let keySet = await cache.current(now: now) {
                verdict = attempt(keySet)
            }
            if Self.keysMayBeStale(verdict), let refreshed = await cache.refetchAfterMiss(now: now) {
                verdict = attempt(refreshed)
            }
        }
        if case .needsKeySet = verdict, let cache, await cache.cached != nil {
            // Keys are at hand and fresh, yet none has this request's key id: a forgery or a retired key.
            throw IngressRejection.verification(
                VerificationFailure(reason: "unknown_key", message: "no signing key matches this request's key id"))
        }
        try Self.check(verdict, retryAfter: await cache?.retryAfter(now: now) ?? 10)
    }

    /// Verifies a call to a source without a JWKS, which never waits for keys.
    func verifyWithoutKeySet(_ call: IngressRequest, body: [UInt8]) throws(IngressRejection) {
        try Self.check(call.verify(body: body, now: Int64(clock().timeIntervalSince1970), keySet: nil, jwksConfigured: false), retryAfter: 10)
    }

    private static func check(_ verdict: WebhookVerification, retryAfter: Int) throws(IngressRejection) {
        switch verdict {
        case .verified: return
        case .rejected(let failure): throw .verification(failure)
        case .needsKeySet: throw .keysUnavailable(retryAfter: retryAfter)
        }
    }

    /// A JWKS-signed request that failed might have been signed with a key published since the last fetch.
    private static func keysMayBeStale(_ verdict: WebhookVerification) -> Bool {
        switch verdict {
        case .needsKeySet: true
        case .rejected(let failure): failure.keySetMayBeStale
        case .verified: false
        }
    }

    /// The 503 for a write Redis did not confirm; nothing was acknowledged, so the sender retries.
    func storeFailed(_ error: RedisError, call: IngressRequest) -> IngressAnswer {
        logger.error("event not stored", metadata: ["source": "\(call.sourceName)", "event_id": "\(call.id)", "error": "\(error)"])
        return rejected(.storeUnavailable(), sourceName: call.sourceName)
    }

    func rejected(_ rejection: IngressRejection, sourceName: String) -> IngressAnswer {
        if rejection.status == .serviceUnavailable {
            logger.warning("ingest refused", metadata: ["source": "\(sourceName)", "reason": "\(rejection.reason)"])
        } else {
            logger.info("ingest rejected", metadata: ["source": "\(sourceName)", "reason": "\(rejection.reason)", "status": "\(rejection.status.code)"])
        }
        return rejection.answer
    }

    func record(_ answer: IngressAnswer, sourceName: String, started: ContinuousClock.Instant) {
        // Unknown names come from the URL: fold them into one label so strangers cannot grow the metric set.
        let label = state.current.sources[sourceName] == nil ? "_unknown" : sourceName
        metrics.record(source: label, outcome: answer.outcome, duration: ContinuousClock.now - started)
    }
}
