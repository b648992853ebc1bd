extension RouteMatcher {
    /// Evaluates every part of a match block; returns the failed and the passed checks in words.
    static func check(_ match: RouteMatch, source: String, channel: String?, eventType: String, body: JSONValue) -> (failures: [String], passes: [String]) {
        var failures: [String] = []
        var passes: [String] = []
        func record(_ ok: Bool, _ text: String) {
            if ok { passes.append(text) } else { failures.append(text) }
        }
        if let expected = match.source {
            record(expected == source, "source '\(source)' \(expected == source ? "is" : "is not") '\(expected)'")
        }
        if let glob = match.channel {
            if let channel {
                let ok = glob.matches(channel)
                record(ok, "channel '\(channel)' \(ok ? "matches" : "does not match") '\(glob)'")
            } else {
                record(false, "the event has no channel, and the route needs one matching '\(glob)'")
            }
        }
        if let globs = match.events {
            let list = globs.map { "'\($0)'" }.joined(separator: ", ")
            if eventType.isEmpty {
                record(false, "the event has no type, which only routes without 'events' match")
            } else if let hit = globs.first(where: { $0.matches(eventType) }) {
                record(true, "event type '\(eventType)' matches '\(hit)'")
            } else {
                record(false, "event type '\(eventType)' matches none of \(list)")
            }
        }
        for condition in match.conditions {
            let (ok, text) = evaluate(condition, in: body)
            record(ok, text)
        }
        return (failures, passes)
    }

    static func evaluate(_ condition: WhereCondition, in body: JSONValue) -> (Bool, String) {
        let value = body[path: condition.path]
        let path = condition.path
        switch condition.test {
        case .exists(let expected):
            let ok = (value != nil) == expected
            return (ok, "\(path) \(value != nil ? "is present" : "is absent")\(expected ? "" : " (required absent)")")
        case .equals(let expected):
            guard let value else { return (false, "\(path) is absent (expected \(describe(expected)))") }
            let ok = value == expected
            return (ok, "\(path) is \(describe(value))\(ok ? "" : ", not \(describe(expected))")")
        case .oneOf(let options):
            guard let value else { return (false, "\(path) is absent (expected one of \(options.map(describe).joined(separator: ", ")))") }
            let ok = options.contains(value)
            return (ok, "\(path) is \(describe(value)), \(ok ? "one" : "none") of \(options.map(describe).joined(separator: ", "))")
        case .glob(let glob):
            guard let value else { return (false, "\(path) is absent (expected a string matching '\(glob)')") }
            guard case .string(let text) = value else { return (false, "\(path) is \(describe(value)), not a string matching '\(glob)'") }
            let ok = glob.matches(text)
            return (ok, "\(path) \(describe(value)) \(ok ? "matches" : "does not match") '\(glob)'")
        }
    }

    /// A short rendering of a JSON value for explanations; long strings and containers are elided.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .string(let text):
            let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
            return "\"\(shown)\""
        case .array(let items): return "an array of \(items.count)"
        case .object: return "an object"
        }
    }
}
