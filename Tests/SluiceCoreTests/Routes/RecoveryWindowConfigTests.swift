import SluiceCore
import Testing

@Suite("worker.recovery_window in routes.yaml")
struct RecoveryWindowConfigTests {
    @Test func offByDefaultReadWhenSetAndBoundedToSevenDays() throws {
        #expect(try #require(RoutesFixtures.load(RoutesFixtures.minimal).config).worker.recoveryWindow == .zero)
        let set = RoutesFixtures.load("worker: {recovery_window: 36h}\n" + RoutesFixtures.minimal)
        #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
        #expect(try #require(set.config).worker.recoveryWindow == .seconds(36 * 3600))
        let long = RoutesFixtures.load("worker:\n  recovery_window: 8d\n" + RoutesFixtures.minimal)
        #expect(long.config == nil)
        #expect(RoutesFixtures.located(long).first?.contains("'recovery_window' in 'worker' must be between 0s (off) and 7d") == true, "\(RoutesFixtures.located(long))")
    }
}
