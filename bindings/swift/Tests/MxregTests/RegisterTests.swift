import Foundation
@testable import Mxreg
import Testing

/// One-shot `POST /register` (`Client.register`) against the Synapse variants.
@Suite(.noLeakedHandles)
struct RegisterTests {
    let password = Servers.password

    @Test func dummyStageRegistrationTakesTwoRequests() async throws {
        let name = Servers.uniqueUsername("ok")
        let client = try Servers.client("open")
        defer { client.close() }
        let request = RegisterRequest(username: name, password: password, initialDeviceDisplayName: "swift test")
        let challenge = try #require(await expectFailure(.authRequired) { try await Servers.retryingRateLimits { try await client.register(request) } })
        let info = try #require(challenge.authInfo)
        #expect(info.flows == [[AuthStage.dummy]])
        #expect(challenge.httpStatus == 401)
        let session = try #require(info.session)
        let registration = try await Servers.retryingRateLimits { try await client.register(request.with(auth: .dummy(session: session))) }
        #expect(registration.userId == "@\(name):localhost")
        #expect(registration.localpart == name)
        #expect(registration.deviceId != nil)
        let token = try #require(registration.accessToken)
        #expect(registration.refreshToken != nil)
        #expect(try #require(registration.expiresInMs) > 0)
        #expect(try #require(registration.expiresAtMs) > Int64(Date().timeIntervalSince1970 * 1000))
        #expect(try Servers.whoami("open", token) == registration.userId)
        #expect(!String(describing: registration).contains(token), "description leaks the token")
        var dumped = ""
        dump(registration, to: &dumped)
        #expect(!dumped.contains(token), "the mirror leaks the token")
    }

    @Test func aTakenUsernameIsUserInUse() async throws {
        let name = Servers.uniqueUsername("taken")
        let client = try Servers.client("open")
        defer { client.close() }
        _ = try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: password))
        let error = try #require(await expectFailure(.userInUse) {
            try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: password))
        })
        #expect(error.errcode == "M_USER_IN_USE")
        #expect(error.httpStatus == 400)
        #expect(error.code.name == "MXREG_RESULT_USER_IN_USE")
        #expect(!error.description.contains(password))
    }

    @Test func anInvalidUsernameIsRefusedByTheServer() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let error = await expectFailure(.invalidUsername) {
            try await Servers.registerWithDummy(client, RegisterRequest(username: "_" + Servers.uniqueUsername("under"), password: password))
        }
        #expect(error?.errcode == "M_INVALID_USERNAME")
    }

    @Test func aWeakPasswordIsRefusedWithTheServersReason() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let error = await expectFailure(.weakPassword) {
            try await Servers.registerWithDummy(client, RegisterRequest(username: Servers.uniqueUsername("weak"), password: "a1"))
        }
        #expect(error?.errcode == "M_PASSWORD_TOO_SHORT")
    }

    @Test func inhibitLoginCreatesTheAccountWithoutTokens() async throws {
        let name = Servers.uniqueUsername("inhibit")
        let client = try Servers.client("open")
        defer { client.close() }
        let registration = try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: password, inhibitLogin: true))
        #expect(registration.userId == "@\(name):localhost")
        #expect(registration.accessToken == nil)
        #expect(registration.deviceId == nil)
        #expect(registration.expiresInMs == nil)
        await expectFailure(.userInUse) { try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: password)) }
    }

    /// inhibit_login is always sent for an application service (spec v1.17), here the open variant's (@mxregbot_*).
    @Test func anApplicationServiceRegistersWithInhibitLogin() async throws {
        let token = try #require(ProcessInfo.processInfo.environment["MXREG_HS_OPEN_APPSERVICE_TOKEN"], "set by the rig")
        let name = "mxregbot_" + Servers.uniqueUsername("as")
        let client = try Servers.client("open")
        defer { client.close() }
        let registration = try await Servers.retryingRateLimits { try await client.register(RegisterRequest(username: name, appserviceToken: token)) }
        #expect(registration.userId == "@\(name):localhost")
        #expect(registration.accessToken == nil)
        #expect(registration.deviceId == nil)
    }

    @Test func noRefreshTokenUnlessAskedAndACustomDeviceIsUsed() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let request = RegisterRequest(username: Servers.uniqueUsername("norefresh"), password: password, deviceId: "SWIFTDEV", refreshToken: false)
        let registration = try await Servers.registerWithDummy(client, request)
        #expect(registration.refreshToken == nil)
        #expect(registration.expiresInMs == nil)
        #expect(registration.deviceId == "SWIFTDEV")
        #expect(registration.accessToken != nil)
    }

    @Test func aClosedServerForbidsRegistration() async throws {
        let client = try Servers.client("closed")
        defer { client.close() }
        let error = await expectFailure(.forbidden) {
            try await Servers.registerWithDummy(client, RegisterRequest(username: Servers.uniqueUsername("closed"), password: password))
        }
        #expect(error?.httpStatus == 403)
        #expect(error?.errcode == "M_FORBIDDEN")
    }

    /// A registration of a new user (named after `prefix`) on `variant` that
    /// the server answered with user-interactive auth: the client (close it),
    /// the request (no `auth`) and the answer's auth info.
    private func firstAnswer(_ variant: String, _ prefix: String) async throws -> (Client, RegisterRequest, AuthInfo) {
        let client = try Servers.client(variant)
        let request = RegisterRequest(username: Servers.uniqueUsername(prefix), password: password)
        do {
            let first = try #require(await expectFailure(.authRequired) { try await Servers.retryingRateLimits { try await client.register(request) } })
            return (client, request, try #require(first.authInfo))
        } catch {
            client.close()
            throw error
        }
    }

    @Test func theRegistrationTokenStagesOneAtATime() async throws {
        let (client, request, info) = try await firstAnswer("token", "tok")
        defer { client.close() }
        let name = try #require(request.username)
        let flow = try #require(info.firstFlow(within: [AuthStage.registrationToken, AuthStage.dummy]))
        #expect(flow == [AuthStage.registrationToken, AuthStage.dummy])
        let session = info.session

        let wrong = await expectFailure(.authRequired) {
            try await client.register(request.with(auth: .registrationToken("not-a-token", session: session)))
        }
        #expect(wrong?.errcode == "M_UNAUTHORIZED")
        #expect(wrong?.authInfo?.completed == [])

        let token = try await Servers.createRegistrationToken(usesAllowed: 1)
        let afterToken = try #require(await expectFailure(.authRequired) {
            try await client.register(request.with(auth: .registrationToken(token, session: session)))
        })
        #expect(afterToken.authInfo?.completed == [AuthStage.registrationToken])
        #expect(afterToken.authInfo?.remaining(flow) == [AuthStage.dummy])

        let registration = try await client.register(request.with(auth: .dummy(session: session)))
        #expect(registration.userId == "@\(name):localhost")
    }

    @Test func theTermsAndDummyStagesCompleteAFlow() async throws {
        let (client, request, info) = try await firstAnswer("terms", "terms")
        defer { client.close() }
        let name = try #require(request.username)
        #expect(info.flows == [[AuthStage.terms, AuthStage.dummy]])
        #expect(info.paramsJSON.contains("m.login.terms"), "\(info.paramsJSON)")
        await expectFailure(.authRequired) { try await client.register(request.with(auth: .terms(session: info.session))) }
        let registration = try await client.register(request.with(auth: .dummy(session: info.session)))
        #expect(registration.userId == "@\(name):localhost")
    }

    /// The only test on the ratelimit variant (a burst of 2), so parallel tests cannot use up its allowance.
    @Test func theRateLimitedServerSaysHowLongToWaitAndCanBeWaitedOut() async throws {
        let quick = try Servers.client("ratelimit")
        defer { quick.close() }
        var limited: MxregError?
        for _ in 0..<6 where limited == nil {
            do {
                _ = try await quick.register(RegisterRequest(username: Servers.uniqueUsername("rl"), password: password, auth: .dummy(session: nil)))
            } catch let error as MxregError where error.code == .rateLimited {
                limited = error
            }
        }
        let error = try #require(limited, "the ratelimit variant allows a burst of 2")
        #expect(error.httpStatus == 429)
        #expect(error.errcode == "M_LIMIT_EXCEEDED")
        let delay = try #require(error.retryAfterMs)
        #expect((1...20_000).contains(delay), "retry after \(delay) ms")

        let patient = try Servers.client("ratelimit", options: ClientOptions(rateLimitMaxWait: .seconds(30)))
        defer { patient.close() }
        let name = Servers.uniqueUsername("rlwait")
        let registration = try await patient.register(RegisterRequest(username: name, password: password, auth: .dummy(session: nil)))
        #expect(registration.userId == "@\(name):localhost")
    }

    @Test func aGuestIsUpgradedKeepingItsUserId() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let guest = try await Servers.retryingRateLimits { try await client.registerGuest() }
        let numeric = guest.localpart.allSatisfy(\.isNumber)
        #expect(numeric, "guests get numeric IDs: \(guest.userId)")
        let guestToken = try #require(guest.accessToken)
        let upgrade = try RegisterRequest.upgradingGuest(guest, password: password)
        #expect(!upgrade.description.contains(guestToken), "the description leaks the guest token")
        let upgraded = try await Servers.registerWithDummy(client, upgrade)
        #expect(upgraded.userId == guest.userId)
        #expect(upgraded.accessToken != nil)

        let bad = RegisterRequest(username: Servers.uniqueUsername("badguest"), password: password, guestAccessToken: "not-a-guest-token")
        do {
            _ = try await Servers.registerWithDummy(client, bad)
            Issue.record("a made-up guest token was accepted")
        } catch let error as MxregError {
            #expect([ResultCode.unknownToken, .matrixError].contains(error.code), "\(error)")
        }
    }

    @Test func plainHttpToARemoteHostIsRefusedBeforeAnyRequest() throws {
        let error = expectFailureBlocking(.insecureUrl) { try Client("http://matrix.example.org") }
        #expect(error?.httpStatus == nil)
        let client = try Client("http://matrix.example.org", options: ClientOptions(allowInsecureHttp: true))
        defer { client.close() }
        #expect(client.homeserverURL == "http://matrix.example.org")
    }
}
