import Foundation

/// Standard output for commands that keep running after they print.
///
/// `print` goes through C stdio, which buffers whole blocks when stdout is a pipe or a file:
/// the `sluice dev` banner or a `status --watch` refresh would then sit in the buffer until the
/// process exits, and a script reading the pipe would see nothing. Everything written here is
/// flushed at once.
enum Stdout {
    /// Prints `text` and a newline, then flushes.
    static func line(_ text: String) {
        print(text)
        flush()
    }

    /// Writes `text` as it is (no newline added), then flushes.
    static func write(_ text: String) {
        print(text, terminator: "")
        flush()
    }

    /// Pushes out whatever `print` has buffered so far.
    static func flush() {
        // fflush(NULL) flushes every output stream; naming Glibc's `stdout` global is refused by
        // Swift 6's concurrency checking, and stdout is the only stream `print` buffers.
        fflush(nil)
    }
}
