import JSONKit

extension ValueCoverage {
    /// Without `results` (static coverage), only the aimed cases are filled in.
    public static func compute(_ suite: Suite, results: CaseResults = []) -> [ValueCoverage] {
        // One pass over the results that observed values (the others are not
        // read back): per endpoint and pointer, the cases each value was seen
        // in (in plan order) and the undocumented values counted.
        struct Key: Hashable { var endpoint, pointer: String }
        var seenAt: [Key: [String: [String]]] = [:]
        var othersAt: [Key: Int] = [:]
        // A result read back has an id of its own (a fresh string each); the
        // suite's case at the result's plan position holds the same id, which
        // the lists share instead (a case's id is kept once, not once a list).
        let order = results.isEmpty ? [] : Planner.order(suite.cases)
        for r in results.matching(\.hasObservedValues) {
            var id = r.caseID
            if order.indices.contains(r.seq) {
                let shared = suite.cases[Int(order[r.seq])].id
                if shared == id { id = shared }
            }
            for o in r.observedValues {
                let key = Key(endpoint: o.endpointID, pointer: o.pointer)
                for v in o.seen { seenAt[key, default: [:]][v, default: []].append(id) }
                othersAt[key, default: 0] += o.others
            }
        }
        // The cases that aim at each documented value, in one pass over the
        // cases for all the enums (one pass per enum copied every case once
        // per enum: perf, issue 24); each enum's lists fill in case order as before.
        let enums = suite.documentedEnums
        let patterns = enums.map { (try? JSONPointer(parsing: $0.pointer))?.tokens ?? [] }
        var byEndpoint: [String: [Int]] = [:]
        for (k, e) in enums.enumerated() { byEndpoint[e.endpointID, default: []].append(k) }
        var aimedAt = [[String: [String]]](repeating: [:], count: enums.count)
        if !byEndpoint.isEmpty {
            for i in suite.cases.indices {
                for step in suite.cases[i].steps {
                    guard let ks = byEndpoint[step.endpoint] else { continue }
                    for a in step.expect.assertions {
                        guard case .equals(let t) = a.kind, let v = t.raw.stringValue else { continue }
                        for k in ks where matches(patterns[k], a.pointer.tokens) {
                            let id = suite.cases[i].id
                            guard t.variables.isEmpty, enums[k].values.contains(v), aimedAt[k][v]?.last != id  // a case's assertions come one after another
                            else { continue }
                            aimedAt[k][v, default: []].append(id)
                        }
                    }
                }
            }
        }
        return enums.indices.map { k in
            let e = enums[k]
            var aimed = aimedAt[k]
            aimedAt[k] = [:]
            for i in aimed.values.indices { aimed.values[i].sort() }  // in place: the lists are not held twice
            let key = Key(endpoint: e.endpointID, pointer: e.pointer)
            let seen = seenAt[key] ?? [:]
            let others = othersAt[key] ?? 0
            return ValueCoverage(
                endpointID: e.endpointID, pointer: e.pointer,
                values: e.values.map { Value(value: $0, aimedBy: aimed[$0] ?? [], seenIn: seen[$0] ?? []) },
                others: others)
        }
    }

    /// Whether a concrete pointer falls under a pattern with `*` for array indices.
    static func matches(_ pattern: [String], _ tokens: [String]) -> Bool {
        pattern.count == tokens.count
            && zip(pattern, tokens).allSatisfy { p, t in p == t || (p == "*" && !t.isEmpty && t.allSatisfy(\.isNumber)) }
    }

    /// The documented values as text lines: per pointer, with `observed`
    /// (after a run) which were seen on the target and which never were;
    /// without it, the cases aimed at each. Ends with a total line.
    public static func render(_ values: [ValueCoverage], observed: Bool) -> [String] {
        var out: [String] = []
        out.append(
            observed
                ? "documented values (enums of the answers): seen on the target, in answers that conformed, or never seen"
                : "documented values (enums of the answers), with the cases aimed at each (an equals assertion)")
        var endpoint = ""
        let width = min(44, (values.map(\.pointer.count).max() ?? 10) + 2)
        for v in values {
            if v.endpointID != endpoint {
                endpoint = v.endpointID
                out.append(endpoint)
            }
            var line = "  " + v.pointer.padding(toLength: width, withPad: " ", startingAt: 0)
            if observed {
                let seen = v.values.filter { !$0.seenIn.isEmpty }.map(\.value)
                let never = v.values.filter { $0.seenIn.isEmpty }.map(\.value)
                line += "seen \(seen.count)/\(v.values.count)"
                if !seen.isEmpty { line += ": " + seen.joined(separator: ", ") }
                if !never.isEmpty { line += "; never seen: " + never.joined(separator: ", ") }
                if v.others > 0 { line += "; \(v.others) undocumented value\(v.others == 1 ? "" : "s") answered" }
            } else {
                let aimed = v.values.filter { !$0.aimedBy.isEmpty }
                let none = v.values.filter { $0.aimedBy.isEmpty }.map(\.value)
                line += "aimed \(aimed.count)/\(v.values.count)"
                if !aimed.isEmpty {
                    line += ": " + aimed.map { a in
                        "\(a.value) (\(a.aimedBy.prefix(2).joined(separator: ", "))\(a.aimedBy.count > 2 ? ", +\(a.aimedBy.count - 2)" : ""))"
                    }.joined(separator: ", ")
                }
                if !none.isEmpty { line += "; no case aimed: " + none.joined(separator: ", ") }
            }
            out.append(line)
        }
        let all = values.flatMap(\.values)
        let endpoints = Set(values.map(\.endpointID)).count
        if observed {
            let seen = all.count { !$0.seenIn.isEmpty }
            out.append("values: \(all.count) documented at \(values.count) places on \(endpoints) endpoints: \(seen) seen, \(all.count - seen) never seen")
        } else {
            let aimed = all.count { !$0.aimedBy.isEmpty }
            out.append("values: \(all.count) documented at \(values.count) places on \(endpoints) endpoints: \(aimed) aimed at by a case, \(all.count - aimed) not")
        }
        return out
    }
}
