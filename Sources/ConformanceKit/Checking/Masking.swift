import JSONKit

/// Response members whose values are masked in reports: those the suite's
/// schemas mark `"x-sensitive": true` (PINs, codes, identity data). The engine knows no
/// member by name.
package enum SensitiveFields {
    /// The names of every property some schema marks `x-sensitive`.
    public static func names(in schemas: [String: JSON]) -> Set<String> {
        var out: Set<String> = []
        func walk(_ v: JSON) {
            switch v {
            case .object(let o):
                if case .object(let props)? = o["properties"] {
                    for m in props where m.value["x-sensitive"] == .bool(true) { out.insert(m.key) }
                }
                for m in o { walk(m.value) }
            case .array(let a): a.forEach(walk)
            default: break
            }
        }
        schemas.values.forEach(walk)
        return out
    }

    /// `v` with the value of every member named in `names` replaced by `***`, at any depth.
    public static func mask(_ v: JSON, names: Set<String>) -> JSON {
        guard !names.isEmpty else { return v }
        switch v {
        case .object(let o):
            return .object(
                JSONObject(
                    o.map { m in
                        if names.contains(m.key), !m.value.isNull { return .init(key: m.key, value: "***") }
                        return .init(key: m.key, value: mask(m.value, names: names))
                    }))
        case .array(let a): return .array(a.map { mask($0, names: names) })
        default: return v
        }
    }
}
