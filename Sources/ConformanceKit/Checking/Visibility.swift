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

    static func matches<V: JSONReading>(_ path: ArraySlice<String>, in value: V, at here: JSONPointer) -> [JSONPointer] {
        guard let head = path.first else { return value.isNull ? [] : [here] }
        let rest = path.dropFirst()
        if head == "*", value.isArray {
            var out: [JSONPointer] = []
            value.enumerateElements { i, item in out += matches(rest, in: item, at: here.appending(i)) }
            return out
        }
        guard value.isObject, let v = value.member(head) else { return [] }
        return matches(rest, in: v, at: here.appending(head))
    }
}
