import Foundation
internal import CCurl

/// One curl multi handle driven by its own thread, so blocking curl work never runs on
/// Swift's cooperative pool. Callers hand transfers over through `inbox` and wake the thread
/// with `curl_multi_wakeup`; the thread resumes them when curl reports completion.
///
/// The thread runs `curl_multi_perform`, then waits in `curl_multi_poll` (sockets, curl's own
/// timers, or a wake-up). Measured on this libcurl (7.88) with `bench/curl_floor.c`, that costs
/// less per request than driving curl socket by socket (`curl_multi_socket_action` + epoll):
/// 18.5 against 23.3 µs with 80 requests in flight and 29 against 35 µs with 640, because every
/// change in a socket's interest (send, then await the answer, then idle in the cache) was an
/// `epoll_ctl` system call of its own, while one `poll` covers every socket at once.
///
/// All easy handles live in the same multi handle, so they share its connection cache:
/// a finished request leaves its kept-alive connection for the next one to the same peer.
/// Easy handles themselves are reused too: a finished transfer's handle is readied for the next
/// transfer (``CurlEasyHandle/recycle()``) and kept (up to `maxIdleHandles`).
final class CurlEngine: @unchecked Sendable {
    // @unchecked: `multi`, `active`, `idleHandles` and `connectToEntries` are used by the engine
    // thread only. `inbox` is guarded by its lock; `curl_multi_wakeup` (thread-safe) is called
    // under that lock, never after the thread has seen `stopping` and cleans the multi handle up.
    private struct Inbox {
        var pending: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
        /// A wake-up is sent and the thread has not drained the inbox since: later hand-overs
        /// need no wake-up of their own (a burst of submissions costs one system call).
        var signalled = false
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClient.Configuration
    private let inbox = Locked(Inbox())
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [CurlEasyHandle] = []
    private var connectToEntries: [PinnedAddress: String] = [:]
    private static let maxConnectToEntries = 4096
    /// More idle handles than this are freed: enough for every connection the cache may keep busy.
    private let maxIdleHandles: Int
    /// Longest `curl_multi_poll` wait (`Configuration.idleWait`; curl waits less when one of its
    /// timers is due sooner): a safety net, never needed for correctness.
    private let maxWaitMilliseconds: Int32

    init?(configuration: HTTPClient.Configuration) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else { return nil }
        self.maxWaitMilliseconds = Int32(min(max(1, configuration.idleWait.wholeMilliseconds), 3_600_000))
        self.multi = multi
        self.configuration = configuration
        self.maxIdleHandles = max(16, configuration.maxCachedConnections)
        _ = sluice_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = sluice_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
        let thread = Thread { [self] in self.run() }
        thread.name = "sluice-curl"
        thread.start()
    }

    /// Queues a transfer; fails it at once when the engine is shut down.
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.pending.append(transfer)
            Self.signal(&inbox, multi)
            return true
        }
        if !accepted { transfer.fail(.shutdown, "the HTTP client was shut down") }
    }

    /// Abandons a transfer whose caller was cancelled; a no-op once it has finished. A cancel that
    /// overtakes its own submission is dropped, and that transfer ends by its timeout instead.
    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.cancelled.append(transfer)
            Self.signal(&inbox, multi)
        }
    }

    /// Asks the thread to fail everything in flight and exit; idempotent.
    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            Self.signal(&inbox, multi)
        }
    }

    /// Wakes the thread unless a wake-up is already pending. Under the inbox lock: once the thread
    /// has seen `stopping` nobody wakes the multi handle it is about to clean up.
    private static func signal(_ inbox: inout Inbox, _ multi: UnsafeMutableRawPointer) {
        guard !inbox.signalled else { return }
        inbox.signalled = true
        _ = curl_multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        var ready: Int32 = 0
        var incoming: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        while true {
            // Swapped, not copied: both arrays keep their capacity, so a hand-over allocates nothing.
            let stopping = inbox.withLock { inbox in
                swap(&inbox.pending, &incoming)
                swap(&inbox.cancelled, &cancelled)
                inbox.signalled = false
                return inbox.stopping
            }
            if stopping {
                for transfer in incoming { transfer.fail(.shutdown, "the HTTP client was shut down") }
                break
            }
            for transfer in incoming { start(transfer) }
            for transfer in cancelled {
                // A transfer that already finished has given its handle back (maybe to another transfer).
                guard let handle = transfer.handle, active[handle.raw] === transfer else { continue }
                active.removeValue(forKey: handle.raw)
                curl_multi_remove_handle(multi, handle.raw)
                transfer.fail(.cancelled, "the request was cancelled by its caller")
                recycle(from: transfer)
            }
            incoming.removeAll(keepingCapacity: true)
            cancelled.removeAll(keepingCapacity: true)
            curl_multi_perform(multi, &running)
            collectFinished()
            curl_multi_poll(multi, nil, 0, maxWaitMilliseconds, &ready)
        }
        for (easy, transfer) in active {
            curl_multi_remove_handle(multi, easy)
            transfer.fail(.shutdown, "the HTTP client was shut down before the request finished")
            recycle(from: transfer)
        }
        active.removeAll()
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    private func start(_ transfer: CurlTransfer) {
        guard let handle = idleHandles.popLast() ?? CurlEasyHandle() else {
            transfer.fail(.other, "curl could not create a request handle")
            return
        }
        transfer.handle = handle
        let problem = transfer.configure(defaultConnectTimeout: configuration.connectTimeout) { pinned in
            connectToEntry(for: pinned)
        }
        if let problem {
            transfer.fail(.invalidRequest, problem)
            recycle(from: transfer)
            return
        }
        let code = curl_multi_add_handle(multi, handle.raw)
        guard code == CURLM_OK else {
            transfer.fail(.other, "curl could not start the request (multi code \(code.rawValue))")
            recycle(from: transfer)
            return
        }
        active[handle.raw] = transfer
    }

    /// The CONNECT_TO text for `pinned`, remembered: deliveries pin the same few addresses over and
    /// over, and formatting one (string interpolation, the IP's text) cost more than a lookup.
    private func connectToEntry(for pinned: PinnedAddress) -> String {
        if let known = connectToEntries[pinned] { return known }
        // Bounded: a flood of distinct addresses starts the memo over rather than growing it.
        if connectToEntries.count >= Self.maxConnectToEntries { connectToEntries.removeAll(keepingCapacity: true) }
        let entry = pinned.curlConnectTo
        connectToEntries[pinned] = entry
        return entry
    }

    /// Takes a finished transfer's handle back for the next transfer, dropping every pointer
    /// into the transfer (callbacks' user data) before the transfer can be freed.
    private func recycle(from transfer: CurlTransfer) {
        guard let handle = transfer.handle else { return }
        transfer.handle = nil
        handle.recycle()
        if idleHandles.count < maxIdleHandles { idleHandles.append(handle) }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // The message is invalid after remove_handle: copy what we need first.
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            transfer.complete(code)
            recycle(from: transfer)
        }
    }
}
