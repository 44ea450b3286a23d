/// How much of the suite a run judged: a run that skipped most of it must
/// not look green. A case is judged when its verdict is passed, ambiguous or
/// failed; errors and skips are not.
public enum Judged {
    public static func count(_ run: RunResult) -> Int {
        run.results.glances.count { g in
            switch g.kind {
            case .passed, .ambiguous, .failed: return true
            case .error, .skipped: return false
            }
        }
    }

    /// Judged cases as a percentage of all planned cases (100 for an empty run).
    public static func percent(_ run: RunResult) -> Double {
        run.results.isEmpty ? 100 : Double(count(run)) * 100 / Double(run.results.count)
    }

    /// Skip reasons with their number of cases, most cases first (then in report order).
    package static func skipGroups(_ run: RunResult) -> [(reason: String, cases: Int)] {
        var groups: [(reason: String, cases: Int)] = []
        var index: [String: Int] = [:]
        for r in run.results.matching({ $0.kind == .skipped }) {
            guard case .skipped(let why) = r.verdict else { continue }
            if let i = index[why] {
                groups[i].cases += 1
            } else {
                index[why] = groups.count
                groups.append((why, 1))
            }
        }
        return groups.enumerated().sorted { a, b in
            a.element.cases != b.element.cases ? a.element.cases > b.element.cases : a.offset < b.offset
        }.map(\.element)
    }

    /// The kinds of skip reasons the planner gives (its wording), with what
    /// each is about: the fixture, role or pool named.
    enum Cause: Hashable {
        case fixture(String)
        case credential(String)
        case mutating
        case pool(String)
        case other
    }

    static func cause(_ reason: String) -> Cause {
        func quoted(after marker: String) -> String? {
            guard let r = reason.range(of: marker) else { return nil }
            let rest = reason[r.upperBound...]
            guard let end = rest.firstIndex(of: "'") else { return nil }
            return String(rest[..<end])
        }
        if reason.hasPrefix("target "), let f = quoted(after: " has no fixture '") { return .fixture(f) }
        if reason.hasPrefix("no credential for role ") {
            return .credential(String(reason.dropFirst("no credential for role ".count).prefix { $0 != ":" }))
        }
        if reason.hasPrefix("mutating case;") { return .mutating }
        if reason.hasPrefix("fixture pool '"), let p = quoted(after: "fixture pool '") { return .pool(p) }
        return .other
    }

    /// `230 skipped for 41 missing fixtures`, or by cause, most cases first:
    /// `230 skipped: 190 for 41 missing fixtures, 40 mutating (not allowed on this target)`.
    static func skipSummary(_ run: RunResult) -> String {
        var cases: [String: Int] = [:]
        var named: [String: Set<String>] = [:]
        var order: [String] = []
        for r in run.results.matching({ $0.kind == .skipped }) {
            guard case .skipped(let why) = r.verdict else { continue }
            let key: String
            var name: String?
            switch cause(why) {
            case .fixture(let f): key = "fixture"; name = f
            case .credential(let role): key = "credential"; name = role
            case .mutating: key = "mutating"
            case .pool(let p): key = "pool"; name = p
            case .other: key = "other"
            }
            if cases[key] == nil { order.append(key) }
            cases[key, default: 0] += 1
            if let name { named[key, default: []].insert(name) }
        }
        let total = cases.values.reduce(0, +)
        guard total > 0 else { return "none skipped" }
        func words(_ key: String) -> String {
            let n = named[key]?.count ?? 0
            switch key {
            case "fixture": return "for \(n) missing fixture\(n == 1 ? "" : "s")"
            case "credential": return "for \(n) role\(n == 1 ? "" : "s") without a credential"
            case "mutating": return "mutating (not allowed on this target)"
            case "pool": return "for \(n) exhausted pool\(n == 1 ? "" : "s")"
            default: return "for other reasons"
            }
        }
        let sorted = order.enumerated().sorted { a, b in
            cases[a.element]! != cases[b.element]! ? cases[a.element]! > cases[b.element]! : a.offset < b.offset
        }.map(\.element)
        if sorted.count == 1 { return "\(total) skipped \(words(sorted[0]))" }
        return "\(total) skipped: " + sorted.map { "\(cases[$0]!) \(words($0))" }.joined(separator: ", ")
    }

    /// `27 of 257 cases judged; 230 skipped for 41 missing fixtures`.
    public static func line(_ run: RunResult) -> String {
        let n = run.results.count
        var text = "\(count(run)) of \(n) case\(n == 1 ? "" : "s") judged"
        if run.skipped > 0 { text += "; " + skipSummary(run) }
        if run.errors > 0 { text += "; \(run.errors) errored" }
        return text
    }
}
