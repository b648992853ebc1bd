/// A shell-style glob for channels, event types and `where` values.
///
/// `*` matches any run of characters (including none and including dots, so `batch.*`
/// matches `batch.succeeded`), `?` one character, `[abc]` / `[a-z]` one character of a
/// class (`[!a-z]` or `[^a-z]` negates), and `\` escapes the next character.
/// Matching is on Unicode scalars and case-sensitive.
public struct RouteGlob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in routes.yaml.
    public let pattern: String
    private let tokens: [Token]

    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
        case set(negated: Bool, ranges: [ClosedRange<Unicode.Scalar>])

        func matches(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .literal(let expected): return scalar == expected
            case .anyOne: return true
            case .anyRun: return false
            case .set(let negated, let ranges): return ranges.contains { $0.contains(scalar) } != negated
            }
        }
    }

    /// Compiles `pattern`, or explains why it is not a valid glob.
    public init(_ pattern: String) throws(RouteGlobError) {
        self.pattern = pattern
        self.tokens = try Self.compile(Array(pattern.unicodeScalars))
    }

    /// True when the pattern contains no wildcard, so it names exactly one string.
    public var isLiteral: Bool {
        tokens.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The pattern.
    public var description: String { pattern }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        // Greedy match with one backtrack point per `*`: linear in practice, no recursion.
        var textIndex = 0
        var tokenIndex = 0
        var starToken = -1
        var starText = 0
        while textIndex < scalars.count {
            if tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun {
                starToken = tokenIndex
                starText = textIndex
                tokenIndex += 1
            } else if tokenIndex < tokens.count, tokens[tokenIndex].matches(scalars[textIndex]) {
                tokenIndex += 1
                textIndex += 1
            } else if starToken >= 0 {
                tokenIndex = starToken + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    private static func compile(_ scalars: [Unicode.Scalar]) throws(RouteGlobError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyOne)
                index += 1
            case "\\":
                guard index + 1 < scalars.count else { throw RouteGlobError("a trailing '\\' escapes nothing") }
                tokens.append(.literal(scalars[index + 1]))
                index += 2
            case "[":
                let (token, next) = try compileSet(scalars, from: index)
                tokens.append(token)
                index = next
            default:
                tokens.append(.literal(scalar))
                index += 1
            }
        }
        return tokens
    }

    /// Compiles `[...]` starting at `start`; a `]` right after `[` or `[!` is a member, as in shells.
    private static func compileSet(_ scalars: [Unicode.Scalar], from start: Int) throws(RouteGlobError) -> (Token, Int) {
        var index = start + 1
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while index < scalars.count {
            var low = scalars[index]
            if low == "]" && !first {
                guard !ranges.isEmpty else { throw RouteGlobError("empty character class") }
                return (.set(negated: negated, ranges: ranges), index + 1)
            }
            first = false
            if low == "\\" {
                guard index + 1 < scalars.count else { break }
                index += 1
                low = scalars[index]
            }
            index += 1
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                var high = scalars[index + 1]
                index += 2
                if high == "\\" {
                    guard index < scalars.count else { break }
                    high = scalars[index]
                    index += 1
                }
                guard low <= high else {
                    throw RouteGlobError("character range '\(low)-\(high)' is reversed")
                }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        throw RouteGlobError("unclosed '[' at position \(start + 1)")
    }
}
