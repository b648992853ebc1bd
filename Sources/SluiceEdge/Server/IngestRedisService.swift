import ServiceLifecycle
import SluiceRedis

/// Keeps the edge's per-event-loop Redis connections open for the life of the server and closes
/// them on shutdown.
///
/// Listed first among the edge's services, so it is stopped last: calls the HTTP server is still
/// answering while it drains get their write confirmed instead of a `.clientShutdown` 503.
struct IngestRedisService: Service {
    let partitions: IngressPartitions

    func run() async {
        // Returns on graceful shutdown, or at once when the task is cancelled: close either way.
        try? await gracefulShutdown()
        await partitions.close()
    }
}
