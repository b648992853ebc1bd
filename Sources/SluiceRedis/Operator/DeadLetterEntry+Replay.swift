public import SluiceCore
import Foundation

extension DeadLetterEntry {
    /// The recovery window to archive this dead letter's event under when it is replayed: a
    /// `no_route` event was never archived (it had no deliveries), so it is archived then, with
    /// `recoveryWindow`; any other was archived when it was routed (zero: not again).
    public func replayArchiveWindow(recoveryWindow: Duration) -> Duration {
        reason == .noRoute ? recoveryWindow : .zero
    }

    /// What replaying this dead letter would put back on the deliveries stream.
    public enum Replay: Sendable {
        /// These deliveries, with fresh schedules.
        case deliveries([Delivery])
        /// A `no_route` event that the current routes still send nowhere: it stays.
        case stillNoRoute
        /// Its fields could not be read in the first place (`undecodable`): there is nothing to make again.
        case notReplayable
    }

    /// The replay of this dead letter under `matcher` (the current routes) at `nowMillis`: a
    /// `no_route` event is routed again; any other gets its delivery back. Either way each
    /// delivery starts a fresh schedule at `nowMillis` (attempt 1, same webhook-id).
    public func replay(matcher: RouteMatcher, nowMillis: Int64) -> Replay {
        if reason == .undecodable { return .notReplayable }
        guard reason == .noRoute else { return .deliveries([delivery.restarted(atMillis: nowMillis)]) }
        let event = delivery.event
        let targets = matcher.targets(source: event.source, channel: event.channel, eventType: event.eventType, body: event.body)
        guard !targets.isEmpty else { return .stillNoRoute }
        return .deliveries(targets.map { Delivery(ingressID: delivery.ingressID, event: event, target: $0, scheduledAtMillis: nowMillis) })
    }
}
