import Foundation
@testable import Mxreg
import Testing

/// OAuth 2.0 sign-up on the rig's OAuth-delegated Synapse (`MXREG_HS_OAUTH`),
/// with the user's browser played by `tests/oauth/browser.py`.
@Suite(.noLeakedHandles)
struct OAuthTests {
    /// Nothing listens there: the browser stops at the redirect.
    static let redirectURI = "http://127.0.0.1:18199/callback"
    static let password = "oauth-Passw0rd-long"
    static let app = OAuthClientMetadata(clientURI: "https://mxreg.test.invalid/", redirectURIs: [redirectURI], clientName: "mxreg Swift tests")

    /// The redirect the user's browser reaches after the server's pages.
    static func browse(
        _ authorization: OAuthAuthorization, username: String, action: String = "signup", redirectURI: String = redirectURI
    ) async throws -> String {
        try await Servers.python(Servers.repository.appendingPathComponent("tests/oauth/browser.py").path, [
            authorization.url, "--redirect-uri", redirectURI, "--username", username, "--password", password, "--action", action,
        ])
    }

    private func browse(_ authorization: OAuthAuthorization, username: String, action: String = "signup") async throws -> String {
        try await Self.browse(authorization, username: username, action: action)
    }

    private func withServer<T>(_ body: (OAuthServer, String) async throws -> T) async throws -> T {
        let client = try Servers.client("oauth")
        defer { client.close() }
        let server = try await client.discoverOAuthServer()
        defer { server.close() }
        return try await body(server, try await server.registerClient(Self.app).clientId)
    }

    private func start(_ server: OAuthServer, _ clientId: String, intent: OAuthIntent = .signUp) throws -> OAuthAuthorization {
        try server.startAuthorization(OAuthAuthorizationRequest(clientId: clientId, redirectURI: Self.redirectURI, intent: intent))
    }

    @Test func theServerOffersSignUpAndRefusesLegacyRegistration() async throws {
        try await withServer { server, clientId in
            #expect(server.supportsSignUp)
            #expect(server.registrationEndpoint != nil)
            #expect(server.issuer.hasPrefix("http"), "\(server.issuer)")
            #expect(server.metadataJSON.contains("authorization_endpoint"))
            #expect(!clientId.isEmpty)
        }
        let probe = try await ServerProbe.probe(Servers.url("oauth"))
        #expect(probe.signupMethods.contains(.oauthCreate), "\(probe)")
        #expect(!probe.signupMethods.contains(.legacy), "\(probe)")
        let client = try Servers.client("oauth")
        defer { client.close() }
        await expectFailure(.forbidden) {
            try await client.register(RegisterRequest(username: Servers.uniqueUsername("oleg"), password: Self.password))
        }
    }

    /// Registered without the port (RFC 8252 §7.3): each flow registers a client and may use any port.
    @Test func eachFlowRegistersAClientAndMayUseAnyLoopbackPort() async throws {
        let client = try Servers.client("oauth")
        defer { client.close() }
        let server = try await client.discoverOAuthServer()
        defer { server.close() }
        for port in [18197, 18198] {
            let registered = try await server.registerClient(Self.app)
            #expect(registered.metadataJSON.contains(#""http://127.0.0.1/callback""#), "\(registered.metadataJSON)")
            let redirectURI = "http://127.0.0.1:\(port)/callback"
            let name = Servers.uniqueUsername("oport")
            let authorization = try server.startAuthorization(OAuthAuthorizationRequest(clientId: registered.clientId, redirectURI: redirectURI))
            defer { authorization.close() }
            let redirect = try await Self.browse(authorization, username: name, redirectURI: redirectURI)
            #expect(try await authorization.complete(redirectURL: redirect).userId == "@\(name):localhost")
        }
    }

    /// The probe's summary names the device grant and the (absent) SSO providers.
    @Test func theProbeReportsTheDeviceGrantAndNoSSO() async throws {
        let probe = try await ServerProbe.probe(Servers.url("oauth"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(probe.json.utf8)) as? [String: Any])
        #expect(summary["oauth_device_authorization"] as? Bool == true, "\(probe.json)")
        #expect((summary["sso_identity_providers"] as? [Any])?.isEmpty == true, "\(probe.json)")
        #expect(summary["oauth_aware_preferred"] as? Bool == false, "\(probe.json)")
    }

    @Test func aLegacyHomeserverHasNoOAuth() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        await expectFailure(.oauthUnsupported) { try await client.discoverOAuthServer() }
    }

    @Test func signUpCreatesAnAccountThatRefreshesAndIsRevoked() async throws {
        let name = Servers.uniqueUsername("osign")
        try await withServer { server, clientId in
            let authorization = try start(server, clientId)
            defer { authorization.close() }
            #expect(authorization.intent == .signUp)
            #expect(authorization.url.contains("prompt=create"), "\(authorization.url)")
            let redirect = try await browse(authorization, username: name)
            let registration = try await authorization.complete(redirectURL: redirect)
            #expect(registration.userId == "@\(name):localhost")
            #expect(registration.deviceId == authorization.deviceId)
            let access = try #require(registration.accessToken)
            #expect(try Servers.whoami("oauth", access) == registration.userId)

            let first = try #require(registration.refreshToken)
            let pair = try await server.refreshToken(clientId: clientId, first)
            #expect(pair.accessToken != access)
            let rotated = try #require(pair.refreshToken)
            await expectFailure(.oauthInvalidGrant) { try await server.refreshToken(clientId: clientId, first) }
            try await server.revokeToken(clientId: clientId, rotated)
            #expect(try Servers.whoami("oauth", pair.accessToken) == nil, "revoked: the device is logged out")
            // The code was used: a replay is refused.
            await expectFailure(.oauthInvalidGrant) { try await authorization.complete(redirectURL: redirect) }
        }
    }

    @Test func aRedirectForAnotherAuthorizationIsAStateMismatch() async throws {
        try await withServer { server, clientId in
            let first = try start(server, clientId)
            defer { first.close() }
            let second = try start(server, clientId)
            defer { second.close() }
            let redirect = try await browse(first, username: Servers.uniqueUsername("ostate"))
            #expect(first.state != second.state)
            await expectFailure(.oauthStateMismatch) { try await second.complete(redirectURL: redirect) }
            _ = try await first.complete(redirectURL: redirect)
        }
    }

    @Test func aDeniedConsentIsAccessDenied() async throws {
        try await withServer { server, clientId in
            let authorization = try start(server, clientId)
            defer { authorization.close() }
            let redirect = try await browse(authorization, username: Servers.uniqueUsername("odeny"), action: "deny")
            let error = await expectFailure(.oauthAccessDenied) { try await authorization.complete(redirectURL: redirect) }
            #expect(error?.errcode == "access_denied")
        }
    }

    @Test func aSavedAuthorizationCompletesAfterARestart() async throws {
        let name = Servers.uniqueUsername("osave")
        let (saved, redirect) = try await withServer { server, clientId in
            let authorization = try start(server, clientId)
            defer { authorization.close() }
            return (try authorization.save(), try await browse(authorization, username: name))
        }
        // A new process: discover again, restore, complete.
        let client = try Servers.client("oauth")
        defer { client.close() }
        let server = try await client.discoverOAuthServer()
        defer { server.close() }
        expectFailureBlocking(.invalidArgument) { try server.restoreAuthorization("{}") }
        let restored = try server.restoreAuthorization(saved)
        defer { restored.close() }
        #expect(try await restored.complete(redirectURL: redirect).userId == "@\(name):localhost")
    }
}
