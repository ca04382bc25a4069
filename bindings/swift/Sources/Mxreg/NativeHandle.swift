import Foundation

/// Owns one native handle: lends it only inside `withPointer`, and frees it
/// once, when it is closed and no call is using it (so `close()` from one
/// task while another task's call runs frees it when that call returns), or
/// in `deinit`.
///
/// `@unchecked Sendable`: `pointer`, `borrows` and `closed` are only touched
/// under `lock`; whether the native object may be used from several threads
/// at once is the owner's business (each owner says so).
final class NativeHandle: @unchecked Sendable {
    let kind: String
    private let lock = NSLock()
    private var pointer: OpaquePointer?
    private var borrows = 0
    private var closed = false
    private let free: @Sendable (OpaquePointer) -> Void
    private let ledger: LiveHandles.Ledger?

    init(_ kind: String, _ pointer: OpaquePointer, free: @escaping @Sendable (OpaquePointer) -> Void) {
        self.kind = kind
        self.pointer = pointer
        self.free = free
        ledger = LiveHandles.opened(kind)
    }

    var isClosed: Bool { lock.withLock { closed } }

    /// Run `body` with the pointer; `MxregUsageError.closed` after `close()`.
    func withPointer<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        let borrowed: OpaquePointer = try lock.withLock {
            guard !closed, let pointer else { throw MxregUsageError.closed(kind) }
            borrows += 1
            return pointer
        }
        defer { release() }
        return try body(borrowed)
    }

    /// Free now, or when the last call in progress returns. Safe to call twice.
    func close() {
        let toFree: OpaquePointer? = lock.withLock {
            closed = true
            return borrows == 0 ? take() : nil
        }
        toFree.map(dispose)
    }

    private func release() {
        let toFree: OpaquePointer? = lock.withLock {
            borrows -= 1
            return closed && borrows == 0 ? take() : nil
        }
        toFree.map(dispose)
    }

    // Under `lock`.
    private func take() -> OpaquePointer? {
        defer { pointer = nil }
        return pointer
    }

    private func dispose(_ pointer: OpaquePointer) {
        free(pointer)
        LiveHandles.closed(kind, ledger: ledger)
    }

    deinit {
        // No call can be in progress: each holds a reference to its owner.
        if let pointer { dispose(pointer) }
    }
}
