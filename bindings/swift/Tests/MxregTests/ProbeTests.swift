@testable import Mxreg
import Testing

/// `ServerProbe.probe` against the variants and against something that is not Matrix.
@Suite(.noLeakedHandles)
struct ProbeTests {
    @Test func anOpenServerOffersLegacySignupWithItsFlows() async throws {
        let probe = try await ServerProbe.probe(Servers.url("open"))
        #expect(probe.homeserverURL == (try Servers.url("open")))
        #expect(probe.signupMethods.contains(.legacy), "\(probe)")
        let info = try #require(probe.authInfo)
        #expect(info.flows == [[AuthStage.dummy]])
        #expect(probe.json.hasPrefix("{"), "\(probe.json)")
    }

    @Test func aTokenServerListsTheTokenStage() async throws {
        let probe = try await ServerProbe.probe(Servers.url("token"))
        let flows = try #require(probe.authInfo).flows
        #expect(flows.contains { $0.contains(AuthStage.registrationToken) }, "\(flows)")
    }

    @Test func aClosedServerOffersNoLegacySignup() async throws {
        let probe = try await ServerProbe.probe(Servers.url("closed"))
        #expect(!probe.signupMethods.contains(.legacy), "\(probe)")
        #expect(probe.authInfo == nil)
    }

    @Test func somethingThatIsNotMatrixIsAnInvalidResponse() async throws {
        let web = try StandInServer(.reply(status: 404, contentType: "text/html", body: "<html>not matrix</html>"))
        defer { web.stop() }
        await expectFailure(.invalidResponse) { try await ServerProbe.probe(web.url) }
    }

    /// An OAuth-only server whose metadata answers 429 (a stand-in: no real
    /// server does that on demand) is not reported as "SSO only": the OAuth
    /// part is unknown, with its code, and the rest is found out.
    @Test func aRateLimitedOAuthMetadataIsAnUnknownPartNotAMissingOne() async throws {
        let server = try StandInServer(.routes([
            "/_matrix/client/versions": .init(status: 200, body: #"{"versions":["v1.15"]}"#),
            "/_matrix/client/v3/login": .init(status: 200, body: #"{"flows":[{"type":"m.login.sso"}]}"#),
            "/_matrix/client/v1/auth_metadata": .init(status: 429, body: #"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":0}"#),
            "/_matrix/client/v3/register": .init(status: 403, body: #"{"errcode":"M_FORBIDDEN","error":"Registration has been disabled"}"#),
        ]))
        defer { server.stop() }
        let probe = try await ServerProbe.probe(server.url, options: ClientOptions(callTimeout: .seconds(20)))
        #expect(probe.signupMethods == .sso, "\(probe.json)")
        let unknown = try #require(probe.unknown.first, "\(probe.json)")
        #expect(probe.unknown.count == 1)
        #expect(unknown.part == .oauth)
        #expect(unknown.result == .rateLimited, "\(unknown)")
        #expect(!unknown.message.isEmpty)
    }

    @Test func aZeroCallTimeoutIsRefused() async throws {
        await expectFailure(.invalidArgument) {
            try await ServerProbe.probe(Servers.url("open"), options: ClientOptions(callTimeout: .zero))
        }
    }
}
