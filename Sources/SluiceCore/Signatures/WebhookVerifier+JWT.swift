import Crypto

extension WebhookVerifier {
    /// Verifies a compact JWT sent as the whole `webhook-signature` value.
    ///
    /// A JWT does not sign the body, so beyond its signature and `exp`/`nbf`/`iat`/`aud`, any claim
    /// that binds it to this call (`webhook_id`/`webhook-id`, `body_sha256`) must match; the edge's
    /// timestamp tolerance and `webhook-id` dedupe limit replay of the rest.
    ///
    /// A shared JWKS such as Google's signs tokens for every one of its customers, so a token is
    /// only ours when its `aud` names us: without a configured audience no JWT is accepted, and a
    /// token must expire (`exp`) and, when it says when it was issued (`iat`), be no older than
    /// the timestamp tolerance.
    func verifyJWT(
        _ text: Substring,
        id: String,
        body: [UInt8],
        now: Int64,
        keySet: JSONWebKeySet?,
        jwksConfigured: Bool
    ) -> WebhookVerification {
        guard let token = CompactJWT(text) else { return .rejected(.malformedToken) }
        guard let algorithm = JSONWebKey.Algorithm(rawValue: token.header.alg) else {
            return .rejected(.unsupportedAlgorithm)
        }
        guard jwksConfigured else { return .rejected(.jwksNotConfigured) }
        // Before any signature work: a token this source cannot bind to itself is refused anyway.
        guard let audience else { return .rejected(.audienceNotConfigured) }
        guard let keySet else { return .needsKeySet }

        let candidates: [JSONWebKey]
        if let kid = token.header.kid {
            let withKid = keySet.keys.filter { $0.keyID == kid }
            // An unknown kid usually means the sender rotated keys since our last fetch.
            guard !withKid.isEmpty else { return .needsKeySet }
            candidates = withKid.filter { $0.algorithm == algorithm }
        } else {
            candidates = keySet.keys.filter { $0.algorithm == algorithm }
            guard !candidates.isEmpty else { return .needsKeySet }
        }
        guard candidates.contains(where: { $0.isValidSignature(token.signature, for: token.signingInput) }) else {
            return .rejected(.keySetSignatureMismatch)
        }

        guard let claims = token.claims() else { return .rejected(.malformedToken) }
        let current = Double(now)
        let leeway = Double(jwtLeewaySeconds)
        guard let exp = claims.exp else { return .rejected(.missingExpiry) }
        if current - leeway >= exp { return .rejected(.tokenExpired) }
        if let nbf = claims.nbf, current + leeway < nbf { return .rejected(.tokenNotYetValid) }
        if let iat = claims.iat {
            if current - iat > Double(toleranceSeconds.magnitude) + leeway { return .rejected(.tokenTooOld) }
            if iat - current > leeway { return .rejected(.tokenNotYetValid) }
        }
        guard let aud = claims.aud, aud.contains(audience) else { return .rejected(.audienceMismatch) }
        if let claimedID = claims.webhookID, claimedID != id { return .rejected(.tokenMismatch) }
        if let digest = claims.bodySHA256, !Self.digest(digest, matches: body) { return .rejected(.tokenMismatch) }
        return .verified(.jwt)
    }

    /// Accepts the SHA-256 of `body` as hex (either case), base64url or standard base64.
    static func digest(_ claimed: String, matches body: [UInt8]) -> Bool {
        let actual = [UInt8](SHA256.hash(data: body))
        let claimedBytes: [UInt8]?
        if claimed.utf8.count == 64 {
            claimedBytes = hexBytes(claimed)
        } else {
            claimedBytes = SignatureBase64.decodeURL(claimed) ?? SignatureBase64.decode(claimed)
        }
        return claimedBytes == actual
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for char in text.utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return high == nil ? bytes : nil
    }
}
