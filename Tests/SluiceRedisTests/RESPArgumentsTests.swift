import SluiceRedis
import Testing

@Suite("RESPArguments encoding")
struct RESPArgumentsTests {
    private static func encoded(_ build: (inout RESPArguments) -> Void) -> String {
        var arguments = RESPArguments(capacity: 0)
        build(&arguments)
        return String(decoding: arguments.bytes, as: UTF8.self)
    }

    @Test func numbersAreDecimalBulkStringsAtEveryLength() {
        let values: [Int64] = [0, 7, 10, 99, 100, -1, -10, 1_700_000_000_123, .max, .min]
        for value in values {
            let text = String(value)
            #expect(Self.encoded { $0.append(value) } == "$\(text.utf8.count)\r\n\(text)\r\n")
        }
    }

    @Test func stringsAndBytesAreCopiedWhole() {
        let long = String(repeating: "é", count: 600)  // 1,200 bytes: a four-digit length
        #expect(Self.encoded { $0.append(long) } == "$1200\r\n\(long)\r\n")
        #expect(Self.encoded { $0.append("") } == "$0\r\n\r\n")
        var arguments = RESPArguments(capacity: 0)
        arguments.append([0, 13, 10])
        arguments.append("k")
        #expect(arguments.bytes == Array("$3\r\n".utf8) + [0, 13, 10] + Array("\r\n$1\r\nk\r\n".utf8))
        #expect(arguments.count == 2)
    }
}
