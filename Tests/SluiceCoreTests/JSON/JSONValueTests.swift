import SluiceCore
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"type":"batch.succeeded","n":-1.5e2,"ok":true,"no":null,"list":[1,"two",{"x":false}],"esc":"a\"\\\/\n\u00e9\ud83d\ude00"}"#)
        #expect(value[path: "type"] == .string("batch.succeeded"))
        #expect(value[path: "n"] == .number(-150))
        #expect(value[path: "ok"] == .bool(true))
        #expect(value[path: "no"] == .null)
        #expect(value[path: "list.1"] == .string("two"))
        #expect(value[path: "list.2.x"] == .bool(false))
        #expect(value[path: "esc"] == .string("a\"\\/\né😀"))
    }

    @Test func dottedPathsThatMissReturnNil() throws {
        let value = try JSONValue(parsing: #"{"data":{"a":1},"list":[]}"#)
        #expect(value[path: "data.b"] == nil)
        #expect(value[path: "data.a.deeper"] == nil)
        #expect(value[path: "list.0"] == nil)
        #expect(value[path: "list.-1"] == nil)
        #expect(value[path: ""] == value)
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "01", "1.", "\"\\x\"", "{\"a\":1} x", "tru", "\"unterminated", "\"tab\there\""])
    func invalidDocumentsAreRejected(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test(arguments: [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func invalidUTF8InAStringIsRefused(bad: [UInt8]) {
        let body = Array(#"{"type":"x"#.utf8) + bad + Array(#""}"#.utf8)
        #expect(throws: JSONParseError(offset: 9, message: "invalid UTF-8 in string")) { try JSONValue(parsing: body) }
    }

    @Test func multiByteUTF8IsKept() throws {
        #expect(try JSONValue(parsing: Array(#"{"a":"é€😀"}"#.utf8))[path: "a"] == .string("é€😀"))
    }

    @Test func errorsCarryTheByteOffset() {
        #expect(throws: JSONParseError(offset: 5, message: "unexpected character")) { try JSONValue(parsing: #"{"a":?}"#) }
    }
}
