import Foundation

/// A parsed JWKS document (RFC 7517): the keys a source's sender signs `v1a` entries and JWTs with.
///
/// Keys of kinds we cannot verify with are skipped rather than failing the whole set, because
/// providers publish encryption keys and newer algorithms next to the ones we need.
public struct JSONWebKeySet: Sendable {
    /// The usable keys, in document order.
    public let keys: [JSONWebKey]

    /// Parses a JWKS document.
    public init(json: [UInt8]) throws(SignatureError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw .invalidKeySet("it is not a JSON object with a \"keys\" array")
        }
        keys = document.keys.compactMap { $0.key.flatMap(JSONWebKey.init) }
    }

    /// Wraps already-built keys.
    public init(keys: [JSONWebKey]) {
        self.keys = keys
    }

    /// The `kid` of every usable key that has one.
    public var keyIDs: [String] { keys.compactMap(\.keyID) }

    /// The Ed25519 keys, which verify `v1a` entries.
    var ed25519Keys: [JSONWebKey] { keys.filter { $0.algorithm == .edDSA } }

    /// The JSON shape of a JWKS; each key decodes leniently so one odd key does not sink the set.
    struct Document: Decodable {
        var keys: [LenientKey]

        /// A key that failed to decode (wrong member types) becomes nil instead of an error.
        struct LenientKey: Decodable {
            var key: Key?
            init(from decoder: any Decoder) throws {
                key = try? Key(from: decoder)
            }
        }

        struct Key: Decodable, Equatable {
            var kty: String
            var kid: String?
            var alg: String?
            var use: String?
            var crv: String?
            var x: String?
            var y: String?
            var n: String?
            var e: String?
        }
    }
}
