extension Duration {
    /// Whole milliseconds, rounded towards zero; saturates at `Int64`'s bounds instead of trapping.
    ///
    /// Everything that reaches Redis (retry scores, expiries, token buckets), libcurl and the logs
    /// is whole milliseconds, so every conversion goes through this one.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}
