internal import CCurl

/// The memory curl reads while one request runs (the header list, the pinned CONNECT_TO entry,
/// the body), laid out in one buffer that belongs to an easy handle and is reused request after
/// request.
///
/// curl does not copy these: it keeps pointers to the lists (HTTPHEADER, CONNECT_TO) and to the
/// body (POSTFIELDS) until the transfer ends. Building them with `curl_slist_append` cost two
/// mallocs per header line, and COPYPOSTFIELDS one more per body; here a request costs none once
/// the buffer is big enough. The body is copied in (one memcpy) rather than pointed at, because
/// Swift gives no pointer into an Array that stays valid outside `withUnsafeBytes`.
///
/// Layout: `curl_slist` nodes first (pointer-aligned), then the bytes (NUL-terminated lines, the body).
final class CurlRequestArena {
    // Not Sendable: owned by a CurlEasyHandle, used on the engine thread only.
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private var nodeCount = 0
    private var usedNodes = 0
    private var bytesStart = 0
    private var usedBytes = 0

    /// Enough for a webhook's headers and a small body without growing.
    private static let initialCapacity = 4096
    /// A buffer grown beyond this for one large body is given back before the next request, so
    /// idle handles do not each keep the largest body they ever sent.
    private static let retainedCapacity = 64 * 1024

    init() {
        capacity = Self.initialCapacity
        base = .allocate(byteCount: capacity, alignment: MemoryLayout<curl_slist>.alignment)
    }

    deinit {
        base.deallocate()
    }

    /// Starts a new request's layout with room for `nodes` list entries and `bytes` bytes,
    /// invalidating every pointer handed out for the previous request.
    func prepare(nodes: Int, bytes: Int) {
        let needed = nodes * MemoryLayout<curl_slist>.stride + bytes
        if needed > capacity || (capacity > Self.retainedCapacity && needed <= Self.retainedCapacity) {
            base.deallocate()
            capacity = max(needed, Self.initialCapacity)
            base = .allocate(byteCount: capacity, alignment: MemoryLayout<curl_slist>.alignment)
        }
        nodeCount = nodes
        usedNodes = 0
        bytesStart = nodes * MemoryLayout<curl_slist>.stride
        usedBytes = 0
    }

    /// Builds a curl string list from `lines` (each written by its closure, NUL added here);
    /// nil for no lines. The list lives until the next `prepare`.
    func list(_ count: Int, _ line: (Int, inout Writer) -> Void) -> UnsafeMutablePointer<curl_slist>? {
        guard count > 0 else { return nil }
        precondition(usedNodes + count <= nodeCount, "CurlRequestArena: more list entries than prepared")
        let nodes = (base + usedNodes * MemoryLayout<curl_slist>.stride).bindMemory(to: curl_slist.self, capacity: count)
        usedNodes += count
        for index in 0..<count {
            var writer = Writer(arena: self)
            line(index, &writer)
            writer.write(0)
            nodes[index] = curl_slist(
                data: writer.start.assumingMemoryBound(to: CChar.self), next: index + 1 < count ? nodes + index + 1 : nil)
        }
        return nodes
    }

    /// Copies `bytes` in and returns where they start (a valid pointer also for no bytes).
    func copy(_ bytes: [UInt8]) -> UnsafeRawPointer {
        var writer = Writer(arena: self)
        bytes.withUnsafeBytes { writer.write($0) }
        return UnsafeRawPointer(writer.start)
    }

    /// Appends bytes after the ones already written; every write is bounds-checked against `prepare`.
    struct Writer {
        fileprivate let arena: CurlRequestArena
        let start: UnsafeMutableRawPointer

        fileprivate init(arena: CurlRequestArena) {
            self.arena = arena
            self.start = arena.base + arena.bytesStart + arena.usedBytes
        }

        mutating func write(_ byte: UInt8) {
            precondition(arena.bytesStart + arena.usedBytes < arena.capacity, "CurlRequestArena: more bytes than prepared")
            arena.base.storeBytes(of: byte, toByteOffset: arena.bytesStart + arena.usedBytes, as: UInt8.self)
            arena.usedBytes += 1
        }

        mutating func write(_ bytes: UnsafeRawBufferPointer) {
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            precondition(
                arena.bytesStart + arena.usedBytes + bytes.count <= arena.capacity, "CurlRequestArena: more bytes than prepared")
            (arena.base + arena.bytesStart + arena.usedBytes).copyMemory(from: source, byteCount: bytes.count)
            arena.usedBytes += bytes.count
        }

        mutating func write(_ text: String) {
            var text = text
            text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
        }

        mutating func write(_ text: StaticString) {
            text.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
        }
    }
}
