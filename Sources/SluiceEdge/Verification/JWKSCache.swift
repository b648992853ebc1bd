import Foundation
import SluiceCore
import SluiceDelivery

/// One source's JSON Web Key Set: fetched lazily, cached for its max-age, refetched at
/// most once a minute (``JWKSRefreshPolicy``), and fetched by one request at a time while
/// the others wait for that same fetch.
actor JWKSCache {
    private let url: String
    private let httpClient: HTTPClient
    private var keySet: JSONWebKeySet?
    private var policy = JWKSRefreshPolicy()
    private var inFlight: Task<JSONWebKeySet?, Never>?

    init(url: String, httpClient: HTTPClient) {
        self.url = url
        self.httpClient = httpClient
    }

    /// The cached set, fresh or not; nil before the first successful fetch. Never waits.
    var cached: JSONWebKeySet? { keySet }

    /// Seconds a sender should wait before retrying while no keys can be had.
    func retryAfter(now: Int64) -> Int { Int(policy.retryAfterSeconds(now: now)) }

    /// A usable key set: the cached one while fresh, otherwise a fetch (or a stale set when the fetch fails).
    func current(now: Int64) async -> JSONWebKeySet? {
        if policy.isFresh(now: now) { return keySet }
        if let inFlight { return await inFlight.value ?? keySet }
        guard policy.claimFetch(now: now, afterMiss: false) else { return keySet }
        return await fetch(now: now) ?? keySet
    }

    /// After a miss (unknown `kid`, or a JWKS signature that did not verify): refetch unless the
    /// policy says one happened too recently. Returns the new set, or nil when none was fetched.
    func refetchAfterMiss(now: Int64) async -> JSONWebKeySet? {
        if let inFlight { return await inFlight.value }
        guard policy.claimFetch(now: now, afterMiss: true) else { return nil }
        return await fetch(now: now)
    }

    private func fetch(now: Int64) async -> JSONWebKeySet? {
        let download = Task { [url, httpClient] () -> (JSONWebKeySet, Int64?)? in
            let request = HTTPRequest(
                method: "GET", url: url, headers: [HTTPHeader(name: "accept", value: "application/json")],
                body: [], timeout: .seconds(5))
            guard let response = try? await httpClient.execute(request), response.status == 200,
                let set = try? JSONWebKeySet(json: response.body)
            else { return nil }
            return (set, JWKSRefreshPolicy.maxAge(fromCacheControl: response.header("cache-control")))
        }
        inFlight = Task { await download.value?.0 }
        let result = await download.value
        inFlight = nil
        guard let (set, maxAge) = result else {
            policy.recordFailure(now: now)
            return nil
        }
        keySet = set
        policy.recordFetch(now: now, maxAge: maxAge)
        return set
    }
}
