/// The `tls:` block of an endpoint (empty strings in the file mean nil), and what the delivery
/// client gets per request. Verification of the server is always on; these only add trust
/// anchors or a client identity. The files are paths read by curl at connect time.
public struct TLSConfig: Sendable, Equatable {
    /// PEM file of CA certificates to trust in addition to the system store (libcurl keeps its
    /// CA directory when given a CA file).
    public var caFile: String?
    /// PEM client certificate for mTLS.
    public var clientCertFile: String?
    /// PEM private key of the client certificate.
    public var clientKeyFile: String?

    /// Whether any file is set (otherwise curl's defaults apply and nothing is passed).
    public var isEmpty: Bool { caFile == nil && clientCertFile == nil && clientKeyFile == nil }

    /// Creates a TLS configuration.
    public init(caFile: String? = nil, clientCertFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
    }
}
