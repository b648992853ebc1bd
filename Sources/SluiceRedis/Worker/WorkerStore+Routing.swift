public import SluiceCore

extension WorkerStore {
    /// Atomically: one deliveries-stream entry per delivery — or, when `deliveries` is empty,
    /// one `no_route` dead letter — plus the event record appended to its log, then XACK and XDEL
    /// of the ingress entry.
    ///
    /// - Returns: false, having written nothing, when the ingress entry was no longer pending
    ///   (another router already routed it): routing is never applied twice.
    @discardableResult
    public func route(
        _ entry: IngressEntry, event: IngressEvent, deliveries: [Delivery], nowMillis: Int64, retention: Duration, recoveryWindow: Duration = .zero,
        eventIndex: Int = 0
    ) async throws(RedisError) -> Bool {
        let routed = try await route(
            [EventRouting(entry: entry, event: event, deliveries: deliveries)], nowMillis: nowMillis, retention: retention,
            recoveryWindow: recoveryWindow, eventIndex: eventIndex)
        return routed[0]
    }

    /// Routes several ingress entries in one script call, each as
    /// ``route(_:event:deliveries:nowMillis:retention:)`` would: each event's expansion and
    /// acknowledgement are written together, under its own guard.
    ///
    /// With a `recoveryWindow` (`worker.recovery_window`), each event that has deliveries is also
    /// kept in the archive, in the same script, for `sluice replay --endpoint`. With an
    /// `eventIndex` cap (`worker.event_index`), each event gets its entry in the search index.
    ///
    /// - Returns: per routing, in order, whether it was applied (false: its ingress entry was no
    ///   longer pending, and nothing was written for it).
    public func route(
        _ routings: [EventRouting], nowMillis: Int64, retention: Duration, recoveryWindow: Duration = .zero, eventIndex: Int = 0
    ) async throws(RedisError) -> [Bool] {
        guard !routings.isEmpty else { return [] }
        let archiving = recoveryWindow > .zero
        let indexing = eventIndex > 0
        // Encoded as it is written: a batch carries a few dozen arguments per delivery, and with an
        // array for each of them routing took 11% of the worker's Swift threads (6% this way).
        // Per event: its record, index entry and first delivery (with the body) in full, then a
        // tenant and an endpoint for each further delivery.
        var arguments = RESPArguments(
            capacity: routings.reduce(512) { $0 + 1280 + $1.event.body.count + $1.deliveries.count * 96 })
        for key in [keyspace.ingress, keyspace.deliveries, keyspace.deadLetters, keyspace.archive, keyspace.eventIndex] {
            arguments.append(key)
        }
        for routing in routings {
            arguments.append(keyspace.eventLog(source: routing.event.source, webhookID: routing.event.webhookID))
        }
        arguments.append(Keyspace.routerGroup)
        arguments.append(Int64(retention.expiryMillis))
        arguments.append(Int64(routings.count))
        arguments.append(archiving ? "\(recoveryWindow.expiryMillis)" : "")
        arguments.append(indexing ? "\(eventIndex)" : "")
        for routing in routings {
            Self.appendRouting(routing, nowMillis: nowMillis, archiving: archiving, indexing: indexing, to: &arguments)
        }
        let reply = try await client.run(RouteScript.script, keyCount: 5 + routings.count, arguments: arguments)
        guard let flags = reply.array, flags.count == routings.count else {
            throw RedisError(
                kind: .protocolViolation,
                message: "the route script on Redis at \(client.url) returned \(reply) for \(routings.count) events")
        }
        return flags.map { $0.int == 1 }
    }

    /// Whether `delivery` is `first` sent to another endpoint, as every delivery the router makes
    /// of one event is (the same event, ingress entry and first attempt).
    private static func sharesAllButTarget(_ delivery: Delivery, with first: Delivery) -> Bool {
        var retargeted = delivery
        retargeted.target = first.target
        return retargeted == first
    }

    /// Appends one event's section of the route script's ARGV.
    private static func appendRouting(_ routing: EventRouting, nowMillis: Int64, archiving: Bool, indexing: Bool, to arguments: inout RESPArguments) {
        var deadLetters: [[(String, [UInt8])]] = []
        if routing.deliveries.isEmpty {
            let targetless = Delivery(ingressID: routing.entry.streamID, event: routing.event, target: EndpointRef(tenant: "", endpoint: ""))
            deadLetters.append(deadLetterFields(targetless, reason: .noRoute, attempts: 0, nowMillis: nowMillis))
        }
        let targets = routing.deliveries.map(\.target)
        arguments.append(routing.entry.streamID)
        arguments.append(EventRecord.logLine(routing.event, targets: targets, routedAtMillis: nowMillis))
        arguments.append(Int64(routing.deliveries.count))
        for (index, delivery) in routing.deliveries.enumerated() {
            if index > 0, sharesAllButTarget(delivery, with: routing.deliveries[0]) {
                // The script makes it from the first delivery's fields.
                arguments.append(Int64(0))
                arguments.append(delivery.target.tenant)
                arguments.append(delivery.target.endpoint)
            } else {
                arguments.append(Int64(delivery.fieldCount))
                delivery.writeFields(to: &arguments)
            }
        }
        appendSections(deadLetters, to: &arguments)
        appendSections(archiving && !routing.deliveries.isEmpty ? [ArchivedEvent.fields(routing)] : [], to: &arguments)
        if indexing {
            IndexedEvent.appendSection(routing.event, targets: targets, to: &arguments)
        } else {
            appendSections([], to: &arguments)
        }
    }
}
