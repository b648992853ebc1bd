#if canImport(CJemalloc)
import CJemalloc
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Which malloc serves this process.
///
/// `sluice` links jemalloc, whose `malloc` and `free` then come before glibc's for every library
/// in the process: the Swift runtime, libcurl, hiredis and OpenSSL alike. glibc's allocator
/// showed in the worker's profile as `malloc_consolidate`, run whenever a request of a kilobyte or
/// more follows the many small frees of decoding a batch of Redis replies; with jemalloc the worker
/// spends about a tenth less CPU per delivery and the edge about a twentieth less per event
/// (README, *Performance*).
///
/// Reported by `sluice --version` and in the edge's and worker's starting log line, so an operator
/// can tell a build that lost the link (for instance one made with different linker flags).
enum Allocator {
    /// `jemalloc-<version>` when jemalloc serves `malloc`, else `libc` (`system` where jemalloc is
    /// not linked at all: macOS).
    static let name: String = {
        #if canImport(CJemalloc)
        guard servesMalloc, let version = jemallocVersion else { return "libc" }
        return "jemalloc-\(version)"
        #else
        return "system"
        #endif
    }()

    #if canImport(CJemalloc)

    /// Whether the process's `malloc`, resolved the way every library's call to it is (from the
    /// executable's global scope), is jemalloc's: jemalloc counts the megabyte it hands out.
    private static var servesMalloc: Bool {
        typealias Malloc = @convention(c) (Int) -> UnsafeMutableRawPointer?
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "malloc") else { return false }
        let size = 1 << 20
        guard let before = allocatedByThisThread else { return false }
        let block = unsafeBitCast(symbol, to: Malloc.self)(size)
        defer { free(block) }
        guard block != nil, let after = allocatedByThisThread else { return false }
        return after &- before >= UInt64(size)
    }

    /// Bytes this thread has had from jemalloc so far (nil when jemalloc is not linked in).
    private static var allocatedByThisThread: UInt64? {
        var bytes: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        return mallctl("thread.allocated", &bytes, &size, nil, 0) == 0 ? bytes : nil
    }

    /// jemalloc's version, such as `5.3.0`, without its git suffix.
    private static var jemallocVersion: String? {
        var version: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return nil }
        return String(String(cString: version).prefix { $0 != "-" })
    }
    #endif
}
