import Foundation
internal import CCurl

/// One curl multi handle driven by its own thread, so blocking curl work never runs on
/// Swift's cooperative pool. Callers hand transfers over through `inbox` and wake the thread
/// through the poller's eventfd; the thread resumes them when curl reports completion.
///
/// The thread drives curl event by event (`curl_multi_socket_action`): curl says which sockets
/// to watch and when its next timeout is due (the socket and timer callbacks below), epoll says
/// which sockets are ready, and each wake-up touches only those (`curl_multi_perform` and
/// `curl_multi_poll` walked every transfer and socket on every wake-up).
///
/// All easy handles live in the same multi handle, so they share its connection cache:
/// a finished request leaves its kept-alive connection for the next one to the same peer.
/// Easy handles themselves are reused too: a finished transfer's handle is readied for the next
/// transfer (``CurlEasyHandle/recycle()``) and kept (up to `maxIdleHandles`).
final class CurlEngine: @unchecked Sendable {
    // @unchecked: `multi`, `active`, `idleHandles`, `connectToEntries` and `timerDeadline` are
    // used by the engine thread only (curl runs the socket and timer callbacks inside the multi calls made there).
    // `inbox` is guarded by its lock; `poller.wake()` is called under that lock.
    private struct Inbox {
        var pending: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
        /// A wake-up is written and the thread has not drained the inbox since: later hand-overs
        /// need no eventfd write of their own (a burst of submissions costs one syscall).
        var signalled = false
    }

    private let multi: UnsafeMutableRawPointer
    private let poller: CurlSocketPoller
    private let configuration: HTTPClient.Configuration
    private let inbox = Locked(Inbox())
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [CurlEasyHandle] = []
    private var connectToEntries: [PinnedAddress: String] = [:]
    private static let maxConnectToEntries = 4096
    /// When curl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` called; nil: no timer.
    fileprivate var timerDeadline: ContinuousClock.Instant?
    /// More idle handles than this are freed: enough for every connection the cache may keep busy.
    private let maxIdleHandles: Int
    /// Longest epoll wait even without a curl timer (`Configuration.idleWait`): a safety net,
    /// never needed for correctness.
    private let maxWaitMilliseconds: Int32

    init?(configuration: HTTPClient.Configuration) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else { return nil }
        let (waitSeconds, waitAttoseconds) = configuration.idleWait.components
        let waitMilliseconds = min(max(waitSeconds, 0), 3600) * 1000 + max(waitAttoseconds, 0) / 1_000_000_000_000_000
        self.maxWaitMilliseconds = Int32(max(1, waitMilliseconds))
        guard let poller = CurlSocketPoller() else {
            curl_multi_cleanup(multi)
            return nil
        }
        self.multi = multi
        self.poller = poller
        self.configuration = configuration
        self.maxIdleHandles = max(16, configuration.maxCachedConnections)
        _ = sluice_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = sluice_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
        // Unretained: the engine thread's closure holds the engine for as long as curl can call back.
        let this = Unmanaged.passUnretained(self).toOpaque()
        _ = sluice_multi_setopt_socket_cb(multi, curlSocketCallback)
        _ = sluice_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, this)
        _ = sluice_multi_setopt_timer_cb(multi, curlTimerCallback)
        _ = sluice_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, this)
        let thread = Thread { [self] in self.run() }
        thread.name = "sluice-curl"
        thread.start()
    }

    /// Queues a transfer; fails it at once when the engine is shut down.
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.pending.append(transfer)
            Self.signal(&inbox, poller)
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
            Self.signal(&inbox, poller)
        }
    }

    /// Asks the thread to fail everything in flight and exit; idempotent.
    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            Self.signal(&inbox, poller)
        }
    }

    /// Wakes the thread unless a wake-up is already pending. Under the inbox lock: once the thread
    /// has seen `stopping` nobody writes to the eventfd it is about to close.
    private static func signal(_ inbox: inout Inbox, _ poller: CurlSocketPoller) {
        guard !inbox.signalled else { return }
        inbox.signalled = true
        poller.wake()
    }

    private func run() {
        var running: Int32 = 0
        var incoming: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        while true {
            let woken = poller.wait(timeoutMilliseconds: waitMilliseconds()) { ready in
                curl_multi_socket_action(multi, ready.socket, ready.curlFlags, &running)
            }
            if woken {
                // Swapped, not copied: both arrays keep their capacity, so a hand-over allocates nothing.
                let stopping = inbox.withLock { inbox in
                    swap(&inbox.pending, &incoming)
                    swap(&inbox.cancelled, &cancelled)
                    inbox.signalled = false
                    return inbox.stopping
                }
                defer {
                    incoming.removeAll(keepingCapacity: true)
                    cancelled.removeAll(keepingCapacity: true)
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
            }
            // Adding a handle sets a timer due at once: started transfers connect in this same turn.
            if let deadline = timerDeadline, deadline <= .now {
                timerDeadline = nil
                curl_multi_socket_action(multi, sluice_socket_timeout, 0, &running)
            }
            collectFinished()
        }
        for (easy, transfer) in active {
            curl_multi_remove_handle(multi, easy)
            transfer.fail(.shutdown, "the HTTP client was shut down before the request finished")
            recycle(from: transfer)
        }
        active.removeAll()
        idleHandles.removeAll()
        // Cleanup may still report sockets to forget: the poller closes after it.
        curl_multi_cleanup(multi)
        poller.close()
    }

    /// The epoll timeout: until curl's timer is due, rounded up so the timer has expired on waking.
    private func waitMilliseconds() -> Int32 {
        guard let deadline = timerDeadline else { return maxWaitMilliseconds }
        let remaining = deadline - .now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(min(milliseconds, Int64(maxWaitMilliseconds)))
    }

    /// Socket callback body: mirror curl's interest in `socket` into the epoll set.
    fileprivate func watch(_ socket: curl_socket_t, what: Int32) {
        if what == CURL_POLL_REMOVE {
            poller.forget(socket)
        } else {
            poller.watch(socket, readable: what & CURL_POLL_IN != 0, writable: what & CURL_POLL_OUT != 0)
        }
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

/// curl's socket callback: runs inside `curl_multi_socket_action` on the engine thread.
private let curlSocketCallback: curl_socket_callback = { _, socket, what, userp, _ in
    guard let userp else { return 0 }
    Unmanaged<CurlEngine>.fromOpaque(userp).takeUnretainedValue().watch(socket, what: what)
    return 0
}

/// curl's timer callback: records when curl wants its timeouts run (never calls back into curl,
/// which the API forbids from here). -1 removes the timer.
private let curlTimerCallback: curl_multi_timer_callback = { _, timeoutMilliseconds, userp in
    guard let userp else { return 0 }
    let engine = Unmanaged<CurlEngine>.fromOpaque(userp).takeUnretainedValue()
    engine.timerDeadline = timeoutMilliseconds < 0 ? nil : .now + .milliseconds(timeoutMilliseconds)
    return 0
}
