import Foundation

/// The generated C header, read as text: the names and values of its
/// constants, to check that the binding's mirrors match.
enum Header {
    static let text: String = (try? String(contentsOf: Servers.repository.appendingPathComponent("include/mxreg.h"), encoding: .utf8)) ?? ""

    /// `PREFIX_NAME = value` enum constants (and `(1 << n)` flags), by name.
    static func constants(_ prefix: String) -> [String: UInt32] {
        var found: [String: UInt32] = [:]
        let pattern = try! NSRegularExpression(pattern: "^\\s*(\(prefix)[A-Z0-9_]+) = (\\(1 << (\\d+)\\)|\\d+),", options: .anchorsMatchLines)
        let range = NSRange(text.startIndex..., in: text)
        for match in pattern.matches(in: text, range: range) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            if let shift = Range(match.range(at: 3), in: text) {
                found[name] = 1 << UInt32(text[shift])!
            } else {
                found[name] = UInt32(text[Range(match.range(at: 2), in: text)!])!
            }
        }
        return found
    }

    /// `#define NAME value`.
    static func define(_ name: String) -> String? {
        let pattern = try! NSRegularExpression(pattern: "^#define \(name) (.+)$", options: .anchorsMatchLines)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.firstMatch(in: text, range: range).flatMap { Range($0.range(at: 1), in: text) }.map { String(text[$0]) }
    }

    /// Request structs: the typedef'd structs whose first field is `struct_size`.
    static var requestStructs: Set<String> {
        let pattern = try! NSRegularExpression(pattern: "typedef struct (mxreg_[a-z_]+) \\{\\s*/\\*\\*[^}]*?\\*/\\s*size_t struct_size;")
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) })
    }
}
