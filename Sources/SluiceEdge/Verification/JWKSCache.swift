import Foundation
import Logging
import SluiceCore
import SluiceDelivery
import Synchronization

/// One source's JSON Web Key Set: fetched lazily, cached for its max-age, refetched at
/// most once a minute (``JWKSRefreshPolicy``), and fetched by one request at a time while
/// the others wait for that same fetch.
///
/// Waiting is by completion callback, not by suspending: the edge's connection handler asks on
/// its event loop and hops the answer back there, as it does with Redis's replies. A completion
/// runs on whatever thread finished the fetch (or at once, on the caller's, when nothing has to
/// be fetched), so it must only hand the result off.
final class JWKSCache: Sendable {
    /// What a completion receives: the key set to verify with, or nil when none was had.
    typealias Completion = @Sendable (JSONWebKeySet?) -> Void

    private struct State {
        var keySet: JSONWebKeySet?
        var policy = JWKSRefreshPolicy()
        /// Requests waiting for the fetch in flight; nil when none is running. A waiter from
        /// `current` falls back to the cached set when the fetch fails, one from
        /// `refetchAfterMiss` gets nil.
        var waiters: [(fallsBackToCached: Bool, completion: Completion)]?
    }

    private let url: String
    private let source: String
    private let httpClient: HTTPClient
    private let logger: Logger
    private let state = Mutex(State())

    /// Far beyond a real key set (Google's is about 2 KB) and still cheap to parse. A larger
    /// document is refused, not cut: the client's default cap of 64 KiB made a larger set fail for
    /// good and let a cut-off one, valid JSON up to the cut, be used.
    static let maxDocumentBytes = 1 << 20

    init(url: String, source: String, httpClient: HTTPClient, logger: Logger) {
        self.url = url
        self.source = source
        self.httpClient = httpClient
        self.logger = logger
    }

    /// The cached set, fresh or not; nil before the first successful fetch. Never waits.
    var cached: JSONWebKeySet? { state.withLock { $0.keySet } }

    /// Whether the cached set can be trusted to hold every key the issuer signs with: there is
    /// one, and the last fetch succeeded. A request whose key is not in such a set is refused;
    /// one whose key is missing from a set that could not be refetched is asked to retry.
    var hasCurrentKeys: Bool { state.withLock { $0.keySet != nil && !$0.policy.lastFetchFailed } }

    /// The cached set while its max-age lasts, else nil (then ``current(now:completion:)``
    /// refetches): a key the issuer has withdrawn stops verifying once the set expires, not
    /// only after a request misses. Never waits.
    func fresh(now: Int64) -> JSONWebKeySet? { state.withLock { $0.policy.isFresh(now: now) ? $0.keySet : nil } }

    /// Seconds a sender should wait before retrying while no keys can be had.
    func retryAfter(now: Int64) -> Int { state.withLock { Int($0.policy.retryAfterSeconds(now: now)) } }

    /// A usable key set: the cached one while fresh, otherwise a fetch (or a stale set when the fetch fails).
    func current(now: Int64, completion: @escaping Completion) {
        enum Next { case answer(JSONWebKeySet?), wait, fetch }
        let next = state.withLock { state -> Next in
            if state.policy.isFresh(now: now) { return .answer(state.keySet) }
            if state.waiters != nil {
                state.waiters!.append((true, completion))
                return .wait
            }
            guard state.policy.claimFetch(now: now, afterMiss: false) else { return .answer(state.keySet) }
            state.waiters = [(true, completion)]
            return .fetch
        }
        switch next {
        case .answer(let keySet): completion(keySet)
        case .wait: break
        case .fetch: fetch(now: now)
        }
    }

    /// After a miss (unknown `kid`, or a JWKS signature that did not verify): refetch unless the
    /// policy says one happened too recently. Completes with the new set, or nil when none was fetched.
    func refetchAfterMiss(now: Int64, completion: @escaping Completion) {
        enum Next { case none, wait, fetch }
        let next = state.withLock { state -> Next in
            if state.waiters != nil {
                state.waiters!.append((false, completion))
                return .wait
            }
            guard state.policy.claimFetch(now: now, afterMiss: true) else { return .none }
            state.waiters = [(false, completion)]
            return .fetch
        }
        switch next {
        case .none: completion(nil)
        case .wait: break
        case .fetch: fetch(now: now)
        }
    }

    /// Downloads the set on Swift's pool (libcurl's own thread does the I/O, nothing blocks) and
    /// answers every waiter.
    private func fetch(now: Int64) {
        Task { [self] in
            let request = HTTPRequest(
                method: "GET", url: url, headers: [HTTPHeader(name: "accept", value: "application/json")],
                body: [], timeout: .seconds(5), maxResponseBytes: Self.maxDocumentBytes)
            var fetched: (JSONWebKeySet, Int64?)?
            // Why it failed goes to the log: a failed fetch answers 503 jwks_unavailable, which
            // says nothing of a moved URL, a 500 or a document that is not a key set. Fetches
            // run at most once a minute, so the lines do too.
            var failure: String?
            do {
                let response = try await httpClient.execute(request)
                if response.status != 200 {
                    let redirect = (300...399).contains(response.status) ? " (redirects are not followed; give the URL it points at)" : ""
                    failure = "HTTP \(response.status)\(redirect)"
                } else if response.bodyTruncated {
                    failure = "the document is larger than \(Self.maxDocumentBytes >> 20) MiB"
                } else {
                    let set = try JSONWebKeySet(json: response.body)
                    fetched = (set, JWKSRefreshPolicy.maxAge(fromCacheControl: response.header("cache-control")))
                }
            } catch {
                failure = "\(error)"
            }
            if let failure {
                logger.warning("cannot fetch the JWKS", metadata: ["source": "\(source)", "url": "\(url)", "error": "\(failure)"])
            }
            let (waiters, cached) = state.withLock { state in
                if let (set, maxAge) = fetched {
                    state.keySet = set
                    state.policy.recordFetch(now: now, maxAge: maxAge)
                } else {
                    state.policy.recordFailure(now: now)
                }
                defer { state.waiters = nil }
                return (state.waiters ?? [], state.keySet)
            }
            for waiter in waiters {
                waiter.completion(fetched?.0 ?? (waiter.fallsBackToCached ? cached : nil))
            }
        }
    }
}
