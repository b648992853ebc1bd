/// One `where:` entry: a dotted JSON path and a test on the value there.
public struct WhereCondition: Sendable, Equatable {
    /// Dotted path into the body, such as `data.output_file_uri`.
    public var path: String
    /// The test.
    public var test: WhereTest

    /// Creates a condition.
    public init(path: String, test: WhereTest) {
        self.path = path
        self.test = test
    }
}
