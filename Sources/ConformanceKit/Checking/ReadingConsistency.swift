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
        Array(judge(CaseResults(results), readings: readings))
    }

    /// One pass over the results that carry reading options (the others are
    /// not read back), each reading followed on its own; the findings are then
    /// added reading by reading, in the order each reading found them.
    /// Per reading it keeps each distinct set of options once (the first case
    /// that took it), not every case: flat in the number of cases.
    public static func judge(_ results: CaseResults, readings: [Reading]) -> CaseResults {
        let judged = readings.filter { !$0.perCase }
        guard !judged.isEmpty else { return results }
        struct State {
            var common: Set<String>?
            /// Each distinct set of options taken, with the first case that took it, in order.
            var seen: [(index: Int, id: String, took: Set<String>)] = []
        }
        var states = Array(repeating: State(), count: judged.count)
        // (reading, index, took, other index, other id, other took), in the order found per reading.
        var flags = Array(repeating: [(Int, Set<String>, Int, String, Set<String>)](), count: judged.count)
        var ids: [Int: String] = [:]
        for i in results.indices where results.glance(i).hasReadingOptions {
            let r = results[i]
            for (k, reading) in judged.enumerated() {
                guard let options = r.readingOptions[reading.id] else { continue }
                let took = Set(options)
                var st = states[k]
                defer {
                    if !st.seen.contains(where: { $0.took == took }) { st.seen.append((i, r.caseID, took)) }
                    states[k] = st
                }
                guard let shared = st.common else {
                    st.common = took
                    continue
                }
                if !shared.isDisjoint(with: took) {
                    st.common = shared.intersection(took)
                    continue
                }
                let other = st.seen.first { $0.took.isDisjoint(with: took) } ?? st.seen[0]
                flags[k].append((i, took, other.index, other.id, other.took))
                ids[i] = r.caseID
            }
        }
        var out = results
        for (k, reading) in judged.enumerated() {
            for (i, took, o, otherID, otherTook) in flags[k] {
                var a = out[i]
                flag(&a, reading, took: took, other: otherID, otherTook: otherTook)
                out[i] = a
                var b = out[o]
                flag(&b, reading, took: otherTook, other: ids[i] ?? a.caseID, otherTook: took)
                out[o] = b
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
