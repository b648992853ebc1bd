import Foundation

// glibc (2.29 and later) declares it only for _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnChangesDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

extension ChildProcess {
    /// Runs `executable` to completion with `input` on its standard input and returns its exit
    /// status and standard output (followed by standard error when `mergingStandardError`, else
    /// discarded). Blocks the calling thread: call it from a thread of its own.
    ///
    /// `posix_spawn`, not Foundation's `Process`: `Process.run` lists /proc/self/fd to close the
    /// parent's descriptors in the child, and crashed (SIGSEGV in its copy of that list) while other
    /// threads of a test process opened and closed thousands of sockets.
    public static func capture(
        executable: String, arguments: [String], input: [UInt8]? = nil, directory: String? = nil, mergingStandardError: Bool = true
    ) throws(RedisError) -> (status: Int32, output: [UInt8]) {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw RedisError(kind: .launchFailed, message: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw RedisError(kind: .launchFailed, message: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        if mergingStandardError {
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        _ = spawnClosesFrom(&actions, 3)
        if let directory { _ = spawnChangesDirectory(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { posix_spawn(&pid, executable, &actions, &attributes, $0.baseAddress!, environ) }
        close(toChild[0])
        close(fromChild[1])
        guard result == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw RedisError(kind: .launchFailed, message: "cannot run \(executable): \(String(cString: strerror(result)))")
        }
        // Feed the input from another thread, so a child that writes a lot before reading cannot
        // deadlock against us while we are not yet reading its output.
        let writer = Thread { [descriptor = toChild[1]] in
            if let input {
                var offset = 0
                input.withUnsafeBytes { bytes in
                    while offset < bytes.count {
                        let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 && errno == EINTR { continue }
                        if written <= 0 { break }
                        offset += written
                    }
                }
            }
            close(descriptor)
        }
        writer.start()
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fromChild[0], $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(fromChild[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
        return (code, output)
    }
}
