/// A bound on how deeply a YAML text nests, found without parsing it.
///
/// Yams builds its node tree recursively, so a file nested a few thousand levels deep (14 KB of
/// `[`) overflows the stack: a crash of `routes check`, or of a running edge or worker reloading
/// the file, instead of an error. Each block level needs a column of indentation (or a `- `, `? `
/// or `: ` on the same line) and each flow level a `[` or `{`, so the columns before a line's
/// content plus the open brackets bound the depth from above. Quoted text and comments are
/// skipped; a bracket in a plain scalar (`http://[::1]/`) counts, which only errs towards a
/// larger bound.
enum YAMLNestingBound {
    /// Far beyond any routes file (they nest about eight levels), far below what overflows a
    /// thread's stack.
    static let limit = 256

    /// The 1-based line and column where the bound first passes `limit`; nil when it never does.
    static func firstTooDeep(_ text: String) -> RoutesLocation? {
        var flow = 0
        var line = 1
        for content in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            defer { line += 1 }
            let bytes = Array(content)
            var index = 0
            // Indentation and the block indicators that open a level on the same line.
            while index < bytes.count {
                let byte = bytes[index]
                let next = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: " ")
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    index += 1
                } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: ":"), next == UInt8(ascii: " ") {
                    index += 2
                } else {
                    break
                }
            }
            // A blank line or a comment opens nothing, however far it is indented.
            let opensNothing = index == bytes.count || bytes[index] == UInt8(ascii: "#")
            if !opensNothing, index + flow > limit { return RoutesLocation(line: line, column: min(index, limit) + 1) }
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                defer { index += 1 }
                if let open = quote {
                    if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") {
                        index += 1
                    } else if byte == open {
                        quote = nil
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
                case UInt8(ascii: "#") where index == 0 || bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t"):
                    index = bytes.count
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    if flow > limit { return RoutesLocation(line: line, column: index + 1) }
                case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                default: break
                }
            }
        }
        return nil
    }
}
