/// Counts the native handles this binding holds, by kind, so that tests
/// (and apps chasing a leak) can check that every one was freed.
enum LiveHandles {
    /// Handles opened while a ledger is bound (a test binds one around its
    /// body) are also counted there, so concurrent tests each see their own.
    final class Ledger: Sendable {
        let counts = Locked<[String: Int]>([:])
        var current: [String: Int] { counts.withLock { $0 } }
    }

    @TaskLocal static var ledger: Ledger?

    static let all = Locked<[String: Int]>([:])

    /// Count one more `kind`; the ledger returned must be handed to `closed`.
    static func opened(_ kind: String) -> Ledger? {
        let ledger = Self.ledger
        all.withLock { add(kind, 1, to: &$0) }
        ledger?.counts.withLock { add(kind, 1, to: &$0) }
        return ledger
    }

    static func closed(_ kind: String, ledger: Ledger?) {
        all.withLock { add(kind, -1, to: &$0) }
        ledger?.counts.withLock { add(kind, -1, to: &$0) }
    }

    private static func add(_ kind: String, _ delta: Int, to counts: inout [String: Int]) {
        let count = counts[kind, default: 0] + delta
        counts[kind] = count == 0 ? nil : count
    }
}
