/// The unix-millisecond times a Sluice entry can hold: from 1970 to the end of year 9999.
///
/// Entries come from Redis, which anything with its password can write; a time outside this
/// range is refused when decoding (the entry is dead-lettered as undecodable) rather than let
/// through to the schedule arithmetic, where Int64.max or Int64.min would trap and the worker
/// would die on the same entry each time it was reclaimed.
public enum UnixMillisRange {
    public static let plausible: ClosedRange<Int64> = 0...253_402_300_799_999
}
