import JSONKit

// Filling a template's variables: the planner fills requests with it, the
// checks fill expected values, so it sits on the ground floor.
extension Template {
    /// Replaces `{{name}}` in every string. A string that is exactly one
    /// variable takes the bound JSON value (so numbers stay numbers).
    /// Unbound variables become empty, or stay as written with `keepUnknown`.
    func filled(_ bindings: [String: JSON], keepUnknown: Bool = false) -> JSON {
        func walk(_ v: JSON) -> JSON {
            switch v {
            case .string(let s):
                switch Template.filledASCII(s, bindings, keepUnknown: keepUnknown, whole: true) {
                case .unchanged: return v
                case .whole(let value): return value
                case .text(let t): return .string(t)
                case .notASCII: break
                }
                let names = Template.variableNames(in: s)
                if names.isEmpty { return v }
                if names.count == 1, s.hasPrefix("{{"), s.hasSuffix("}}"), let whole = bindings[names[0]],
                    s.dropFirst(2).dropLast(2).trimmingCharactersSpaces() == names[0]
                {
                    return whole
                }
                return .string(Template.replaceVariables(in: s, bindings, keepUnknown: keepUnknown))
            case .array(let a): return .array(a.map(walk))
            case .object(let o):
                return .object(JSONObject(o.map { .init(key: key($0.key), value: walk($0.value)) }))
            default: return v
            }
        }
        func key(_ k: String) -> String {
            switch Template.filledASCII(k, bindings, keepUnknown: keepUnknown, whole: false) {
            case .unchanged: return k
            case .text(let t): return t
            case .whole, .notASCII: return Template.replaceVariables(in: k, bindings, keepUnknown: keepUnknown)
            }
        }
        return walk(raw)
    }

    /// What `filledASCII` made of one string.
    enum ByteFill {
        /// No complete `{{…}}`: the string as it is.
        case unchanged
        /// The string is exactly one bound variable (asked with `whole`): its JSON value.
        case whole(JSON)
        case text(String)
        /// Not ASCII: for the Character walk (`replaceVariables`).
        case notASCII
    }

    /// `filled`'s work on one ASCII string, over its UTF-8 bytes: the
    /// `Character` walk (`replaceVariables`, with `variableNames` and
    /// `trimmingSpaces` beside it) was 1.6 % of a keep-alive run's client CPU
    /// (perf, issue 24). In ASCII each byte is one `Character` (CR LF
    /// aside, which holds no brace, bar or space), so `{{`, `}}`, the bar and
    /// the spaces trimmed fall where that walk finds them; any other text
    /// is `.notASCII` and goes the Character way (a combining mark after a
    /// brace makes one Character of the two). HotPathTests compares the two.
    static func filledASCII(_ s: String, _ bindings: [String: JSON], keepUnknown: Bool, whole: Bool) -> ByteFill {
        var s = s
        return s.withUTF8 { bytes -> ByteFill in
            let n = bytes.count
            for b in bytes where b >= 0x80 { return .notASCII }
            func text(_ a: Int, _ b: Int) -> String {
                var a = a, b = b
                while a < b, bytes[a] == 0x20 { a += 1 }
                while b > a, bytes[b - 1] == 0x20 { b -= 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
            }
            var out: [UInt8] = []
            var found = false
            var copied = 0  // the bytes before it are in `out` (or replaced there)
            var i = 0
            while i + 1 < n {
                guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
                    i += 1
                    continue
                }
                let from = i + 2
                var j = from
                while j + 1 < n, !(bytes[j] == UInt8(ascii: "}") && bytes[j + 1] == UInt8(ascii: "}")) { j += 1 }
                guard j + 1 < n else { break }  // no closing "}}"
                var bar: Int?
                for k in from..<j where bytes[k] == UInt8(ascii: "|") {
                    bar = k
                    break
                }
                let name = text(from, bar ?? j)
                // The whole string one `{{NAME}}` (no filter): the bound value itself, so numbers stay numbers.
                if whole, i == 0, j + 2 == n, bar == nil, let value = bindings[name] { return .whole(value) }
                if !found {
                    found = true
                    out.reserveCapacity(n + 16)
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                if let v = bindings[name] {
                    // A filter the loader does not know is refused there; here it keeps the text whole.
                    let apply = bar.flatMap { Template.filters[text($0 + 1, j)] }
                    out.append(contentsOf: (apply.map { $0(v.textValue) } ?? v.textValue).utf8)
                } else if keepUnknown {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<(j + 2)]))
                }
                i = j + 2
                copied = i
            }
            guard found else { return .unchanged }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<n]))
            return .text(String(decoding: out, as: UTF8.self))
        }
    }

    static func replaceVariables(in s: String, _ bindings: [String: JSON], keepUnknown: Bool = false) -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            let (name, filter) = Template.reference(after[after.startIndex..<close.lowerBound])
            if let v = bindings[name] {
                // A filter the loader does not know is refused there; here it keeps the text whole.
                let apply = filter.flatMap { Template.filters[$0] }
                out += apply.map { $0(v.textValue) } ?? v.textValue
            } else if keepUnknown {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = after[close.upperBound...]
        }
        return out + rest
    }
}
