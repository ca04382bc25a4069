@testable import Mxreg
import Testing

/// `Client.refresh`: a new pair, reuse refused, garbage refused.
@Suite(.noLeakedHandles)
struct RefreshTests {
    @Test func refreshGivesANewPairAndRefusesReuseAndGarbage() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let registration = try await Servers.registerWithDummy(client, RegisterRequest(username: Servers.uniqueUsername("ref"), password: Servers.password))
        let first = try #require(registration.refreshToken)
        let pair = try await client.refresh(first)
        #expect(pair.accessToken != registration.accessToken)
        #expect(try #require(pair.expiresInMs) > 0)
        #expect(!pair.description.contains(pair.accessToken))
        let second = try #require(pair.refreshToken, "Synapse rotates refresh tokens")
        // Using the new access token makes the old refresh token unusable.
        #expect(try Servers.whoami("open", pair.accessToken) == registration.userId)
        let reuse = await expectFailure(.forbidden) { try await client.refresh(first) }
        #expect(reuse?.httpStatus == 403)
        _ = try blocking { try client.refresh(second) }
        let garbage = await expectFailure(.unknownToken) { try await client.refresh("garbage") }
        #expect(garbage?.errcode == "M_UNKNOWN_TOKEN")
    }
}
