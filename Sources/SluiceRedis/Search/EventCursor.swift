/// Where the next page of an event search starts: just after this index entry, in the search's
/// order (newest first, and by partition among entries of the same id). Written `<id>@<partition>`.
public struct EventCursor: Sendable, Hashable, CustomStringConvertible {
    public var indexID: String
    public var partition: Int

    public init(indexID: String, partition: Int) {
        self.indexID = indexID
        self.partition = partition
    }

    /// Parses `<id>@<partition>`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "@")
        guard parts.count == 2, let partition = Int(parts[1]), partition >= 0 else { return nil }
        // A stream id, `<ms>-<seq>`: it goes into XREVRANGE as given.
        let id = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { UInt64($0) }
        guard id.count == 2, let milliseconds = id[0], let sequence = id[1], milliseconds > 0 || sequence > 0 else { return nil }
        self.init(indexID: String(parts[0]), partition: partition)
    }

    public var description: String { "\(indexID)@\(partition)" }
}
