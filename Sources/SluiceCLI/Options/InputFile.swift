import ArgumentParser
import Foundation
import SluiceCore

/// A file named by a flag (`--body`, `--headers`, `--jwks`), read whole; a usage error that says
/// why when it cannot be (`open`'s reason: no such file, permission denied, a directory).
enum InputFile {
    static func read(_ path: String, flag: String) throws -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw refusal(path, flag, errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw refusal(path, flag, EISDIR) }
        // Read up to one byte past the limit, so `/dev/zero` or a runaway pipe ends in an error,
        // not in all of memory. `read(upToCount:)` gives nil at once for an empty file.
        let data: Data?
        do { data = try handle.read(upToCount: limit + 1) } catch { throw refusal(path, flag, EIO) }
        guard (data?.count ?? 0) <= limit else {
            throw ValidationError("cannot read \(flag) \(path): it is larger than \(limit >> 20) MiB, more than any call or key set sluice reads")
        }
        return data ?? Data()
    }

    /// The largest body a source may accept (`max_body`), far above a JWKS document.
    static let limit = SourceConfig.largestMaxBody

    private static func refusal(_ path: String, _ flag: String, _ code: Int32) -> ValidationError {
        ValidationError("cannot read \(flag) \(path): \(String(cString: strerror(code)))")
    }
}
