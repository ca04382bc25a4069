import CMxreg

/// A client for one homeserver. Creating one does no I/O.
///
/// `Sendable`: the native client is immutable and thread-safe, and its
/// handle is guarded by `NativeHandle`, so any number of tasks may share one
/// client and call it at once. `close()` (or the last reference going away)
/// frees it; a call in progress keeps it alive until that call returns.
///
/// Every network call has a blocking form (call it off the main thread) and
/// an `async` form that runs it on a thread of its own (see `Offload`).
public final class Client: Sendable, CustomStringConvertible {
    let handle: NativeHandle
    /// The normalised homeserver base URL (no trailing slash).
    public let homeserverURL: String

    public init(_ homeserverURL: String, options: ClientOptions = ClientOptions()) throws {
        try Library.check()
        let strings = CStrings()
        var raw = try options.native(strings)
        let url = try strings.put("homeserverURL", homeserverURL)
        let pointer = try checkOutput("client") { out, error in mxreg_client_new(url, &raw, out, error) }
        handle = NativeHandle("client", pointer, free: { mxreg_client_free($0) })
        self.homeserverURL = copied(mxreg_client_homeserver_url(pointer)) ?? homeserverURL
    }

    /// Send one `POST /register` and wait for the answer.
    ///
    /// Throws `MxregError` with `.authRequired` when the server wants a UIA
    /// stage completed: pick a flow from its `authInfo`, then call again with
    /// `request.with(auth:)`. A failed stage is `.authRequired` too, with the
    /// stage's `errcode`.
    public func register(_ request: RegisterRequest) throws -> Registration {
        let strings = CStrings()
        var raw = try request.native(strings)
        return try registration { mxreg_client_register($0, &raw, $1, $2) }
    }

    /// After `.outcomeUnknown` from `register`: end with the account on the
    /// device the lost attempt named. Pass the same request (same `auth`)
    /// with `deviceId` set to the app's, or to the error's `deviceId`
    /// (nil is `.invalidArgument`). mxreg sends the attempt again and, when
    /// the server no longer knows it, logs in onto that device;
    /// `.authRequired` means the lost attempt had not finished: go on with the stages.
    public func recoverRegistration(_ request: RegisterRequest) throws -> Registration {
        let strings = CStrings()
        var raw = try request.native(strings)
        return try registration { mxreg_client_recover_registration($0, &raw, $1, $2) }
    }

    /// Log in to an existing account (`POST /login`): after an `inhibitLogin`
    /// registration, after `.outcomeUnknown`, or to redeem an SSO login token.
    /// A wrong password, an unknown user and a used token are all `.forbidden`.
    public func login(_ request: LoginRequest) throws -> Registration {
        let strings = CStrings()
        var raw = try request.native(strings)
        return try registration { mxreg_client_login($0, &raw, $1, $2) }
    }

    /// The single sign-on URL to open in a browser (`GET /login` is checked
    /// first). The server sends the browser to `redirectURL` with a
    /// `loginToken`; hand that whole URL to `ssoComplete`. A user's first
    /// sign-in creates the account. A relative `redirectURL` or an identity
    /// provider the server does not list is `.invalidArgument`; a server
    /// without SSO `.unsupportedFlow`; one that prefers OAuth 2.0
    /// `.oauthPreferred` (use `OAuthServer` there).
    public func ssoURL(identityProvider: String? = nil, redirectURL: String, action: SSOAction = .register) throws -> String {
        let strings = CStrings()
        let idp = try strings.put("identityProvider", identityProvider)
        let redirect = try strings.put("redirectURL", redirectURL)
        return try handle.withPointer { client in
            try checkString("url") { mxreg_client_sso_url(client, idp, redirect, action.rawValue, $0, $1) }
        }
    }

    /// Finish single sign-on with the redirect the app received: its
    /// `loginToken` is redeemed through `m.login.token` (used once; a second
    /// time is `.forbidden`).
    public func ssoComplete(receivedRedirectURL: String) throws -> Registration {
        let strings = CStrings()
        let received = try strings.put("receivedRedirectURL", receivedRedirectURL)
        return try registration { mxreg_client_sso_complete($0, received, $1, $2) }
    }

    /// Register a guest account (the server must allow guest access).
    public func registerGuest(initialDeviceDisplayName: String? = nil) throws -> Registration {
        try register(RegisterRequest(initialDeviceDisplayName: initialDeviceDisplayName, kind: .guest))
    }

    /// A registration session to complete stage by stage; no I/O until
    /// `Signup.start()`. `stages` are what this app can complete (dummy
    /// stages are always handled). The request's `auth` is not used.
    public func signup(_ request: RegisterRequest, stages: Stages = []) throws -> Signup {
        let strings = CStrings()
        var raw = try request.native(strings)
        return try Signup(handle.output("signup") { mxreg_signup_new($0, &raw, stages.rawValue, $1, $2) })
    }

    /// Continue a session saved with `Signup.save()` on this homeserver; no I/O.
    public func restoreSignup(_ saved: String) throws -> Signup {
        let strings = CStrings()
        let text = try strings.put("saved", saved)
        return try Signup(handle.output("signup") { mxreg_signup_restore($0, text, $1, $2) })
    }

    /// Exchange a refresh token for a new pair (`POST /refresh`). A token
    /// already exchanged is refused (`.forbidden` on Synapse); an unknown one
    /// is `.unknownToken`.
    public func refresh(_ refreshToken: String) throws -> Tokens {
        let strings = CStrings()
        let token = try strings.put("refreshToken", refreshToken)
        return try Tokens(owned: handle.output("tokens") { mxreg_client_refresh($0, token, $1, $2) })
    }

    /// Fetch and check the homeserver's OAuth 2.0 metadata; a legacy-only
    /// server is `.oauthUnsupported`. The result keeps the client alive.
    public func discoverOAuthServer() throws -> OAuthServer {
        try OAuthServer(handle.output("OAuth server") { mxreg_oauth_server_discover($0, $1, $2) })
    }

    /// An account from a call on this client that hands one over.
    private func registration(
        _ call: (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<OpaquePointer?>) throws -> UInt32
    ) throws -> Registration {
        try Registration(owned: handle.output("registration", call))
    }

    public var isClosed: Bool { handle.isClosed }

    /// Free the client (when calls in progress have returned). Safe to call twice.
    public func close() { handle.close() }

    public var description: String { "Client(\(homeserverURL))" }
}
