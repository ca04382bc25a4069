import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plain TCP on 127.0.0.1 for the tests' own HTTP calls and stand-in
/// servers: no URLSession, so nothing but libmxreg and these few syscalls
/// run under the sanitizers.
enum Loopback {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func socketAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func withSockaddr<T>(_ address: inout sockaddr_in, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Read a socket or pipe until EOF (or `until` says the bytes so far are enough).
    static func read(_ fd: Int32, until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !done(data) {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return data
    }

    /// One HTTP/1.0 request to a loopback `url` (so the answer is neither
    /// chunked nor kept alive): the status and the body.
    static func http(_ method: String, _ url: String, body: String? = nil, bearer: String? = nil) throws -> (status: Int, body: String) {
        guard let parts = URLComponents(string: url), parts.scheme == "http", let port = parts.port,
              ["127.0.0.1", "localhost"].contains(parts.host ?? "")
        else { throw Failure(description: "not a loopback http URL: \(url)") }
        let target = parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = socketAddress(port: UInt16(port))
        guard withSockaddr(&address, { connect(fd, $0, $1) }) == 0 else { throw Failure(description: "cannot connect to \(url)") }
        var head = "\(method) \(target.isEmpty ? "/" : target) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n"
        if let bearer { head += "Authorization: Bearer \(bearer)\r\n" }
        let payload = Array((body ?? "").utf8)
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n" }
        writeAll(fd, Array((head + "\r\n").utf8) + payload)
        let answer = String(decoding: read(fd), as: UTF8.self)
        guard let statusLine = answer.split(separator: "\r\n", maxSplits: 1).first,
              let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure(description: "no HTTP answer from \(url)") }
        let bodyStart = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, bodyStart)
    }
}
