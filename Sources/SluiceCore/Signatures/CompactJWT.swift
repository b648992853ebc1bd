import Foundation

/// A compact-serialised JWS (`header.payload.signature`), split and decoded but not yet verified.
struct CompactJWT {
    struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    /// The registered claims we enforce plus the webhook bindings; any member of the wrong type
    /// makes the whole token malformed rather than silently unchecked.
    struct Claims: Decodable {
        var exp: Double?
        var nbf: Double?
        var iat: Double?
        var aud: [String]?
        var webhookID: String?
        var bodySHA256: String?

        enum CodingKeys: String, CodingKey {
            case exp, nbf, iat, aud
            case webhookIDUnderscore = "webhook_id"
            case webhookIDDash = "webhook-id"
            case bodySHA256 = "body_sha256"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            exp = try c.decodeIfPresent(Double.self, forKey: .exp)
            nbf = try c.decodeIfPresent(Double.self, forKey: .nbf)
            iat = try c.decodeIfPresent(Double.self, forKey: .iat)
            if let single = try? c.decodeIfPresent(String.self, forKey: .aud) {
                aud = [single]
            } else {
                aud = try c.decodeIfPresent([String].self, forKey: .aud)
            }
            webhookID = try c.decodeIfPresent(String.self, forKey: .webhookIDUnderscore)
                ?? c.decodeIfPresent(String.self, forKey: .webhookIDDash)
            bodySHA256 = try c.decodeIfPresent(String.self, forKey: .bodySHA256)
        }
    }

    var header: Header
    var claimsJSON: [UInt8]
    var signingInput: [UInt8]
    var signature: [UInt8]

    /// Whether `text` has the shape of a compact JWT: three base64url parts and nothing else.
    static func looksLikeJWT(_ text: Substring) -> Bool {
        // One pass over the bytes: this runs for every request, and splitting by Character
        // (grapheme breaking) showed in the ingest profile.
        var dots = 0
        var partLength = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "."):
                guard partLength > 0 else { return false }
                dots += 1
                partLength = 0
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                partLength += 1
            default:
                return false
            }
        }
        return dots == 2 && partLength > 0
    }

    /// Splits and decodes; nil when a part is not base64url or the header is not a JOSE header.
    init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = SignatureBase64.decodeURL(parts[0]),
              let claimsBytes = SignatureBase64.decodeURL(parts[1]),
              let signature = SignatureBase64.decodeURL(parts[2]),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else { return nil }
        self.header = header
        self.claimsJSON = claimsBytes
        self.signingInput = Array(text.utf8[..<parts[1].endIndex])
        self.signature = signature
    }

    /// Decodes the claims; call only after the signature verified.
    func claims() -> Claims? {
        try? JSONDecoder().decode(Claims.self, from: Data(claimsJSON))
    }
}
