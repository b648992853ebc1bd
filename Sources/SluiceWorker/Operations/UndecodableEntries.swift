import CoreMetrics
import Logging
import SluiceRedis

/// Stream entries whose fields cannot be decoded (written by something other than Sluice, or
/// damaged): each goes to the dead letters with reason `undecodable` and its raw fields, is
/// counted in `sluice_undecodable_entries_total{stream}` and logged — instead of being skipped
/// and reclaimed for ever.
struct UndecodableEntries: Sendable {
    let store: WorkerStore
    let logger: Logger
    let factory: any MetricsFactory

    func deadLetter(_ ids: [String], from stream: UndecodableStream, nowMillis: Int64) async {
        guard !ids.isEmpty else { return }
        logger.error(
            "stream entries cannot be decoded; moving them to the dead letters as undecodable",
            metadata: ["stream": "\(stream.rawValue)", "ids": "\(ids.joined(separator: ","))"])
        do {
            let moved = try await store.deadLetterUndecodable(ids: ids, in: stream, nowMillis: nowMillis)
            Counter(label: "sluice_undecodable_entries_total", dimensions: [("stream", stream.rawValue)], factory: factory)
                .increment(by: moved)
            DeadLetterMetrics(factory: factory).count(.undecodable, by: moved)
        } catch {
            // Left pending: the next claim of stale entries finds them again.
            logger.error("undecodable entries could not be dead-lettered; retrying later", metadata: ["error": "\(error)"])
        }
    }
}
