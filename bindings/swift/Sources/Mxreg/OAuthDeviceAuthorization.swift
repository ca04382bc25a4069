import CMxreg

/// A device authorization in progress (`OAuthServer.startDeviceAuthorization`):
/// the code the user enters on another device, where, and until when.
///
/// `Sendable`: the native authorization is thread-safe (polls from several
/// threads run one at a time) and its handle is guarded by `NativeHandle`.
/// Close it when done: that wipes the device code.
public final class OAuthDeviceAuthorization: Sendable {
    let handle: NativeHandle
    /// The code the user enters at `verificationURI`.
    public let userCode: String
    /// Where the user enters the code (on a phone or computer).
    public let verificationURI: String
    /// `verificationURI` with the code in it (for a QR code), or nil.
    public let verificationURIComplete: String?
    /// The Matrix device the tokens will be for.
    public let deviceId: String
    /// When the user code expires, in ms since the Unix epoch.
    public let expiresAtMs: Int64

    init(_ pointer: OpaquePointer) {
        handle = NativeHandle("OAuth device authorization", pointer, free: { mxreg_oauth_device_authorization_free($0) })
        userCode = copied(mxreg_oauth_device_authorization_user_code(pointer)) ?? ""
        verificationURI = copied(mxreg_oauth_device_authorization_verification_uri(pointer)) ?? ""
        verificationURIComplete = copied(mxreg_oauth_device_authorization_verification_uri_complete(pointer))
        deviceId = copied(mxreg_oauth_device_authorization_device_id(pointer)) ?? ""
        expiresAtMs = mxreg_oauth_device_authorization_expires_at_ms(pointer)
    }

    /// How long to wait between polls, in ms (longer after each `slow_down`).
    public var intervalMs: Int64 {
        get throws { try handle.withPointer { mxreg_oauth_device_authorization_interval_ms($0) } }
    }

    /// Ask once whether the user has decided: the account when approved;
    /// `.oauthAuthorizationPending` (poll again after `intervalMs`),
    /// `.oauthAccessDenied`, or `.oauthExpiredToken` (start anew).
    public func poll() throws -> Registration {
        try decide { mxreg_oauth_device_authorization_poll($0, $1, $2) }
    }

    /// Poll at the interval until the user approves or denies, or the code
    /// expires (`.oauthExpiredToken`). Blocks up to `expiresAtMs` and cannot
    /// be cancelled: poll yourself to stop earlier.
    public func wait() throws -> Registration {
        try decide { mxreg_oauth_device_authorization_wait($0, $1, $2) }
    }

    private func decide(
        _ call: (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) -> UInt32
    ) throws -> Registration {
        try Registration(owned: handle.output("registration", call))
    }

    public var isClosed: Bool { handle.isClosed }

    /// Free the authorization, wiping its device code (after a poll in progress). Safe to call twice.
    public func close() { handle.close() }
}
