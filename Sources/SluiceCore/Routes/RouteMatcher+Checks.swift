extension RouteMatcher {
    /// Whether an event satisfies every part of a match block: the decision of
    /// ``check(_:source:channel:eventType:body:)`` without its words. Parts are tried cheapest
    /// first; `body` is asked for only when `where` conditions remain to be evaluated.
    static func matches(_ match: RouteMatch, source: String, channel: String?, eventType: String, body: () -> JSONValue) -> Bool {
        if let expected = match.source, expected != source { return false }
        if let glob = match.channel, !(channel.map(glob.matches) ?? false) { return false }
        if let globs = match.events, matchingGlob(globs, eventType: eventType) == nil { return false }
        guard !match.conditions.isEmpty else { return true }
        let body = body()
        return match.conditions.allSatisfy { holds($0.test, value: body[path: $0.path]) }
    }

    /// The first of `globs` that `eventType` matches; none for an event without a type.
    private static func matchingGlob(_ globs: [RouteGlob], eventType: String) -> RouteGlob? {
        eventType.isEmpty ? nil : globs.first { $0.matches(eventType) }
    }

    /// Whether a `where` test passes for the value at its path (nil when the path is absent).
    private static func holds(_ test: WhereTest, value: JSONValue?) -> Bool {
        switch test {
        case .exists(let expected): return (value != nil) == expected
        case .equals(let expected): return value == expected
        case .oneOf(let options): return value.map(options.contains) ?? false
        case .glob(let glob):
            guard case .string(let text)? = value else { return false }
            return glob.matches(text)
        }
    }

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
            } else if let hit = matchingGlob(globs, eventType: eventType) {
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
        let ok = holds(condition.test, value: value)
        switch condition.test {
        case .exists(let expected):
            return (ok, "\(path) \(value != nil ? "is present" : "is absent")\(expected ? "" : " (required absent)")")
        case .equals(let expected):
            guard let value else { return (ok, "\(path) is absent (expected \(describe(expected)))") }
            return (ok, "\(path) is \(describe(value))\(ok ? "" : ", not \(describe(expected))")")
        case .oneOf(let options):
            guard let value else { return (ok, "\(path) is absent (expected one of \(options.map(describe).joined(separator: ", ")))") }
            return (ok, "\(path) is \(describe(value)), \(ok ? "one" : "none") of \(options.map(describe).joined(separator: ", "))")
        case .glob(let glob):
            guard let value else { return (ok, "\(path) is absent (expected a string matching '\(glob)')") }
            guard case .string = value else { return (ok, "\(path) is \(describe(value)), not a string matching '\(glob)'") }
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
