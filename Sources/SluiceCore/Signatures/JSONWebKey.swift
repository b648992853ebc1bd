import Crypto
import _CryptoExtras
import Foundation

/// One usable verification key from a JWKS document.
public struct JSONWebKey: Sendable {
    /// The algorithms a key can verify.
    public enum Algorithm: String, Sendable, Equatable {
        /// RSASSA-PKCS1-v1_5 with SHA-256 (`kty: RSA`).
        case rs256 = "RS256"
        /// ECDSA P-256 with SHA-256 (`kty: EC`, `crv: P-256`).
        case es256 = "ES256"
        /// Ed25519 (`kty: OKP`, `crv: Ed25519`); also verifies `v1a` signatures.
        case edDSA = "EdDSA"
    }

    enum Material: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    /// The key's `kid`, if it has one.
    public let keyID: String?
    /// The algorithm the key's type implies.
    public let algorithm: Algorithm
    let material: Material

    /// Builds a key from one JWK object, or returns nil for a kind we do not verify with
    /// (encryption keys, other curves, RSA keys under 2048 bits, malformed members).
    init?(_ jwk: JSONWebKeySet.Document.Key) {
        if let use = jwk.use, use != "sig" { return nil }
        switch (jwk.kty, jwk.crv) {
        case ("OKP", "Ed25519"):
            // A key of small order verifies forged signatures: skipped like a malformed one.
            guard let x = jwk.x.flatMap(SignatureBase64.decodeURL), x.count == 32, !Ed25519SmallOrder.contains(x),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else { return nil }
            algorithm = .edDSA
            material = .ed25519(key)
        case ("EC", "P-256"):
            guard let x = jwk.x.flatMap(SignatureBase64.decodeURL), x.count == 32,
                  let y = jwk.y.flatMap(SignatureBase64.decodeURL), y.count == 32,
                  let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) else { return nil }
            algorithm = .es256
            material = .p256(key)
        case ("RSA", _):
            guard let n = jwk.n.flatMap(SignatureBase64.decodeURL), !n.isEmpty,
                  let e = jwk.e.flatMap(SignatureBase64.decodeURL), !e.isEmpty,
                  let key = try? _RSA.Signing.PublicKey(n: Data(n), e: Data(e)) else { return nil }
            algorithm = .rs256
            material = .rsa(key)
        default:
            return nil
        }
        // A key pinned to another algorithm (e.g. RS512, PS256) must not verify RS256 tokens.
        if let alg = jwk.alg, alg != algorithm.rawValue { return nil }
        keyID = jwk.kid
    }

    /// Whether `signature` is this key's valid signature of `message` (JOSE encoding: raw r‖s for ES256).
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch material {
        case .ed25519(let key):
            return key.isValidSignature(signature, for: message)
        case .p256(let key):
            guard signature.count == 64,
                  let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: message,
                padding: .insecurePKCS1v1_5
            )
        }
    }
}
