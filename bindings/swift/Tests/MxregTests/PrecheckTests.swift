@testable import Mxreg
import Testing

/// Pre-checks: the local username grammar, availability and registration tokens on the server.
@Suite(.noLeakedHandles)
struct PrecheckTests {
    @Test func theUsernameGrammarIsCheckedLocally() throws {
        try Username.check("alice.smith-1")
        let upper = expectFailureBlocking(.invalidArgument) { try Username.check("Alice") }
        #expect(upper?.httpStatus == nil && upper?.message.isEmpty == false)
        expectFailureBlocking(.invalidArgument) { try Username.check("bad name") }
        expectFailureBlocking(.invalidArgument) { try Username.check(String(repeating: "a", count: 250), serverName: "example.org") }
        try Username.check(String(repeating: "a", count: 200))
    }

    @Test func availabilityIsAskedOnTheServerAfterTheGrammar() async throws {
        // Synapse allows about one availability call per second per IP.
        let client = try Servers.client("open", options: ClientOptions(rateLimitMaxWait: .seconds(20)))
        defer { client.close() }
        let name = Servers.uniqueUsername("avail")
        #expect(try await client.usernameAvailable(name))
        _ = try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: Servers.password))
        #expect(try await !client.usernameAvailable(name))
        await expectFailure(.invalidArgument) { try await client.usernameAvailable("Bad Name") }
        await expectFailure(.invalidUsername) { try await client.usernameAvailable("_reserved") }
    }

    @Test func registrationTokensAreCheckedOnTheServer() async throws {
        let token = try Servers.client("token")
        defer { token.close() }
        #expect(try await token.registrationTokenValid(await Servers.createRegistrationToken()))
        #expect(try await !token.registrationTokenValid("doesnotexist"))
        let closed = try Servers.client("closed")
        defer { closed.close() }
        await expectFailure(.forbidden) { try await closed.registrationTokenValid("anything") }
    }
}
