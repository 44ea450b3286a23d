/// The readings register as text for people: `conformance readings`, and the
/// article Readings.md (in the DocC catalog), whose table is generated from it.
public enum ReadingsReport {
    /// Where each reading is cited: endpoint specs and case files, in order.
    public static func citations(_ suite: Suite) -> [String: [String]] {
        var out: [String: [String]] = [:]
        func add(_ c: ReadingCitation) {
            let place = "\(c.file): \(c.keyPath)"
            if !(out[c.reading] ?? []).contains(place) { out[c.reading, default: []].append(place) }
        }
        for ep in suite.endpoints {
            (ep.accessReadings + ep.unauthenticatedReadings + ep.responseReadings).forEach(add)
        }
        for c in suite.cases.sorted(by: { ($0.file, $0.id) < ($1.file, $1.id) }) {
            for step in c.steps { step.citations.forEach(add) }
        }
        return out
    }

    /// One block per reading: id and page, the quote, the question, our
    /// option and the alternatives, and where it is cited.
    public static func text(_ suite: Suite) -> [String] {
        let cited = citations(suite)
        var out: [String] = []
        for r in suite.readings {
            out.append("\(r.id)  (\(r.page):\(r.line))")
            out.append("  the docs:     “\(r.quote)”")
            out.append("  question:     \(r.question)")
            out.append("  we read:      \(r.ours.id): \(r.ours.says)")
            out.append("  why:          \(r.because)")
            if r.alternatives.isEmpty {
                out.append("  alternatives: none (a departure fails)")
            }
            for (k, a) in r.alternatives.enumerated() {
                out.append("  \(k == 0 ? "alternatives:" : "             ") \(a.id): \(a.says)")
            }
            let places = cited[r.id] ?? []
            out.append("  cited by:     \(places.isEmpty ? "nothing yet" : places.joined(separator: "\n                "))")
            out.append("")
        }
        let alternatives = suite.readings.reduce(0) { $0 + $1.alternatives.count }
        out.append("total: \(suite.readings.count) readings, \(alternatives) alternatives")
        return out
    }

    /// The README section's body (between its markers): a table, one row per reading.
    public static func markdown(_ suite: Suite) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences("|", "\\|") }
        var lines = [
            "| reading | the docs | we read | a conforming server may also |",
            "|---|---|---|---|",
        ]
        for r in suite.readings {
            let alts = r.alternatives.isEmpty ? "(nothing else: a departure fails)" : r.alternatives.map { "`\($0.id)`: \(cell($0.says))" }.joined(separator: "; ")
            lines.append(
                "| `\(r.id)` | \(cell(r.page)):\(r.line) “\(cell(r.quote))” — \(cell(r.question)) | `\(r.ours.id)`: \(cell(r.ours.says)) | \(alts) |")
        }
        return lines.joined(separator: "\n")
    }
}
