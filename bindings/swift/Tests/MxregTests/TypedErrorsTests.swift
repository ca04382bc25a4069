@testable import Mxreg
import Testing

/// Typed errors with their payloads from the Synapse variants, and recovery onto the named device.
@Suite(.noLeakedHandles)
struct TypedErrorsTests {
    let password = Servers.password

    @Test func aDisabledServerGivesAResourceLimitWithItsAdminContact() async throws {
        let client = try Servers.client("limited")
        defer { client.close() }
        let request = RegisterRequest(username: Servers.uniqueUsername("lim"), password: password, auth: .dummy(session: nil))
        let refused = try #require(await expectFailure(.resourceLimitExceeded) { try await client.register(request) })
        #expect(refused.errcode == "M_RESOURCE_LIMIT_EXCEEDED")
        #expect(refused.adminContact == "mailto:admin@localhost")
        #expect(refused.consentURI == nil && refused.infoURI == nil && refused.deviceId == nil)
        #expect(!refused.canUpgrade)
    }

    @Test func aNameInAnAppserviceNamespaceIsExclusive() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let request = RegisterRequest(username: "mxregbot_" + Servers.uniqueUsername("x"), password: password, auth: .dummy(session: nil))
        await expectFailure(.exclusive) { try await client.register(request) }
    }

    @Test func guestsWhereGuestAccessIsOffAreForbidden() async throws {
        let client = try Servers.client("token")
        defer { client.close() }
        let refused = await expectFailure(.guestAccessForbidden) { try await client.registerGuest() }
        #expect(refused?.httpStatus == 403)
    }

    /// No answer is lost on demand by a real server: recovery re-sends the
    /// attempt for an account that exists, and ends on the device it named.
    @Test func recoveryEndsOnTheDeviceTheRegistrationNamed() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let request = RegisterRequest(username: Servers.uniqueUsername("recover"), password: password)
        let first = try await Servers.registerWithDummy(client, request)
        let device = try #require(first.deviceId)
        #expect(device.count == 10, "chosen by mxreg: \(device)")
        let again = try await client.recoverRegistration(request.with(auth: .dummy(session: nil)).with(deviceId: device))
        #expect(again.userId == first.userId)
        #expect(again.deviceId == device)
        await expectFailure(.invalidArgument) { try await client.recoverRegistration(request) }
        // Nothing was lost for a new name: the server's flows come back.
        let fresh = RegisterRequest(username: Servers.uniqueUsername("recover"), password: password, deviceId: "NEVERUSED")
        await expectFailure(.authRequired) { try await Servers.retryingRateLimits { try await client.recoverRegistration(fresh) } }
    }

    @Test func aSignupWithNothingLostHasNothingToRecover() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let signup = try client.signup(RegisterRequest(username: Servers.uniqueUsername("srecover"), password: password))
        defer { signup.close() }
        await expectFailure(.invalidState) { try await signup.recover() }
        try await Servers.retryingRateLimits { try await signup.start() }
        #expect(try signup.status == .complete)
        await expectFailure(.invalidState) { try await signup.recover() }
    }
}
