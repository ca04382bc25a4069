import CMxreg

/// The Matrix user ID grammar, checked locally.
public enum Username {
    /// Check `username` (a localpart) against the Matrix user ID grammar,
    /// without any request; `.invalidArgument` says what is wrong.
    /// `serverName` adds the 255-byte length check for `@username:serverName`.
    public static func check(_ username: String, serverName: String? = nil) throws {
        try Library.check()
        let strings = CStrings()
        let name = try strings.put("username", username)
        let server = try strings.put("serverName", serverName)
        try Mxreg.check { mxreg_username_check(name, server, $0) }
    }
}

/// Facts about the linked libmxreg and what this process holds of it.
/// (Not named `Mxreg`: a type named like its module breaks `Mxreg.Client`.)
public enum MxregLibrary {
    /// The linked library's version, e.g. `0.1.0`.
    public static var version: String { String(cString: mxreg_version()) }

    /// Native handles this process holds now, by kind (empty when none).
    public static var liveHandles: [String: Int] { LiveHandles.all.withLock { $0 } }
}

extension Client {
    /// Whether `username` is free (`GET /register/available`), after the
    /// local grammar check. Synapse allows about one call a second: expect
    /// `.rateLimited`, or set `ClientOptions.rateLimitMaxWait`.
    public func usernameAvailable(_ username: String) throws -> Bool {
        try ask("username", username) { mxreg_client_username_available($0, $1, $2, $3) }
    }

    /// Whether `token` is a valid registration token (servers that need none may say false).
    public func registrationTokenValid(_ token: String) throws -> Bool {
        try ask("token", token) { mxreg_client_registration_token_valid($0, $1, $2, $3) }
    }

    private func ask(
        _ field: String, _ value: String,
        _ call: (OpaquePointer, UnsafePointer<CChar>?, UnsafeMutablePointer<Bool>, UnsafeMutablePointer<OpaquePointer?>) -> UInt32
    ) throws -> Bool {
        let strings = CStrings()
        let text = try strings.put(field, value)
        var answer = false
        try handle.withPointer { client in try check { call(client, text, &answer, $0) } }
        return answer
    }
}
