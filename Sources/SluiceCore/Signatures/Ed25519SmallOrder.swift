/// The encodings of the Ed25519 points of small order (order 1, 2, 4 or 8), as libsodium's
/// `ge25519_has_small_order` lists them: the identity, the point of order 2, the two y values of
/// the points of order 4 and 8, and the non-canonical spellings y = p and p + 1.
///
/// A public key of small order verifies signatures that prove nothing: with the identity as the
/// key, `R` = the identity and `s` = 0 verify for every message, and BoringSSL's verification
/// (what swift-crypto calls) does not refuse such keys. One in a JWKS — a placeholder, a
/// mistake — let anyone forge `v1a` entries and EdDSA JWTs. So such keys are never used.
enum Ed25519SmallOrder {
    private static let encodings: [[UInt8]] = [
        [UInt8](repeating: 0x00, count: 32),
        [0x01] + [UInt8](repeating: 0x00, count: 31),
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
            0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
            0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
        ],
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Whether the 32 bytes encode a point of small order; the sign bit of x (the top bit) is
    /// ignored, since both signs of these points are of small order too.
    static func contains(_ key: [UInt8]) -> Bool {
        guard key.count == 32 else { return false }
        return encodings.contains { encoding in
            (0..<31).allSatisfy { key[$0] == encoding[$0] } && key[31] & 0x7f == encoding[31]
        }
    }
}
