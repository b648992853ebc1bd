import Foundation

/// A queue's last hour as a small inline SVG line, drawn on the server (no script needed). It is
/// built from numbers and an escaped label only, so the page inserts it as it is.
enum ConsoleSparkline {
    static func svg(_ values: [Int], label: String) -> String {
        guard values.count >= 2 else { return "" }
        let (width, height) = (120.0, 24.0)
        let top = Double(max(values.max() ?? 0, 1))
        let step = width / Double(values.count - 1)
        let points = values.enumerated().map { index, value in
            String(format: "%.1f,%.1f", Double(index) * step, height - 1 - Double(value) / top * (height - 2))
        }.joined(separator: " ")
        let escaped = label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return "<svg class=\"spark\" viewBox=\"0 0 120 24\" width=\"120\" height=\"24\" role=\"img\" aria-label=\"\(escaped)\">"
            + "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"\(points)\"/></svg>"
    }
}
