/// The sender conventions of a source.
public enum SourceKind: String, Sendable, Equatable, CaseIterable {
    /// Gemini API webhooks; `verify.jwks.url` defaults to Google's key set.
    case gemini
    /// Any Standard Webhooks sender; no JWKS unless configured.
    case standardWebhooks = "standard-webhooks"
}
