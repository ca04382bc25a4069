import Foundation
@testable import Mxreg
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Failures that are not a server's Matrix error still arrive as typed `MxregError`s.
@Suite(.noLeakedHandles)
struct ErrorTests {
    /// A loopback port bound but not listening, so connecting is refused;
    /// held until `body` returns, so no other test's server can take it.
    private func withRefusingPort<T>(_ body: (UInt16) async throws -> T) async rethrows -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = Loopback.socketAddress(port: 0)
        _ = Loopback.withSockaddr(&address) { bind(fd, $0, $1) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return try await body(UInt16(bigEndian: address.sin_port))
    }

    @Test func anUnreachableServerIsAConnectError() async throws {
        let error = try #require(await withRefusingPort { port in
            let client = try Client("http://127.0.0.1:\(port)")
            defer { client.close() }
            return await expectFailure(.connect) { try await client.register(RegisterRequest(username: "nobody", password: Servers.password)) }
        })
        #expect(error.code.isTransport)
        #expect(error.httpStatus == nil)
        #expect(!error.description.contains(Servers.password))
        #expect(error.localizedDescription == error.description)
    }

    @Test func aMalformedAnswerIsAnInvalidResponseAndAnHtmlPageAnHttpError() async throws {
        let malformed = try StandInServer(.reply(status: 200, contentType: "application/json", body: #"{"user_id": 5, "#))
        defer { malformed.stop() }
        let client = try Client(malformed.url)
        defer { client.close() }
        await expectFailure(.invalidResponse) { try await client.register(RegisterRequest(username: "alice", password: Servers.password)) }

        let proxy = try StandInServer(.reply(status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>"))
        defer { proxy.stop() }
        let behindProxy = try Client(proxy.url)
        defer { behindProxy.close() }
        let error = await expectFailure(.httpError) { try await behindProxy.refresh("token") }
        #expect(error?.httpStatus == 502)
        #expect(error?.errcode == nil)
    }

    @Test func aCodeThisBindingDoesNotKnowStillWorks() {
        let unknown = ResultCode(rawValue: 9999)
        #expect(unknown.name == "MXREG_RESULT_UNKNOWN")
        #expect(unknown.summary == "unknown result code")
        #expect(unknown.description.contains("9999"))
        let error = MxregError(code: unknown, native: nil)
        #expect(error.code.rawValue == 9999)
        #expect(error.message == "unknown result code")
        #expect(error.httpStatus == nil && error.retryAfterMs == nil && error.authInfo == nil)
    }
}
