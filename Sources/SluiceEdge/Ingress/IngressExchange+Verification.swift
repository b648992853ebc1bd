import NIOCore
import SluiceCore

extension IngressExchange {
    /// A JWKS lookup the current call waited for came back.
    ///
    /// The steps: the cached set; if that lacks the key, a fresh set; if a key may have been
    /// published since (unknown `kid`, a JWKS signature that did not verify), one refetch, as
    /// often as ``JWKSRefreshPolicy`` allows. Then: no key set at all is 503 `jwks_unavailable`,
    /// keys at hand without the request's key id is 401 `unknown_key`.
    mutating func keysArrived(_ lookup: KeyLookup, now: NIODeadline) -> Action {
        guard case .awaitingKeys(let call, let body, var verdict, let step, let unixSeconds, let receivedAtMillis) = state else {
            return .none
        }
        if step == .cached || lookup.keySet != nil {
            verdict = call.request.verify(body: body, now: unixSeconds, keySet: lookup.keySet)
        }
        let next: KeyStep? =
            switch step {
            case .cached:
                if case .needsKeySet = verdict { .current } else if Self.keysMayBeStale(verdict) { .afterMiss } else { nil }
            case .current:
                Self.keysMayBeStale(verdict) ? .afterMiss : nil
            case .afterMiss:
                nil
            }
        if let next {
            state = .awaitingKeys(call, body: body, verdict: verdict, step: next, now: unixSeconds, receivedAtMillis: receivedAtMillis)
            return .fetchKeys(call.request.source, next, now: unixSeconds)
        }
        if case .needsKeySet = verdict, lookup.keysAreCurrent {
            // Keys are at hand and current, yet none has this request's key id: a forgery or a retired key.
            // Missing from a set that could not be refetched, the key may be a new one: 503, retried.
            return answer(IngressRejection.verification(.unknownKey).answer, for: call, now: now, requestComplete: true)
        }
        return verified(call, body: body, verdict: verdict, retryAfter: lookup.retryAfter, receivedAtMillis: receivedAtMillis, now: now)
    }

    /// Verification is over: refuse, or check the JSON and hand the event to Redis.
    mutating func verified(
        _ call: Call, body: [UInt8], verdict: WebhookVerification, retryAfter: Int, receivedAtMillis: Int64, now: NIODeadline
    ) -> Action {
        do throws(IngressRejection) {
            switch verdict {
            case .verified: break
            case .rejected(let failure): throw .verification(failure)
            case .needsKeySet: throw .keysUnavailable(retryAfter: retryAfter)
            }
            let event = try call.request.event(body: body, receivedAtMillis: receivedAtMillis)
            state = .storing(call)
            return .store(event, call.request.source)
        } catch {
            return answer(error.answer, for: call, now: now, requestComplete: true)
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
}
