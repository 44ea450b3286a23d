/// The check that spans a whole run: its answers must agree on one option of
/// each reading. Applied by `Conformance.run` once the runner has returned
/// every result (the runner sends; this judges across cases).
package enum ReadingConsistency {
    /// One option per reading per target: a target whose answers in one run
    /// agree with no common option of a reading (it accepts 4001 bytes of
    /// custom, which only the 4096-bytes reading allows, and refuses 4096,
    /// which only the 4000-bytes reading allows) fails both cases, each
    /// finding naming the reading and the other case. Cases are compared in
    /// plan order: each is held to the options the earlier ones share.
    public static func judge(_ results: [CaseResult], readings: [Reading]) -> [CaseResult] {
        var out = results
        for reading in readings where !reading.perCase {
            var common: Set<String>?
            var seen: [(index: Int, took: Set<String>)] = []
            for (i, r) in out.enumerated() {
                guard let options = r.readingOptions[reading.id] else { continue }
                let took = Set(options)
                defer { seen.append((i, took)) }
                guard let shared = common else {
                    common = took
                    continue
                }
                if !shared.isDisjoint(with: took) {
                    common = shared.intersection(took)
                    continue
                }
                let other = seen.first { $0.took.isDisjoint(with: took) } ?? seen[0]
                flag(&out[i], reading, took: took, other: out[other.index].caseID, otherTook: other.took)
                flag(&out[other.index], reading, took: other.took, other: out[i].caseID, otherTook: took)
            }
        }
        return out
    }

    static func flag(_ r: inout CaseResult, _ reading: Reading, took: Set<String>, other: String, otherTook: Set<String>) {
        guard !r.findings.contains(where: { $0.check == .reading && $0.severity == .failure && $0.reading == reading.id })
        else { return }
        func says(_ options: Set<String>) -> String {
            options.sorted().map { id in reading.option(id).map { "\(id) (\($0.says))" } ?? id }.joined(separator: " or ")
        }
        var f = Finding(
            check: .reading, severity: .failure, expected: "one option of reading '\(reading.id)' throughout the run",
            actual: "\(took.sorted().joined(separator: " or ")) here, \(otherTook.sorted().joined(separator: " or ")) in case '\(other)'",
            message: "reading '\(reading.id)' (\(reading.page):\(reading.line) “\(reading.quote)”): this answer takes \(says(took)), "
                + "but case '\(other)' took \(says(otherTook)) in the same run: a target takes one option of a reading throughout")
        f.reading = reading.id
        r.findings.append(f)
        if case .error = r.verdict { return }
        r.verdict = .failed
    }
}
