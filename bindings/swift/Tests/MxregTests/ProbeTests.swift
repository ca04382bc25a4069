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
}
