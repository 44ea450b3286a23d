import JSONKit

public enum Presence {
    /// Every `x-onlyIf` annotation reachable from the schema `ref`.
    public static func rules(for ref: String, schemas: [String: JSON]) -> [PresenceRule] {
        var out: [PresenceRule] = []
        SchemaWalk.visit(ref, schemas: schemas) { o, path in
            guard case .object(let c)? = o["x-onlyIf"], !path.isEmpty, let member = c["member"]?.stringValue,
                let above = c["above"]?.numberValue
            else { return }
            out.append(PresenceRule(path: path, member: member, above: above, source: c["source"]?.stringValue ?? ""))
        }
        var unique = Set<PresenceRule>()
        return out.filter { unique.insert($0).inserted }
    }

    /// Conditional members that hold a value (not null) in `body` although
    /// their condition is not met: the sibling is absent, null, not a
    /// number, or not above the bound.
    public static func violations(in body: JSON, rules: [PresenceRule]) -> [Finding] {
        var out: [Finding] = []
        for rule in rules {
            guard let name = rule.path.last else { continue }
            for parentPointer in Visibility.matches(rule.path.dropLast(), in: body, at: JSONPointer()) {
                guard case .object(let parent)? = parentPointer.resolve(in: body), let v = parent[name], !v.isNull else { continue }
                let sibling = parent[rule.member]
                if let n = sibling?.numberValue, n > rule.above { continue }
                let at = parentPointer.appending(name).description
                let bound = JSONWriter.humanNumber(rule.above)
                let got = sibling.map { Checker.show($0) } ?? "absent"
                out.append(
                    Finding(
                        check: .schema, pointer: at, keyword: "x-onlyIf",
                        expected: "absent or null unless \(rule.member) > \(bound) (\(rule.source))",
                        actual: "\(Checker.show(v)) with \(rule.member) \(got)",
                        message: "\(at) holds \(Checker.show(v)) although \(rule.member) is \(got): the docs show it only if \(rule.member)>\(bound) (\(rule.source))"))
            }
        }
        return out.sorted { $0.pointer ?? "" < $1.pointer ?? "" }
    }
}
