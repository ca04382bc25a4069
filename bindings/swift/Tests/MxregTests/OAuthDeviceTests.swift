@testable import Mxreg
import Foundation
import Testing

/// The device authorization grant (RFC 8628) on the rig's OAuth-delegated
/// Synapse: approved, denied, left to expire. The user's other device is
/// played by `tests/oauth/browser.py --device`.
@Suite(.noLeakedHandles)
struct OAuthDeviceTests {
    static let password = "device-Passw0rd-long"
    /// The rig gives clients with this in their name device codes that expire after 3 s.
    static let shortLived = "(short-lived device codes)"

    private func withServer<T>(_ name: String = "mxreg Swift device tests", _ body: (OAuthServer, String) async throws -> T) async throws -> T {
        let client = try Servers.client("oauth")
        defer { client.close() }
        let server = try await client.discoverOAuthServer()
        defer { server.close() }
        let app = OAuthClientMetadata(clientURI: "https://mxreg.test.invalid/", redirectURIs: [OAuthTests.redirectURI], clientName: name)
        return try await body(server, try await server.registerClient(app).clientId)
    }

    /// The user on another device: `approved` or `denied`.
    private func userVisits(_ device: OAuthDeviceAuthorization, username: String, action: String) async throws -> String {
        let uri = try #require(device.verificationURIComplete)
        return try await Servers.python(Servers.repository.appendingPathComponent("tests/oauth/browser.py").path, [
            "--device", uri, "--username", username, "--password", Self.password, "--action", action,
        ])
    }

    /// A new account through the code flow (the device flow only signs in).
    private func signUp(_ server: OAuthServer, _ clientId: String) async throws -> String {
        let name = Servers.uniqueUsername("dev")
        let authorization = try server.startAuthorization(OAuthAuthorizationRequest(clientId: clientId, redirectURI: OAuthTests.redirectURI))
        defer { authorization.close() }
        let redirect = try await Servers.python(Servers.repository.appendingPathComponent("tests/oauth/browser.py").path, [
            authorization.url, "--redirect-uri", OAuthTests.redirectURI, "--username", name, "--password", Self.password, "--action", "signup",
        ])
        _ = try await authorization.complete(redirectURL: redirect)
        return name
    }

    @Test func approvedOnAnotherDevice() async throws {
        try await withServer { server, clientId in
            #expect(server.supportsDeviceAuthorization)
            let name = try await signUp(server, clientId)
            let device = try await server.startDeviceAuthorization(clientId: clientId)
            defer { device.close() }
            #expect(!device.userCode.isEmpty)
            #expect(device.verificationURI.hasSuffix("/device"), "\(device.verificationURI)")
            #expect(try device.intervalMs >= 1000)
            #expect(device.expiresAtMs > 0)
            let pending = await expectFailure(.oauthAuthorizationPending) { try await device.poll() }
            #expect(pending?.errcode == "authorization_pending")
            #expect(try await userVisits(device, username: name, action: "login") == "approved")
            let account = try await device.wait()
            #expect(account.userId == "@\(name):localhost")
            #expect(account.deviceId == device.deviceId)
            #expect(try Servers.whoami("oauth", try #require(account.accessToken)) == account.userId)
            await expectFailure(.oauthInvalidGrant) { try await device.poll() }
        }
    }

    @Test func deniedIsAccessDenied() async throws {
        try await withServer { server, clientId in
            let device = try await server.startDeviceAuthorization(clientId: clientId)
            defer { device.close() }
            #expect(try await userVisits(device, username: Servers.uniqueUsername("devno"), action: "deny") == "denied")
            let denied = await expectFailure(.oauthAccessDenied) { try await device.wait() }
            #expect(denied?.errcode == "access_denied")
        }
    }

    @Test func aCodeLeftToExpireIsExpiredToken() async throws {
        try await withServer("mxreg Swift device tests \(Self.shortLived)") { server, clientId in
            let device = try await server.startDeviceAuthorization(clientId: clientId, deviceId: "MXREGSWDEV")
            defer { device.close() }
            #expect(device.deviceId == "MXREGSWDEV")
            let left = device.expiresAtMs - Int64(Date().timeIntervalSince1970 * 1000)
            #expect(left <= 3000, "the rig's short-lived codes last 3 s, not \(left) ms")
            try await Task.sleep(for: .milliseconds(max(left, 0) + 1000))
            await expectFailure(.oauthExpiredToken) { try await device.poll() }
        }
    }

}
