/// The RFC 8259 number grammar, shared by the parser and the scanner so they cannot disagree.
enum JSONNumberGrammar {
    /// The index just past the number starting at `start` (at `-` or a digit), or nil when the
    /// bytes there are not a well-formed number.
    static func end<Bytes: RandomAccessCollection<UInt8>>(of bytes: Bytes, from start: Int) -> Int? where Bytes.Index == Int {
        func isDigit(_ index: Int) -> Bool {
            index < bytes.endIndex && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        var index = start
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        return index
    }
}
