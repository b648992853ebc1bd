import Logging
import Metrics
import ServiceLifecycle
import SluiceCore
import UnixSignals

/// Keeps a process's routes in step with routes.yaml without a restart.
///
/// Kubernetes updates a mounted ConfigMap by swapping a symlink, which inotify on the
/// original path misses; re-reading the path (following links afresh) every poll
/// catches both that and an ordinary edit. SIGHUP reloads at once, even when the bytes
/// are unchanged (a `${file:…}` secret may have changed). A file that fails validation
/// is never applied: the old routes stay in force.
public struct RoutesReloader: Service {
    private let source: RoutesFileSource
    private let pollInterval: Duration
    private let apply: @Sendable (RoutesConfig) -> Void
    private let logger: Logger
    private let initialBytes: [UInt8]?
    private let reloadsOK: Counter
    private let reloadsFailed: Counter

    /// - Parameters:
    ///   - initialBytes: the bytes of the file already applied at start-up, so the first poll does not reload them again.
    ///   - apply: receives each validated config, in order.
    public init(
        source: RoutesFileSource,
        initialBytes: [UInt8]?,
        pollInterval: Duration = .seconds(1),
        metrics: any MetricsFactory,
        logger: Logger,
        apply: @escaping @Sendable (RoutesConfig) -> Void
    ) {
        self.source = source
        self.initialBytes = initialBytes
        self.pollInterval = pollInterval
        self.apply = apply
        self.logger = logger
        self.reloadsOK = Counter(label: "sluice_config_reloads_total", dimensions: [("result", "success")], factory: metrics)
        self.reloadsFailed = Counter(label: "sluice_config_reloads_total", dimensions: [("result", "failure")], factory: metrics)
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var lastSeen = initialBytes
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
            lastSeen = reload(lastSeen: lastSeen, forced: forced)
        }
    }

    /// One reload attempt; returns the bytes now considered seen.
    private func reload(lastSeen: [UInt8]?, forced: Bool) -> [UInt8]? {
        let bytes: [UInt8]
        do {
            bytes = try source.readBytes()
        } catch {
            if forced || lastSeen != nil {
                reloadsFailed.increment()
                logger.error("routes file not reloaded; keeping the routes in force", metadata: ["error": "\(error)"])
            }
            // A vanished file is reported once, then again only when it comes back.
            return nil
        }
        if !forced, bytes == lastSeen { return lastSeen }
        do {
            let loaded = try source.load(bytes: bytes)
            for warning in loaded.warnings { logger.warning("\(warning)") }
            apply(loaded.config)
            reloadsOK.increment()
            logger.info("routes reloaded", metadata: ["path": "\(source.path)", "routes": "\(loaded.config.routes.count)"])
        } catch {
            reloadsFailed.increment()
            for diagnostic in error.diagnostics {
                logger.error("routes file rejected; keeping the routes in force: \(diagnostic)")
            }
        }
        return bytes
    }
}
