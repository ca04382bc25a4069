import Foundation
@testable import Mxreg
import Testing

/// Handles, tasks, bad input and secrets: the binding never crashes and never leaks.
@Suite(.noLeakedHandles)
struct LifecycleTests {
    let password = Servers.password

    @Test func closeIsIdempotentAndUseAfterCloseIsAClearError() async throws {
        let client = try Servers.client("open")
        client.close()
        client.close()
        #expect(client.isClosed)
        do {
            _ = try await client.register(RegisterRequest(username: "x", password: password))
            Issue.record("a closed client made a call")
        } catch let error as MxregUsageError {
            #expect(error == .closed("client"))
            #expect(error.description == "the client is closed")
        }
    }

    @Test func aForgottenClientIsFreedByDeinit() throws {
        let ledger = try #require(LiveHandles.ledger)
        func forget() throws {
            let client = try Servers.client("open")
            #expect(ledger.current["client"] == 1)
            _ = client
        }
        try forget()
        #expect(ledger.current["client"] == nil, "deinit did not free the client: \(ledger.current)")
    }

    @Test func badStringsAndOptionsAreRefusedBeforeTheCall() async throws {
        let client = try Servers.client("open")
        defer { client.close() }
        let nul = await expectFailure(.invalidArgument) { try await client.register(RegisterRequest(username: "a\u{0}b", password: password)) }
        #expect(nul?.message.contains("username") == true, "\(String(describing: nul))")
        await expectFailure(.invalidArgument) { try await client.register(RegisterRequest(auth: .fromJSON(type: "x", "{oops"))) }
        expectFailureBlocking(.invalidArgument) { try Client("not a url") }
        expectFailureBlocking(.invalidArgument) { try Client(Servers.url("open"), options: ClientOptions(requestTimeout: .seconds(-1))) }
        expectFailureBlocking(.invalidArgument) { try Client(Servers.url("open"), options: ClientOptions(maxResponseBytes: 0)) }
    }

    @Test func secretsStayOutOfDescriptionsAndMirrors() {
        let request = RegisterRequest(username: "alice", password: password, auth: .registrationToken("tok-secret", session: "s"))
        var dumped = ""
        dump(request, to: &dumped)
        for text in [request.description, dumped, String(reflecting: request)] {
            #expect(!text.contains(password), "\(text)")
            #expect(!text.contains("tok-secret"), "\(text)")
        }
        #expect(request.description.contains("alice"))
    }

    @Test func theRequestDefaultsComeFromTheLibrary() {
        let request = RegisterRequest()
        #expect(request.refreshToken, "mxreg_register_request_init asks for a refresh token")
        #expect(!request.inhibitLogin)
        #expect(request.kind == .user)
    }

    @Test func manyTasksShareOneClient() async throws {
        let client = try Servers.client("stress")
        defer { client.close() }
        let names = (0..<8).map { _ in Servers.uniqueUsername("task") }
        let userIds = try await withThrowingTaskGroup(of: String.self) { group in
            for name in names {
                group.addTask { try await Servers.registerWithDummy(client, RegisterRequest(username: name, password: Servers.password)).userId }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(userIds == Set(names.map { "@\($0):localhost" }))
    }

    @Test func aSilentServerTimesOutAndClosingMidCallIsSafe() async throws {
        let silent = try StandInServer(.silent)
        defer { silent.stop() }
        let client = try Client(silent.url, options: ClientOptions(requestTimeout: .milliseconds(1500)))
        let started = ContinuousClock.now
        let call = Task { try await client.register(RegisterRequest(username: Servers.uniqueUsername("silent"), password: Servers.password)) }
        try await silent.waitForConnection()
        client.close()  // while the call is in flight: the handle is freed when it returns
        #expect(client.isClosed)
        #expect(LiveHandles.ledger?.current["client"] == 1, "freed under a running call")
        let result = await call.result
        let elapsed = ContinuousClock.now - started
        expectTransportFailure(result)
        #expect(elapsed > .seconds(1), "ended after \(elapsed), before its 1.5 s timeout")
    }

    /// A session for a new user whose `start()` runs on a task of its own
    /// against a server that accepts the connection and never answers: when
    /// this returns, the step is waiting for the answer. Close the session
    /// and the client, then stop the server.
    private func stepWaitingOnSilentServer(
        _ prefix: String, requestTimeout: Duration
    ) async throws -> (StandInServer, Client, Signup, Task<Void, Error>) {
        let silent = try StandInServer(.silent)
        do {
            let client = try Client(silent.url, options: ClientOptions(requestTimeout: requestTimeout))
            let signup: Signup
            do {
                signup = try client.signup(RegisterRequest(username: Servers.uniqueUsername(prefix), password: Servers.password))
            } catch {
                client.close()
                throw error
            }
            let step = Task { try await signup.start() }
            try await silent.waitForConnection()
            return (silent, client, signup, step)
        } catch {
            silent.stop()
            throw error
        }
    }

    @Test func aSessionSaysBusyWhileAStepRunsOnAnotherTask() async throws {
        // Long enough that the step is surely still waiting when the status is read.
        let (silent, client, signup, step) = try await stepWaitingOnSilentServer("busy", requestTimeout: .seconds(4))
        defer { signup.close(); client.close(); silent.stop() }
        #expect(try signup.status == .busy)
        let result = await step.result
        expectTransportFailure(result)
        #expect(try signup.status != .busy)
    }

    @Test func closingASignupDuringAStepFreesItWhenTheStepReturns() async throws {
        let (silent, client, signup, step) = try await stepWaitingOnSilentServer("closing", requestTimeout: .milliseconds(1000))
        defer { client.close(); silent.stop() }
        signup.close()
        #expect(throws: MxregUsageError.closed("signup")) { try signup.nextStage }
        _ = await step.result
        #expect(LiveHandles.ledger?.current["signup"] == nil)
    }
}
