#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The `text` log format: one line per event on stderr, as swift-log's `StreamLogHandler` writes
/// them, but with milliseconds in the timestamp:
/// `2026-12-07T04:25:44.123+0000 warning sluice.worker: endpoint=acme/main [SluiceWorker] message`.
///
/// `StreamLogHandler` stamps lines to the second, which cannot order the lines of one second
/// (a retry and the circuit it opens, an edge's refusal and Redis's recovery) against each other
/// or against another process's; the JSON format has always had milliseconds. It also re-renders
/// its metadata as a string on every change, and Hummingbird sets a request id on its logger for
/// every request, so the edge formatted metadata for each request while logging nothing (~6% of
/// its CPU under load); here metadata is only formatted when a line is written.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.timestamp()
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        let pairs = event.mergedMetadata(over: metadata, provider: metadataProvider)
        for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        // One write(2) per line, so lines of different threads do not interleave.
        line.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let written = write(STDERR_FILENO, rest.baseAddress, rest.count)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                rest = UnsafeRawBufferPointer(rebasing: rest[written...])
            }
        }
    }

    /// Local time to the millisecond with its UTC offset, e.g. `2026-12-07T04:25:44.123+0000`.
    static func timestamp(at now: timespec = Self.now()) -> String {
        var seconds = now.tv_sec
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return "<unknown>" }
        var date = [CChar](repeating: 0, count: 32)
        var zone = [CChar](repeating: 0, count: 16)
        let dateLength = strftime(&date, date.count, "%Y-%m-%dT%H:%M:%S", &local)
        let zoneLength = strftime(&zone, zone.count, "%z", &local)
        let millis = Int(now.tv_nsec) / 1_000_000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        func text(_ chars: [CChar], _ length: Int) -> String {
            String(decoding: chars.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return text(date, dateLength) + "." + fraction + text(zone, zoneLength)
    }

    private static func now() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }
}
