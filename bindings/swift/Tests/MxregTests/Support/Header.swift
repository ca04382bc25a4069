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

    /// The functions the header declares (and any other `mxreg_name(` in `text`).
    static func functions(in text: String = text) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "\\b(mxreg_[a-z0-9_]+)\\(")
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) })
    }

    /// The Swift layer's sources (`Sources/Mxreg`) without comment lines, as one text.
    static var bindingSources: String {
        let directory = Servers.repository.appendingPathComponent("bindings/swift/Sources/Mxreg")
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "swift" }
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
            .flatMap { $0.split(separator: "\n") }
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            .joined(separator: "\n")
    }
}
