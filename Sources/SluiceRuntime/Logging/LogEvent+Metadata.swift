import Logging

extension LogEvent {
    /// What a line shows: the handler's metadata, then the provider's, then the call's own, each
    /// winning over the one before, and the error passed to the call (`error.message`,
    /// `error.type`) — as swift-log's `StreamLogHandler` merges them. Both formats use it.
    func mergedMetadata(over handler: Logger.Metadata, provider: Logger.MetadataProvider?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }
}
