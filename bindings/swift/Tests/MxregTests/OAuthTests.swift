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
    private func browse(_ authorization: OAuthAuthorization, username: String, action: String = "signup") async throws -> String {
        try await Servers.python(Servers.repository.appendingPathComponent("tests/oauth/browser.py").path, [
            authorization.url, "--redirect-uri", Self.redirectURI, "--username", username, "--password", Self.password, "--action", action,
        ])
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
