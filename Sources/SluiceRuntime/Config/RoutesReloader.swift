import Logging
import Metrics
import ServiceLifecycle
import SluiceCore
import UnixSignals

/// Keeps a process's routes in step with routes.yaml, and the `${file:…}` secrets it names,
/// without a restart.
///
/// Kubernetes updates a mounted ConfigMap or Secret by swapping a symlink, which inotify on the
/// original path misses; re-reading the paths (following links afresh) every poll catches both
/// that and an ordinary edit. Every poll reads routes.yaml and each secret file the last load
/// read, and loads again when any of them changed — so a rotated secret is picked up — or when
/// the last load failed: the kubelet may update the ConfigMap before the Secret it refers to, and
/// the file then loads once the secret appears, without anyone touching routes.yaml. SIGHUP
/// reloads at once. A file that fails validation is never applied: the old routes stay in force.
/// A failure is logged and counted once per distinct set of inputs, not on every retry.
///
/// Its description names the file only: what it keeps of the last load holds secrets.
public struct RoutesReloader: Service, CustomStringConvertible {
    /// What one load read: routes.yaml and the secret files it named (nil: unreadable).
    struct Inputs: Equatable {
        var bytes: [UInt8]
        var secretFiles: [String: [UInt8]?]

        /// The same secret files read again now.
        func rereadSecrets() -> [String: [UInt8]?] {
            Dictionary(uniqueKeysWithValues: secretFiles.keys.map { ($0, RoutesFileSource.readSecretFile($0)) })
        }
    }

    /// Where the reloader stands after a poll.
    struct State {
        /// The inputs of the last load, or nil when routes.yaml could not be read.
        var inputs: Inputs?
        /// Whether the last load failed (it is retried on every poll until it succeeds).
        var failed = false
    }

    private let source: RoutesFileSource
    private let pollInterval: Duration
    private let apply: @Sendable (RoutesConfig) -> Void
    private let logger: Logger
    private let initial: Inputs?
    private let reloadsOK: Counter
    private let reloadsFailed: Counter
    /// `sluice_config_last_reload_successful`: 0 while the file on disk is refused (the routes in
    /// force are older than it), 1 otherwise. The failure counter moves once per refused version,
    /// so an alert on its increase clears while the bad file is still there; this does not.
    private let lastReloadSuccessful: Gauge

    /// - Parameters:
    ///   - initialBytes: the bytes of the file already applied at start-up, so the first poll does not reload them again.
    ///   - initialSecretFiles: the secret files that start-up load read (`LoadedRoutes.secretFiles`), watched from the start.
    ///   - apply: receives each validated config, in order.
    public init(
        source: RoutesFileSource,
        initialBytes: [UInt8]?,
        initialSecretFiles: [String: [UInt8]?] = [:],
        pollInterval: Duration = .seconds(1),
        metrics: any MetricsFactory,
        logger: Logger,
        apply: @escaping @Sendable (RoutesConfig) -> Void
    ) {
        self.source = source
        self.initial = initialBytes.map { Inputs(bytes: $0, secretFiles: initialSecretFiles) }
        self.pollInterval = pollInterval
        self.apply = apply
        self.logger = logger
        self.reloadsOK = Counter(label: "sluice_config_reloads_total", dimensions: [("result", "success")], factory: metrics)
        self.reloadsFailed = Counter(label: "sluice_config_reloads_total", dimensions: [("result", "failure")], factory: metrics)
        self.lastReloadSuccessful = Gauge(label: "sluice_config_last_reload_successful", dimensions: [], factory: metrics)
        // The process started on a file that loaded.
        lastReloadSuccessful.record(1)
    }

    public var description: String { "RoutesReloader(\(source))" }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var state = State(inputs: initial)
        // Ticks and SIGHUPs merge into one stream so that reloads never run concurrently.
        let (events, continuation) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(4))
        let signalTask = Task {
            for await _ in hangups { continuation.yield(true) }
        }
        let tickTask = Task { [pollInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                continuation.yield(false)
            }
        }
        defer {
            signalTask.cancel()
            tickTask.cancel()
            continuation.finish()
        }
        for await forced in events.cancelOnGracefulShutdown() {
            state = reload(state, forced: forced)
        }
    }

    /// One poll (or SIGHUP): loads again when forced, when anything it read changed, or when the
    /// last load failed.
    func reload(_ state: State, forced: Bool) -> State {
        let bytes: [UInt8]
        do {
            bytes = try source.readBytes()
        } catch {
            lastReloadSuccessful.record(0)
            if forced || state.inputs != nil {
                reloadsFailed.increment()
                logger.error("routes file not reloaded; keeping the routes in force", metadata: ["error": "\(error)"])
            }
            // A vanished file is reported once, then again only when it comes back.
            return State(inputs: nil, failed: state.failed)
        }
        let changed = state.inputs.map { Inputs(bytes: bytes, secretFiles: $0.rereadSecrets()) != $0 } ?? true
        if !forced, !changed, !state.failed { return state }
        do {
            let loaded = try source.load(bytes: bytes)
            for warning in loaded.warnings { logger.warning("\(warning)") }
            apply(loaded.config)
            reloadsOK.increment()
            lastReloadSuccessful.record(1)
            logger.info("routes reloaded", metadata: ["path": "\(source.path)", "routes": "\(loaded.config.routes.count)"])
            return State(inputs: Inputs(bytes: bytes, secretFiles: loaded.secretFiles), failed: false)
        } catch {
            let inputs = Inputs(bytes: bytes, secretFiles: error.secretFiles)
            lastReloadSuccessful.record(0)
            // A retry that fails on the same inputs stays quiet; anything new is reported.
            if forced || !state.failed || inputs != state.inputs {
                reloadsFailed.increment()
                for diagnostic in error.diagnostics {
                    logger.error("routes file rejected; keeping the routes in force: \(diagnostic)")
                }
            }
            return State(inputs: inputs, failed: true)
        }
    }
}
