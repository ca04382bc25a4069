import Foundation
@testable import Mxreg
import Testing

/// The registration session (`Client.signup`) through every stage the variants offer.
@Suite(.noLeakedHandles)
struct SignupTests {
    let password = Servers.password

    private func startPatiently(_ signup: Signup) async throws {
        try await Servers.retryingRateLimits { try await signup.start() }
    }

    /// A session for a new user (named after `prefix`) on `variant`: the
    /// client, the session and the user name. Close the session, then the client.
    private func newSignup(_ variant: String, _ prefix: String, stages: Stages = []) throws -> (Client, Signup, String) {
        let name = Servers.uniqueUsername(prefix)
        let client = try Servers.client(variant)
        do {
            return (client, try client.signup(RegisterRequest(username: name, password: password), stages: stages), name)
        } catch {
            client.close()
            throw error
        }
    }

    @Test func anOpenServerCompletesOnStartWithTheDummyStage() async throws {
        let name = Servers.uniqueUsername("sopen")
        let client = try Servers.client("open")
        defer { client.close() }
        let signup = try client.signup(RegisterRequest(username: name, password: password))
        #expect(try signup.status == .notStarted)
        #expect(try signup.registration == nil)
        try await startPatiently(signup)
        #expect(try signup.status == .complete)
        let registration = try signup.requireRegistration()
        #expect(registration.userId == "@\(name):localhost")
        let token = try #require(registration.accessToken)
        #expect(try Servers.whoami("open", token) == registration.userId)
        signup.close()
        #expect(throws: MxregUsageError.closed("signup")) { try signup.status }
        // The registration was copied out: it outlives the session.
        #expect(registration.accessToken == token)
    }

    @Test func aWrongRegistrationTokenIsRejectedThenAValidOneAccepted() async throws {
        let (client, signup, name) = try newSignup("token", "stok", stages: [.registrationToken])
        defer { signup.close(); client.close() }
        try await startPatiently(signup)
        #expect(try signup.status == .needsStage)
        #expect(try signup.nextStage == AuthStage.registrationToken)
        #expect(try await client.registrationTokenValid(await Servers.createRegistrationToken()))

        let error = await expectFailure(.stageRejected) { try await signup.submitToken("wrong-token") }
        #expect(try signup.status == .needsStage, "the session stays usable: \(String(describing: error))")
        try await signup.submitToken(await Servers.createRegistrationToken(usesAllowed: 1))
        #expect(try signup.status == .complete)
        #expect(try signup.requireRegistration().userId == "@\(name):localhost")
    }

    /// Tokens named like words of the server's answer: hiding them from errors keeps the flows as sent.
    @Test func tokensNamedLikePartsOfTheAnswerCompleteRegistration() async throws {
        let client = try Servers.client("token")
        defer { client.close() }
        for name in ["login", "token", "dummy", "registration"] {
            let token = try await Servers.rig(["token-create", "token", "--token", name, "--exist-ok"])
            let signup = try client.signup(RegisterRequest(username: Servers.uniqueUsername("sname"), password: password), stages: [.registrationToken])
            defer { signup.close() }
            try await startPatiently(signup)
            try await signup.submitToken(token)
            #expect(try signup.status == .complete, "token \(name)")
        }
    }

    /// A server that mails a code and gives a `submit_url` (the spec's example
    /// requestToken answer, replayed on loopback by the stand-in
    /// tests/standin/email_code_server.py, as no local Synapse does this): the code goes there.
    @Test func anEmailCodeGoesToTheSubmitURL() async throws {
        let url = try await Servers.python(Servers.repository.appendingPathComponent("tests/standin/email_code_server.py").path, ["--detach"])
        defer { _ = try? Loopback.http("GET", url + "/stop") }
        let client = try Client(url)
        defer { client.close() }
        let signup = try client.signup(RegisterRequest(username: "scripted", password: password), stages: [.email])
        defer { signup.close() }
        try await signup.start()
        #expect(try signup.emailSubmitURL == nil)
        try await signup.requestEmailToken("alice@example.org")
        #expect(try signup.emailSubmitURL == url + "/path/to/submitToken")
        await expectFailure(.invalidState) { try await signup.checkEmail() }
        await expectFailure(.stageRejected) { try await signup.submitEmailCode("000000") }
        #expect(try signup.status == .needsStage)
        try await signup.submitEmailCode("654321")
        #expect(try signup.status == .complete)
    }

    @Test func flowsWithUnsupportedStagesAreRefusedWithTheirNames() async throws {
        let (client, signup, _) = try newSignup("token", "sunsup")
        defer { signup.close(); client.close() }
        let error = await expectFailure(.unsupportedFlow) { try await startPatiently(signup) }
        #expect(error?.message.contains(AuthStage.registrationToken) == true, "\(String(describing: error))")
    }

    @Test func theTermsStageListsThePoliciesAndCompletesOnAcceptance() async throws {
        let (client, signup, name) = try newSignup("terms", "sterms", stages: [.terms])
        defer { signup.close(); client.close() }
        try await startPatiently(signup)
        #expect(try signup.nextStage == AuthStage.terms)
        let policies = try signup.policies()
        try #require(policies.count == 1, "\(policies)")
        #expect(policies[0].version == "1.0")
        #expect(policies[0].url.hasPrefix("http"), "\(policies[0].url)")
        let params = try #require(try signup.authInfo).paramsJSON
        #expect(params.contains(String(policies[0].url.prefix { $0 != "?" })))
        try await signup.acceptTerms()
        #expect(try signup.status == .complete)
        #expect(try signup.requireRegistration().userId == "@\(name):localhost")
    }

    @Test func fallbackSupportCoversAnyStageAndGivesThePage() async throws {
        let (client, signup, _) = try newSignup("terms", "sfall", stages: [.fallback])
        defer { signup.close(); client.close() }
        try await startPatiently(signup)
        let url = try #require(try signup.fallbackURL)
        #expect(url.contains("/auth/m.login.terms/fallback/web?session="), "\(url)")
        #expect(try Loopback.http("GET", url).status == 200, "Synapse serves the page")
        // Acknowledged before the page was completed: the stage is still pending.
        await expectFailure(.stageRejected) { try await signup.fallbackDone() }
        #expect(try signup.status == .needsStage)
    }

    @Test func theEmailStageSurvivesARestartBetweenTheMailAndTheClick() async throws {
        let name = Servers.uniqueUsername("smail")
        let address = "\(name)@example.org"
        let saved: String
        do {
            let client = try Servers.client("email")
            defer { client.close() }
            let signup = try client.signup(RegisterRequest(username: name, password: password), stages: [.email])
            defer { signup.close() }
            try await startPatiently(signup)
            #expect(try signup.nextStage == AuthStage.emailIdentity)
            await expectFailure(.invalidState) { try await signup.checkEmail() }
            try await signup.requestEmailToken(address)
            #expect(try await !signup.checkEmail(), "not validated yet")
            saved = try signup.save()
            #expect(!saved.isEmpty)
        }
        // The app was killed; the user follows the link in the mail.
        let link = try await Servers.rig(["mail-link", "email", "--to", address, "--timeout", "20"])
        #expect(try Loopback.http("GET", link).status == 200, "following the mail link as a person would")

        let client = try Servers.client("email")
        defer { client.close() }
        let resumed = try client.restoreSignup(saved)
        defer { resumed.close() }
        #expect(try await resumed.checkEmail())
        #expect(try resumed.status == .complete)
        #expect(try resumed.requireRegistration().userId == "@\(name):localhost")
    }

    @Test func aClosedServerFailsTheSessionWithForbidden() async throws {
        let (client, signup, _) = try newSignup("closed", "sclosed", stages: .all)
        defer { signup.close(); client.close() }
        await expectFailure(.forbidden) { try await startPatiently(signup) }
        #expect(try signup.status == .failed)
    }

    @Test func callsOutOfOrderAreInvalidState() async throws {
        let (client, signup, _) = try newSignup("terms", "sorder", stages: [.terms])
        defer { signup.close(); client.close() }
        await expectFailure(.invalidState) { try await signup.acceptTerms() }
        try await startPatiently(signup)
        await expectFailure(.invalidState) { try await signup.start() }
        await expectFailure(.invalidState) { try await signup.submitToken("x") }
    }

    @Test func anUnknownSessionIsReportedAsExpired() async throws {
        let client = try Servers.client("terms")
        defer { client.close() }
        let signup = try client.signup(RegisterRequest(username: Servers.uniqueUsername("sgone"), password: password), stages: [.terms])
        try await startPatiently(signup)
        let session = try #require(try signup.authInfo?.session)
        let saved = try signup.save().replacingOccurrences(of: session, with: "nosuchsession")
        signup.close()
        let restored = try client.restoreSignup(saved)
        defer { restored.close() }
        await expectFailure(.sessionExpired) { try await restored.acceptTerms() }
        #expect(try restored.status == .failed)
    }

    @Test func aSavedSessionIsRefusedAfterTamperingAndSecretsStayOutOfTheDescription() throws {
        let client = try Servers.client("open")
        defer { client.close() }
        expectFailureBlocking(.invalidArgument) { try client.restoreSignup("{not json") }
        let signup = try client.signup(RegisterRequest(username: Servers.uniqueUsername("ssecret"), password: password))
        defer { signup.close() }
        #expect(!signup.description.contains(password))
    }
}
