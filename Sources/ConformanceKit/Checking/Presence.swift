import JSONKit

extension PresenceCondition {
    // Written without optional chaining through a loop variable: that form
    // crashed Swift 6.3.1's optimiser in release builds (CopyPropagation,
    // "Found ownership error").
    /// Whether the condition holds for `value`, what its member names in the object judged.
    func holds<V: JSONReading>(_ value: V?) -> Bool {
        let absent = value == nil || value?.isNull == true
        switch test {
        case .above(let b):
            if let n = value?.numberValue { return n > b }
            return false
        case .notAbove(let b):
            if absent { return true }
            if let n = value?.numberValue { return n <= b }
            return false
        case .equals(let x):
            return value?.materialize() == x
        case .empty:
            if absent { return true }
            return value?.stringValue == ""
        }
    }

    /// "pbx > 0", "feature.voicemail is true", "sipAccount is empty", "pbx is absent, null or ≤ 0".
    var text: String {
        let name = member.joined(separator: ".")
        switch test {
        case .above(let b): return "\(name) > \(JSONWriter.humanNumber(b))"
        case .notAbove(let b): return "\(name) is absent, null or ≤ \(JSONWriter.humanNumber(b))"
        case .equals(let x): return "\(name) is \(Checker.show(x))"
        case .empty: return "\(name) is absent, null or empty"
        }
    }
}

public enum Presence {
    /// Every `x-onlyIf` annotation reachable from the schema `ref`.
    public static func rules(for ref: String, schemas: [String: JSON]) -> [PresenceRule] {
        var out: [PresenceRule] = []
        SchemaWalk.visit(ref, schemas: schemas) { o, path in
            guard case .object(let c)? = o["x-onlyIf"], !path.isEmpty, let conditions = conditions(c) else { return }
            out.append(
                PresenceRule(
                    path: path, conditions: conditions, inert: c["inert"]?.arrayValue ?? [],
                    reading: c["reading"]?.stringValue, source: c["source"]?.stringValue ?? ""))
        }
        var unique = Set<PresenceRule>()
        return out.filter { unique.insert($0).inserted }
    }

    /// The conditions of one annotation, or nil when it has none the walk can read.
    static func conditions(_ c: JSONObject) -> [PresenceCondition]? {
        func one(_ o: JSONObject) -> PresenceCondition? {
            guard let m = o["member"]?.stringValue, !m.isEmpty else { return nil }
            let member = m.split(separator: "/").map(String.init)
            if let b = o["above"]?.numberValue { return PresenceCondition(member: member, test: .above(b)) }
            if let b = o["notAbove"]?.numberValue { return PresenceCondition(member: member, test: .notAbove(b)) }
            if let x = o["is"] { return PresenceCondition(member: member, test: .equals(x)) }
            if o["empty"] == .bool(true) { return PresenceCondition(member: member, test: .empty) }
            return nil
        }
        if let all = c["all"]?.arrayValue {
            let parsed = all.compactMap { $0.objectValue.flatMap(one) }
            return parsed.isEmpty || parsed.count != all.count ? nil : parsed
        }
        return one(c).map { [$0] }
    }

    /// Whether `value` is one of the rule's inert values: equal to one, or an
    /// object whose members named by an object pattern are absent, null or equal.
    static func isInert(_ value: JSON, _ inert: [JSON]) -> Bool {
        inert.contains { pattern in
            if value == pattern { return true }
            guard case .object(let p) = pattern, case .object(let o) = value else { return false }
            return p.allSatisfy { m in
                guard let v = o[m.key], !v.isNull else { return true }
                return v == m.value
            }
        }
    }

    /// The option of a rule's reading that lets an inert value through.
    static let inertOption = "inert-otherwise"

    /// Conditional members that hold a value (not null) in `body` although
    /// their condition is not met. A value among the rule's inert ones is the
    /// alternative `inert-otherwise` of the rule's reading: an `ambiguous`
    /// reading finding (`readings`, the register, says what each option
    /// means), nothing when `pinned` (the profile's pins) holds that option,
    /// and a failure when it pins another. The inert values of one answer make
    /// one finding per reading (a page of 500 items, one line), naming the
    /// first and counting the rest.
    public static func violations<V: JSONReading>(
        in body: V, rules: [PresenceRule], readings: [Reading] = [], pinned: [String: String] = [:]
    ) -> [Finding] {
        violations(in: body, plan: Plan(rules), readings: readings, pinned: pinned)
    }

    /// What `violations` reads of a schema's rules, worked out once (the
    /// suite keeps one a schema: `Suite.presencePlan(for:)`) rather than for
    /// every answer (perf, issue 24: 21 allocations an answer). Rules that
    /// share a parent (`extension`, `extensionNumber` and `dnd` of every
    /// account) are judged in one walk over the objects, not one walk each;
    /// the members a group's rules and their conditions name (a sibling:
    /// `pbx`) are looked up in one pass over each object, not one pass each:
    /// on a tape a lookup steps over every member.
    package struct Plan: Sendable {
        struct Member: Sendable {
            /// The rule's index, the member's name and the rule's conditions.
            let r: Int
            let name: String
            let conditions: [PresenceCondition]
            /// Where the member's value is among the group's keys, and each
            /// condition's (-1: a deeper member, resolved from the object).
            let at: Int
            let slots: [Int]
            let deeper: [JSONPointer?]
        }
        struct Group: Sendable {
            let path: [String]
            let keys: JSONKeys
            let members: [Member]
        }
        let rules: [PresenceRule]
        let groups: [Group]

        package init(_ rules: [PresenceRule]) {
            self.rules = rules
            var parents: [(path: [String], rules: [Int])] = []
            for (r, rule) in rules.enumerated() where !rule.path.isEmpty {
                let parent = Array(rule.path.dropLast())
                if let g = parents.firstIndex(where: { $0.path == parent }) { parents[g].rules.append(r) } else { parents.append((parent, [r])) }
            }
            groups = parents.map { group in
                var names: [String] = []
                func slot(_ name: String) -> Int {
                    if let i = names.firstIndex(of: name) { return i }
                    names.append(name)
                    return names.count - 1
                }
                let members = group.rules.map { r in
                    let rule = rules[r]
                    let name = rule.path.last!
                    return Member(
                        r: r, name: name, conditions: rule.conditions, at: slot(name),
                        slots: rule.conditions.map { $0.member.count == 1 ? slot($0.member[0]) : -1 },
                        deeper: rule.conditions.map { $0.member.count == 1 ? nil : JSONPointer(tokens: $0.member) })
                }
                return Group(path: group.path, keys: JSONKeys(names), members: members)
            }
        }
    }

    package static func violations<V: JSONReading>(
        in body: V, plan: Plan, readings: [Reading] = [], pinned: [String: String] = [:]
    ) -> [Finding] {
        // What each rule finds is kept apart and joined in rule order: the
        // findings and the first inert hit of a reading are those of a walk
        // per rule. Made at the first finding: an answer that conforms makes none.
        let rules = plan.rules
        var found: [[Finding]] = []
        var inertByRule: [[(id: String, at: JSONPointer, text: String)]] = []
        var trail: [Step] = []
        var values: [V?] = []
        for group in plan.groups {
            eachObject(group.path[...], in: body, trail: &trail) { parent, trail in
                parent.lookUp(group.keys, into: &values)
                for member in group.members {
                    guard let v = values[member.at], !v.isNull else { continue }
                    let conditions = member.conditions
                    func holds(_ k: Int) -> Bool {
                        let slot = member.slots[k]
                        return conditions[k].holds(slot >= 0 ? values[slot] : member.deeper[k]?.resolve(in: parent))
                    }
                    guard conditions.indices.contains(where: { !holds($0) }) else { continue }
                    let unmet = conditions.indices.filter { !holds($0) }.map { conditions[$0] }
                    let at = Presence.pointer(trail).appending(member.name)
                    let condition = conditions.map(\.text).joined(separator: " and ")
                    let got = unmet.map { c -> String in
                        var s: V? = parent
                        for k in c.member { s = s?.member(k) }
                        return "\(c.member.joined(separator: ".")) \(s.map { Checker.show($0) } ?? "absent")"
                    }.joined(separator: ", ")
                    let r = member.r
                    let rule = rules[r]
                    if found.isEmpty {
                        found = [[Finding]](repeating: [], count: rules.count)
                        inertByRule = [[(id: String, at: JSONPointer, text: String)]](repeating: [], count: rules.count)
                    }
                    if let id = rule.reading, isInert(v.materialize(), rule.inert), pinned[id] == nil || pinned[id] == inertOption {
                        if pinned[id] == nil {
                            inertByRule[r].append((id, at, "\(at) holds \(Checker.show(v)) although \(got) (only if \(condition), \(rule.source))"))
                        }
                        continue
                    }
                    found[r].append(
                        Finding(
                            check: .schema, pointer: at, keyword: "x-onlyIf",
                            expected: "absent or null unless \(condition) (\(rule.source))",
                            actual: "\(Checker.show(v)) with \(got)",
                            message: "\(at) holds \(Checker.show(v)) although \(got): the docs show it only if \(condition) (\(rule.source))"))
                }
            }
        }
        if found.isEmpty { return [] }
        var out = Array(found.joined())
        var inertHits: [String: [(at: JSONPointer, text: String)]] = [:]
        for hit in inertByRule.joined() { inertHits[hit.id, default: []].append((hit.at, hit.text)) }
        for (id, hits) in inertHits.sorted(by: { $0.key < $1.key }) {
            let reading = readings.first { $0.id == id }
            let ours = reading?.ours
            let theirs = reading?.option(inertOption)
            let more = hits.count > 1 ? " (and \(hits.count - 1) more member\(hits.count == 2 ? "" : "s") so)" : ""
            var f = Finding(
                check: .reading, severity: .ambiguous, pointer: hits[0].at,
                expected: "\(ours?.id ?? "absent-otherwise"): \(ours?.says ?? "absent or null")",
                actual: "\(inertOption): \(theirs?.says ?? "an inert value")",
                message: "reading '\(id)'" + (reading.map { " (\($0.page):\($0.line) “\($0.quote)”)" } ?? "")
                    + ": we read \(ours?.id ?? "absent-otherwise"); the target took the alternative \(inertOption): "
                    + hits[0].text + more)
            f.reading = id
            out.append(f)
        }
        return out.sorted { ($0.pointer?.description ?? "") < ($1.pointer?.description ?? "") }
    }

    /// One step from an object towards a member the rules name.
    enum Step {
        case key(String)
        case index(Int)
    }

    static func pointer(_ trail: [Step]) -> JSONPointer {
        JSONPointer(tokens: trail.map { step in
            switch step {
            case .key(let k): k
            case .index(let i): String(i)
            }
        })
    }

    /// Calls `visit` with each object that `path` leads to in `value` (a `*`
    /// step takes every item of an array, in order) and the steps that lead
    /// there: the objects `Visibility.matches` names, in the same order,
    /// without building a pointer for each and walking to it again (a
    /// pointer is made only for a violation; perf, issue 24).
    static func eachObject<V: JSONReading>(
        _ path: ArraySlice<String>, in value: V, trail: inout [Step], _ visit: (V, [Step]) -> Void
    ) {
        eachValue(path, in: value, trail: &trail) { v, steps in
            if v.isObject { visit(v, steps) }
        }
    }

    /// Calls `visit` with each value that `path` leads to in `value`, of any
    /// kind (a `*` step takes every item of an array, in order), and the
    /// steps that lead there (`eachObject`, `Visibility.matches`).
    static func eachValue<V: JSONReading>(
        _ path: ArraySlice<String>, in value: V, trail: inout [Step], _ visit: (V, [Step]) -> Void
    ) {
        guard let head = path.first else { return visit(value, trail) }
        let rest = path.dropFirst()
        if head == "*", value.isArray {
            value.enumerateElements { i, item in
                trail.append(.index(i))
                eachValue(rest, in: item, trail: &trail, visit)
                trail.removeLast()
            }
            return
        }
        guard value.isObject, let v = value.member(head) else { return }
        trail.append(.key(head))
        eachValue(rest, in: v, trail: &trail, visit)
        trail.removeLast()
    }
}
