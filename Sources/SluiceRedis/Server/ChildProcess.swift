import Foundation

/// A child process started with `posix_spawn` and reaped by a thread of its own.
///
/// Foundation's `Process` hands the parent's blocked-signal mask down to the child, and processes
/// that handle SIGTERM themselves (swift-service-lifecycle, test runners) block it, so a child
/// started that way ignores SIGTERM. Spawning directly lets us reset the mask and dispositions.
/// `sluice dev` starts redis-server with it; process-level tests start `sluice` processes with it.
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// Resolves when the child has exited (and been reaped).
    public let exit = ProcessExit()

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments`, stdin from /dev/null and stdout/stderr appended to `logPath`.
    /// `environment` replaces this process's environment when given.
    /// - Parameter ownProcessGroup: start the child in a process group of its own, so a signal
    ///   sent to this process's group (a terminal's Ctrl-C) does not reach it: the parent stops
    ///   it when it is done with it.
    public static func spawn(
        executable: String, arguments: [String], logPath: String, environment: [String: String]? = nil, ownProcessGroup: Bool = false
    ) throws(RedisError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process's: a socket that is not close-on-exec (an accepted HTTP
        // connection, a client socket) would otherwise live on in the child, so closing it here
        // would send no FIN for as long as the child runs.
        _ = spawnClosesFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes, ownProcessGroup: ownProcessGroup)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }

        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in envp ?? [] { free(pointer) } }

        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { buffer in
            if let envp {
                return envp.withUnsafeBufferPointer { env in
                    posix_spawn(&pid, executable, &actions, &attributes, buffer.baseAddress!, env.baseAddress!)
                }
            }
            return posix_spawn(&pid, executable, &actions, &attributes, buffer.baseAddress!, environ)
        }
        guard result == 0 else {
            throw RedisError(kind: .launchFailed, message: "cannot run \(executable): \(String(cString: strerror(result)))")
        }

        let child = ChildProcess(pid: pid)
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(child.pid, &status, 0) == -1 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS, spelled out: the macros are not visible from Swift.
            let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
            child.exit.markExited(status: code)
        }
        reaper.name = "sluice-child-reaper"
        reaper.start()
        return child
    }

    /// Sends `signal` unless the child has already exited.
    public func send(_ signal: Int32) {
        guard !exit.hasExited else { return }
        _ = kill(pid, signal)
    }
}

/// The child starts with an empty signal mask and every signal at its default disposition,
/// whatever this process blocks or ignores (see `ChildProcess`).
func resetSignals(_ attributes: UnsafeMutablePointer<posix_spawnattr_t>, ownProcessGroup: Bool = false) {
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(attributes, &noSignals)
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(attributes, &allSignals)
    if ownProcessGroup { posix_spawnattr_setpgroup(attributes, 0) }
    posix_spawnattr_setflags(attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
}

// glibc (2.34 and later) declares it only for _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
func spawnClosesFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
