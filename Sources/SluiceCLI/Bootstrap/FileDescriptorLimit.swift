import Foundation

/// The process's open-file limit, which caps the edge's connections.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one (the default soft limit, often 1024, would let a
    /// thousand idle clients starve real calls of descriptors) and returns the soft limit now in
    /// force, or nil when it cannot be read.
    static func raiseToHard() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
