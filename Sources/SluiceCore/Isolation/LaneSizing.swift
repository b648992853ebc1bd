/// How many deliveries one endpoint's lane in a worker may hold, so that none of them is still
/// pending when the visibility timeout hands it to another worker.
///
/// A delivery is claimed (and its visibility clock starts) when the worker reads it; it may then
/// wait in its lane's queue behind whole rounds of `max_in_flight` attempts, each of which may
/// take the address lookup's timeout and then the endpoint's timeout, and its own attempt's
/// result must still be written. So the rounds a lane holds, the one in flight included, must fit
/// in the visibility timeout less that margin; what does not fit is not claimed into the lane
/// (it waits in the endpoint's line in Redis instead).
public enum LaneSizing {
    /// The longest the address lookup before an attempt may take (the SSRF guard's resolve timeout).
    public static let resolveTimeout = Duration.seconds(5)
    /// Room for writing an attempt's result (the complete script, with its retries) and for the
    /// second at most a delivery spends in a full lane's overflow before it starts or goes to the
    /// endpoint's waiting line (`DeliveryDispatcher.maxResidency`).
    public static let settleMargin = Duration.seconds(2)

    /// The longest one attempt may take from its start to its result: lookup (none for an
    /// endpoint whose host is an IP address) plus request.
    public static func attemptBound(timeout: Duration, lookup: Bool = true) -> Duration {
        (lookup ? resolveTimeout : .zero) + timeout
    }

    /// The shortest visibility timeout that holds one attempt to an endpoint with `timeout`.
    public static func minimumVisibility(longestTimeout: Duration) -> Duration {
        attemptBound(timeout: longestTimeout) + settleMargin
    }

    /// The `auto` visibility timeout: the longest endpoint timeout + 30 s. With the default 15 s
    /// timeout that holds two rounds (one in flight, one queued); for endpoints slower than about
    /// 21 s the lane keeps none queued, and the rest waits in the endpoint's line.
    public static func automaticVisibility(longestTimeout: Duration) -> Duration {
        longestTimeout + .seconds(30)
    }

    /// Attempts an endpoint runs at once (`limit`) and how many more may wait in its lane
    /// (`queue`, possibly none), for an endpoint with `maxInFlight` and `timeout` under
    /// `visibility`, in a worker with room for `processRoom` deliveries. One endpoint's queue is
    /// also capped at a quarter of the process's room, so a few stuck endpoints cannot fill it.
    public static func lane(
        maxInFlight: Int, timeout: Duration, visibility: Duration, processRoom: Int, lookup: Bool = true
    ) -> (limit: Int, queue: Int) {
        let limit = max(1, maxInFlight)
        let budget = visibility - settleMargin
        let perRound = attemptBound(timeout: timeout, lookup: lookup)
        let rounds = budget > .zero ? Int(budget / perRound) : 0
        let queuedRounds = max(0, rounds - 1)
        let (queued, overflow) = limit.multipliedReportingOverflow(by: queuedRounds)
        return (limit, min(overflow ? .max : queued, max(limit, processRoom / 4)))
    }

    /// The longest a delivery can stay claimed in a lane of that size before its result is
    /// written: the rounds ahead of it and its own, plus the margin.
    public static func worstClaimedTime(limit: Int, queue: Int, timeout: Duration, lookup: Bool = true) -> Duration {
        let roundsAhead = (queue + limit - 1) / limit
        return attemptBound(timeout: timeout, lookup: lookup) * (roundsAhead + 1) + settleMargin
    }

    /// Whether an attempt to `url` starts with a name lookup: false when its host is an IP address.
    public static func needsLookup(url: String) -> Bool {
        guard let afterScheme = url.range(of: "://")?.upperBound else { return true }
        let authority = url[afterScheme...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? ""
        let host: Substring
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
        } else {
            host = hostPort.split(separator: ":", maxSplits: 1).first ?? ""
        }
        return IPAddress(String(host)) == nil
    }
}
