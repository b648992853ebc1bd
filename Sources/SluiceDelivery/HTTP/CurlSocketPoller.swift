internal import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// The engine thread's wait: an epoll set holding the sockets curl asks to watch, plus an
/// eventfd that other threads write to when they hand the engine work.
///
/// epoll reports only the sockets that are ready, so waiting costs the same with 5 or 500
/// transfers in flight (`curl_multi_poll` rebuilt and scanned a pollfd array of every socket).
/// Linux only, like the deployment: the engine is the only user.
final class CurlSocketPoller: @unchecked Sendable {
    // @unchecked: `wake()` may be called from any thread (a write to the eventfd); everything
    // else is engine-thread only. The engine calls `wake()` only under its inbox lock and
    // `close()` only after it stopped accepting work under that lock, so no write reaches a
    // closed (or reused) descriptor.

    /// A ready socket and what it is ready for, in curl's terms.
    struct Readiness {
        var socket: Int32
        /// `CURL_CSELECT_IN` / `_OUT` / `_ERR` bits for `curl_multi_socket_action`.
        var curlFlags: Int32
    }

    private let epoll: Int32
    private let wakeFD: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    private let capacity = 256
    private var closed = false
    /// Per descriptor number: what the epoll set holds for it, so unchanged interest costs no syscall.
    private var registrations: [Registration] = []

    private struct Registration {
        static let none = Registration(registered: false, parked: false, events: 0)
        /// In the epoll set (as far as we know: curl may have closed it since).
        var registered: Bool
        /// Registered, but curl removed it: events are not passed on.
        var parked: Bool
        /// The EPOLLIN / EPOLLOUT interest registered.
        var events: UInt32
    }

    /// Fails (nil) when the kernel refuses an epoll instance or an eventfd, e.g. out of descriptors.
    init?() {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return nil }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            Glibc.close(epoll)
            return nil
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            Glibc.close(wakeFD)
            Glibc.close(epoll)
            return nil
        }
        self.epoll = epoll
        self.wakeFD = wakeFD
        self.events = .allocate(capacity: capacity)
    }

    deinit {
        close()
        events.deallocate()
    }

    /// Makes the current or next `wait` return. Any thread; see the class comment for when.
    func wake() {
        var one: UInt64 = 1
        // EAGAIN only when the counter is near overflow, and then a wake-up is pending anyway.
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Starts or changes watching `socket` for what curl wants now. No syscall when the socket
    /// is registered (or parked) with that interest already: a kept-alive connection reused by the
    /// next transfer usually is.
    func watch(_ socket: Int32, readable: Bool, writable: Bool) {
        let index = Int(socket)
        if index >= registrations.count {
            registrations.append(contentsOf: repeatElement(Registration.none, count: index + 1 - registrations.count))
        }
        let wanted = (readable ? EPOLLIN.rawValue : 0) | (writable ? EPOLLOUT.rawValue : 0)
        let current = registrations[index]
        registrations[index] = Registration(registered: true, parked: false, events: wanted)
        if current.registered, current.events == wanted { return }
        var event = epoll_event()
        event.events = wanted
        event.data.fd = socket
        let first = current.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD
        if epoll_ctl(epoll, first, socket, &event) == 0 { return }
        // Our table can be wrong: curl closed a socket (the kernel dropped it from the set) and the
        // number came back for a new one, or the reverse. The other operation then succeeds.
        let retry = errno == ENOENT ? EPOLL_CTL_ADD : errno == EEXIST ? EPOLL_CTL_MOD : nil
        // Anything else (EBADF: already closed) leaves the transfer to curl's own timeouts.
        if let retry { _ = epoll_ctl(epoll, retry, socket, &event) }
    }

    /// Curl no longer wants events for `socket`. It stays in the epoll set, parked: a kept-alive
    /// connection is usually wanted again by the next transfer, and parking spares the
    /// EPOLL_CTL_DEL now and the EPOLL_CTL_ADD then. A parked socket that reports an event (peer
    /// closed it, say) is removed then; one that curl closes leaves the set with its descriptor.
    func forget(_ socket: Int32) {
        let index = Int(socket)
        guard index < registrations.count, registrations[index].registered else { return }
        registrations[index].parked = true
    }

    /// Waits up to `timeoutMilliseconds` (-1: no limit) and calls `ready` for each ready socket.
    /// Returns whether the eventfd fired, i.e. another thread handed over work.
    func wait(timeoutMilliseconds: Int32, _ ready: (Readiness) -> Void) -> Bool {
        let count = epoll_wait(epoll, events, Int32(capacity), timeoutMilliseconds)
        // EINTR and friends: the caller loops and waits again.
        guard count > 0 else { return false }
        var woken = false
        for index in 0..<Int(count) {
            let event = events[index]
            let socket = event.data.fd
            if socket == wakeFD {
                var counter: UInt64 = 0
                _ = Glibc.read(wakeFD, &counter, 8)
                woken = true
                continue
            }
            let index = Int(socket)
            guard index < registrations.count, registrations[index].registered, !registrations[index].parked else {
                // Parked (or unknown): curl does not want this event; stop it from repeating.
                _ = epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nil)
                if index < registrations.count { registrations[index] = .none }
                continue
            }
            var flags: Int32 = 0
            if event.events & EPOLLIN.rawValue != 0 { flags |= CURL_CSELECT_IN }
            if event.events & EPOLLOUT.rawValue != 0 { flags |= CURL_CSELECT_OUT }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { flags |= CURL_CSELECT_ERR }
            ready(Readiness(socket: socket, curlFlags: flags))
        }
        return woken
    }

    /// Closes both descriptors; engine thread, after it stopped accepting work. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(wakeFD)
        Glibc.close(epoll)
    }
}
