import Yams

/// Parses and validates routes.yaml text into a `RoutesConfig`, reporting every problem with its
/// file, line and column. Pure: the caller supplies the text, environment and secret-file reader.
public enum RoutesLoader {
    static let topLevelKeys = ["version", "redis", "network", "sources", "tenants", "routes", "worker"]

    /// Loads a routes file.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The path to show in diagnostics.
    ///   - environment: Variables for `${env:NAME}`.
    ///   - readSecretFile: Reads the file named by `${file:/path}`; a thrown error is reported (without its contents).
    ///   - allowMissingSecrets: Check structure only: unresolvable references get a valid stand-in
    ///     (for CI without secrets). Never use the resulting config to serve traffic.
    /// - Returns: The configuration when there is no error, and all diagnostics sorted by position.
    public static func load(
        text: String,
        path: String,
        environment: [String: String],
        readSecretFile: (String) throws -> String,
        allowMissingSecrets: Bool = false
    ) -> RoutesLoadResult {
        withoutActuallyEscaping(readSecretFile) { reader in
            let decoder = RoutesDecoder(path: path, environment: environment, readSecretFile: reader, allowMissingSecrets: allowMissingSecrets)
            let config = decoder.decodeFile(text)
            let diagnostics = decoder.diagnostics.enumerated()
                .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
                .map(\.element)
            return RoutesLoadResult(config: decoder.hasErrors ? nil : config, diagnostics: diagnostics)
        }
    }
}

extension RoutesDecoder {
    func decodeFile(_ text: String) -> RoutesConfig? {
        // Editors on Windows write a byte-order mark first, which Yams reads as part of the first key.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        if text.hasPrefix("\u{FFFD}") {
            // Bytes that are not UTF-8 from the start: UTF-16 (its own mark, FF FE or FE FF) or not text.
            error(RoutesLocation(line: 1, column: 1), "the file is not UTF-8 text (UTF-16, or not text at all); save it as UTF-8")
            return nil
        }
        let root: Node
        if let deep = YAMLNestingBound.firstTooDeep(text) {
            error(deep, "the file nests deeper than \(YAMLNestingBound.limit) levels (counting indentation and open brackets); a routes file needs about eight")
            return nil
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                error(RoutesLocation(line: 1, column: 1), "the file is empty; it needs at least 'version: 1'")
                return nil
            }
            root = node
        } catch let yamlError as YamlError {
            reportSyntaxError(yamlError, text: text)
            return nil
        } catch {
            self.error(RoutesLocation(line: 1, column: 1), "cannot parse YAML: \(error)")
            return nil
        }
        guard let top = fields(of: root, in: "the top level", known: RoutesLoader.topLevelKeys) else { return nil }
        let fileStart = root.location
        var config = RoutesConfig()

        if let versionField = requireField(top, "version", in: "the file", at: fileStart), let text = string(versionField, in: "the file") {
            if text != "1" {
                error(versionField.valueMark, "unsupported version '\(text)'; this sluice reads version 1")
            }
        }
        if let redisField = top["redis"], let redis = fields(of: redisField.value, in: "'redis'", known: ["prefix", "durability", "replicas", "replica_timeout", "partitions"]) {
            if let prefixField = redis["prefix"], let prefix = string(prefixField, in: "'redis'") {
                if prefix.contains(where: { $0.isWhitespace || $0 == "{" || $0 == "}" }) {
                    error(prefixField.valueMark, "'prefix' in 'redis' must not contain spaces or braces (sluice adds its own {hash tags})")
                } else {
                    config.redisPrefix = prefix
                }
            }
            if let partitionsField = redis["partitions"], let count = integer(partitionsField, in: "'redis'", minimum: 1) {
                if count <= EventPartition.maxCount {
                    config.redisPartitions = count
                } else {
                    error(partitionsField.valueMark, "'partitions' in 'redis' must be at most \(EventPartition.maxCount) (each partition is a set of streams every worker reads), not \(count)")
                }
            }
            if let durabilityField = redis["durability"], let text = string(durabilityField, in: "'redis'") {
                if let durability = RedisDurability(rawValue: text) {
                    config.redisDurability = durability
                } else {
                    error(durabilityField.valueMark, "'durability' in 'redis' must be write (202 once Redis applied the write, while it runs with appendonly yes), fsync (202 only while Redis runs with appendonly yes and appendfsync always), replicated (202 once WAIT confirms the write reached redis.replicas replicas) or none (no persistence check), not '\(text)'")
                }
            }
            for name in ["replicas", "replica_timeout"] {
                if let field = redis[name], config.redisDurability != .replicated {
                    error(field.mark, "'\(name)' in 'redis' applies only with durability: replicated")
                }
            }
            if let replicasField = redis["replicas"], let count = integer(replicasField, in: "'redis'", minimum: 1) {
                config.redisReplication.replicas = count
            }
            if let timeoutField = redis["replica_timeout"], let timeout = duration(timeoutField, in: "'redis'") {
                if timeout >= .milliseconds(1) && timeout <= .seconds(5) {
                    config.redisReplication.timeout = timeout
                } else {
                    error(timeoutField.valueMark, "'replica_timeout' in 'redis' must be between 1ms and 5s (the edge holds the call that long, and its Redis connection with it)")
                }
            }
        }
        if let networkField = top["network"] { config.network = decodeNetwork(networkField) }

        let declared = declaredNames(sources: top["sources"], tenants: top["tenants"])
        if let sourcesField = requireField(top, "sources", in: "the file", at: fileStart) {
            config.sources = decodeSources(sourcesField)
        }
        if let tenantsField = top["tenants"] { config.tenants = decodeTenants(tenantsField, network: config.network) }
        if let routesField = top["routes"] { config.routes = decodeRoutes(routesField, declared: declared) }
        config.worker = decodeWorker(top["worker"], longestTimeout: config.longestEndpointTimeout)
        return config
    }

    private func reportSyntaxError(_ yamlError: YamlError, text: String) {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            error(RoutesLocation(mark), "YAML syntax error: \(problem)\(while_)")
        case .reader(let problem, let offset, _, _):
            var location = RoutesLocation(line: 1, column: 1)
            if let offset {
                let prefix = text.prefix(offset)
                let line = prefix.count(where: { $0 == "\n" }) + 1
                let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.unicodeScalars.count + 1 } ?? 1
                location = RoutesLocation(line: line, column: column)
            }
            error(location, "cannot read the file: \(problem)")
        default:
            error(RoutesLocation(line: 1, column: 1), "cannot parse YAML: \(yamlError)")
        }
    }

    private func declaredNames(sources: Field?, tenants: Field?) -> DeclaredNames {
        var names = DeclaredNames()
        if case .mapping(let mapping)? = sources?.value {
            names.sources = Set(mapping.keys.compactMap { $0.scalar?.string })
        }
        if case .mapping(let mapping)? = tenants?.value {
            for (key, value) in mapping {
                guard let tenant = key.scalar?.string else { continue }
                var endpoints: Set<String> = []
                if case .mapping(let tenantBlock) = value, case .mapping(let endpointBlock)? = tenantBlock["endpoints"] {
                    endpoints = Set(endpointBlock.keys.compactMap { $0.scalar?.string })
                }
                names.endpointsByTenant[tenant, default: []].formUnion(endpoints)
            }
        }
        return names
    }

    private func decodeNetwork(_ field: Field) -> NetworkPolicyConfig {
        var network = NetworkPolicyConfig()
        guard let block = fields(of: field.value, in: "'network'", known: ["allow_private", "allow_cidrs"]) else { return network }
        if let allowField = block["allow_private"], let value = bool(allowField, in: "'network'") { network.allowPrivate = value }
        if let cidrsField = block["allow_cidrs"], let items = list(cidrsField, in: "'network'") {
            for item in items {
                guard case .scalar(let scalar) = item, scalar.string.contains("/"), CIDR(parsing: scalar.string) != nil else {
                    error(item.location, "invalid CIDR '\(item.scalar?.string ?? "")' in 'allow_cidrs' of 'network'; write ADDRESS/PREFIX such as 127.0.0.1/32 or fd00::/8")
                    continue
                }
                network.allowCIDRs.append(scalar.string)
            }
        }
        return network
    }

    private func decodeWorker(_ field: Field?, longestTimeout: Duration) -> WorkerConfig {
        var worker = WorkerConfig(visibilityTimeout: LaneSizing.automaticVisibility(longestTimeout: longestTimeout))
        guard let field, let block = fields(of: field.value, in: "'worker'", known: ["visibility_timeout", "attempt_log_retention", "recovery_window", "event_index"]) else { return worker }
        if let visibilityField = block["visibility_timeout"], let text = string(visibilityField, in: "'worker'"), text != "auto" {
            if let value = duration(visibilityField, in: "'worker'") {
                let minimum = LaneSizing.minimumVisibility(longestTimeout: longestTimeout)
                if value >= minimum {
                    worker.visibilityTimeout = value
                } else {
                    error(visibilityField.valueMark, "'visibility_timeout' (\(RoutesScalarParser.format(value))) must be at least \(RoutesScalarParser.format(minimum)): the longest endpoint timeout (\(RoutesScalarParser.format(longestTimeout))) plus \(RoutesScalarParser.format(LaneSizing.resolveTimeout)) for the address lookup and \(RoutesScalarParser.format(LaneSizing.settleMargin)) to record the result, or a delivery still in flight would be handed to a second worker; use auto")
                }
            }
        }
        if let retentionField = block["attempt_log_retention"], let value = duration(retentionField, in: "'worker'") {
            if value > .zero { worker.attemptLogRetention = value } else { error(retentionField.valueMark, "'attempt_log_retention' in 'worker' must be longer than zero") }
        }
        if let windowField = block["recovery_window"], let value = duration(windowField, in: "'worker'") {
            if value >= .zero && value <= WorkerConfig.maxRecoveryWindow {
                worker.recoveryWindow = value
            } else {
                error(windowField.valueMark, "'recovery_window' in 'worker' must be between 0s (off) and 7d (every event's body is kept that long)")
            }
        }
        if let indexField = block["event_index"], let count = integer(indexField, in: "'worker'", minimum: 0) {
            if count <= WorkerConfig.maxEventIndex {
                worker.eventIndex = count
            } else {
                error(indexField.valueMark, "'event_index' in 'worker' must be at most \(WorkerConfig.maxEventIndex) events per partition (each takes about 100 bytes of Redis), not \(count); 0 turns the index off")
            }
        }
        return worker
    }
}
