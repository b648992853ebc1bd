/// Command arguments already encoded as RESP bulk strings (`$len\r\nbytes\r\n` each), in one
/// buffer: a caller that sends the same shape of command many times a second (the edge, once per
/// webhook call) builds one array instead of one per argument, and the encoder copies it whole.
public struct RESPArguments: Sendable {
    /// The encoded arguments, back to back.
    public private(set) var bytes: [UInt8] = []
    /// How many arguments `bytes` holds.
    public private(set) var count = 0

    /// An empty list with room for about `capacity` bytes.
    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends the UTF-8 bytes of `string`.
    public mutating func append(_ string: String) {
        let utf8 = string.utf8
        appendHeader(utf8.count)
        // A native string's bytes are contiguous: one copy instead of a byte-by-byte append.
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: utf8)
        }
        appendCRLF()
    }

    /// Appends raw bytes, unchanged.
    public mutating func append(_ value: [UInt8]) {
        appendHeader(value.count)
        bytes.append(contentsOf: value)
        appendCRLF()
    }

    /// Appends an integer in decimal.
    public mutating func append(_ value: Int64) {
        let magnitude = Int(truncatingIfNeeded: value.magnitude)
        guard value.magnitude <= UInt64(Int.max) else { return append(String(value)) }
        appendHeader((value < 0 ? 1 : 0) + RESPArguments.decimalLength(magnitude))
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        RESPArguments.appendDecimal(magnitude, to: &bytes)
        appendCRLF()
    }

    /// Appends every argument of `other`, after these.
    public mutating func append(contentsOf other: RESPArguments) {
        bytes.append(contentsOf: other.bytes)
        count += other.count
    }

    private mutating func appendHeader(_ length: Int) {
        count += 1
        bytes.append(UInt8(ascii: "$"))
        RESPArguments.appendDecimal(length, to: &bytes)
        appendCRLF()
    }

    private mutating func appendCRLF() {
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// How many digits `value` (non-negative) has in decimal.
    static func decimalLength(_ value: Int) -> Int {
        var length = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            length += 1
        }
        return length
    }

    /// A non-negative count in decimal. Digits are taken from the end with `% 10`, which the
    /// compiler turns into a multiplication: this runs for every argument's length.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        let digits = decimalLength(value)
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var rest = value
            for position in stride(from: end - 1, through: end - digits, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
    }
}
