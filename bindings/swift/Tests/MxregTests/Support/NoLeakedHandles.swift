@testable import Mxreg
import Foundation
import Testing

/// After each test, every native handle it opened is closed again (a native
/// call still finishing in the background gets a few seconds). Each test
/// counts its own handles in a ledger bound for its task tree, so tests
/// running in parallel do not see each other's.
struct NoLeakedHandles: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: its tests get their own
        let ledger = LiveHandles.Ledger()
        try await LiveHandles.$ledger.withValue(ledger) { try await function() }
        let deadline = ContinuousClock.now + .seconds(10)
        while !ledger.current.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(ledger.current.isEmpty, "native handles left open by \(test.name): \(ledger.current)")
    }
}

extension Trait where Self == NoLeakedHandles {
    static var noLeakedHandles: Self { Self() }
}

/// Expect `body` to fail with `code`; returns the error for more checks.
@discardableResult
func expectFailure<T>(
    _ code: ResultCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> MxregError? {
    do {
        _ = try await body()
        return judge(code, nil, sourceLocation)
    } catch {
        return judge(code, error, sourceLocation)
    }
}

/// The same for blocking calls, run from synchronous code.
@discardableResult
func expectFailureBlocking<T>(_ code: ResultCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> MxregError? {
    do {
        _ = try body()
        return judge(code, nil, sourceLocation)
    } catch {
        return judge(code, error, sourceLocation)
    }
}

/// Records an issue unless `result` is a failure with a transport error.
func expectTransportFailure<T>(_ result: Result<T, Error>, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .failure(let error as MxregError) = result, error.code.isTransport else {
        Issue.record("expected a transport error, got \(result)", sourceLocation: sourceLocation)
        return
    }
}

private func judge(_ code: ResultCode, _ error: Error?, _ sourceLocation: SourceLocation) -> MxregError? {
    guard let error else {
        Issue.record("expected \(code.name), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    }
    guard let error = error as? MxregError else {
        Issue.record("expected \(code.name), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    return error
}

/// Call the blocking form of an API from async code (in a synchronous
/// closure the compiler picks the overload without `async`).
func blocking<T>(_ body: () throws -> T) rethrows -> T {
    try body()
}
