import CMxreg

/// The `kind` of account to register.
public enum AccountKind: UInt32, Sendable, CaseIterable {
    /// A normal user account.
    case user = 0
    /// A guest account: no username or password (the server must allow guests).
    case guest = 1
}

/// One `POST /register` attempt (or what a `Signup` registers). Send the
/// username and password with every attempt of a UIA session, plus the
/// `auth` that completes the next stage. Its description hides the secrets.
///
/// Fields left out take the library's defaults (`mxreg_register_request_init`):
/// a user account, a refresh token requested, logging in.
public struct RegisterRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The desired localpart (`alice` for `@alice:server`); nil lets the server choose.
    public var username: String?
    /// The password (a secret).
    public var password: String?
    /// The stage to complete with this attempt; nil for the first one.
    public var auth: Auth?
    /// A device ID to use; nil lets mxreg choose one for the attempt (the
    /// registration, or an `.outcomeUnknown` error's `deviceId`, gives it back).
    public var deviceId: String?
    /// Display name of the new device.
    public var initialDeviceDisplayName: String?
    /// Create the account without logging in: no access token or device.
    public var inhibitLogin: Bool
    /// Ask for a refresh token.
    public var refreshToken: Bool
    public var kind: AccountKind
    /// Upgrade a guest: its access token (with the guest's localpart as `username`).
    public var guestAccessToken: String?
    /// Register as an application service with its `as_token`.
    public var appserviceToken: String?

    public init(
        username: String? = nil, password: String? = nil, auth: Auth? = nil, deviceId: String? = nil,
        initialDeviceDisplayName: String? = nil, inhibitLogin: Bool? = nil, refreshToken: Bool? = nil,
        kind: AccountKind? = nil, guestAccessToken: String? = nil, appserviceToken: String? = nil
    ) {
        let defaults = Self.defaults
        self.username = username
        self.password = password
        self.auth = auth
        self.deviceId = deviceId
        self.initialDeviceDisplayName = initialDeviceDisplayName
        self.inhibitLogin = inhibitLogin ?? defaults.inhibit_login
        self.refreshToken = refreshToken ?? defaults.refresh_token
        self.kind = kind ?? AccountKind(rawValue: defaults.kind) ?? .user
        self.guestAccessToken = guestAccessToken
        self.appserviceToken = appserviceToken
    }

    /// Turn `guest` into a full account named after its localpart (Synapse
    /// requires that name), keeping its user ID.
    public static func upgradingGuest(_ guest: Registration, password: String, auth: Auth? = nil) throws -> RegisterRequest {
        guard let token = guest.accessToken else {
            throw MxregError(local: .invalidArgument, "the guest registration has no access token")
        }
        return RegisterRequest(username: guest.localpart, password: password, auth: auth, guestAccessToken: token)
    }

    /// The same request completing another stage.
    public func with(auth: Auth?) -> RegisterRequest {
        var copy = self
        copy.auth = auth
        return copy
    }

    /// The same request on device `deviceId` (for `Client.recoverRegistration`).
    public func with(deviceId: String?) -> RegisterRequest {
        var copy = self
        copy.deviceId = deviceId
        return copy
    }

    private static var defaults: mxreg_register_request { initialized(mxreg_register_request()) { mxreg_register_request_init($0) } }

    /// The C struct: the library's defaults with every field of this request over them.
    func native(_ strings: CStrings) throws -> mxreg_register_request {
        var raw = Self.defaults
        raw.username = try strings.put("username", username)
        raw.password = try strings.put("password", password)
        raw.auth_json = try strings.put("auth", auth?.json)
        raw.device_id = try strings.put("deviceId", deviceId)
        raw.initial_device_display_name = try strings.put("initialDeviceDisplayName", initialDeviceDisplayName)
        raw.guest_access_token = try strings.put("guestAccessToken", guestAccessToken)
        raw.appservice_token = try strings.put("appserviceToken", appserviceToken)
        raw.kind = kind.rawValue
        raw.inhibit_login = inhibitLogin
        raw.refresh_token = refreshToken
        return raw
    }

    public var description: String {
        "RegisterRequest(username: \(username ?? "nil"), password: \(redacted(password)), auth: \(auth.map(\.description) ?? "nil"), "
            + "deviceId: \(deviceId ?? "nil"), inhibitLogin: \(inhibitLogin), refreshToken: \(refreshToken), kind: \(kind), "
            + "guestAccessToken: \(redacted(guestAccessToken)), appserviceToken: \(redacted(appserviceToken)))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["username": username as Any, "kind": kind, "description": description])
    }
}

func redacted(_ secret: String?) -> String { secret == nil ? "nil" : "<redacted>" }
