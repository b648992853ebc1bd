import ArgumentParser
import Foundation
import SluiceCore
import SluiceRedis

/// Which dead letters a `dlq` command acts on: ids, filters, or `--all`.
struct DeadLetterSelection: ParsableArguments {
    @Option(name: .customLong("id"), help: "A dead letter's id (repeatable).")
    var ids: [String] = []

    @Option(help: "Only this tenant's dead letters.")
    var tenant: String?

    @Option(help: "Only this endpoint's (TENANT/ENDPOINT or ENDPOINT).")
    var endpoint: String?

    @Option(help: "Only this reason: \(DeadLetterReason.allCases.map(\.rawValue).joined(separator: ", ")).")
    var reason: String?

    @Flag(help: "Every dead letter.")
    var all = false

    var isEmpty: Bool { ids.isEmpty && tenant == nil && endpoint == nil && reason == nil && !all }

    /// For commands that change dead letters (`replay`, `purge`): an empty selection is refused
    /// rather than taken as every dead letter, which takes `--all`.
    func requireChoice() throws {
        if isEmpty { throw ValidationError("say which dead letters: --id ID…, --tenant, --endpoint, --reason, or --all") }
    }

    func validate() throws {
        // A malformed endpoint would match nothing and read as an empty dead-letter queue.
        if let endpoint, endpoint.contains("/") ? EndpointRef(parsing: endpoint) == nil : endpoint.isEmpty {
            throw ValidationError("--endpoint: expected TENANT/ENDPOINT or ENDPOINT, not '\(endpoint)'")
        }
        if let reason, DeadLetterReason(rawValue: reason) == nil {
            throw ValidationError("unknown --reason '\(reason)'; use one of \(DeadLetterReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The dead letters of `all` this selection picks. Says on stderr which `--id`s name no dead
    /// letter at all (a typo, or replayed or purged already): the command still succeeds, replay
    /// and purge being idempotent per id, but a mistyped id must not pass for "nothing to do".
    func selected(from all: [DeadLetterEntry]) -> [DeadLetterEntry] {
        let known = Set(all.map(\.id))
        let unknown = ids.filter { !known.contains($0) }
        if !unknown.isEmpty {
            FileHandle.standardError.write(Data(
                "warning: no dead letter has the id \(unknown.joined(separator: ", ")) (replayed or purged already, or mistyped; `sluice dlq list` shows the ids there are)\n".utf8))
        }
        return all.filter(matches)
    }

    func matches(_ entry: DeadLetterEntry) -> Bool {
        if !ids.isEmpty && !ids.contains(entry.id) { return false }
        if let tenant, entry.delivery.target.tenant != tenant { return false }
        if let endpoint {
            let target = entry.delivery.target
            if endpoint.contains("/") ? target.description != endpoint : target.endpoint != endpoint { return false }
        }
        if let reason, entry.reason.rawValue != reason { return false }
        return true
    }
}
