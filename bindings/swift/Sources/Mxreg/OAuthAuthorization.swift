import CMxreg

/// An authorization in progress: the URL to open, and what mxreg needs to
/// check and redeem the redirect (PKCE verifier, `state`, device ID).
///
/// `Sendable`: the native authorization is immutable and may be completed
/// from any thread; the handle is guarded by `NativeHandle`. Close it when
/// done: that wipes the verifier.
public final class OAuthAuthorization: Sendable {
    let handle: NativeHandle
    /// The URL to open in the user's browser.
    public let url: String
    /// The device ID the new session will have.
    public let deviceId: String
    /// The `state` value, to tell which authorization a redirect belongs to.
    public let state: String
    public let intent: OAuthIntent

    init(_ pointer: OpaquePointer) {
        handle = NativeHandle("OAuth authorization", pointer, free: { mxreg_oauth_authorization_free($0) })
        url = copied(mxreg_oauth_authorization_url(pointer)) ?? ""
        deviceId = copied(mxreg_oauth_authorization_device_id(pointer)) ?? ""
        state = copied(mxreg_oauth_authorization_state(pointer)) ?? ""
        intent = OAuthIntent(rawValue: mxreg_oauth_authorization_intent(pointer)) ?? .signUp
    }

    /// Finish with the redirect URL the app received: checks `state`
    /// (`.oauthStateMismatch`: ignore that redirect), exchanges the code
    /// (`.oauthInvalidGrant` when used or expired) and asks `whoami`.
    public func complete(redirectURL: String) throws -> Registration {
        let strings = CStrings()
        let redirect = try strings.put("redirectURL", redirectURL)
        return try Registration(owned: handle.output("registration") { mxreg_oauth_authorization_complete($0, redirect, $1, $2) })
    }

    /// The authorization as JSON for `OAuthServer.restoreAuthorization`. It
    /// holds the PKCE verifier: store it as you would a token.
    public func save() throws -> String {
        try handle.withPointer { authorization in
            try checkString("saved authorization") { mxreg_oauth_authorization_save(authorization, $0, $1) }
        }
    }

    public var isClosed: Bool { handle.isClosed }

    /// Free the authorization, wiping its verifier. Safe to call twice.
    public func close() { handle.close() }
}
