public import SluiceCore

// How a list of endpoints is kept in a Redis field (the archive's and the event index's
// `targets`, the legacy event hash): `tenant/endpoint` joined by commas. Names cannot hold a
// comma (routes.yaml restricts them), so the list needs no escaping.
extension EndpointRef {
    /// `targets` as one field value.
    static func field(_ targets: [EndpointRef]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(targets.reduce(0) { $0 + 2 + $1.tenant.utf8.count + $1.endpoint.utf8.count })
        for (index, target) in targets.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: target.tenant.utf8)
            bytes.append(UInt8(ascii: "/"))
            bytes.append(contentsOf: target.endpoint.utf8)
        }
        return bytes
    }

    /// The endpoints of a field written by ``field(_:)``; entries that do not parse are skipped.
    static func list(parsing text: some StringProtocol) -> [EndpointRef] {
        text.split(separator: ",").compactMap { EndpointRef(parsing: String($0)) }
    }
}
