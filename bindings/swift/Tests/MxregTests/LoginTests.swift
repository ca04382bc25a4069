@testable import Mxreg
import Testing

/// `Client.login` on the open Synapse: password, wrong password, unknown user, a login token used twice.
@Suite(.noLeakedHandles)
struct LoginTests {
    let password = Servers.password

    /// A new account registered with `inhibitLogin` (no device yet); its localpart.
    private func accountWithoutDevice(_ client: Client, _ prefix: String) async throws -> String {
        let name = Servers.uniqueUsername(prefix)
        let registration = try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: password, inhibitLogin: true))
        #expect(registration.accessToken == nil)
        return name
    }

    @Test func passwordLoginAfterAnInhibitLoginRegistration() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let name = try await accountWithoutDevice(client, "login")
        let account = try await client.login(.password(user: name, password, initialDeviceDisplayName: "mxreg swift"))
        #expect(account.userId == "@\(name):localhost")
        let token = try #require(account.accessToken)
        #expect(account.deviceId != nil)
        #expect(account.refreshToken != nil)
        #expect(try Servers.whoami("open", token) == account.userId)
        #expect(!account.description.contains(token))

        let byUserId = try await client.login(.password(user: "@\(name):localhost", password, refreshToken: false))
        #expect(byUserId.userId == account.userId)
        #expect(byUserId.refreshToken == nil)
    }

    @Test func wrongPasswordAndUnknownUserAreForbidden() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let name = try await accountWithoutDevice(client, "lwrong")
        let wrong = await expectFailure(.forbidden) { try await client.login(.password(user: name, "not-the-Passw0rd")) }
        #expect(wrong?.errcode == "M_FORBIDDEN")
        #expect(wrong?.httpStatus == 403)
        #expect(wrong?.description.contains("not-the-Passw0rd") == false)
        await expectFailure(.forbidden) { try await client.login(.password(user: Servers.uniqueUsername("lnobody"), password)) }
    }

    @Test func aLoginTokenWorksOnce() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let name = try await accountWithoutDevice(client, "ltoken")
        let token = try await Servers.rig(["login-token", "open", "--user", "@\(name):localhost"])
        let request = LoginRequest.token(token)
        var dumped = ""
        dump(request, to: &dumped)
        for text in [request.description, dumped] { #expect(!text.contains(token), "\(text)") }
        let account = try await client.login(request)
        #expect(account.userId == "@\(name):localhost")
        #expect(account.accessToken != nil)
        await expectFailure(.forbidden) { try await client.login(request) }
    }
}
