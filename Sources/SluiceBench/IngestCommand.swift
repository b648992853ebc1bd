import ArgumentParser
import Foundation
import SluiceCore

/// `sluice-bench ingest`: uniquely signed Gemini events against an edge (or any server).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send uniquely signed Gemini events over keep-alive connections and report req/s and latency."
    )

    @Option(help: "Target URL (http://IPv4:PORT/path).")
    var url: String = "http://127.0.0.1:8080/webhooks/gemini"

    @Option(help: "whsec_ secret that signs each request (v1).")
    var secret: String = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Option(help: "Concurrent keep-alive connections.")
    var connections: Int = 64

    @Option(help: "Requests to send (each with a unique webhook-id).")
    var requests: Int = 100_000

    @Option(help: "Open loop: send at this many requests per second, each due at a fixed time, and measure latency from that time (wrk2-style, no coordinated omission). Without it the load is closed loop: as fast as answers come back.")
    var rate: Double?

    @Option(help: "Requests sent first and not measured (always closed loop).")
    var warmup: Int = 5_000

    @Option(help: "Name printed in front of the result line.")
    var label: String = "target"

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @Flag(help: "Also print the latencies second by second (requests, p50, p99, max): whether a high p99 comes from the whole run or from a few stalls.")
    var timeline = false

    @Flag(help: "Sign each request when it is sent, with its send time (unix µs) as the last part of its webhook-id, so a sink can compute ingest-to-delivery latency.")
    var stamp = false

    func validate() throws {
        if let rate, !(rate > 0) { throw ValidationError("--rate must be a positive number of requests per second") }
    }

    func run() throws {
        guard let components = URLComponents(string: url), let host = components.host,
            let port = components.port, components.scheme == "http"
        else { throw ValidationError("--url must look like http://127.0.0.1:8080/webhooks/gemini") }
        let key = try WebhookSecret(parsing: secret)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let runID = UInt64.random(in: 0..<UInt64.max)
        let start = Int64(Date().timeIntervalSince1970)

        let stamp = self.stamp
        @Sendable func build(_ i: Int, tag: String) -> [UInt8] {
            // Stamped requests are built as they are sent, so they also carry a current
            // webhook-timestamp: a long run (the soak) would otherwise leave the edge's tolerance.
            let sentAt = Date().timeIntervalSince1970
            let now = stamp ? Int64(sentAt) : start
            let sent = stamp ? "_t\(Int64(sentAt * 1_000_000))" : ""
            let id = "msg_bench_\(runID)_\(tag)_\(i)\(sent)"
            let body = Array(#"{"type":"batch.succeeded","data":{"batch":"batches/\#(i)","output_file_uri":"files/acme-\#(i)"}}"#.utf8)
            let signature = WebhookSigner.signatureHeader(
                for: SignedContent(id: id, timestamp: now, body: body), secrets: [key], ed25519Keys: [])
            let head = "POST \(path) HTTP/1.1\r\nhost: \(host):\(port)\r\ncontent-type: application/json\r\n"
                + "webhook-id: \(id)\r\nwebhook-timestamp: \(now)\r\nwebhook-signature: \(signature)\r\n"
                + "content-length: \(body.count)\r\n\r\n"
            return Array(head.utf8) + body
        }
        func load(_ count: Int, tag: String, rate: Double?) -> LoadRun {
            var run =
                stamp
                ? LoadRun(host: host, port: UInt16(port), connections: connections, count: count) { build($0, tag: tag) }
                : LoadRun(host: host, port: UInt16(port), connections: connections, requests: (0..<count).map { build($0, tag: tag) })
            run.rate = rate
            return run
        }

        if warmup > 0 {
            _ = load(warmup, tag: "w", rate: nil).run()
        }
        let report = load(requests, tag: "m", rate: rate).run()
        print(Self.format(report, label: label, rate: rate, json: json))
        if timeline {
            for (second, r) in report.timeline() {
                print(String(
                    format: "  second %3d: %6d requests, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms",
                    second, r.requests, r.percentile(0.5), r.percentile(0.99), r.percentile(1)))
            }
        }
        if !report.errors.isEmpty { throw ExitCode(1) }
    }

    /// One line (or JSON object); `rate` is the open-loop offered rate, nil for a closed loop.
    static func format(_ r: LoadRun.Report, label: String, rate: Double?, json: Bool) -> String {
        let statuses = r.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        if json {
            let statusJSON = r.statuses.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            let mode = rate.map { #""mode":"open","offered_rps":\#(Int($0)),"# } ?? #""mode":"closed","#
            return #"{"label":"\#(label)",\#(mode)"requests":\#(r.requests),"seconds":\#(String(format: "%.3f", r.seconds)),"rps":\#(Int(r.requestsPerSecond)),"p50_ms":\#(String(format: "%.3f", r.percentile(0.5))),"p99_ms":\#(String(format: "%.3f", r.percentile(0.99))),"errors":\#(r.errors.values.reduce(0, +)),"statuses":{\#(statusJSON)}}"#
        }
        let mode = rate.map { String(format: "open loop at %.0f req/s offered (latency from due time)", $0) } ?? "closed loop"
        var line = String(
            format: "%@, %@: %d requests in %.2f s = %.0f req/s, p50 %.2f ms, p99 %.2f ms, statuses %@",
            label, mode, r.requests, r.seconds, r.requestsPerSecond, r.percentile(0.5), r.percentile(0.99), statuses)
        if let rate, r.requestsPerSecond < rate * 0.95 {
            line += "\n  the target fell behind the offered rate: latency above includes the queue that built up"
        }
        for (error, count) in r.errors { line += "\n  error ×\(count): \(error)" }
        return line
    }
}
