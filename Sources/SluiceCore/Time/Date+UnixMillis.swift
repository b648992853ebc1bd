import Foundation

extension Date {
    /// Unix time in whole milliseconds.
    var unixMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
