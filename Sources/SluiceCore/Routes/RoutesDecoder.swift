import Yams

/// Walks the composed YAML tree of a routes file, building typed values and collecting every
/// problem instead of stopping at the first. One decoder decodes one file once.
final class RoutesDecoder {
    /// A key/value pair of a mapping, with the key's text and location.
    struct Field {
        var name: String
        var key: Node
        var value: Node
        var mark: RoutesLocation { RoutesLocation(key.mark) }
        var valueMark: RoutesLocation { value.mark.map(RoutesLocation.init) ?? mark }
        /// True for `key:` with nothing after it.
        var isNull: Bool { value.isNullScalar }
    }

    let path: String
    let environment: [String: String]
    let readSecretFile: (String) throws -> String
    let allowMissingSecrets: Bool
    private(set) var diagnostics: [RoutesDiagnostic] = []
    /// The source whose block is being decoded, for `unresolvedSecret(_:_:)`.
    var currentSource: String?
    /// Each client certificate named so far, with the key file and endpoint that named it first.
    var clientKeysByCertificate: [String: (keyFile: String, context: String)] = [:]

    init(path: String, environment: [String: String], readSecretFile: @escaping (String) throws -> String, allowMissingSecrets: Bool) {
        self.path = path
        self.environment = environment
        self.readSecretFile = readSecretFile
        self.allowMissingSecrets = allowMissingSecrets
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func error(_ mark: RoutesLocation, _ message: String) {
        diagnostics.append(RoutesDiagnostic(path: path, line: mark.line, column: mark.column, severity: .error, message: message))
    }

    /// An error about a secret reference that could not be resolved, marked as such (with the
    /// source whose block names it) so that `sluice doctor` can tell which ones it needs.
    func unresolvedSecret(_ mark: RoutesLocation, _ message: String) {
        diagnostics.append(RoutesDiagnostic(
            path: path, line: mark.line, column: mark.column, severity: .error, message: message,
            unresolvedSecret: RoutesDiagnostic.UnresolvedSecret(source: currentSource)))
    }

    func warning(_ mark: RoutesLocation, _ message: String) {
        diagnostics.append(RoutesDiagnostic(path: path, line: mark.line, column: mark.column, severity: .warning, message: message))
    }

    // MARK: Mappings

    /// The fields of a mapping, keyed by name, after reporting unknown and duplicate keys.
    ///
    /// `context` names the block in messages ("endpoint 'acme/main'"); `known` nil accepts any key
    /// (for user-named maps such as `tenants:`), which are then checked against `nameRule` when given.
    func fields(of node: Node, in context: String, known: [String]?) -> [String: Field]? {
        guard case .mapping(let mapping) = node else {
            if node.isNullScalar { return [:] }
            error(node.location, "\(context) must be a mapping of keys to values, not \(node.kindDescription)")
            return nil
        }
        var result: [String: Field] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error(RoutesLocation(key.mark), "keys in \(context) must be plain strings")
                continue
            }
            let name = scalar.string
            let field = Field(name: name, key: key, value: value)
            if let first = result[name] {
                error(RoutesLocation(key.mark), "duplicate key '\(name)' in \(context) (first defined at \(first.mark.line):\(first.mark.column))")
                continue
            }
            if let known, !known.contains(name) {
                var message = "unknown key '\(name)' in \(context)"
                if let suggestion = Self.closest(to: name, in: known) {
                    message += "; did you mean '\(suggestion)'?"
                } else {
                    message += "; expected one of: \(known.joined(separator: ", "))"
                }
                error(RoutesLocation(key.mark), message)
                continue
            }
            result[name] = field
        }
        return result
    }

    /// The fields in file order, for user-named maps where order matters (headers, where).
    func orderedFields(of node: Node, in context: String) -> [Field]? {
        guard let byName = fields(of: node, in: context, known: nil) else { return nil }
        return byName.values.sorted { ($0.mark.line, $0.mark.column) < ($1.mark.line, $1.mark.column) }
    }

    // MARK: Scalars

    /// A scalar's text; reports lists, mappings and empty values.
    func string(_ field: Field, in context: String, allowEmpty: Bool = false) -> String? {
        guard case .scalar(let scalar) = field.value else {
            error(field.valueMark, "'\(field.name)' in \(context) must be a single value, not \(field.value.kindDescription)")
            return nil
        }
        if field.isNull || (!allowEmpty && scalar.string.isEmpty) {
            if allowEmpty { return "" }
            error(field.mark, "'\(field.name)' in \(context) needs a value")
            return nil
        }
        return scalar.string
    }

    func integer(_ field: Field, in context: String, minimum: Int, maximum: Int? = nil) -> Int? {
        guard let text = string(field, in: context) else { return nil }
        // Twelve digits at most, as for durations and sizes: a longer number is a typo.
        guard field.value.yamlTag == .int, text.replacingUnderscores.count <= 12, let value = Int(text.replacingUnderscores) else {
            error(field.valueMark, "'\(field.name)' in \(context) must be a whole number, not '\(text)'")
            return nil
        }
        guard value >= minimum else {
            error(field.valueMark, "'\(field.name)' in \(context) must be at least \(minimum), not \(value)")
            return nil
        }
        if let maximum, value > maximum {
            error(field.valueMark, "'\(field.name)' in \(context) must be at most \(maximum), not \(value)")
            return nil
        }
        return value
    }

    func bool(_ field: Field, in context: String) -> Bool? {
        guard let text = string(field, in: context) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(field.valueMark, "'\(field.name)' in \(context) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// Parses a scalar with one of the `RoutesScalarParser` notations, reporting at the value.
    func parsed<T>(_ field: Field, in context: String, _ parse: (String) throws(RoutesScalarParser.Failure) -> T) -> T? {
        guard let text = string(field, in: context) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error(field.valueMark, "'\(field.name)' in \(context): \(error.message)")
            return nil
        }
    }

    func duration(_ field: Field, in context: String) -> Duration? {
        parsed(field, in: context, RoutesScalarParser.duration)
    }

    /// The items of a list; a single scalar counts as a one-item list.
    func list(_ field: Field, in context: String) -> [Node]? {
        switch field.value {
        case .sequence(let sequence): return Array(sequence)
        case .scalar where field.isNull:
            error(field.mark, "'\(field.name)' in \(context) needs a value")
            return nil
        case .scalar: return [field.value]
        case .mapping:
            error(field.valueMark, "'\(field.name)' in \(context) must be a list, not a mapping")
            return nil
        }
    }

    /// Reports a name that does not match `[a-z0-9][a-z0-9_-]*`; returns whether it is valid.
    @discardableResult
    func checkName(_ name: String, kind: String, at mark: RoutesLocation) -> Bool {
        guard RoutesScalarParser.isValidName(name) else {
            error(mark, "\(kind) name '\(name)' is invalid: names use lowercase letters, digits, '_' and '-', and start with a letter or digit")
            return false
        }
        return true
    }

    func requireField(_ fields: [String: Field], _ name: String, in context: String, at mark: RoutesLocation) -> Field? {
        if let field = fields[name] { return field }
        error(mark, "\(context) is missing required key '\(name)'")
        return nil
    }

    // MARK: Suggestions

    /// The known key within edit distance 2 of `name` (closest first, then the first by name), if any.
    ///
    /// Neither sorts nor measures more than it must: a file of 3,000 tenants and 3,000 misspelt
    /// targets took 163 s to check when each suggestion sorted every name and measured the whole
    /// distance to each; a candidate is dropped as soon as it is certainly more than 2 away.
    static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let lowered = Array(name.lowercased().utf8)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            guard let distance = editDistance(lowered, Array(candidate.utf8), atMost: 2) else { continue }
            if let current = best, (current.distance, current.name) <= (distance, candidate) { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// The edit distance between `a` and `b` (bytes: names are ASCII), or nil when it is above
    /// `limit` — known once a whole row of the table is above it, or the lengths differ by more.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMinimum = min(rowMinimum, current[j])
            }
            guard rowMinimum <= limit else { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

extension Node {
    var isNullScalar: Bool {
        if case .scalar = self { return yamlTag == .null }
        return false
    }

    /// The resolved tag (quoted scalars are strings, plain ones resolved by the YAML 1.1 rules).
    var yamlTag: Tag.Name { Tag.Name(rawValue: tag.description) }

    var location: RoutesLocation { RoutesLocation(mark) }

    var kindDescription: String {
        switch self {
        case .scalar(let scalar): "the value '\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { filter { $0 != "_" } }
}
