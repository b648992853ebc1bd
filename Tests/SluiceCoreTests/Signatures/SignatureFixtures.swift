import Crypto
import Foundation
import _CryptoExtras

@testable import SluiceCore

/// Keys generated in-process, the JWKS that publishes them, and a JWT builder that signs with them.
enum SignatureFixtures {
    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// RSA key generation is slow in debug builds; make the key once.
    static let rsaKey: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let p256Key = P256.Signing.PrivateKey()
    static let ed25519Key = Curve25519.Signing.PrivateKey()

    static func rsaJWK(kid: String) -> [String: Any] {
        let primitives = try! rsaKey.publicKey.getKeyPrimitives()
        return ["kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
                "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent)]
    }

    static func p256JWK(kid: String) -> [String: Any] {
        let raw = p256Key.publicKey.rawRepresentation
        return ["kty": "EC", "crv": "P-256", "kid": kid,
                "x": base64URL(raw.prefix(32)), "y": base64URL(raw.suffix(32))]
    }

    static func ed25519JWK(kid: String?, key: Curve25519.Signing.PublicKey = ed25519Key.publicKey) -> [String: Any] {
        var jwk: [String: Any] = ["kty": "OKP", "crv": "Ed25519", "x": base64URL(key.rawRepresentation)]
        if let kid { jwk["kid"] = kid }
        return jwk
    }

    static func keySetJSON(_ keys: [[String: Any]]) -> [UInt8] {
        Array(json(["keys": keys]).utf8)
    }

    static func keySet(_ keys: [[String: Any]]) throws -> JSONWebKeySet {
        try JSONWebKeySet(json: keySetJSON(keys))
    }

    /// The published set used by most JWT tests: one RSA, one P-256 and one Ed25519 key.
    static func standardKeySet() throws -> JSONWebKeySet {
        try keySet([rsaJWK(kid: "rsa-1"), p256JWK(kid: "ec-1"), ed25519JWK(kid: "ed-1")])
    }

    enum JWTAlgorithm: String { case rs256 = "RS256", es256 = "ES256", edDSA = "EdDSA" }

    /// A compact JWT signed with the fixture key for `algorithm`.
    static func jwt(_ algorithm: JWTAlgorithm, kid: String?, claims: [String: Any]) -> String {
        var header: [String: Any] = ["alg": algorithm.rawValue, "typ": "JWT"]
        if let kid { header["kid"] = kid }
        let input = base64URL(Data(json(header).utf8)) + "." + base64URL(Data(json(claims).utf8))
        let message = Data(input.utf8)
        let signature: Data
        switch algorithm {
        case .rs256: signature = try! rsaKey.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation
        case .es256: signature = try! p256Key.signature(for: message).rawRepresentation
        case .edDSA: signature = try! ed25519Key.signature(for: message)
        }
        return input + "." + base64URL(signature)
    }
}
