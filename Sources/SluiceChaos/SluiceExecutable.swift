import Foundation

/// Finds the `sluice` binary the harness drives.
public enum SluiceExecutable {
    /// `sluice` next to the running executable: `sluice-chaos` and the test bundle are built into
    /// the same `.build/<configuration>` directory as `sluice`, so a release harness drives a
    /// release gateway and a debug test drives a debug one.
    public static var besideCurrentExecutable: String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        // A test bundle on macOS sits inside `X.xctest/Contents/MacOS`.
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("sluice").path
    }

    /// Checks that `path` is an executable file.
    static func validate(_ path: String) throws(ChaosError) -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw .sluiceMissing(path) }
        return path
    }
}
