/// An event an event search found: its index entry and where its deliveries stand.
public struct EventSearchHit: Sendable {
    public var event: IndexedEvent
    /// The standing of each target the query's tenant and endpoint filters leave, in the
    /// event's target order; empty when the event matched no route.
    public var standings: [(target: EndpointRef, standing: DeliveryStanding)]
    /// Whether the event's log still existed when its standings were read.
    public var logged = true
    /// Whether `standings` have been read from the log (a search reads each log once).
    var standingsRead = false

    init(event: IndexedEvent, standings: [(target: EndpointRef, standing: DeliveryStanding)]) {
        self.event = event
        self.standings = standings
    }

    /// The one standing that sums the event up: no route (or expired, once its log is gone),
    /// else the worst of its targets' (dead letter, then retrying, pending, expired, delivered).
    public var summary: DeliveryStanding {
        guard !standings.isEmpty else { return logged ? .noRoute : .expired }
        for worst in [DeliveryStanding.deadLetter, .retrying, .pending, .expired] where standings.contains(where: { $0.standing == worst }) {
            return worst
        }
        return .delivered
    }
}

import SluiceCore
