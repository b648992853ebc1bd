import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `sluice-bench serve`: an HTTP/1.1 server on SwiftNIO that answers every request with a fixed
/// `202` of the edge's size, and nothing else — no verification, no Redis, no metrics. Measured
/// with the same wrk script as the edge (`bench/floor.sh`), its CPU per request is what the
/// edge's own transport costs before any of Sluice's work:
///
/// - `--parser nio`: NIO's HTTP/1.1 decoder (llhttp) in front of one handler, as in the edge;
/// - `--parser none`: no HTTP decoder at all, only the framing a request needs (the end of its
///   head and its `content-length`), on NIO's channel: the least a hand-written parser on NIO
///   could cost.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer every HTTP/1.1 request with a fixed 202 on SwiftNIO (the edge's transport alone)."
    )

    enum Parser: String, ExpressibleByArgument, CaseIterable {
        case nio, none
    }

    @Option(help: "Address to listen on.")
    var listen: String = "127.0.0.1:8088"

    @Option(help: "nio: NIO's HTTP/1.1 decoder; none: only the request framing.")
    var parser: Parser = .nio

    @Option(help: "Event loop threads.")
    var threads: Int = 1

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard listen.split(separator: ":").count == 2, Int(listen.split(separator: ":")[1]) != nil else {
            throw ValidationError("--listen must be HOST:PORT")
        }
    }

    func run() async throws {
        let parts = listen.split(separator: ":")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let parser = self.parser
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    switch parser {
                    case .nio:
                        try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                        try sync.addHandler(FixedAnswerHTTPHandler())
                    case .none:
                        try sync.addHandler(FixedAnswerFramingHandler())
                    }
                }
            }
            .bind(host: String(parts[0]), port: Int(parts[1])!).get()
        print("listening on \(listen) (parser \(parser.rawValue), \(threads) thread\(threads == 1 ? "" : "s"))")
        try await channel.closeFuture.get()
    }
}
