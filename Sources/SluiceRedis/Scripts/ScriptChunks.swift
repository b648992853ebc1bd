/// Splits a batch into script calls bounded by item count and by bytes of arguments.
///
/// A Lua script holds Redis for its whole run, and its arguments are one request Redis must
/// buffer whole: 512 deliveries of 1 MiB bodies in one call would be a 512 MiB request. So a
/// call stops at `maxItems` items or `maxBytes` bytes, whichever comes first — but always takes
/// at least one element, so an element larger than the limit still goes, alone.
public enum ScriptChunks {
    /// Bytes of arguments one script call carries at most (one element may exceed it alone).
    public static let maxBytes = 8 << 20

    /// Consecutive ranges of `0..<count`; `items(i)` and `bytes(i)` weigh element `i`.
    public static func ranges(
        count: Int, maxItems: Int, maxBytes: Int = maxBytes, items: (Int) -> Int, bytes: (Int) -> Int
    ) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var itemTotal = 0
        var byteTotal = 0
        for index in 0..<count {
            let (itemWeight, byteWeight) = (max(1, items(index)), max(0, bytes(index)))
            if index > start, itemTotal + itemWeight > maxItems || byteTotal + byteWeight > maxBytes {
                ranges.append(start..<index)
                (start, itemTotal, byteTotal) = (index, 0, 0)
            }
            itemTotal += itemWeight
            byteTotal += byteWeight
        }
        if start < count { ranges.append(start..<count) }
        return ranges
    }
}
