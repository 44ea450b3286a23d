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
                return .object(
                    JSONObject(o.map { .init(key: Template.replaceVariables(in: $0.key, bindings, keepUnknown: keepUnknown), value: walk($0.value)) }))
            default: return v
            }
        }
        return walk(raw)
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
