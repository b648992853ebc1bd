import Foundation
import SluiceRedis

/// `sluice dlq list --json`: one object per dead letter with the keys docs/cli.md lists.
enum DeadLetterJSON {
    static func line(_ entry: DeadLetterEntry) -> String {
        let target = entry.delivery.target
        let object: [String: Any] = [
            "id": entry.id,
            "event_id": entry.delivery.event.webhookID,
            "tenant": target.tenant.isEmpty ? NSNull() : target.tenant,
            "endpoint": target.tenant.isEmpty ? NSNull() : target.endpoint,
            "reason": entry.reason.rawValue,
            "last_status": JSONOutput.orNull(entry.lastStatus),
            "last_error": JSONOutput.orNull(entry.lastError),
            "attempts": entry.attempts,
            "dead_lettered_at": Timestamps.iso(entry.deadLetteredAtMillis),
        ]
        return JSONOutput.line(object)
    }
}
