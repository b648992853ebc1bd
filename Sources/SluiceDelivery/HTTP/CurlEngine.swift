import Foundation
internal import CCurl

/// One curl multi handle driven by its own thread, so blocking curl work never runs on
/// Swift's cooperative pool. Callers hand transfers over through `inbox` and
/// `curl_multi_wakeup`; the thread resumes them when curl reports completion.
///
/// All easy handles live in the same multi handle, so they share its connection cache:
/// a finished request leaves its kept-alive connection for the next one to the same peer.
/// Easy handles themselves are reused too: a finished transfer's handle is reset and kept for
/// the next transfer (up to `maxIdleHandles`).
final class CurlEngine: @unchecked Sendable {
    // @unchecked: `multi` is used by the engine thread only, except `curl_multi_wakeup`,
    // which libcurl documents as callable from any thread. `active` and `idleHandles` are
    // engine-thread only; `inbox` is guarded by its lock.
    private struct Inbox {
        var pending: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClient.Configuration
    private let inbox = Locked(Inbox())
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [CurlEasyHandle] = []
    /// More idle handles than this are freed: enough for every connection the cache may keep busy.
    private let maxIdleHandles: Int

    init?(configuration: HTTPClient.Configuration) {
        guard CurlGlobal.initialized, let multi = curl_multi_init() else { return nil }
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
            // Under the lock: once the thread has seen `stopping` nobody wakes the freed handle.
            curl_multi_wakeup(multi)
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
            curl_multi_wakeup(multi)
        }
    }

    /// Asks the thread to fail everything in flight and exit; idempotent.
    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            curl_multi_wakeup(multi)
        }
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let (incoming, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.pending.removeAll()
                    inbox.cancelled.removeAll()
                }
                return (inbox.pending, inbox.cancelled, inbox.stopping)
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
            curl_multi_perform(multi, &running)
            collectFinished()
            // Wakes on socket activity, curl's own timers (capped at 1 s) or curl_multi_wakeup.
            curl_multi_poll(multi, nil, 0, 1000, nil)
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
        if let problem = transfer.configure(defaultConnectTimeout: configuration.connectTimeout) {
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

    /// Takes a finished transfer's handle back for the next transfer. The reset drops every
    /// pointer into the transfer (header lists, callbacks' user data) before the transfer,
    /// which owns those, can be freed.
    private func recycle(from transfer: CurlTransfer) {
        guard let handle = transfer.handle else { return }
        transfer.handle = nil
        handle.reset()
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
