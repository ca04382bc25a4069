import Dispatch

/// Runs blocking native calls off Swift's cooperative thread pool, so that a
/// call waiting on the network never holds one of its few threads.
///
/// Cancelling the awaiting task does not interrupt the native call: it runs
/// until the answer or the client's timeouts, and the task resumes with its
/// result then (an account it created is not lost). Bound the wait with
/// `ClientOptions` timeouts.
enum Offload {
    /// Concurrent: each call gets a thread of its own for as long as it blocks.
    private static let queue = DispatchQueue(label: "org.mxreg.blocking", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let ledger = LiveHandles.ledger
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try LiveHandles.$ledger.withValue(ledger) { try work() } })
            }
        }
    }
}
