import CMxreg

/// A newly created account, copied out of the native handle (which is freed
/// and wiped at once). The tokens are secrets: its description and mirror
/// leave them out.
public struct Registration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The full user ID, e.g. `@alice:example.org`.
    public let userId: String
    /// The device ID, or nil with `inhibitLogin`.
    public let deviceId: String?
    /// The access token (never log it), or nil with `inhibitLogin`.
    public let accessToken: String?
    /// The refresh token, or nil when none was asked for or the server issues none.
    public let refreshToken: String?
    /// Lifetime of the access token in ms as the server gave it; nil when it does not expire.
    public let expiresInMs: Int64?
    /// When the access token expires, in ms since the Unix epoch; nil when it does not expire.
    public let expiresAtMs: Int64?

    /// The localpart of `userId` (`alice` for `@alice:example.org`).
    public var localpart: String {
        let name = userId.dropFirst()
        return String(name.prefix { $0 != ":" })
    }

    /// Copy a `mxreg_registration` (borrowed: the caller frees it).
    init(native registration: OpaquePointer) throws {
        guard let user = copied(mxreg_registration_user_id(registration)) else {
            throw MxregUsageError.missing("user ID in the registration")
        }
        userId = user
        deviceId = copied(mxreg_registration_device_id(registration))
        accessToken = copied(mxreg_registration_access_token(registration))
        refreshToken = copied(mxreg_registration_refresh_token(registration))
        expiresInMs = nonNegative(mxreg_registration_expires_in_ms(registration))
        expiresAtMs = nonNegative(mxreg_registration_expires_at_ms(registration))
    }

    /// Take an owned `mxreg_registration`: copy it, then free it.
    init(owned registration: OpaquePointer) throws {
        defer { mxreg_registration_free(registration) }
        try self.init(native: registration)
    }

    public var description: String {
        "Registration(userId: \(userId), deviceId: \(deviceId ?? "nil"), expiresInMs: \(expiresInMs.map(String.init) ?? "nil"), tokens: <redacted>)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["userId": userId, "deviceId": deviceId as Any, "expiresInMs": expiresInMs as Any])
    }
}
