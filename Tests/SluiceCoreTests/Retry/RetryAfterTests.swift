import Testing

@testable import SluiceCore

@Suite struct RetryAfterTests {
    // Sun, 06 Nov 1994 08:49:37 GMT
    let dateSeconds: Int64 = 784_111_777

    @Test func deltaSecondsAreRead() {
        #expect(RetryAfter.delay(from: "120", nowMillis: 0) == .seconds(120))
        #expect(RetryAfter.delay(from: " 0 ", nowMillis: 0) == .zero)
    }

    @Test func imfFixdateIsMeasuredFromNow() {
        let now = (dateSeconds - 30) * 1000
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:37 GMT", nowMillis: now) == .seconds(30))
    }

    @Test func obsoleteDateFormsAreAccepted() {
        let now = (dateSeconds - 10) * 1000
        #expect(RetryAfter.delay(from: "Sunday, 06-Nov-94 08:49:37 GMT", nowMillis: now) == .seconds(10))
        #expect(RetryAfter.delay(from: "Sun Nov  6 08:49:37 1994", nowMillis: now) == .seconds(10))
    }

    @Test func dateInThePastMeansNoWait() {
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:37 GMT", nowMillis: (dateSeconds + 100) * 1000) == .zero)
    }

    @Test func garbageIsIgnored() {
        #expect(RetryAfter.delay(from: "soon", nowMillis: 0) == nil)
        #expect(RetryAfter.delay(from: "-5", nowMillis: 0) == nil)
        #expect(RetryAfter.delay(from: "", nowMillis: 0) == nil)
        #expect(RetryAfter.delay(from: "Sun, 32 Nov 1994 08:49:37 GMT", nowMillis: 0) == nil)
    }

    @Test func leapYearDatesConvertExactly() {
        #expect(RetryAfter.httpDateSeconds("Thu, 29 Feb 2024 00:00:00 GMT") == 1_709_164_800)
        #expect(RetryAfter.httpDateSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
    }
}
