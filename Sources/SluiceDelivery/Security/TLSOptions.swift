/// Per-endpoint TLS material for `https` (SPEC §7). Verification of the server is always on;
/// these only add trust anchors or a client identity.
public struct TLSOptions: Sendable, Hashable {
    /// PEM bundle of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// PEM client certificate for mutual TLS.
    public var clientCertFile: String?
    /// PEM private key for `clientCertFile`.
    public var clientKeyFile: String?

    /// Creates TLS options; all files are paths read by curl at connect time.
    public init(caFile: String? = nil, clientCertFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
    }
}
