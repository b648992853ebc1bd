import Yams

extension RoutesDecoder {
    static let tenantKeys = ["signing", "endpoints"]
    static let signingKeys = ["secrets", "ed25519_keys"]
    static let endpointKeys = ["url", "timeout", "max_in_flight", "rate_limit", "retry", "headers", "tls", "circuit_breaker"]
    /// Headers sluice sets itself on every delivery; an endpoint may not override them.
    static let reservedHeaders: Set<String> = [
        "content-type", "content-length", "host", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature",
        "x-sluice-attempt", "x-sluice-event-type", "x-sluice-source", "transfer-encoding", "connection",
    ]

    func decodeTenants(_ field: Field, network: NetworkPolicyConfig) -> [String: TenantConfig] {
        guard let entries = fields(of: field.value, in: "'tenants'", known: nil) else { return [:] }
        var tenants: [String: TenantConfig] = [:]
        for entry in entries.values.sorted(by: { $0.mark < $1.mark }) {
            checkName(entry.name, kind: "tenant", at: entry.mark)
            if let tenant = decodeTenant(entry, network: network) { tenants[entry.name] = tenant }
        }
        return tenants
    }

    private func decodeTenant(_ entry: Field, network: NetworkPolicyConfig) -> TenantConfig? {
        let context = "tenant '\(entry.name)'"
        guard let fields = fields(of: entry.value, in: context, known: Self.tenantKeys) else { return nil }
        var tenant = TenantConfig(name: entry.name, signingSecrets: [])
        if let signingField = requireField(fields, "signing", in: context, at: entry.mark),
           let signing = self.fields(of: signingField.value, in: "'signing' of \(context)", known: Self.signingKeys) {
            let signingContext = "'signing' of \(context)"
            if let secretsField = signing["secrets"], let items = list(secretsField, in: signingContext) {
                tenant.signingSecrets = items.enumerated().compactMap { index, node in
                    webhookSecret(node, in: "secret \(index + 1) of \(signingContext)")
                }
                if items.isEmpty { error(secretsField.valueMark, "'secrets' in \(signingContext) is empty; list at least one whsec_ secret") }
            } else if signing["secrets"] == nil {
                error(signingField.mark, "\(signingContext) is missing required key 'secrets'")
            }
            if let keysField = signing["ed25519_keys"], let items = list(keysField, in: signingContext) {
                tenant.ed25519Keys = items.enumerated().compactMap { index, node in
                    signingKey(node, in: "key \(index + 1) of 'ed25519_keys' of \(signingContext)")
                }
            }
        }
        if let endpointsField = requireField(fields, "endpoints", in: context, at: entry.mark),
           let endpoints = self.fields(of: endpointsField.value, in: "'endpoints' of \(context)", known: nil) {
            if endpoints.isEmpty { error(endpointsField.mark, "'endpoints' of \(context) is empty; define at least one endpoint") }
            for endpointEntry in endpoints.values.sorted(by: { $0.mark < $1.mark }) {
                checkName(endpointEntry.name, kind: "endpoint", at: endpointEntry.mark)
                if let endpoint = decodeEndpoint(endpointEntry, tenant: entry.name, network: network) {
                    tenant.endpoints[endpointEntry.name] = endpoint
                }
            }
        }
        return tenant
    }

    private func decodeEndpoint(_ entry: Field, tenant: String, network: NetworkPolicyConfig) -> EndpointConfig? {
        let context = "endpoint '\(tenant)/\(entry.name)'"
        guard let fields = fields(of: entry.value, in: context, known: Self.endpointKeys) else { return nil }
        guard let urlField = requireField(fields, "url", in: context, at: entry.mark),
              let url = string(urlField, in: context),
              let host = checkURL(url, at: urlField.valueMark, in: context) else {
            // Still validate the other keys so every problem is reported in one pass.
            _ = decodeEndpointSettings(fields, base: EndpointConfig(tenant: tenant, name: entry.name, url: ""), context: context)
            return nil
        }
        warnAboutPrivateHost(host, url: url, at: urlField.valueMark, in: context, network: network)
        if let tlsField = fields["tls"], !url.lowercased().hasPrefix("https:") {
            warning(tlsField.mark, "'tls' of \(context) has no effect: its URL is not https")
        }
        return decodeEndpointSettings(fields, base: EndpointConfig(tenant: tenant, name: entry.name, url: url), context: context)
    }

    /// Decodes everything but `url` on top of `base`.
    private func decodeEndpointSettings(_ fields: [String: Field], base: EndpointConfig, context: String) -> EndpointConfig {
        var endpoint = base
        if let field = fields["timeout"], let timeout = duration(field, in: context) {
            if timeout > .zero { endpoint.timeout = timeout } else { error(field.valueMark, "'timeout' in \(context) must be longer than zero") }
        }
        // Far above what one worker process runs at once (1,024 deliveries); a larger number is a typo.
        if let field = fields["max_in_flight"], let value = integer(field, in: context, minimum: 1, maximum: 100_000) {
            endpoint.maxInFlight = value
        }
        if let field = fields["rate_limit"] {
            endpoint.rateLimit = parsed(field, in: context, RoutesScalarParser.rateLimit)
        }
        if let field = fields["retry"] { endpoint.retry = decodeRetry(field, in: context) }
        if let field = fields["headers"] { endpoint.headers = decodeHeaders(field, in: context) }
        if let field = fields["tls"] { endpoint.tls = decodeTLS(field, in: context) }
        if let field = fields["circuit_breaker"], let block = self.fields(of: field.value, in: "'circuit_breaker' of \(context)", known: ["failures", "cooldown"]) {
            let blockContext = "'circuit_breaker' of \(context)"
            if let failures = block["failures"], let value = integer(failures, in: blockContext, minimum: 1) {
                endpoint.circuitBreaker.failures = value
            }
            if let cooldown = block["cooldown"], let value = duration(cooldown, in: blockContext) {
                endpoint.circuitBreaker.cooldown = value
            }
        }
        return endpoint
    }

    private func decodeRetry(_ field: Field, in context: String) -> RetryConfig {
        var retry = RetryConfig()
        let blockContext = "'retry' of \(context)"
        guard let block = fields(of: field.value, in: blockContext, known: ["schedule", "jitter"]) else { return retry }
        if let scheduleField = block["schedule"], let items = list(scheduleField, in: blockContext) {
            if items.isEmpty {
                error(scheduleField.valueMark, "'schedule' in \(blockContext) is empty; list the delay before each attempt, starting with 0s")
            }
            var schedule: [Duration] = []
            for item in items {
                guard case .scalar(let scalar) = item else {
                    error(item.location, "'schedule' in \(blockContext) must list durations, not \(item.kindDescription)")
                    continue
                }
                do {
                    schedule.append(try RoutesScalarParser.duration(scalar.string))
                } catch {
                    self.error(item.location, "'schedule' in \(blockContext): \(error.message)")
                }
            }
            if !schedule.isEmpty { retry.schedule = schedule }
        }
        if let jitterField = block["jitter"], let jitter = parsed(jitterField, in: blockContext, RoutesScalarParser.jitter) {
            retry.jitter = jitter
        }
        return retry
    }

    private func decodeHeaders(_ field: Field, in context: String) -> [EndpointHeader] {
        let blockContext = "'headers' of \(context)"
        guard let entries = orderedFields(of: field.value, in: blockContext) else { return [] }
        var headers: [EndpointHeader] = []
        var seen: [String: RoutesLocation] = [:]
        for entry in entries {
            let lower = entry.name.lowercased()
            guard !entry.name.isEmpty, entry.name.unicodeScalars.allSatisfy(Self.isHeaderTokenCharacter) else {
                error(entry.mark, "header name '\(entry.name)' in \(blockContext) is not a valid HTTP header name")
                continue
            }
            if Self.reservedHeaders.contains(lower) {
                error(entry.mark, "header '\(entry.name)' in \(blockContext) is set by sluice on every delivery and cannot be overridden")
                continue
            }
            if let first = seen[lower] {
                error(entry.mark, "header '\(entry.name)' in \(blockContext) is repeated (header names are case-insensitive; first at \(first.line):\(first.column))")
                continue
            }
            seen[lower] = entry.mark
            guard let raw = string(entry, in: blockContext, allowEmpty: true) else { continue }
            // Header values may carry tokens, so they get the same ${env:…} expansion as secrets.
            switch expandReferences(raw, at: entry.valueMark, in: "header '\(entry.name)' of \(context)") {
            case .value(let value):
                // Scalars, not Characters: "\r\n" is one Character, equal to neither.
                if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                    error(entry.valueMark, "value of header '\(entry.name)' in \(blockContext) contains a line break")
                } else if value.utf8.contains(where: OutboundRequestBuilder.isForbidden) {
                    error(entry.valueMark, "value of header '\(entry.name)' in \(blockContext) contains a control character (only tabs are allowed)")
                } else {
                    headers.append(EndpointHeader(name: entry.name, value: value))
                }
            case .placeholder: headers.append(EndpointHeader(name: entry.name, value: "placeholder"))
            case nil: break
            }
        }
        return headers
    }

    private static func isHeaderTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII, scalar.value > 0x20, scalar.value < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".unicodeScalars.contains(scalar)
    }

    private func decodeTLS(_ field: Field, in context: String) -> TLSConfig {
        let blockContext = "'tls' of \(context)"
        var tls = TLSConfig()
        guard let block = fields(of: field.value, in: blockContext, known: ["ca_file", "client_cert_file", "client_key_file"]) else { return tls }
        func path(_ key: String) -> String? {
            // Empty ("" or nothing) means unset, so a template can leave a path out by value.
            guard let field = block[key], let text = string(field, in: blockContext, allowEmpty: true), !text.isEmpty else { return nil }
            return text
        }
        tls.caFile = path("ca_file")
        tls.clientCertFile = path("client_cert_file")
        tls.clientKeyFile = path("client_key_file")
        if (tls.clientCertFile == nil) != (tls.clientKeyFile == nil) {
            error(field.mark, "\(blockContext) needs both 'client_cert_file' and 'client_key_file' for mTLS, or neither")
        }
        // Read now, like `${file:}` secrets: a file that is missing or holds something else
        // would otherwise fail every attempt for the whole retry schedule.
        for (key, filePath, marker, what) in [
            ("ca_file", tls.caFile, "-----BEGIN CERTIFICATE-----", "PEM certificate"),
            ("client_cert_file", tls.clientCertFile, "-----BEGIN CERTIFICATE-----", "PEM certificate"),
            ("client_key_file", tls.clientKeyFile, "PRIVATE KEY-----", "PEM private key"),
        ] {
            guard let filePath, let keyField = block[key] else { continue }
            checkTLSFile(filePath, key: key, marker: marker, what: what, at: keyField.valueMark, in: blockContext)
        }
        // A certificate has one key. Two endpoints naming the same certificate with different keys
        // is a mistake that the HTTP client would also hide: it reuses a connection made with one
        // endpoint's key for the other (it compares the certificate, not the key).
        if let cert = tls.clientCertFile, let key = tls.clientKeyFile, let keyField = block["client_key_file"] {
            if let first = clientKeysByCertificate[cert], first.keyFile != key {
                error(
                    keyField.valueMark,
                    "\(blockContext) pairs client certificate '\(cert)' with key '\(key)', but \(first.context) pairs it with '\(first.keyFile)'; a certificate has one key")
            } else if clientKeysByCertificate[cert] == nil {
                clientKeysByCertificate[cert] = (key, context)
            }
        }
        return tls
    }

    /// Checks that a `tls` file can be read and holds what its key names; never quotes it.
    private func checkTLSFile(_ filePath: String, key: String, marker: String, what: String, at mark: RoutesLocation, in context: String) {
        if filePath.contains("${") {
            error(mark, "'\(key)' in \(context) is a file path, not a secret reference; write the path itself ('\(filePath)')")
            return
        }
        let contents: String
        do {
            contents = try readSecretFile(filePath)
        } catch {
            if !allowMissingSecrets {
                unresolvedSecret(mark, "cannot read '\(filePath)', the '\(key)' of \(context): \(Self.describeReadError(error))")
            }
            return
        }
        if !contents.contains(marker) {
            self.error(mark, "'\(filePath)', the '\(key)' of \(context), holds no \(what) (no '\(marker)' line)")
        }
    }

    /// SSRF is enforced at delivery (DNS answers change); here a literal private address only earns a
    /// warning, judged by the same policy the delivery-time guard applies, and none when it admits it.
    private func warnAboutPrivateHost(_ host: String, url: String, at location: RoutesLocation, in context: String, network: NetworkPolicyConfig) {
        let lowered = host.lowercased()
        let localhost = lowered == "localhost" || lowered.hasSuffix(".localhost")
        // A numeric host in another spelling (`0177.0.0.1`, `2130706433`) reaches the address it
        // encodes: the HTTP client reads it so, and the delivery-time guard judges that address.
        let literal = IPAddress(host)
        let spelled = literal == nil ? IPAddress(numericHost: host) : nil
        guard let address = literal ?? spelled ?? (localhost ? IPAddress("127.0.0.1") : nil) else { return }
        let policy = AddressPolicy(allowPrivate: network.allowPrivate, allowCIDRs: network.allowCIDRs.compactMap { CIDR(parsing: $0) })
        guard let category = policy.refusal(for: address) else { return }
        let shown = spelled.map { "'\(host)' (\($0))" } ?? "'\(host)'"
        if category == .metadata {
            warning(location, "\(context) points at cloud metadata address \(shown); deliveries will be refused with blocked_address unless network.allow_cidrs admits it (network.allow_private does not)")
        } else {
            warning(location, "\(context) points at private address \(shown); deliveries will be refused with blocked_address unless network.allow_private or network.allow_cidrs admits it")
        }
    }
}
