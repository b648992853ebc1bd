/// One page of an event search, newest first.
public struct EventSearchPage: Sendable {
    public var hits: [EventSearchHit]
    /// Where the next page starts; nil when the index holds nothing further in the window.
    public var next: EventCursor?
    /// How many index entries were read to fill this page.
    public var scanned: Int
    /// True when the page stopped at the scan limit rather than filling up or reaching the end
    /// of the window: `next` goes on from there.
    public var stoppedAtScanLimit: Bool
    /// The oldest entry each partition's index still holds, as the earliest of them (unix ms);
    /// nil when every index is empty. Events routed before it can no longer be found.
    public var indexStartsAtMillis: Int64?
}
