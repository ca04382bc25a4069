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

/// The parts of a probe found out on their own (`mxreg_probe_part`).
public struct ProbePart: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `GET /login`: the login types (and so SSO).
    public static let login = ProbePart(rawValue: MXREG_PROBE_PART_LOGIN.rawValue)
    /// The OAuth 2.0 server metadata.
    public static let oauth = ProbePart(rawValue: MXREG_PROBE_PART_OAUTH.rawValue)
    /// The empty `POST /register`: legacy registration and its flows.
    public static let registration = ProbePart(rawValue: MXREG_PROBE_PART_REGISTRATION.rawValue)
    /// The guest registration (only when asked for).
    public static let guest = ProbePart(rawValue: MXREG_PROBE_PART_GUEST.rawValue)
}

/// A part the probe could not find out, and the error it met.
public struct UnknownProbePart: Sendable {
    public let part: ProbePart
    public let result: ResultCode
    public let message: String
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
    /// The parts that could not be found out (a timeout, a rate limit, a
    /// server error): with any, the answer is not one to rely on; ask again later.
    public let unknown: [UnknownProbePart]

    /// Find out what sign-up `server` offers: a server name (`example.org`,
    /// through `.well-known`) or a URL. With `checkGuestAccess` it also
    /// tries a guest registration (which creates a guest account where
    /// allowed). Something that is not a homeserver is `.invalidResponse`.
    /// Blocks for a connection and about two round trips (the guest check
    /// one more), at most `options.callTimeout`.
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
            json: copied(mxreg_probe_json(probe)) ?? "{}",
            unknown: (0..<mxreg_probe_unknown_count(probe)).map { index in
                UnknownProbePart(
                    part: ProbePart(rawValue: mxreg_probe_unknown_part(probe, index)),
                    result: ResultCode(rawValue: mxreg_probe_unknown_result(probe, index)),
                    message: copied(mxreg_probe_unknown_message(probe, index)) ?? "")
            })
    }

    /// The `async` form: runs the probe on a thread of its own.
    public static func probe(_ server: String, options: ClientOptions = ClientOptions(), checkGuestAccess: Bool = false) async throws -> ServerProbe {
        try await Offload.run { try probe(server, options: options, checkGuestAccess: checkGuestAccess) }
    }
}
