extension Duration {
    /// Whole milliseconds, rounded towards zero; wraps instead of trapping on absurd values.
    var wholeMillis: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }
}
