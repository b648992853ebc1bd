import SluiceCore
import Testing

@Suite("worker.event_index in routes.yaml")
struct EventIndexConfigTests {
    @Test func onByDefaultReadWhenSetOffAtZeroAndBounded() throws {
        #expect(try #require(RoutesFixtures.load(RoutesFixtures.minimal).config).worker.eventIndex == 100_000)
        let set = RoutesFixtures.load("worker: {event_index: 250_000}\n" + RoutesFixtures.minimal)
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        #expect(try #require(set.config).worker.eventIndex == 250_000)
        #expect(try #require(RoutesFixtures.load("worker: {event_index: 0}\n" + RoutesFixtures.minimal).config).worker.eventIndex == 0)
        let huge = RoutesFixtures.load("worker:\n  event_index: 20000000\n" + RoutesFixtures.minimal)
        #expect(huge.config == nil)
        #expect(RoutesFixtures.located(huge).first?.hasPrefix("2:16: 'event_index' in 'worker' must be at most 10000000") == true, "\(RoutesFixtures.located(huge))")
        let negative = RoutesFixtures.load("worker: {event_index: -1}\n" + RoutesFixtures.minimal)
        #expect(RoutesFixtures.located(negative).first?.contains("'event_index' in 'worker' must be at least 0") == true, "\(RoutesFixtures.located(negative))")
    }
}
