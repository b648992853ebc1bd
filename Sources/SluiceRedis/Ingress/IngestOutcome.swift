/// What happened to an event handed to `IngressStore.accept`.
public enum IngestOutcome: Sendable, Hashable {
    /// The event is durable on the ingress stream under `streamID`.
    case accepted(streamID: String)
    /// The webhook-id was already accepted within the dedupe window; nothing was written.
    case duplicate
}
