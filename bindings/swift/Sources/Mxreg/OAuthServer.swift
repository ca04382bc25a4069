import CMxreg

/// A homeserver's OAuth 2.0 authorization server (`Client.discoverOAuthServer`).
///
/// `Sendable`: the native server is immutable and thread-safe (it keeps its
/// client alive), and its handle is guarded by `NativeHandle`. The metadata
/// is copied at discovery. Close it when done; authorizations started from
/// it stay valid.
public final class OAuthServer: Sendable {
    let handle: NativeHandle
    /// Whether the server lets users create accounts (`prompt=create`).
    public let supportsSignUp: Bool
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    /// nil: no dynamic client registration (use a client ID from the operator).
    public let registrationEndpoint: String?
    public let revocationEndpoint: String?
    /// Whether the server offers the device authorization grant (`startDeviceAuthorization`).
    public let supportsDeviceAuthorization: Bool
    /// Where users manage their account, or nil.
    public let accountManagementURI: String?
    /// The whole metadata document, unknown fields included.
    public let metadataJSON: String

    init(_ pointer: OpaquePointer) {
        handle = NativeHandle("OAuth server", pointer, free: { mxreg_oauth_server_free($0) })
        supportsSignUp = mxreg_oauth_server_supports_sign_up(pointer)
        supportsDeviceAuthorization = mxreg_oauth_server_supports_device_authorization(pointer)
        issuer = copied(mxreg_oauth_server_issuer(pointer)) ?? ""
        authorizationEndpoint = copied(mxreg_oauth_server_authorization_endpoint(pointer)) ?? ""
        tokenEndpoint = copied(mxreg_oauth_server_token_endpoint(pointer)) ?? ""
        registrationEndpoint = copied(mxreg_oauth_server_registration_endpoint(pointer))
        revocationEndpoint = copied(mxreg_oauth_server_revocation_endpoint(pointer))
        accountManagementURI = copied(mxreg_oauth_server_account_management_uri(pointer))
        metadataJSON = copied(mxreg_oauth_server_metadata_json(pointer)) ?? "{}"
    }

    /// Register the app as a public client (RFC 7591); do it once per server
    /// and store the client ID. `.oauthUnsupported` without dynamic registration.
    public func registerClient(_ metadata: OAuthClientMetadata) throws -> OAuthRegisteredClient {
        let strings = CStrings()
        var raw = try metadata.native(strings)
        let registered = try handle.output("registered client") { mxreg_oauth_server_register_client($0, &raw, $1, $2) }
        defer { mxreg_oauth_registered_client_free(registered) }
        return OAuthRegisteredClient(
            clientId: copied(mxreg_oauth_registered_client_client_id(registered)) ?? "",
            metadataJSON: copied(mxreg_oauth_registered_client_metadata_json(registered)) ?? "{}")
    }

    /// Start an authorization (PKCE, `state`, for a sign-up `prompt=create`).
    /// No I/O: open its `url` in the browser, then `complete` with the redirect.
    public func startAuthorization(_ request: OAuthAuthorizationRequest) throws -> OAuthAuthorization {
        let strings = CStrings()
        var raw = try request.native(strings)
        return try OAuthAuthorization(handle.output("authorization") { mxreg_oauth_authorization_start($0, &raw, $1, $2) })
    }

    /// Start a device authorization (RFC 8628) for the app `clientId` on
    /// device `deviceId` (nil: a new one): show the user its `userCode` and
    /// `verificationURI`, then `poll()` or `wait()`. Blocks for one request;
    /// `.oauthUnsupported` when `supportsDeviceAuthorization` is false.
    public func startDeviceAuthorization(clientId: String, deviceId: String? = nil) throws -> OAuthDeviceAuthorization {
        let strings = CStrings()
        let id = try strings.put("clientId", clientId)
        let device = try strings.put("deviceId", deviceId)
        return try OAuthDeviceAuthorization(
            handle.output("device authorization") { mxreg_oauth_device_authorization_start($0, id, device, $1, $2) })
    }

    /// An authorization saved with `OAuthAuthorization.save()` (discover the
    /// server again after a restart). Text that is not one is `.invalidArgument`.
    public func restoreAuthorization(_ saved: String) throws -> OAuthAuthorization {
        let strings = CStrings()
        let text = try strings.put("saved", saved)
        return try OAuthAuthorization(handle.output("authorization") { mxreg_oauth_authorization_restore($0, text, $1, $2) })
    }

    /// Exchange a refresh token (rotated: keep the new one); an old or revoked one is `.oauthInvalidGrant`.
    public func refreshToken(clientId: String, _ refreshToken: String) throws -> Tokens {
        let strings = CStrings()
        let id = try strings.put("clientId", clientId)
        let token = try strings.put("refreshToken", refreshToken)
        return try Tokens(owned: handle.output("tokens") { mxreg_oauth_server_refresh_token($0, id, token, $1, $2) })
    }

    /// Revoke an access or refresh token (RFC 7009): the device is logged out.
    public func revokeToken(clientId: String, _ token: String) throws {
        let strings = CStrings()
        let id = try strings.put("clientId", clientId)
        let text = try strings.put("token", token)
        try handle.withPointer { server in try check { mxreg_oauth_server_revoke_token(server, id, text, $0) } }
    }

    public var isClosed: Bool { handle.isClosed }

    /// Free the server handle (after calls in progress). Safe to call twice.
    public func close() { handle.close() }
}
