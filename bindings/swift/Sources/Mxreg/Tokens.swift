import CMxreg

/// A refreshed token pair, copied out of the native handle (freed and wiped
/// at once). Its description leaves the tokens out.
public struct Tokens: Sendable, CustomStringConvertible, CustomReflectable {
    /// The new access token (a secret).
    public let accessToken: String
    /// The refresh token to use next time, or nil when the old one stays valid.
    public let refreshToken: String?
    /// Lifetime of the access token in ms; nil when it does not expire.
    public let expiresInMs: Int64?
    /// Expiry in ms since the Unix epoch; nil when it does not expire.
    public let expiresAtMs: Int64?

    /// Take an owned `mxreg_tokens`: copy it, then free it.
    init(owned tokens: OpaquePointer) throws {
        defer { mxreg_tokens_free(tokens) }
        guard let access = copied(mxreg_tokens_access_token(tokens)) else { throw MxregUsageError.missing("access token") }
        accessToken = access
        refreshToken = copied(mxreg_tokens_refresh_token(tokens))
        expiresInMs = nonNegative(mxreg_tokens_expires_in_ms(tokens))
        expiresAtMs = nonNegative(mxreg_tokens_expires_at_ms(tokens))
    }

    public var description: String {
        "Tokens(expiresInMs: \(expiresInMs.map(String.init) ?? "nil"), rotated: \(refreshToken != nil), tokens: <redacted>)"
    }

    public var customMirror: Mirror { Mirror(self, children: ["expiresInMs": expiresInMs as Any]) }
}
