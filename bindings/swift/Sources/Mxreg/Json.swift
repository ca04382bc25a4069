/// Just enough JSON writing for `auth` objects: strings and flat objects,
/// fields in the order given, nil values left out.
enum Json {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A value already written as JSON.
    struct Raw {
        let text: String
    }

    static func object(_ fields: [(String, Any?)]) -> String {
        let members = fields.compactMap { key, value -> String? in
            switch value {
            case let text as String: "\(string(key)):\(string(text))"
            case let raw as Raw: "\(string(key)):\(raw.text)"
            default: nil
            }
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

private func hex4(_ value: UInt32) -> String {
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
