import ArgumentParser
import SluiceCore

/// `sluice keygen`: new signing material for sources and tenants.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Print a new whsec_ secret, or with --ed25519 a whsk_/whpk_ key pair."
    )

    @Flag(help: "Generate an Ed25519 key pair (whsk_ private seed, whpk_ public key) for v1a signatures.")
    var ed25519 = false

    @Option(help: "Secret length in bytes (24–64).")
    var bytes: Int = 32

    @Flag(help: "Print one JSON object: {\"secret\": …}, or with --ed25519 {\"private\": …, \"public\": …}.")
    var json = false

    func validate() throws {
        guard (24...64).contains(bytes) else { throw ValidationError("--bytes must be between 24 and 64") }
    }

    func run() throws {
        var rng = SystemRandomNumberGenerator()
        if ed25519 {
            let key = Ed25519SigningKey.generate(using: &rng)
            if json {
                print(JSONOutput.line(["private": key.encoded, "public": key.publicKey.encoded]))
            } else {
                print("private: \(key.encoded)")
                print("public:  \(key.publicKey.encoded)")
            }
        } else {
            let secret = WebhookSecret.generate(using: &rng, byteCount: bytes).encoded
            // The bare secret stays the human default: `$(sluice keygen)` in a shell must give just the secret.
            print(json ? JSONOutput.line(["secret": secret]) : secret)
        }
    }
}
