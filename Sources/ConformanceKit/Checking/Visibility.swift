import JSONKit

enum Visibility {
    /// Walks a schema (following `$ref` across the suite's schema files) and
    /// collects every property annotated with `x-visibility`.
    public static func rules(for ref: String, schemas: [String: JSON]) -> [VisibilityRule] {
        var out: [VisibilityRule] = []
        SchemaWalk.visit(ref, schemas: schemas) { o, path in
            if case .array(let levels)? = o["x-visibility"], !path.isEmpty {
                out.append(VisibilityRule(path: path, levels: Set(levels.compactMap(\.stringValue))))
            }
        }
        var unique = Set<VisibilityRule>()
        return out.filter { unique.insert($0).inserted }
    }

    /// Restricted fields present in `body` although `role`, holding `level`
    /// (or read as `readAs`), may not see them. A role without a level is not judged.
    package static func leaks<V: JSONReading>(
        in body: V, rules: [VisibilityRule], role: Role, level: String?, readAs: String? = nil
    ) -> [Finding] {
        guard let level = readAs ?? level else { return [] }
        var findings: [Finding] = []
        for rule in rules where !rule.levels.contains(level) {
            for pointer in matches(rule.path[...], in: body, at: JSONPointer()) {
                findings.append(
                    Finding(
                        check: .visibility, pointer: pointer,
                        expected: "absent for \(role) (visible to \(rule.levels.sorted().joined(separator: ", ")) only)",
                        actual: "present",
                        message: "\(pointer) leaked to \(role): the docs show it to \(rule.levels.sorted().joined(separator: "/")) only"))
            }
        }
        return findings.sorted { ($0.pointer?.description ?? "") < ($1.pointer?.description ?? "") }
    }

    /// The pointers (under `here`) of the values `path` leads to in `value`
    /// that are present and not null (a `*` step takes every item of an
    /// array, in order). A pointer is made only for a value found, not for
    /// every item on the way (0.8 % of our client's CPU: perf, issue 24).
    static func matches<V: JSONReading>(_ path: ArraySlice<String>, in value: V, at here: JSONPointer) -> [JSONPointer] {
        var out: [JSONPointer] = []
        var trail: [Presence.Step] = []
        Presence.eachValue(path, in: value, trail: &trail) { v, steps in
            if !v.isNull { out.append(JSONPointer(tokens: here.tokens + Presence.pointer(steps).tokens)) }
        }
        return out
    }
}
