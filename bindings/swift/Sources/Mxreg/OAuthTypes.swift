import CMxreg

/// Create an account, or sign in to an existing one (`mxreg_oauth_intent`).
public enum OAuthIntent: UInt32, Sendable, CaseIterable {
    /// `prompt=create`: the server shows its sign-up form.
    case signUp = 0
    case login = 1
}

/// What kind of app registers (`mxreg_oauth_application_type`).
public enum OAuthApplicationType: UInt32, Sendable, CaseIterable {
    /// Mobile or desktop: loopback or private-use scheme (`com.example.app:/callback`) redirect URIs.
    case native = 0
    /// Web app: https redirect URIs on the host of `clientURI`.
    case web = 1
}

/// Where the server puts the result in the redirect (`mxreg_oauth_response_mode`).
public enum OAuthResponseMode: UInt32, Sendable, CaseIterable {
    case query = 0
    case fragment = 1
}

/// How the app describes itself when it registers as an OAuth client.
public struct OAuthClientMetadata: Sendable {
    /// The app's web page (https); other URIs share its host.
    public var clientURI: String
    /// 1 to 64 redirect URIs, e.g. `com.example.app:/callback` on iOS.
    public var redirectURIs: [String]
    /// The name users see on the consent page.
    public var clientName: String?
    public var applicationType: OAuthApplicationType
    public var logoURI: String?
    public var policyURI: String?
    public var tosURI: String?

    public init(
        clientURI: String, redirectURIs: [String], clientName: String? = nil, applicationType: OAuthApplicationType = .native,
        logoURI: String? = nil, policyURI: String? = nil, tosURI: String? = nil
    ) {
        self.clientURI = clientURI
        self.redirectURIs = redirectURIs
        self.clientName = clientName
        self.applicationType = applicationType
        self.logoURI = logoURI
        self.policyURI = policyURI
        self.tosURI = tosURI
    }

    func native(_ strings: CStrings) throws -> mxreg_oauth_client_metadata {
        var raw = initialized(mxreg_oauth_client_metadata()) { mxreg_oauth_client_metadata_init($0) }
        raw.client_uri = try strings.put("clientURI", clientURI)
        raw.redirect_uris = try strings.putArray("redirectURIs", redirectURIs)
        raw.redirect_uri_count = redirectURIs.count
        raw.client_name = try strings.put("clientName", clientName)
        raw.application_type = applicationType.rawValue
        raw.logo_uri = try strings.put("logoURI", logoURI)
        raw.policy_uri = try strings.put("policyURI", policyURI)
        raw.tos_uri = try strings.put("tosURI", tosURI)
        return raw
    }
}

/// What to authorize with `OAuthServer.startAuthorization`.
public struct OAuthAuthorizationRequest: Sendable {
    /// From `OAuthServer.registerClient` (stored from an earlier run) or the server's operator.
    public var clientId: String
    /// One of the client's registered redirect URIs.
    public var redirectURI: String
    public var intent: OAuthIntent
    /// The device to create (A-Z a-z 0-9 - . _ ~); nil generates one.
    public var deviceId: String?
    /// A hint for the server's form, e.g. `mxid:@alice:example.org`.
    public var loginHint: String?
    public var responseMode: OAuthResponseMode

    public init(
        clientId: String, redirectURI: String, intent: OAuthIntent = .signUp, deviceId: String? = nil, loginHint: String? = nil,
        responseMode: OAuthResponseMode = .query
    ) {
        self.clientId = clientId
        self.redirectURI = redirectURI
        self.intent = intent
        self.deviceId = deviceId
        self.loginHint = loginHint
        self.responseMode = responseMode
    }

    func native(_ strings: CStrings) throws -> mxreg_oauth_authorization_request {
        var raw = initialized(mxreg_oauth_authorization_request()) { mxreg_oauth_authorization_request_init($0) }
        raw.client_id = try strings.put("clientId", clientId)
        raw.redirect_uri = try strings.put("redirectURI", redirectURI)
        raw.device_id = try strings.put("deviceId", deviceId)
        raw.login_hint = try strings.put("loginHint", loginHint)
        raw.intent = intent.rawValue
        raw.response_mode = responseMode.rawValue
        return raw
    }
}

/// The app's registration as a public OAuth client: store `clientId` and reuse it.
public struct OAuthRegisteredClient: Sendable {
    public let clientId: String
    /// The server's answer as JSON, secrets left out.
    public let metadataJSON: String
}
