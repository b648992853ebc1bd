import Foundation

extension Date {
    /// Unix time in whole milliseconds: the unit of every time Sluice stores in Redis and in
    /// its records (`received_at`, retry due times, attempt times).
    public var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
