import Crypto

/// HMAC-SHA256 (RFC 2104) with a key's inner and outer hash states computed once, fed with raw
/// buffers.
///
/// swift-crypto's `HMAC` goes through `DataProtocol` generics on every update; in the edge's
/// profile those wrappers cost about thirty times the hashing itself. This keeps only SHA256
/// calls on buffers; the test vectors and the openssl cross-check hold it to the standard.
struct HMACSHA256Key: Sendable {
    /// SHA256 after absorbing `key ⊕ ipad` and `key ⊕ opad`.
    private let inner: SHA256
    private let outer: SHA256

    init(key: [UInt8]) {
        var block = key.count > SHA256.blockByteCount ? Array(SHA256.hash(data: key)) : key
        block.append(contentsOf: repeatElement(0, count: SHA256.blockByteCount - block.count))
        var inner = SHA256()
        var outer = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// The MAC of whatever `feed` writes into the hash (call `update(bufferPointer:)` on it).
    func code(_ feed: (inout SHA256) -> Void) -> SHA256.Digest {
        var hash = inner
        feed(&hash)
        let innerDigest = hash.finalize()
        var result = outer
        innerDigest.withUnsafeBytes { result.update(bufferPointer: $0) }
        return result.finalize()
    }

    /// The MAC of the Standard Webhooks signed content `{id}.{timestamp}.{body}`, fed piece by
    /// piece rather than copied into one buffer.
    func code(id: String, timestamp: String, body: [UInt8]) -> SHA256.Digest {
        code { hash in
            var id = id
            var timestamp = timestamp
            let dot: UInt8 = 0x2E
            id.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: dot) { hash.update(bufferPointer: $0) }
            timestamp.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: dot) { hash.update(bufferPointer: $0) }
            body.withUnsafeBytes { hash.update(bufferPointer: $0) }
        }
    }

    /// Constant-time comparison: the time taken does not depend on where the bytes differ.
    static func matches(_ digest: SHA256.Digest, _ candidate: [UInt8]) -> Bool {
        guard candidate.count == SHA256.byteCount else { return false }
        return digest.withUnsafeBytes { bytes in
            var difference: UInt8 = 0
            for index in 0..<SHA256.byteCount {
                difference |= bytes[index] ^ candidate[index]
            }
            return difference == 0
        }
    }
}
