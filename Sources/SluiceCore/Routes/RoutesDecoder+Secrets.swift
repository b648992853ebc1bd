import Foundation
import Yams

/// `${env:NAME}` and `${file:/path}` expansion, and typed secret parsing.
///
/// Messages name the variable or file, never the value it holds.
extension RoutesDecoder {
    enum Expansion {
        case value(String)
        /// A reference could not be resolved but `allowMissingSecrets` is set: the caller substitutes
        /// a valid stand-in so the rest of the structure is still checked.
        case placeholder
    }

    /// Expands every `${env:…}` / `${file:…}` in `text`; nil after reporting a problem.
    func expandReferences(_ text: String, at location: RoutesLocation, in context: String) -> Expansion? {
        var output = ""
        var rest = Substring(text)
        var missing = false
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                error(location, "unclosed '${' in \(context); write ${env:NAME} or ${file:/path}")
                return nil
            }
            let reference = rest[start.upperBound..<end]
            rest = rest[rest.index(after: end)...]
            if reference.hasPrefix("env:") {
                let name = String(reference.dropFirst(4))
                guard !name.isEmpty else {
                    error(location, "empty variable name in '${env:}' in \(context)")
                    return nil
                }
                if let value = environment[name] {
                    output += value
                } else if allowMissingSecrets {
                    missing = true
                } else {
                    unresolvedSecret(location, "environment variable '\(name)' referenced by \(context) is not set")
                    return nil
                }
            } else if reference.hasPrefix("file:") {
                let filePath = String(reference.dropFirst(5))
                guard !filePath.isEmpty else {
                    error(location, "empty path in '${file:}' in \(context)")
                    return nil
                }
                do {
                    // Secret files from Kubernetes usually end with a newline that is not part of the secret.
                    var contents = try readSecretFile(filePath)
                    while let last = contents.last, last.isWhitespace { contents.removeLast() }
                    output += contents
                } catch {
                    if allowMissingSecrets {
                        missing = true
                    } else {
                        unresolvedSecret(location, "cannot read secret file '\(filePath)' referenced by \(context): \(Self.describeReadError(error))")
                        return nil
                    }
                }
            } else {
                let scheme = reference.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                error(location, "unknown reference '${\(scheme):…}' in \(context); use ${env:NAME} or ${file:/path}")
                return nil
            }
        }
        output += rest
        return missing ? .placeholder : .value(output)
    }

    /// A read error's text, dropped when it is long enough that it might quote file contents.
    static func describeReadError(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count <= 200 ? text : "read failed"
    }

    /// The scalar's text after expansion; nil after reporting a problem.
    func secretText(_ node: Node, in context: String) -> Expansion? {
        guard case .scalar(let scalar) = node, !node.isNullScalar, !scalar.string.isEmpty else {
            error(node.location, "\(context) must be a non-empty string such as \"${env:NAME}\"")
            return nil
        }
        return expandReferences(scalar.string, at: node.location, in: context)
    }

    func webhookSecret(_ node: Node, in context: String) -> WebhookSecret? {
        switch secretText(node, in: context) {
        case nil: return nil
        case .placeholder: return try? WebhookSecret(keyBytes: [UInt8](repeating: 0x5A, count: 32))
        case .value(let text):
            do {
                return try WebhookSecret(parsing: text)
            } catch {
                self.error(node.location, "weak or malformed secret in \(context): \(redacted(error.message, secret: text))")
                return nil
            }
        }
    }

    func signingKey(_ node: Node, in context: String) -> Ed25519SigningKey? {
        switch secretText(node, in: context) {
        case nil: return nil
        case .placeholder: return try? Ed25519SigningKey(seed: [UInt8](repeating: 0x5A, count: 32))
        case .value(let text):
            do {
                return try Ed25519SigningKey(parsing: text)
            } catch {
                self.error(node.location, "malformed key in \(context): \(redacted(error.message, secret: text))")
                return nil
            }
        }
    }

    /// Belt and braces: a parser message must never echo the secret it rejected.
    private func redacted(_ message: String, secret: String) -> String {
        guard secret.count >= 4, message.contains(secret) else { return message }
        return message.replacingOccurrences(of: secret, with: "…")
    }
}
