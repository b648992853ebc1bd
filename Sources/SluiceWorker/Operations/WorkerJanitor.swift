import Foundation
import Logging
import ServiceLifecycle
import SluiceRedis

/// Every minute, removes what dead workers leave in Redis: consumers of the `router` and
/// `delivery` groups idle for ten visibility timeouts (at least ten minutes) with no pending
/// entry — a consumer name is per process, so each restart leaves one — open-circuit reports
/// whose probe time is more than five minutes past (`sluice status` already ignores them), and
/// endpoint summaries for the console published more than five minutes ago (a live worker
/// refreshes its own every minute; the console ignores them after one). Any number of workers
/// may run it; the sweep is one atomic script.
struct WorkerJanitor: Service {
    let state: WorkerState
    let store: WorkerStore
    let consumer: String
    let logger: Logger
    let clock: @Sendable () -> Date
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !isStopping {
            await sleepUnlessShuttingDown(for: interval)
            guard !isStopping else { break }
            let visibility = state.current.routes.worker.visibilityTimeout
            do {
                let swept = try await store.sweep(
                    consumerIdle: max(visibility * 10, .seconds(600)), circuitCutoffMillis: clock().unixMillis - StatusReport.staleAfterMillis,
                    keep: [consumer, "sluice-settle"])
                if swept.consumers > 0 || swept.circuitReports > 0 || swept.endpointSummaries > 0 {
                    logger.info(
                        "removed what dead workers left behind",
                        metadata: [
                            "consumers": "\(swept.consumers)", "circuit_reports": "\(swept.circuitReports)",
                            "endpoint_summaries": "\(swept.endpointSummaries)",
                        ])
                }
            } catch {
                logger.warning("could not sweep idle consumers and stale circuit reports", metadata: ["error": "\(error)"])
            }
        }
    }
}
