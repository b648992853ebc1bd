import Dispatch
import Foundation
import SluiceCore

/// getaddrinfo, off Swift's cooperative pool: each lookup blocks a Dispatch worker
/// thread, and the caller gives up after a deadline even if the lookup keeps going.
enum HostResolver {
    private static let queue = DispatchQueue(label: "sluice.dns", attributes: .concurrent)

    /// Every TCP address `host` resolves to, in resolver order, without duplicates.
    static func resolve(_ host: String, timeout: Duration) async -> Result<[IPAddress], SSRFError> {
        let once = Locked<CheckedContinuation<Result<[IPAddress], SSRFError>, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            let resume: @Sendable (Result<[IPAddress], SSRFError>) -> Void = { result in
                once.withLock { pending in
                    pending?.resume(returning: result)
                    pending = nil
                }
            }
            queue.async { resume(lookup(host)) }
            let milliseconds = Int(timeout.wholeMilliseconds)
            queue.asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                resume(.failure(SSRFError(kind: .resolutionFailed, host: host, message: "resolving \(host) took longer than \(timeout)")))
            }
        }
    }

    private static func lookup(_ host: String) -> Result<[IPAddress], SSRFError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = String(cString: gai_strerror(status))
            return .failure(SSRFError(kind: .resolutionFailed, host: host, message: "could not resolve \(host): \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = ipAddress(current.pointee), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            return .failure(SSRFError(kind: .resolutionFailed, host: host, message: "\(host) resolved to no addresses"))
        }
        return .success(addresses)
    }

    private static func ipAddress(_ info: addrinfo) -> IPAddress? {
        guard let sockaddr = info.ai_addr else { return nil }
        switch info.ai_family {
        case AF_INET:
            return sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }
}
