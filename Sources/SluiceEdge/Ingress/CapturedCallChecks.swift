import SluiceCore

/// The edge's checks of a webhook call besides its signature, in the order it makes them, so
/// that `sluice doctor` gives a captured call the answer the edge would.
public enum CapturedCallChecks {
    /// What the edge refuses a call with: the status, and the `reason` and `error` of its body.
    public struct Refusal: Sendable, Equatable {
        public let status: Int
        public let reason: String
        public let message: String

        init(_ rejection: IngressRejection) {
            status = Int(rejection.status.code)
            reason = rejection.reason
            message = rejection.message
        }
    }

    /// Before the signature is checked: a missing or unreadable Standard Webhooks header (400),
    /// a body larger than the source's `max_body` (413).
    public static func beforeVerifying(id: String?, timestamp: String?, signature: String?, bodySize: Int, maxBody: Int) -> Refusal? {
        do throws(IngressRejection) {
            _ = try IngressRequest.checkHeaders(id: id, timestamp: timestamp, signature: signature)
            if bodySize > maxBody { throw .bodyTooLarge(limit: maxBody) }
            return nil
        } catch {
            return Refusal(error)
        }
    }

    /// Once the signature holds: an encoded body (415), one that is not a JSON object (400).
    public static func afterVerifying(body: [UInt8], contentEncoding: String?) -> Refusal? {
        do throws(IngressRejection) {
            _ = try IngressRequest.checkBody(body, coding: IngressRequest.coding(contentEncoding))
            return nil
        } catch {
            return Refusal(error)
        }
    }

    /// A verdict of `.needsKeySet` although a key set was at hand: none of its keys can check
    /// the call (401 `unknown_key`, as the edge answers once a fresh JWKS lacks the key too).
    public static let unknownKey = Refusal(IngressRejection.verification(.unknownKey))
}
