import HTTPTypes
import Hummingbird
import SluiceRedis

/// What the edge answers a webhook call, independent of how it is written back: the
/// Hummingbird route turns it into a `Response`, the event-loop fast path writes it as
/// HTTP parts. Both paths thus answer byte for byte alike.
struct IngressAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: [UInt8]
    /// The `outcome` label of `sluice_ingest_total`.
    var outcome: String

    /// 202 for a newly stored event, 200 `duplicate: true` for a webhook-id seen within the window.
    static func stored(_ result: IngestOutcome, id: String) -> Self {
        switch result {
        case .accepted:
            Self(status: .accepted, headers: json, body: JSONBody.encode(["id": .string(id)]), outcome: "accepted")
        case .duplicate:
            Self(status: .ok, headers: json, body: JSONBody.encode(["id": .string(id), "duplicate": .bool(true)]), outcome: "duplicate")
        }
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
