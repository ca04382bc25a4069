import Foundation
@testable import Mxreg
#if canImport(Glibc)
import Glibc
#endif

/// A loopback stand-in for what no real homeserver does on demand: a server
/// that accepts connections and never answers (timeouts, cancellation, close
/// mid-call), or one that answers every request with the same bytes (a
/// malformed body, a web server that is not Matrix), or one that answers by
/// path with made-up JSON (a server misbehaving on one endpoint only). Not a
/// homeserver; the
/// Kotlin suite's `SilentServer` and the Rust fault server
/// (tests/support/fault_server.rs) do the same for their languages.
final class StandInServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case silent
        case reply(status: Int, contentType: String, body: String)
        /// JSON answers by request path; other paths get 404.
        case routes([String: JSONReply])
    }

    struct JSONReply: Sendable {
        let status: Int
        let body: String
    }

    let url: String
    private let listener: Int32
    private let behaviour: Behaviour
    private let held = Locked<[Int32]>([])
    private let accepted = Locked(0)
    private let done = DispatchSemaphore(value: 0)

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = Loopback.socketAddress(port: 0)
        guard Loopback.withSockaddr(&address, { bind(listener, $0, $1) }) == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw Loopback.Failure(description: "stand-in server: cannot listen")
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        url = "http://127.0.0.1:\(UInt16(bigEndian: bound.sin_port))"
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        defer { done.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }  // the listener was shut down
            accepted.withLock { $0 += 1 }
            if case .silent = behaviour {
                held.withLock { $0.append(fd) }
            } else {
                // Each connection on a thread of its own: a client may open
                // several before it sends on any (the probe opens them while
                // `.well-known` is in flight), and some carry nothing.
                let serving = Thread { [self] in serve(fd) }
                serving.start()
            }
        }
    }

    private func serve(_ fd: Int32) {
        switch behaviour {
        case .silent:
            return
        case let .reply(status, contentType, body):
            _ = Loopback.read(fd) { Self.requestComplete($0) }
            Self.answer(fd, status: status, contentType: contentType, body: body)
        case let .routes(routes):
            let request = String(decoding: Loopback.read(fd) { Self.requestComplete($0) }, as: UTF8.self)
            // "GET /path HTTP/1.1": the second word of the first line.
            let path = request.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
            let reply = routes[path] ?? JSONReply(status: 404, body: #"{"errcode":"M_NOT_FOUND"}"#)
            Self.answer(fd, status: reply.status, contentType: "application/json", body: reply.body)
        }
    }

    private static func answer(_ fd: Int32, status: Int, contentType: String, body: String) {
        let payload = Array(body.utf8)
        let head = "HTTP/1.1 \(status) Stand-in\r\nContent-Type: \(contentType)\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        Loopback.writeAll(fd, Array(head.utf8) + payload)
        close(fd)
    }

    /// The head has arrived, and as many body bytes as it declares.
    private static func requestComplete(_ data: [UInt8]) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let declared = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= declared
    }

    /// Wait until `count` connections have been accepted (calls are in flight).
    func waitForConnection(count: Int = 1, within limit: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + limit
        while accepted.withLock({ $0 }) < count {
            guard ContinuousClock.now < deadline else { throw Loopback.Failure(description: "nobody connected to \(url)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        done.wait()
        close(listener)
        held.withLock { fds in
            fds.forEach { _ = close($0) }
            fds.removeAll()
        }
    }
}
