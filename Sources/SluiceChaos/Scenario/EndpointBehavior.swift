/// How a scripted receiver endpoint answers the deliveries it gets.
public enum EndpointBehavior: Sendable, Equatable {
    /// 200 after a short think time (so deliveries are in flight when a process is killed).
    case healthy
    /// Alternates phases of 503 answers (about `down` long) with phases of 200 answers (about
    /// `up` long). Each phase lasts between half and one and a half times its nominal length:
    /// a strictly periodic flap resonates with equal retry steps and circuit-breaker probes,
    /// landing every attempt of a delivery in a down phase, which real outages do not do.
    case flapping(down: Duration, up: Duration)
    /// Every other request answers 200 after `under` (just inside the endpoint timeout), the others
    /// after `over` (just past it: the worker has given up, so the receiver processes it but the
    /// gateway sees a timeout and sends it again).
    case slow(under: Duration, over: Duration)
    /// Every `every`-th request is answered `429` with `Retry-After` (a receiver shedding load).
    case throttles(every: Int, retryAfterSeconds: Int)
    /// Always `410 Gone`: every delivery must end in the DLQ with reason `gone`.
    case gone
    /// Every `every`-th request has its TCP connection reset instead of an answer.
    case resets(every: Int)

    /// A short description for reports.
    public var label: String {
        switch self {
        case .healthy: "200"
        case .flapping(let down, let up): "503 for ~\(down), then 200 for ~\(up)"
        case .slow(let under, let over): "200 after \(under) or \(over)"
        case .throttles(let every, let retryAfter): "429 Retry-After: \(retryAfter) to every \(every). request"
        case .gone: "410 Gone"
        case .resets(let every): "connection reset every \(every) requests"
        }
    }
}
