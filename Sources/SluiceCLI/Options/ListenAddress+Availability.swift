import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ListenAddress {
    /// Why nothing can listen on an address a flag names.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Tries the address with a socket of its own (closed at once) before the server binds it, so
    /// a busy port is reported naming the address and the flag — SwiftNIO's own error named
    /// neither (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`) and came after
    /// the start had been logged. `SO_REUSEADDR`, as the servers bind, so only a listener there
    /// counts. A host that does not resolve is a usage error (NIO's was `SocketAddressError.UnknownHost`).
    func checkAvailable(flag: String) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let first = found else {
            throw ValidationError("\(flag): cannot listen on \(self): the host does not resolve (\(String(cString: gai_strerror(resolved)))); use 0.0.0.0, 127.0.0.1 or one of this machine's addresses")
        }
        defer { freeaddrinfo(found) }
        guard port != 0 else { return }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        let code = errno
        let why = switch code {
        case EADDRINUSE: "address already in use: another process listens there (another sluice?); stop it or choose another address with \(flag)"
        case EACCES: "permission denied: ports below 1024 need privileges; choose a higher port with \(flag)"
        case EADDRNOTAVAIL: "this machine has no such address; use 0.0.0.0 or one of its own addresses with \(flag)"
        default: String(cString: strerror(code))
        }
        throw Unavailable(description: "cannot listen on \(self) (\(flag)): \(why)")
    }
}
