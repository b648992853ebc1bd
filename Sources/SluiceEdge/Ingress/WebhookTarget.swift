import Foundation

/// `/webhooks/{source}[/{channel}]`: which source (and channel) a request path names.
struct WebhookTarget: Sendable, Equatable {
    var source: String
    var channel: String?

    /// Whether a request target is under `/webhooks/` at all: such requests are the edge's, and
    /// never the router's, whatever their method.
    static func isWebhookPath(_ uri: String) -> Bool {
        uri.utf8.starts(with: "/webhooks/".utf8)
    }

    /// The source and channel of a request target, or nil when its path is not one or two
    /// non-empty segments under `/webhooks/` (those go to the router, which answers 404).
    /// Segments are percent-decoded, as Hummingbird's router decoded them.
    init?(uri: String) {
        let utf8 = uri.utf8
        guard utf8.starts(with: "/webhooks/".utf8) else { return nil }
        let pathEnd = utf8.firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        let rest = uri[utf8.index(utf8.startIndex, offsetBy: "/webhooks/".utf8.count)..<pathEnd]
        var source: Substring
        var channel: Substring?
        if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            source = rest[..<slash]
            channel = rest[rest.utf8.index(after: slash)...]
            guard !channel!.utf8.contains(UInt8(ascii: "/")) else { return nil }
        } else {
            source = rest
        }
        guard let decodedSource = Self.decode(source), !decodedSource.isEmpty else { return nil }
        self.source = decodedSource
        if let channel {
            guard let decodedChannel = Self.decode(channel), !decodedChannel.isEmpty else { return nil }
            self.channel = decodedChannel
        }
    }

    private static func decode(_ segment: Substring) -> String? {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return segment.removingPercentEncoding
    }
}
