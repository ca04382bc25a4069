import Foundation
@testable import Mxreg
import Testing

/// The local Synapse variants (`MXREG_HS_<VARIANT>`, set by `make test-swift`
/// or `scripts/homeserver.py run`) and helpers shared by the suites.
enum Servers {
    static let password = "swift-Passw0rd-test"
    private static let counter = Locked(0)

    /// The repository (for the rig and tests/oauth/browser.py).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ variant: String) throws -> String {
        let name = "MXREG_HS_\(variant.uppercased())"
        guard let url = ProcessInfo.processInfo.environment[name] else {
            throw Loopback.Failure(description: "\(name) is not set: run `make test-swift`, or export `scripts/homeserver.py env`")
        }
        return url
    }

    static func client(_ variant: String, options: ClientOptions = ClientOptions()) throws -> Client {
        try Client(url(variant), options: options)
    }

    /// A localpart no other test or engineer uses (the servers are shared).
    static func uniqueUsername(_ prefix: String) -> String {
        let n = counter.withLock { value in
            value += 1
            return value
        }
        return "sw\(prefix)\(getpid())x\(Int(Date().timeIntervalSince1970 * 1000) % 100_000_000)x\(n)"
    }

    /// Run `call`, waiting out 429s from the shared servers (the ratelimit variant's test does not use this).
    static func retryingRateLimits<T>(_ call: () async throws -> T) async throws -> T {
        for _ in 0..<8 {
            do {
                return try await call()
            } catch let error as MxregError where error.code == .rateLimited {
                try await Task.sleep(for: .milliseconds(error.retryAfterMs ?? 1000))
            }
        }
        return try await call()
    }

    /// One-shot registration completing dummy stages (as mxreg-register does).
    static func registerWithDummy(_ client: Client, _ request: RegisterRequest) async throws -> Registration {
        var attempt = request
        for _ in 0..<4 {
            do {
                return try await retryingRateLimits { try await client.register(attempt) }
            } catch let challenge as MxregError where challenge.code == .authRequired {
                guard let info = challenge.authInfo, info.firstFlow(within: [AuthStage.dummy]) != nil else { throw challenge }
                attempt = attempt.with(auth: .dummy(session: info.session))
            }
        }
        return try await client.register(attempt)
    }

    /// A registration token made with the rig (the admin API of the token variant).
    static func createRegistrationToken(usesAllowed: Int? = nil) async throws -> String {
        try await rig(["token-create", "token"] + (usesAllowed.map { ["--uses", String($0)] } ?? []))
    }

    /// `GET /account/whoami` with `accessToken`: the user ID, or nil when refused.
    static func whoami(_ variant: String, _ accessToken: String) throws -> String? {
        let (status, body) = try Loopback.http("GET", url(variant) + "/_matrix/client/v3/account/whoami", bearer: accessToken)
        guard status == 200 else { return nil }
        return jsonField("user_id", in: body)
    }

    static func jsonField(_ name: String, in json: String) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?[name] as? String
    }

    /// Run the rig (`MXREG_RIG` when `homeserver.py run` set it, else this checkout's).
    static func rig(_ arguments: [String]) async throws -> String {
        let script = ProcessInfo.processInfo.environment["MXREG_RIG"]
            ?? repository.appendingPathComponent("scripts/homeserver.py").path
        return try await python(script, arguments)
    }

    /// Run a Python script and return its trimmed standard output (waiting
    /// on a thread of its own, like the binding's calls, not on the cooperative pool).
    static func python(_ script: String, _ arguments: [String]) async throws -> String {
        let finished = try await Offload.run { try Subprocess.run(["python3", script] + arguments) }
        guard finished.status == 0 else {
            throw Loopback.Failure(description: "\(script) \(arguments) failed (\(finished.status)): \(finished.errors)")
        }
        return finished.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
