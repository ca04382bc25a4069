import CMxreg

/// How to log in to an existing account (`Client.login`): with a password,
/// or with a single-use login token (an SSO redirect's `loginToken`). Its
/// description hides the password and the token.
public struct LoginRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The localpart (`alice`) or full user ID, with `password`; nil with `loginToken`.
    public var user: String?
    /// The password (a secret), or nil with `loginToken`.
    public var password: String?
    /// A single-use login token (a secret), or nil with `password`.
    public var loginToken: String?
    /// A device ID to reuse (its old tokens are replaced); nil lets the server generate one.
    public var deviceId: String?
    /// Display name of a new device; ignored for an existing `deviceId`.
    public var initialDeviceDisplayName: String?
    /// Ask for a refresh token.
    public var refreshToken: Bool

    /// `m.login.password` for `user` (a localpart or a full user ID).
    public static func password(
        user: String, _ password: String, deviceId: String? = nil, initialDeviceDisplayName: String? = nil, refreshToken: Bool? = nil
    ) -> LoginRequest {
        LoginRequest(
            user: user, password: password, loginToken: nil, deviceId: deviceId, initialDeviceDisplayName: initialDeviceDisplayName,
            refreshToken: refreshToken ?? defaults.refresh_token)
    }

    /// `m.login.token` with a single-use login token.
    public static func token(
        _ loginToken: String, deviceId: String? = nil, initialDeviceDisplayName: String? = nil, refreshToken: Bool? = nil
    ) -> LoginRequest {
        LoginRequest(
            user: nil, password: nil, loginToken: loginToken, deviceId: deviceId, initialDeviceDisplayName: initialDeviceDisplayName,
            refreshToken: refreshToken ?? defaults.refresh_token)
    }

    private static var defaults: mxreg_login_request { initialized(mxreg_login_request()) { mxreg_login_request_init($0) } }

    /// The C struct: the library's defaults with every field of this request over them.
    func native(_ strings: CStrings) throws -> mxreg_login_request {
        var raw = Self.defaults
        raw.user = try strings.put("user", user)
        raw.password = try strings.put("password", password)
        raw.login_token = try strings.put("loginToken", loginToken)
        raw.device_id = try strings.put("deviceId", deviceId)
        raw.initial_device_display_name = try strings.put("initialDeviceDisplayName", initialDeviceDisplayName)
        raw.refresh_token = refreshToken
        return raw
    }

    public var description: String {
        "LoginRequest(user: \(user ?? "nil"), password: \(redacted(password)), loginToken: \(redacted(loginToken)), "
            + "deviceId: \(deviceId ?? "nil"), refreshToken: \(refreshToken))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["user": user as Any, "description": description]) }
}

/// What the SSO URL asks the server for (`mxreg_sso_action`).
public enum SSOAction: Sendable {
    /// Sign-up: the server may show its registration pages first.
    case register
    /// Sign-in to an existing account.
    case login

    var rawValue: UInt32 {
        switch self {
        case .register: MXREG_SSO_ACTION_REGISTER.rawValue
        case .login: MXREG_SSO_ACTION_LOGIN.rawValue
        }
    }
}
