/// Serialises JSON deterministically: members in their stored order, numbers
/// without a needless fractional part, non-finite numbers as `null`.
public struct JSONWriter: Sendable {
    public var pretty: Bool
    public var sortKeys: Bool
    public var indent: String

    public init(pretty: Bool = false, sortKeys: Bool = false, indent: String = "  ") {
        self.pretty = pretty
        self.sortKeys = sortKeys
        self.indent = indent
    }

    public func string(_ value: JSON) -> String {
        var out = ""
        write(value, into: &out, level: 0)
        return out
    }

    public func bytes(_ value: JSON) -> [UInt8] { Array(string(value).utf8) }

    private func write(_ value: JSON, into out: inout String, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += JSONWriter.formatNumber(n)
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (k, v) in a.enumerated() {
                if k > 0 { out += "," }
                newline(&out, level + 1)
                write(v, into: &out, level: level + 1)
            }
            newline(&out, level)
            out += "]"
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            let members = sortKeys ? o.members.sorted { $0.key < $1.key } : o.members
            for (k, m) in members.enumerated() {
                if k > 0 { out += "," }
                newline(&out, level + 1)
                JSONWriter.writeString(m.key, into: &out)
                out += pretty ? ": " : ":"
                write(m.value, into: &out, level: level + 1)
            }
            newline(&out, level)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ level: Int) {
        guard pretty else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    public static func formatNumber(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(.towardZero), abs(n) < 1e15 {
            return String(Int64(n))
        }
        return "\(n)"
    }

    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        var plainStart = s.unicodeScalars.startIndex
        var idx = plainStart
        let scalars = s.unicodeScalars
        while idx != scalars.endIndex {
            let c = scalars[idx]
            let escape: String?
            switch c {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029 {
                    let hex = String(c.value, radix: 16, uppercase: false)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<idx])
                out += escape
                idx = scalars.index(after: idx)
                plainStart = idx
            } else {
                idx = scalars.index(after: idx)
            }
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<idx])
        out += "\""
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter().string(self) }
}
