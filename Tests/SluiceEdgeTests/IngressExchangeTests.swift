import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SluiceCore
import SluiceRedis
import SluiceRuntime
import Testing

@testable import SluiceEdge

/// The edge's per-connection state machine, driven without sockets, Redis or a clock: every
/// event is given its time, and every action is looked at before the next event.
@Suite struct IngressExchangeTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    static let unixMillis = Int64(1_760_000_000_000)
    static var unixSeconds: Int64 { unixMillis / 1000 }

    /// The harness's routes file (`gemini`, signed with its secret, 1 KiB `max_body`), loaded
    /// without a file; `jwks` adds a JWKS URL that is never fetched here.
    static func snapshot(jwks: Bool = false) throws -> EdgeSnapshot {
        let routes = EdgeHarness.routes(prefix: "t", jwksURL: jwks ? "http://127.0.0.1:9/jwks" : nil)
        let loaded = RoutesLoader.load(text: routes, path: "routes.yaml", environment: [:], readSecretFile: { _ in "" })
        let config = try #require(loaded.config, "\(loaded.diagnostics)")
        return EdgeSnapshot(routes: config, metrics: IngressMetrics(factory: PrometheusExporter().factory))
    }

    static func head(
        _ method: HTTPMethod = .POST, uri: String = "/webhooks/gemini", version: HTTPVersion = .http1_1,
        id: String = "msg_1", body: [UInt8] = Array(#"{"type":"batch.succeeded"}"#.utf8), signature: String? = nil,
        extra: [(String, String)] = []
    ) throws -> HTTPRequestHead {
        let signed = try signature ?? WebhookSigner.signatureHeader(
            for: SignedContent(id: id, timestamp: unixSeconds, body: body), secrets: [WebhookSecret(parsing: EdgeHarness.secret)])
        var headers = HTTPHeaders([
            ("Host", "x"), ("Content-Length", String(body.count)), ("webhook-id", id), ("webhook-timestamp", String(unixSeconds)),
            ("webhook-signature", signed),
        ])
        headers.add(contentsOf: extra)
        return HTTPRequestHead(version: version, method: method, uri: uri, headers: headers)
    }

    /// Head, body and end of one call; returns the action after the end.
    static func send(
        _ exchange: inout IngressExchange, _ head: HTTPRequestHead, body: [UInt8] = Array(#"{"type":"batch.succeeded"}"#.utf8),
        snapshot: EdgeSnapshot, at now: NIODeadline = t0, durabilityUnmet: String? = nil
    ) -> IngressExchange.Action {
        let first = exchange.receivedHead(head, now: now, snapshot: snapshot, durabilityUnmet: durabilityUnmet)
        guard case .none = first else { return first }
        if !body.isEmpty {
            let chunk = exchange.receivedBody(ByteBuffer(bytes: body), now: now)
            guard case .none = chunk else { return chunk }
        }
        return exchange.receivedEnd(now: now, unixMillis: unixMillis)
    }

    static func answer(_ action: IngressExchange.Action, sourceLocation: SourceLocation = #_sourceLocation) -> IngressExchange.Answer? {
        guard case .answer(let answer) = action else {
            Issue.record("expected an answer, got \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return answer
    }

    static func json(_ answer: IngressExchange.Answer?) -> [String: Any] {
        guard let answer else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(answer.answer.body))) as? [String: Any] ?? [:]
    }

    // MARK: - The happy path and Redis's verdict

    @Test func verifiedCallIsStoredAndAnsweredOnlyAfterRedisConfirmed() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let action = Self.send(&exchange, try Self.head(uri: "/webhooks/gemini/acme"), snapshot: snapshot)
        guard case .store(let event, let source) = action else {
            Issue.record("expected the event to be stored first, got \(action)")
            return
        }
        #expect(event.webhookID == "msg_1" && event.source == "gemini" && event.channel == "acme")
        #expect(event.eventType == "batch.succeeded" && event.receivedAtMillis == Self.unixMillis)
        #expect(source.config.dedupeWindow == .seconds(3600))
        // Waiting for Redis: a pipelined request must wait, and nothing has been answered.
        #expect(!exchange.takesParts)
        let answer = Self.answer(exchange.stored(.success(.accepted(streamID: "1-0")), now: Self.t0 + .milliseconds(3)))
        #expect(answer?.answer.status == .accepted)
        #expect(Self.json(answer)["id"] as? String == "msg_1")
        #expect(answer?.requestComplete == true && answer?.close == false)
        #expect(answer?.duration == .milliseconds(3))
        #expect(exchange.isIdle)
    }

    @Test func duplicateIs200AndAStoreFailureIs503WithRetryAfter() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = Self.send(&exchange, try Self.head(), snapshot: snapshot)
        let duplicate = Self.answer(exchange.stored(.success(.duplicate), now: Self.t0))
        #expect(duplicate?.answer.status == .ok)
        #expect(Self.json(duplicate)["duplicate"] as? Bool == true)

        _ = Self.send(&exchange, try Self.head(id: "msg_2"), snapshot: snapshot)
        let failed = Self.answer(exchange.stored(.failure(RedisError(kind: .unreachable, message: "down")), now: Self.t0))
        #expect(failed?.answer.status == .serviceUnavailable)
        #expect(failed?.answer.retryAfter == 5)
        #expect(Self.json(failed)["reason"] as? String == "store_unavailable")
        #expect((Self.json(failed)["error"] as? String)?.contains("it was not accepted") == true)

        // Redis stopped answering after the write went out: the event may be stored, and the
        // answer does not say it was not.
        for kind in [RedisError.Kind.timeout, .connectionLost] {
            _ = Self.send(&exchange, try Self.head(id: "msg_\(kind)"), snapshot: snapshot)
            let unknown = Self.answer(exchange.stored(.failure(RedisError(kind: kind, message: "no reply")), now: Self.t0))
            #expect(unknown?.answer.status == .serviceUnavailable && unknown?.answer.retryAfter == 5)
            let message = Self.json(unknown)["error"] as? String ?? ""
            #expect(message.contains("may or may not be stored") && !message.contains("not accepted"), "\(message)")
        }
    }

    // MARK: - Refusals, in the documented order

    @Test func refusalsFromTheHeadAreAnsweredAtOnceAndTheBodyIsDropped() throws {
        let snapshot = try Self.snapshot()
        // A length the HTTP parser takes (up to 2^64 - 1) but past Int.max: over the limit too.
        var endless = try Self.head()
        endless.headers.replaceOrAdd(name: "Content-Length", value: "9223372036854775808")
        let cases: [(HTTPRequestHead, Int, String, String?)] = [
            (try Self.head(uri: "/webhooks/nobody"), 404, "unknown_source", nil),
            (try Self.head(.PUT), 405, "method_not_allowed", nil),
            (try Self.head(signature: ""), 400, "missing_header", nil),
            (try Self.head(body: Array(repeating: 0x20, count: 2000)), 413, "body_too_large", nil),
            (endless, 413, "body_too_large", nil),
            (try Self.head(), 503, "durability_unmet", "appendfsync is everysec"),
        ]
        for (head, status, reason, durability) in cases {
            var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
            let answer = Self.answer(exchange.receivedHead(head, now: Self.t0, snapshot: snapshot, durabilityUnmet: durability))
            #expect(answer?.answer.status.code == UInt(status), "\(reason)")
            #expect(Self.json(answer)["reason"] as? String == reason)
            #expect(Self.json(answer)["error"] is String)
            #expect(answer?.requestComplete == false)
            if status == 405 { #expect(answer?.answer.status == .methodNotAllowed) }
            if status == 503 { #expect(answer?.answer.retryAfter == 5) }
            // The rest of the request is read and dropped; its end lets the next one start.
            guard case .none = exchange.receivedBody(ByteBuffer(bytes: [1, 2, 3]), now: Self.t0) else {
                Issue.record("a refused body must be dropped")
                continue
            }
            guard case .completed = exchange.receivedEnd(now: Self.t0, unixMillis: Self.unixMillis) else {
                Issue.record("the refused request's end completes it")
                continue
            }
            #expect(exchange.isIdle)
        }
    }

    @Test func headAnswerHasNoBodyAndUnknownSourcesShareOneMetricLabel() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let head = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/webhooks/gemini")
        let answer = Self.answer(exchange.receivedHead(head, now: Self.t0, snapshot: snapshot, durabilityUnmet: nil))
        #expect(answer?.omitsBody == true && answer?.answer.status == .methodNotAllowed)
        #expect(answer?.counters.label == "gemini")

        var stranger = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let unknown = Self.answer(Self.send(&stranger, try Self.head(uri: "/webhooks/random-name"), snapshot: snapshot))
        #expect(unknown?.counters.label == "_unknown")
    }

    /// A head the edge cut off at its request timeout makes the decoder complain as the
    /// connection closes: that is not the client's malformed request, so it is neither answered
    /// nor counted (slowloris timeouts were counted as `malformed_request`).
    @Test func aHeadCutOffByTheRequestTimeoutIsNotAMalformedRequest() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = exchange.bytesArrived(at: Self.t0)
        guard case .close = exchange.timeOutRequest(now: Self.t0) else {
            Issue.record("a request timing out in its head closes the connection")
            return
        }
        let complaint = exchange.unparseable(.unparseable(.invalidEOFState), counters: snapshot.unknownSource, now: Self.t0)
        guard case .some(.none) = complaint else {
            Issue.record("expected nothing to do, got \(String(describing: complaint))")
            return
        }
    }

    @Test func chunkedBodyOverTheLimitIs413WhileReading() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        var head = try Self.head()
        head.headers.remove(name: "Content-Length")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        guard case .none = exchange.receivedHead(head, now: Self.t0, snapshot: snapshot, durabilityUnmet: nil) else {
            Issue.record("an undeclared size is read")
            return
        }
        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 600)
        guard case .none = exchange.receivedBody(chunk, now: Self.t0) else {
            Issue.record("600 bytes are within max_body")
            return
        }
        let answer = Self.answer(exchange.receivedBody(chunk, now: Self.t0))
        #expect(answer?.answer.status.code == 413)
        guard case .completed = exchange.receivedEnd(now: Self.t0, unixMillis: Self.unixMillis) else {
            Issue.record("the refused request's end completes it")
            return
        }
    }

    @Test func verificationAndJSONRefusalsComeAfterTheBody() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let forged = Self.answer(
            Self.send(&exchange, try Self.head(signature: "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), snapshot: snapshot))
        #expect(forged?.answer.status == .unauthorized)
        #expect(Self.json(forged)["reason"] as? String == "signature_mismatch")
        #expect(forged?.requestComplete == true)

        let notJSON = Array(#"{"type":"#.utf8)
        let invalid = Self.answer(Self.send(&exchange, try Self.head(body: notJSON), body: notJSON, snapshot: snapshot))
        #expect(invalid?.answer.status == .badRequest)
        #expect(Self.json(invalid)["reason"] as? String == "invalid_json")
    }

    // MARK: - JWKS

    @Test func jwksCallWaitsForKeysStepByStepThenStores() throws {
        let snapshot = try Self.snapshot(jwks: true)
        let key = Curve25519.Signing.PrivateKey()
        let body = #"{"type":"interaction.completed"}"#
        let signature = try JWKSVerificationTests.v1a(key, id: "msg_v1a", timestamp: Self.unixSeconds, body: body)
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let action = Self.send(&exchange, try Self.head(id: "msg_v1a", body: Array(body.utf8), signature: signature), body: Array(body.utf8), snapshot: snapshot)
        guard case .fetchKeys(_, .cached, let now) = action else {
            Issue.record("expected a look at the cached keys, got \(action)")
            return
        }
        #expect(now == Self.unixSeconds)
        #expect(!exchange.takesParts)
        // Nothing cached: fetch a current set.
        guard case .fetchKeys(_, .current, _) = exchange.keysArrived(.init(keySet: nil, keysAreCurrent: false, retryAfter: 1), now: Self.t0) else {
            Issue.record("expected a fetch")
            return
        }
        let keySet = try JSONWebKeySet(json: Array(#"{"keys":[\#(JWKSVerificationTests.jwk(key.publicKey, kid: "k1"))]}"#.utf8))
        guard case .store(let event, _) = exchange.keysArrived(.init(keySet: keySet, keysAreCurrent: true, retryAfter: 60), now: Self.t0) else {
            Issue.record("expected the verified event to be stored")
            return
        }
        #expect(event.webhookID == "msg_v1a")
    }

    @Test func jwksUnavailableIs503AndAnUnknownKeyWithKeysAtHandIs401() throws {
        let snapshot = try Self.snapshot(jwks: true)
        let body = #"{"type":"interaction.completed"}"#
        let signature = try JWKSVerificationTests.v1a(Curve25519.Signing.PrivateKey(), id: "msg_v1a", timestamp: Self.unixSeconds, body: body)
        let head = try Self.head(id: "msg_v1a", body: Array(body.utf8), signature: signature)

        var down = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = Self.send(&down, head, body: Array(body.utf8), snapshot: snapshot)
        let none = IngressExchange.KeyLookup(keySet: nil, keysAreCurrent: false, retryAfter: 42)
        _ = down.keysArrived(none, now: Self.t0)  // .cached → .current
        guard case .fetchKeys(_, .afterMiss, _) = down.keysArrived(none, now: Self.t0) else {
            Issue.record("a failed fetch is followed by one refetch, as the policy allows")
            return
        }
        let unavailable = Self.answer(down.keysArrived(none, now: Self.t0))
        #expect(unavailable?.answer.status == .serviceUnavailable)
        #expect(unavailable?.answer.retryAfter == 42)
        #expect(Self.json(unavailable)["reason"] as? String == "jwks_unavailable")

        // A set without Ed25519 keys stands for "keys at hand, none for this request".
        var unknown = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = Self.send(&unknown, head, body: Array(body.utf8), snapshot: snapshot)
        let empty = IngressExchange.KeyLookup(keySet: JSONWebKeySet(keys: []), keysAreCurrent: true, retryAfter: 60)
        _ = unknown.keysArrived(empty, now: Self.t0)
        _ = unknown.keysArrived(empty, now: Self.t0)
        let refused = Self.answer(unknown.keysArrived(.init(keySet: nil, keysAreCurrent: true, retryAfter: 60), now: Self.t0))
        #expect(refused?.answer.status == .unauthorized)
        #expect(Self.json(refused)["reason"] as? String == "unknown_key")
    }

    // MARK: - The router's requests, close, shutdown

    @Test func otherPathsGoToTheRouterAndTheNextRequestWaitsForItsAnswer() throws {
        let snapshot = try Self.snapshot()
        var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        for uri in ["/healthz", "/metrics", "/webhooksx"] {
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri)
            guard case .forward = exchange.receivedHead(head, now: Self.t0, snapshot: snapshot, durabilityUnmet: nil),
                case .forward = exchange.receivedEnd(now: Self.t0, unixMillis: Self.unixMillis)
            else {
                Issue.record("\(uri) is the router's")
                return
            }
            #expect(!exchange.takesParts, "the next request waits for the router's answer")
            let ended = exchange.routerAnswerEnded(now: Self.t0)
            #expect(ended.requestComplete && !ended.close)
            #expect(exchange.isIdle)
        }
    }

    /// A path under /webhooks/ is the edge's even when it names no source and channel: a JSON
    /// 404 `unknown_path`, whatever the method, and the connection stays usable.
    @Test func aWebhookPathThatIsNotOneOrTwoSegmentsIsAnswered404() throws {
        let snapshot = try Self.snapshot()
        for (method, uri) in [(HTTPMethod.POST, "/webhooks/a/b/c"), (.GET, "/webhooks/"), (.POST, "/webhooks/gemini/")] {
            var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
            let answered = Self.answer(exchange.receivedHead(head, now: Self.t0, snapshot: snapshot, durabilityUnmet: nil))
            #expect(answered?.answer.status == .notFound, "\(uri)")
            #expect(Self.json(answered)["reason"] as? String == "unknown_path", "\(uri)")
            #expect(answered?.close == false, "\(uri)")
        }
    }

    @Test func percentEncodedSourceIsDecoded() throws {
        let target = WebhookTarget(uri: "/webhooks/gem%69ni/ac%6De?x=1")
        #expect(target?.source == "gemini" && target?.channel == "acme")
        #expect(WebhookTarget(uri: "/webhooks/gemini/") == nil)
        #expect(WebhookTarget(uri: "/webhooks/%zz") == nil)
        #expect(WebhookTarget(uri: "/webhooksx") == nil)
    }

    @Test func connectionCloseAndHTTP10CloseAfterTheAnswer() throws {
        let snapshot = try Self.snapshot()
        for head in [try Self.head(extra: [("Connection", "close")]), try Self.head(version: .http1_0)] {
            var exchange = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
            _ = Self.send(&exchange, head, snapshot: snapshot)
            #expect(Self.answer(exchange.stored(.success(.accepted(streamID: "1-0")), now: Self.t0))?.close == true)
            #expect(exchange.closing)
        }
    }

    @Test func shutdownClosesAnIdleConnectionAtOnceAndABusyOneAfterItsAnswer() throws {
        let snapshot = try Self.snapshot()
        var idle = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        let closesAtOnce = idle.quiesce(queueEmpty: true)
        #expect(closesAtOnce)

        var busy = IngressExchange(idleTimeout: .seconds(60), now: Self.t0)
        _ = Self.send(&busy, try Self.head(), snapshot: snapshot)
        let busyClosesAtOnce = busy.quiesce(queueEmpty: true)
        #expect(!busyClosesAtOnce)
        #expect(Self.answer(busy.stored(.success(.accepted(streamID: "1-0")), now: Self.t0))?.close == true)
    }

    // MARK: - Idle timeout, by the clock given

    @Test func idleConnectionIsClosedOnceTheTimeoutPassedSinceItsLastActivity() throws {
        let snapshot = try Self.snapshot()
        let second = TimeAmount.seconds(1)
        var exchange = IngressExchange(idleTimeout: second, now: Self.t0)
        // A connection that never sends anything is closed too.
        #expect(exchange.idleCheck(now: Self.t0 + .milliseconds(400), queueEmpty: true) == .checkAgain(in: .milliseconds(600)))
        #expect(exchange.idleCheck(now: Self.t0 + second, queueEmpty: true) == .close)

        // Activity restarts the count; a call in progress is never idle, however long Redis takes.
        let start = Self.t0 + .seconds(5)
        exchange.noteActivity(at: start)
        _ = Self.send(&exchange, try Self.head(), snapshot: snapshot, at: start)
        #expect(exchange.idleCheck(now: start + .seconds(30), queueEmpty: true) == .checkAgain(in: second))
        _ = exchange.stored(.success(.accepted(streamID: "1-0")), now: start + .seconds(30))
        // Idle counts from the answer, and a waiting pipelined request is not idle.
        #expect(exchange.idleCheck(now: start + .milliseconds(30_500), queueEmpty: false) == .checkAgain(in: second))
        #expect(exchange.idleCheck(now: start + .milliseconds(30_500), queueEmpty: true) == .checkAgain(in: .milliseconds(500)))
        #expect(exchange.idleCheck(now: start + .seconds(31), queueEmpty: true) == .close)
    }
}
