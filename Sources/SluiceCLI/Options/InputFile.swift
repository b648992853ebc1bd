import ArgumentParser
import Foundation

/// A file named by a flag (`--body`, `--headers`, `--jwks`), read whole; a usage error that says
/// why when it cannot be (`open`'s reason: no such file, permission denied, a directory).
enum InputFile {
    static func read(_ path: String, flag: String) throws -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw refusal(path, flag, errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw refusal(path, flag, EISDIR) }
        // `readToEnd` gives nil for an empty file: that is an empty input, not a read error.
        let data: Data?
        do { data = try handle.readToEnd() } catch { throw refusal(path, flag, EIO) }
        return data ?? Data()
    }

    private static func refusal(_ path: String, _ flag: String, _ code: Int32) -> ValidationError {
        ValidationError("cannot read \(flag) \(path): \(String(cString: strerror(code)))")
    }
}
