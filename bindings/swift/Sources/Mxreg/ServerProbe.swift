import CMxreg

/// Sign-up methods a server offers (`mxreg_signup_method` flags).
public struct SignupMethods: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `POST /register` with user-interactive auth (`Signup`).
    public static let legacy = SignupMethods(rawValue: MXREG_SIGNUP_METHOD_LEGACY.rawValue)
    /// OAuth 2.0 account creation (`prompt=create`).
    public static let oauthCreate = SignupMethods(rawValue: MXREG_SIGNUP_METHOD_OAUTH_CREATE.rawValue)
    /// Auth is delegated to an OAuth 2.0 server.
    public static let oauth = SignupMethods(rawValue: MXREG_SIGNUP_METHOD_OAUTH.rawValue)
    /// Single sign-on, which may create accounts on first login.
    public static let sso = SignupMethods(rawValue: MXREG_SIGNUP_METHOD_SSO.rawValue)
    /// Guest accounts (only reported when the probe was asked to check).
    public static let guest = SignupMethods(rawValue: MXREG_SIGNUP_METHOD_GUEST.rawValue)
}

/// What sign-up a server offers, copied out of `mxreg_probe_server`'s answer.
public struct ServerProbe: Sendable {
    /// The client-server API base URL found (use it for `Client`).
    public let homeserverURL: String
    /// Empty when sign-up is closed to this client.
    public let signupMethods: SignupMethods
    /// The legacy registration flows, when `.legacy` is offered.
    public let authInfo: AuthInfo?
    /// Everything the probe found, as one JSON object.
    public let json: String

    /// Find out what sign-up `server` offers: a server name (`example.org`,
    /// through `.well-known`) or a URL. With `checkGuestAccess` it also
    /// tries a guest registration (which creates a guest account where
    /// allowed). Something that is not a homeserver is `.invalidResponse`.
    /// Blocks for several requests.
    public static func probe(_ server: String, options: ClientOptions = ClientOptions(), checkGuestAccess: Bool = false) throws -> ServerProbe {
        try Library.check()
        let strings = CStrings()
        var raw = try options.native(strings)
        let name = try strings.put("server", server)
        let probe = try checkOutput("probe") { mxreg_probe_server(name, &raw, checkGuestAccess, $0, $1) }
        defer { mxreg_probe_free(probe) }
        return ServerProbe(
            homeserverURL: copied(mxreg_probe_homeserver_url(probe)) ?? server,
            signupMethods: SignupMethods(rawValue: mxreg_probe_signup_methods(probe)),
            authInfo: mxreg_probe_auth_info(probe).map(AuthInfo.init(native:)),
            json: copied(mxreg_probe_json(probe)) ?? "{}")
    }

    /// The `async` form: runs the probe on a thread of its own.
    public static func probe(_ server: String, options: ClientOptions = ClientOptions(), checkGuestAccess: Bool = false) async throws -> ServerProbe {
        try await Offload.run { try probe(server, options: options, checkGuestAccess: checkGuestAccess) }
    }
}
