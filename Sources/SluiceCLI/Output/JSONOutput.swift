import Foundation

/// Machine-readable output of the `--json` flags: stable key order, no escaped slashes.
enum JSONOutput {
    /// `object` on one line, for JSON Lines output (one document per line).
    static func line(_ object: [String: Any]) -> String {
        render(object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// `object` indented, for commands that print one document meant to be read.
    static func pretty(_ object: [String: Any]) -> String {
        render(object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }

    /// A value for an optional field: the value, or JSON `null` (a key that is always present
    /// is easier for scripts than one that comes and goes).
    static func orNull(_ value: Any?) -> Any {
        value ?? NSNull()
    }

    private static func render(_ object: [String: Any], options: JSONSerialization.WritingOptions) -> String {
        // Only the commands build these objects, from strings, numbers, arrays and dictionaries,
        // so serialisation cannot fail; "{}" keeps the output parseable if that ever changes.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
