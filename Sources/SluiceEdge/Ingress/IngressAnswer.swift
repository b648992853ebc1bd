import NIOHTTP1
import SluiceRedis

/// What the edge answers a webhook call, before it is written as HTTP: always a JSON body,
/// with `Retry-After` on a 503 and `Allow: POST` on a 405.
struct IngressAnswer: Sendable {
    var status: HTTPResponseStatus
    var body: [UInt8]
    /// The `outcome` label of `sluice_ingest_total`.
    var outcome: String
    /// Seconds the sender should wait before retrying (503 only).
    var retryAfter: Int?

    /// 202 for a newly stored event, 200 `duplicate: true` for a webhook-id seen within the window.
    static func stored(_ result: IngestOutcome, id: String) -> Self {
        switch result {
        case .accepted:
            Self(status: .accepted, body: JSONBody.encode(["id": .string(id)]), outcome: "accepted")
        case .duplicate:
            Self(status: .ok, body: JSONBody.encode(["id": .string(id), "duplicate": .bool(true)]), outcome: "duplicate")
        }
    }
}
