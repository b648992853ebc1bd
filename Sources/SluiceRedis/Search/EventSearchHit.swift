/// An event an event search found: its index entry and where its deliveries stand.
public struct EventSearchHit: Sendable {
    public var event: IndexedEvent
    /// The standing of each target the query's tenant and endpoint filters leave, in the
    /// event's target order; empty when the event matched no route.
    public var standings: [(target: EndpointRef, standing: DeliveryStanding)]

    /// The one standing that sums the event up: no route, else the worst of its targets'
    /// (dead letter, then retrying, pending, expired, delivered).
    public var summary: DeliveryStanding {
        guard !standings.isEmpty else { return .noRoute }
        for worst in [DeliveryStanding.deadLetter, .retrying, .pending, .expired] where standings.contains(where: { $0.standing == worst }) {
            return worst
        }
        return .delivered
    }
}

import SluiceCore
