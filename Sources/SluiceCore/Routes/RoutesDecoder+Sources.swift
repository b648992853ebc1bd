import Yams

extension RoutesDecoder {
    static let sourceKeys = ["kind", "verify", "max_body", "dedupe_window"]
    static let verifyKeys = ["hmac", "jwks", "tolerance"]

    func decodeSources(_ field: Field) -> [String: SourceConfig] {
        guard let entries = fields(of: field.value, in: "'sources'", known: nil) else { return [:] }
        if entries.isEmpty {
            // An edge with no source answers every call 404: nothing could ever be ingested.
            error(field.valueMark, "'sources' is empty; name at least one source (e.g. gemini: {kind: gemini})")
        }
        var sources: [String: SourceConfig] = [:]
        for entry in entries.values {
            checkName(entry.name, kind: "source", at: entry.mark)
            if let source = decodeSource(entry) { sources[entry.name] = source }
        }
        return sources
    }

    private func decodeSource(_ entry: Field) -> SourceConfig? {
        currentSource = entry.name
        defer { currentSource = nil }
        let context = "source '\(entry.name)'"
        guard let fields = fields(of: entry.value, in: context, known: Self.sourceKeys) else { return nil }
        var source = SourceConfig(name: entry.name)
        if let kindField = fields["kind"], let text = string(kindField, in: context) {
            if let kind = SourceKind(rawValue: text) {
                source.kind = kind
            } else {
                error(kindField.valueMark, "unknown kind '\(text)' in \(context); expected gemini or standard-webhooks")
            }
        }
        if let field = fields["max_body"], let size = parsed(field, in: context, RoutesScalarParser.size) {
            if size <= 0 {
                error(field.valueMark, "'max_body' in \(context) must be larger than zero")
            } else if size > SourceConfig.largestMaxBody {
                error(field.valueMark, "'max_body' in \(context) must be at most \(SourceConfig.largestMaxBody >> 20)MiB, not \(field.value.scalar?.string ?? "\(size)")")
            } else {
                source.maxBody = size
            }
        }
        if let field = fields["dedupe_window"], let window = duration(field, in: context) {
            if window > .zero { source.dedupeWindow = window } else { error(field.valueMark, "'dedupe_window' in \(context) must be longer than zero") }
        }

        var jwks: JWKSConfig? = source.kind == .gemini ? JWKSConfig(url: JWKSConfig.geminiDefaultURL) : nil
        var jwksDisabled = false
        var hmacGiven = false
        if let verifyField = fields["verify"], let verify = self.fields(of: verifyField.value, in: "'verify' of \(context)", known: Self.verifyKeys) {
            if let hmac = verify["hmac"] {
                hmacGiven = true
                source.hmacSecrets = decodeSecretList(hmac, container: "hmac", in: "'verify.hmac' of \(context)")
            }
            if let jwksField = verify["jwks"] {
                (jwks, jwksDisabled) = decodeJWKS(jwksField, kind: source.kind, in: "'verify.jwks' of \(context)", default: jwks)
            }
            if let field = verify["tolerance"], let tolerance = duration(field, in: "'verify' of \(context)") {
                if tolerance > .zero { source.tolerance = tolerance } else { error(field.valueMark, "'tolerance' in 'verify' of \(context) must be longer than zero") }
            }
        }
        source.jwks = jwks
        if !hmacGiven && jwks == nil {
            let why = jwksDisabled ? "" : " (kind standard-webhooks has no default JWKS)"
            error(fields["verify"]?.mark ?? entry.mark, "\(context) cannot verify anything: set verify.hmac.secrets or verify.jwks.url\(why)")
        }
        return source
    }

    /// `{secrets: [...]}` → typed secrets; reports an empty list.
    func decodeSecretList(_ field: Field, container: String, in context: String) -> [WebhookSecret] {
        guard let block = fields(of: field.value, in: context, known: ["secrets"]) else { return [] }
        guard let secretsField = block["secrets"] else {
            // `hmac:` with nothing after it is an empty mapping, as everywhere: no secrets.
            error(field.mark, "\(context) is missing required key 'secrets'")
            return []
        }
        guard let items = list(secretsField, in: context) else { return [] }
        if items.isEmpty { error(secretsField.valueMark, "'secrets' in \(context) is empty; list at least one whsec_ secret") }
        return items.enumerated().compactMap { index, node in
            webhookSecret(node, in: "secret \(index + 1) of \(context)")
        }
    }

    private func decodeJWKS(_ field: Field, kind: SourceKind, in context: String, default defaultValue: JWKSConfig?) -> (JWKSConfig?, disabled: Bool) {
        if case .scalar = field.value, !field.isNull {
            if string(field, in: context) == "false" { return (nil, true) }
            error(field.valueMark, "\(context) must be a mapping with 'url' (optional for kind gemini) and 'audience', or false to turn JWKS off")
            return (defaultValue, false)
        }
        guard let block = fields(of: field.value, in: context, known: ["url", "audience"]) else { return (defaultValue, false) }
        var config = defaultValue
        if let urlField = block["url"] {
            if let url = string(urlField, in: context), checkURL(url, at: urlField.valueMark, in: context) != nil {
                config = JWKSConfig(url: url)
            }
        } else if defaultValue == nil, !field.isNull {
            error(field.mark, "\(context) is missing required key 'url' (kind standard-webhooks has no default)")
            return (nil, false)
        }
        if let audienceField = block["audience"] {
            // Not a single value: reported by `string`.
            guard let audience = string(audienceField, in: context, allowEmpty: true) else { return (config, false) }
            if !audience.isEmpty {
                config?.audience = audience
                return (config, false)
            }
        }
        // Without an audience (missing or "", as the contract's example has it) JWTs are refused
        // rather than accepted unchecked: a shared JWKS (Google's signs for every Gemini
        // customer) makes a JWT safe only when its aud must name this gateway. v1a entries are
        // verified as usual. Said at load, so the refusals are no surprise.
        warning(
            block["audience"]?.valueMark ?? field.mark,
            "\(context) sets no 'audience': JWT-signed calls will be refused (401 audience_not_configured), since a JWKS such as Google's signs tokens for every customer; set it to the aud you registered to accept them (v1a signatures are verified either way)")
        return (config, false)
    }
}
