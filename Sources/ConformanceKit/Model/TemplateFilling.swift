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
            var out: [UInt8] = []
            var found = false
            var copied = 0  // the bytes before it are in `out` (or replaced there)
            var wholeValue: JSON?
            Template.eachReference(bytes) { i, j, bar in
                let name = Template.trimmed(bytes, i + 2, bar ?? j)
                // The whole string one `{{NAME}}` (no filter): the bound value itself, so numbers stay numbers.
                if whole, i == 0, j + 2 == n, bar == nil, let value = bindings[name] {
                    wholeValue = value
                    return false
                }
                if !found {
                    found = true
                    out.reserveCapacity(n + 16)
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                if let v = bindings[name] {
                    // A filter the loader does not know is refused there; here it keeps the text whole.
                    let apply = bar.flatMap { Template.filters[Template.trimmed(bytes, $0 + 1, j)] }
                    out.append(contentsOf: (apply.map { $0(v.textValue) } ?? v.textValue).utf8)
                } else if keepUnknown {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<(j + 2)]))
                }
                copied = j + 2
                return true
            }
            if let wholeValue { return .whole(wholeValue) }
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
