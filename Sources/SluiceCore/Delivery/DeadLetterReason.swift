/// Why a delivery (or, for `no_route`, an event) ended in the dead-letter stream.
///
/// The raw values are a public interface (docs/cli.md): `sluice dlq list --reason` and its JSON output use them.
public enum DeadLetterReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// The event matched no route; replay routes it again with the current routes.
    case noRoute = "no_route"
    /// Every attempt of the retry schedule failed.
    case exhausted
    /// The endpoint answered `410 Gone`.
    case gone
    /// The SSRF guard refused the endpoint's address.
    case blockedAddress = "blocked_address"
    /// The endpoint was removed from the routes file while the delivery waited.
    case endpointRemoved = "endpoint_removed"
    /// A stream entry whose fields Sluice cannot read; its raw fields are kept for inspection and
    /// it cannot be replayed.
    case undecodable
}
