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
        let channel = context.parameters.get("channel")
        let outcome: (Response, String)
        do {
            outcome = try await ingest(request, sourceName: sourceName, channel: channel)
        } catch let rejection as IngressRejection {
            outcome = (rejection.response, rejection.reason)
            if rejection.status == .serviceUnavailable {
                logger.warning("ingest refused", metadata: ["source": "\(sourceName)", "reason": "\(rejection.reason)"])
            } else {
                logger.info("ingest rejected", metadata: ["source": "\(sourceName)", "reason": "\(rejection.reason)", "status": "\(rejection.status.code)"])
            }
        }
        // Unknown names come from the URL: fold them into one label so strangers cannot grow the metric set.
        let label = state.current.sources[sourceName] == nil ? "_unknown" : sourceName
        metrics.record(source: label, outcome: outcome.1, duration: ContinuousClock.now - started)
        return outcome.0
    }

    private func ingest(_ request: Request, sourceName: String, channel: String?) async throws -> (Response, String) {
        let snapshot = state.current
        guard let source = snapshot.sources[sourceName] else { throw IngressRejection.unknownSource(sourceName) }

        let headers = WebhookHeaders(request.headers)
        guard let id = headers.id, !id.isEmpty else { throw IngressRejection.missingHeader("webhook-id") }
        guard let timestamp = headers.timestamp else { throw IngressRejection.missingHeader("webhook-timestamp") }
        guard let signature = headers.signature, !signature.isEmpty else {
            throw IngressRejection.missingHeader("webhook-signature")
        }
        let maxBody = source.config.maxBody
        if let declared = headers.contentLength.flatMap(Int.init), declared > maxBody {
            throw IngressRejection.bodyTooLarge(limit: maxBody)
        }
        var request = request
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.collectBody(upTo: maxBody))
        } catch is NIOTooManyBytesError {
            throw IngressRejection.bodyTooLarge(limit: maxBody)
        }

        try await verify(id: id, timestamp: timestamp, signature: signature, body: body, source: source)

        guard let json = try? JSONValue(parsing: body) else { throw IngressRejection.invalidJSON() }
        guard case .object(let fields) = json else { throw IngressRejection.notAnObject() }
        let eventType: String = if case .string(let type)? = fields["type"] { type } else { "" }

        let now = clock()
        let event = IngressEvent(
            webhookID: id,
            source: sourceName,
            channel: channel,
            eventType: eventType,
            webhookTimestamp: Int64(timestamp) ?? 0,
            receivedAtMillis: Int64(now.timeIntervalSince1970 * 1000),
            body: body
        )
        let result: IngestOutcome
        do {
            result = try await store.accept(event, dedupeWindow: source.config.dedupeWindow)
        } catch {
            logger.error("event not stored", metadata: ["source": "\(sourceName)", "event_id": "\(id)", "error": "\(error)"])
            throw IngressRejection.storeUnavailable()
        }
        switch result {
        case .accepted:
            return (Self.json(.accepted, JSONBody.encode(["id": .string(id)])), "accepted")
        case .duplicate:
            return (Self.json(.ok, JSONBody.encode(["id": .string(id), "duplicate": .bool(true)])), "duplicate")
        }
    }

    /// Verifies with the cached key set first; fetches keys only when the request needs them.
    private func verify(id: String, timestamp: String, signature: String, body: [UInt8], source: EdgeSnapshot.Source) async throws {
        let now = Int64(clock().timeIntervalSince1970)
        let cache = state.keySetCache(for: source.config)
        func attempt(_ keySet: JSONWebKeySet?) -> WebhookVerification {
            source.verifier.verify(
                id: id, timestamp: timestamp, signatureHeader: signature, body: body, now: now,
                keySet: keySet, jwksConfigured: cache != nil)
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
        switch verdict {
        case .verified:
            return
        case .rejected(let failure):
            throw IngressRejection.verification(failure)
        case .needsKeySet:
            if let cache, await cache.cached != nil {
                // Keys are at hand and fresh, yet none has this request's key id: a forgery or a retired key.
                throw IngressRejection.verification(
                    VerificationFailure(reason: "unknown_key", message: "no signing key matches this request's key id"))
            }
            throw IngressRejection.keysUnavailable(retryAfter: await cache?.retryAfter(now: now) ?? 10)
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

    private static func json(_ status: HTTPResponse.Status, _ body: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
