import Foundation
@testable import Mxreg
import Testing

/// The `async` forms: results, errors, where they run, and what cancellation does and does not do.
@Suite(.noLeakedHandles)
struct AsyncTests {
    @Test func asyncCallsRegisterAndThrowTheSameErrors() async throws {
        let name = Servers.uniqueUsername("as")
        let client = try Servers.client("open")
        defer { client.close() }
        let request = RegisterRequest(username: name, password: Servers.password, auth: .dummy(session: nil))
        #expect(try await Servers.retryingRateLimits { try await client.register(request) }.userId == "@\(name):localhost")
        await expectFailure(.userInUse) { try await Servers.retryingRateLimits { try await client.register(request) } }
        let signupName = Servers.uniqueUsername("assign")
        let signup = try client.signup(RegisterRequest(username: signupName, password: Servers.password))
        defer { signup.close() }
        try await Servers.retryingRateLimits { try await signup.start() }
        #expect(try signup.status == .complete)
        #expect(try signup.requireRegistration().userId == "@\(signupName):localhost")
        #expect(try await ServerProbe.probe(Servers.url("open")).signupMethods.contains(.legacy))
    }

    /// Cancelling does not interrupt the native call: the task ends when the
    /// call does (at the client's timeout here), with the call's own result.
    @Test func cancellingDoesNotInterruptTheNativeCall() async throws {
        let silent = try StandInServer(.silent)
        defer { silent.stop() }
        let client = try Client(silent.url, options: ClientOptions(requestTimeout: .milliseconds(1500)))
        defer { client.close() }
        let started = ContinuousClock.now
        let call = Task { try await client.usernameAvailable("someone") }
        try await silent.waitForConnection()
        call.cancel()
        let result = await call.result
        let elapsed = ContinuousClock.now - started
        expectTransportFailure(result)
        #expect(elapsed >= .milliseconds(1400), "the call ended after \(elapsed), before its timeout")
    }

    /// More blocking calls than the cooperative pool has threads are all in
    /// flight at once (each waits on a thread of its own), and a plain task
    /// still runs meanwhile.
    @Test func blockingCallsDoNotHoldTheCooperativePool() async throws {
        let silent = try StandInServer(.silent)
        let client = try Client(silent.url, options: ClientOptions(requestTimeout: .seconds(15)))
        defer { client.close() }
        let width = ProcessInfo.processInfo.activeProcessorCount + 2
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<width {
                group.addTask { _ = try? await client.usernameAvailable("someone") }
            }
            // On the cooperative pool, at most activeProcessorCount calls could
            // block at once until the first timed out (15 s).
            await #expect(throws: Never.self) { try await silent.waitForConnection(count: width, within: .seconds(8)) }
            #expect(await Task { 42 }.value == 42)
            silent.stop()  // the calls fail at once
        }
    }
}
