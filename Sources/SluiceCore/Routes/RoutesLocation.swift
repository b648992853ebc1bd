import Yams

/// A 1-based line and column in the routes file (Yams marks are 1-based already).
struct RoutesLocation: Equatable, Comparable {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The node's mark, or the start of the file for nodes built without one.
    init(_ mark: Mark?) {
        self.init(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    static func < (lhs: RoutesLocation, rhs: RoutesLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
