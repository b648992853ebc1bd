import Yams

extension RoutesDecoder {
    static let routeKeys = ["name", "match", "to", "final"]
    static let matchKeys = ["source", "channel", "events", "where"]
    static let whereOperators = ["equals", "glob", "in", "exists"]

    /// Names declared in the file, even when their block had errors, so a broken endpoint does not
    /// also make every route that names it report "unknown endpoint".
    struct DeclaredNames {
        var sources: Set<String> = []
        var endpointsByTenant: [String: Set<String>] = [:]
    }

    func decodeRoutes(_ field: Field, declared: DeclaredNames) -> [Route] {
        guard let items = list(field, in: "the file") else { return [] }
        var routes: [Route] = []
        var seenNames: [String: RoutesLocation] = [:]
        for (index, item) in items.enumerated() {
            let fallbackContext = "route \(index + 1)"
            guard let fields = fields(of: item, in: fallbackContext, known: Self.routeKeys) else { continue }
            var name = ""
            if let nameField = requireField(fields, "name", in: fallbackContext, at: item.location), let text = string(nameField, in: fallbackContext) {
                name = text
                if checkName(text, kind: "route", at: nameField.valueMark) {
                    if let first = seenNames[text] {
                        error(nameField.valueMark, "duplicate route name '\(text)' (first used at \(first.line):\(first.column))")
                    } else {
                        seenNames[text] = nameField.valueMark
                    }
                }
            }
            let context = name.isEmpty ? fallbackContext : "route '\(name)'"
            var route = Route(name: name, to: [])
            if let matchField = fields["match"] { route.match = decodeMatch(matchField, in: context, declared: declared) }
            if let toField = requireField(fields, "to", in: context, at: fields["name"]?.mark ?? item.location),
               let targets = list(toField, in: context) {
                if targets.isEmpty { error(toField.valueMark, "'to' in \(context) is empty; list at least one TENANT/ENDPOINT") }
                route.to = targets.compactMap { decodeTarget($0, in: context, declared: declared) }
            }
            if let finalField = fields["final"], let value = bool(finalField, in: context) { route.final = value }
            routes.append(route)
        }
        return routes
    }

    private func decodeMatch(_ field: Field, in context: String, declared: DeclaredNames) -> RouteMatch {
        var match = RouteMatch()
        let blockContext = "'match' of \(context)"
        guard let fields = fields(of: field.value, in: blockContext, known: Self.matchKeys) else { return match }
        if let sourceField = fields["source"], let source = string(sourceField, in: blockContext) {
            if declared.sources.contains(source) {
                match.source = source
            } else {
                var message = "unknown source '\(source)' in \(blockContext)"
                if let suggestion = Self.closest(to: source, in: declared.sources) { message += "; did you mean '\(suggestion)'?" }
                error(sourceField.valueMark, message)
            }
        }
        if let channelField = fields["channel"], let text = string(channelField, in: blockContext) {
            match.channel = glob(text, at: channelField.valueMark, in: "'channel' of \(blockContext)")
        }
        if let eventsField = fields["events"], let items = list(eventsField, in: blockContext) {
            if items.isEmpty { error(eventsField.valueMark, "'events' in \(blockContext) is empty; omit it to match every event type") }
            match.events = items.compactMap { item in
                guard case .scalar(let scalar) = item, !item.isNullScalar, !scalar.string.isEmpty else {
                    error(item.location, "'events' in \(blockContext) must list event type globs such as \"batch.*\"")
                    return nil
                }
                return glob(scalar.string, at: item.location, in: "'events' of \(blockContext)")
            }
        }
        if let whereField = fields["where"], let entries = orderedFields(of: whereField.value, in: "'where' of \(blockContext)") {
            match.conditions = entries.flatMap { decodeCondition($0, in: "'where' of \(blockContext)") }
        }
        return match
    }

    private func glob(_ pattern: String, at location: RoutesLocation, in context: String) -> RouteGlob? {
        do {
            return try RouteGlob(pattern)
        } catch {
            self.error(location, "invalid glob '\(pattern)' in \(context): \(error.message)")
            return nil
        }
    }

    private func decodeCondition(_ entry: Field, in context: String) -> [WhereCondition] {
        let path = entry.name
        if path.isEmpty || path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            error(entry.mark, "invalid path '\(path)' in \(context); write dotted JSON paths such as data.output_file_uri")
            return []
        }
        switch entry.value {
        case .scalar:
            return [WhereCondition(path: path, test: .equals(jsonValue(of: entry.value)))]
        case .sequence:
            error(entry.valueMark, "condition on '\(path)' in \(context) is a list; write {in: [...]} to accept any of several values")
            return []
        case .mapping:
            let conditionContext = "condition on '\(path)' in \(context)"
            guard let ops = orderedFields(of: entry.value, in: conditionContext) else { return [] }
            if ops.isEmpty { error(entry.valueMark, "\(conditionContext) has no operator; use equals, glob, in or exists") }
            return ops.compactMap { op -> WhereCondition? in
                switch op.name {
                case "equals":
                    guard case .scalar = op.value else {
                        error(op.valueMark, "'equals' in \(conditionContext) takes a single value")
                        return nil
                    }
                    return WhereCondition(path: path, test: .equals(jsonValue(of: op.value)))
                case "glob":
                    guard let text = string(op, in: conditionContext), let compiled = glob(text, at: op.valueMark, in: conditionContext) else { return nil }
                    return WhereCondition(path: path, test: .glob(compiled))
                case "in":
                    // A single value counts as a one-item list, as wherever a list is expected.
                    let sequence: [Node]
                    switch op.value {
                    case .sequence(let items): sequence = Array(items)
                    case .scalar: sequence = [op.value]
                    default:
                        error(op.valueMark, "'in' in \(conditionContext) takes a list of values")
                        return nil
                    }
                    if sequence.isEmpty {
                        // As with an empty 'to' or 'events': a route that can never match is a mistake.
                        error(op.valueMark, "'in' in \(conditionContext) is empty, so the condition never holds; list at least one value")
                        return nil
                    }
                    var values: [JSONValue] = []
                    for item in sequence {
                        guard case .scalar = item else {
                            error(item.location, "'in' in \(conditionContext) must list single values, not \(item.kindDescription)")
                            continue
                        }
                        values.append(jsonValue(of: item))
                    }
                    return WhereCondition(path: path, test: .oneOf(values))
                case "exists":
                    guard let flag = bool(op, in: conditionContext) else { return nil }
                    return WhereCondition(path: path, test: .exists(flag))
                default:
                    var message = "unknown operator '\(op.name)' in \(conditionContext)"
                    if let suggestion = Self.closest(to: op.name, in: Self.whereOperators) {
                        message += "; did you mean '\(suggestion)'?"
                    } else {
                        message += "; expected one of: \(Self.whereOperators.joined(separator: ", "))"
                    }
                    error(op.mark, message)
                    return nil
                }
            }
        }
    }

    /// A YAML scalar as the JSON value it is compared with: quoted scalars are strings, plain
    /// ones follow YAML's resolution (`5` is a number, `true` a boolean, `null` null).
    private func jsonValue(of node: Node) -> JSONValue {
        guard case .scalar(let scalar) = node else { return .null }
        switch node.yamlTag {
        case .null: return .null
        case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
        // YAML 1.1's base-60 integers (`1:30` is 90) overflow Yams's arithmetic when long, and
        // read as the string they look like to anyone comparing with a JSON body's "1:30".
        case .int where scalar.string.contains(":"): return .string(scalar.string)
        case .int: return node.int.map { .number(Double($0)) } ?? node.float.map(JSONValue.number) ?? .string(scalar.string)
        case .float: return node.float.map(JSONValue.number) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    private func decodeTarget(_ node: Node, in context: String, declared: DeclaredNames) -> TargetSpec? {
        let hint = "write TENANT/ENDPOINT, TENANT/*, {channel}/* or {channel}/ENDPOINT"
        if case .mapping = node {
            // `[{channel}/*]` unquoted parses as a flow mapping, which is easy to miss.
            error(node.location, "a target in 'to' of \(context) is a mapping; quote targets that start with '{', as in \"{channel}/*\"")
            return nil
        }
        guard case .scalar(let scalar) = node, !node.isNullScalar else {
            error(node.location, "targets in 'to' of \(context) must be strings; \(hint)")
            return nil
        }
        let text = scalar.string
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            error(node.location, "invalid target '\(text)' in 'to' of \(context); \(hint)")
            return nil
        }
        let (tenant, endpoint) = (parts[0], parts[1])
        if tenant == "{channel}" {
            if endpoint == "*" { return .channelTenant }
            if !declared.endpointsByTenant.values.contains(where: { $0.contains(endpoint) }) {
                warning(node.location, "no tenant has an endpoint named '\(endpoint)', so target '\(text)' in \(context) can never deliver")
            }
            return .channelTenantEndpoint(endpoint)
        }
        guard let endpoints = declared.endpointsByTenant[tenant] else {
            var message = "unknown tenant '\(tenant)' in target '\(text)' of \(context)"
            if let suggestion = Self.closest(to: tenant, in: declared.endpointsByTenant.keys) { message += "; did you mean '\(suggestion)'?" }
            error(node.location, message)
            return nil
        }
        if endpoint == "*" { return .allEndpoints(tenant: tenant) }
        guard endpoints.contains(endpoint) else {
            var message = "unknown endpoint '\(endpoint)' of tenant '\(tenant)' in target '\(text)' of \(context)"
            if let suggestion = Self.closest(to: endpoint, in: endpoints) { message += "; did you mean '\(suggestion)'?" }
            error(node.location, message)
            return nil
        }
        return .endpoint(EndpointRef(tenant: tenant, endpoint: endpoint))
    }
}
