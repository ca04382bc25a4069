import Foundation
@testable import Mxreg
import Testing

/// Single sign-on on the rig's `sso` variant (Synapse with the rig's OAuth
/// server as its upstream OpenID Connect provider): `ssoURL`,
/// tests/oauth/browser.py playing the browser, `ssoComplete`. The scenarios
/// of the C and Python suites.
@Suite(.noLeakedHandles)
struct SSOTests {
    /// Never opened: the rig's Synapse redirects there without a confirmation page.
    static let redirectURL = "http://127.0.0.1:9/mxreg-sso"
    static let identityProvider = "oidc-rig"

    /// The user's browser from `url` to the redirect back to the app (returned unopened).
    private func browse(_ url: String, _ username: String, _ action: String = "signup") async throws -> String {
        try await Servers.python(Servers.repository.appendingPathComponent("tests/oauth/browser.py").path, [
            url, "--redirect-uri", Self.redirectURL, "--username", username, "--password", Servers.password, "--action", action,
        ])
    }

    @Test func theFirstSignInCreatesTheAccountAndTheSecondLogsIntoIt() async throws {
        let client = try Servers.client("sso")
        defer { client.close() }
        let name = Servers.uniqueUsername("swsso")
        let url = try await client.ssoURL(identityProvider: Self.identityProvider, redirectURL: Self.redirectURL)
        #expect(url.hasPrefix(try Servers.url("sso") + "/_matrix/client/v3/login/sso/redirect/\(Self.identityProvider)?redirectUrl="))
        #expect(url.hasSuffix("&action=register"))
        let account = try await client.ssoComplete(receivedRedirectURL: try await browse(url, name))
        #expect(account.userId == "@\(name):localhost")
        #expect(account.accessToken != nil && account.deviceId != nil)

        let again = try await client.ssoComplete(
            receivedRedirectURL: try await browse(try await client.ssoURL(redirectURL: Self.redirectURL, action: .login), name, "login"))
        #expect(again.userId == account.userId)
        #expect(again.deviceId != account.deviceId)
    }

    @Test func aLoginTokenIsRedeemedOnce() async throws {
        let client = try Servers.client("sso")
        defer { client.close() }
        let received = try await browse(
            try await client.ssoURL(identityProvider: Self.identityProvider, redirectURL: Self.redirectURL), Servers.uniqueUsername("swssotw"))
        _ = try await client.ssoComplete(receivedRedirectURL: received)
        let error = await expectFailure(.forbidden) { try await client.ssoComplete(receivedRedirectURL: received) }
        let token = try #require(received.components(separatedBy: "loginToken=").last)
        #expect(!(error?.message.contains(token) ?? true))
    }

    @Test func badInputGetsAClearCode() async throws {
        let sso = try Servers.client("sso")
        defer { sso.close() }
        let open = try Servers.client("open")
        defer { open.close() }
        await expectFailure(.invalidArgument) { try await sso.ssoURL(identityProvider: "oidc-nowhere", redirectURL: Self.redirectURL) }
        await expectFailure(.invalidArgument) { try await sso.ssoURL(redirectURL: "/mxreg-sso") }
        await expectFailure(.unsupportedFlow) { try await open.ssoURL(redirectURL: Self.redirectURL) }
        await expectFailure(.invalidArgument) { try await sso.ssoComplete(receivedRedirectURL: Self.redirectURL + "?error=denied") }
    }
}
