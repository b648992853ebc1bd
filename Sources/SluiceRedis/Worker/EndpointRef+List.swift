public import SluiceCore

// How a list of endpoints is kept in a Redis field (the archive's and the event index's
// `targets`, the legacy event hash): `tenant/endpoint` joined by commas. Names cannot hold a
// comma (routes.yaml restricts them), so the list needs no escaping.
extension EndpointRef {
    /// `targets` as one field value.
    static func field(_ targets: [EndpointRef]) -> [UInt8] {
        Array(targets.map(\.description).joined(separator: ",").utf8)
    }

    /// The endpoints of a field written by ``field(_:)``; entries that do not parse are skipped.
    static func list(parsing text: some StringProtocol) -> [EndpointRef] {
        text.split(separator: ",").compactMap { EndpointRef(parsing: String($0)) }
    }
}
