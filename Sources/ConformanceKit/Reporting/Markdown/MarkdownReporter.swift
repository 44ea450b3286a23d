/// A short Markdown summary (GitHub-flavoured), for a CI job summary or a
/// pull-request comment: the verdict first, the totals, the failures and
/// errors grouped into problems (findings that share a cause), the totals, the
/// failures and errors with their first finding, and the documented-row coverage.
/// Tables stop at 50 rows, so a big run stays under ~200 lines.
public enum MarkdownReporter {
    /// Rows shown in one table before "… and N more".
    static let maxTableRows = 50

    public static func render(_ run: RunResult) -> String {
        let c = ReportFormats.Counts(run)
        let (symbol, text) = ReportFormats.headline(run)
        var out: [String] = []
        out.append("## TelecomX conformance: \(symbol) \(text)")
        out.append("")
        var about = "Target \(cell(run.targetName)) at \(cell(ReportFormats.withoutUserInfo(run.baseURL)))"
        about += ", started \(ReportFormats.iso8601(run.startedAt)), took \(ReportFormats.duration(run.durationSeconds))."
        out.append(about)
        let blocking = run.blockingCount
        out.append(
            run.isCertifiable
                ? "Certifiable: yes, every required case passed."
                : "Certifiable: no, \(blocking) required case\(blocking == 1 ? "" : "s") did not pass cleanly (failed, errored, skipped or flaky).")
        out.append("")
        out += problemSection(run)

        out += table(
            ["cases", "passed", "ambiguous", "failed", "errors", "skipped", "flaky", "warnings", "duration"],
            align: Array(repeating: "---:", count: 9),
            rows: [
                [c.total, c.passed, c.ambiguous, c.failed, c.errors, c.skipped, c.flaky, c.warnings].map(String.init)
                    + [ReportFormats.duration(run.durationSeconds)]
            ])
        out.append("")
        out.append("Passed, ambiguous, failed, errors and skipped add up to the cases; \(ReportFormats.ambiguousNote).")

        // Counted from the index; only the rows the table shows are read back.
        let badCount = run.results.glances.filter(\.isBad).count
        if badCount > 0 {
            let shown = Array(run.results.matching(\.isBad).prefix(maxTableRows))
            out.append("")
            out.append("### Failures and errors (\(badCount))")
            out.append("")
            out += table(
                ["case", "endpoint", "outcome", "check", "pointer", "message"], more: badCount - shown.count,
                rows: shown.map { r in
                    switch r.verdict {
                    case .error(let why):
                        return [cell(r.caseID), cell(r.endpointID), "error", "", "", cell(why)]
                    default:
                        let failures = r.failures.isEmpty ? r.findings : r.failures
                        guard let f = failures.first else {
                            return [cell(r.caseID), cell(r.endpointID), "failed", "", "", ""]
                        }
                        let more = failures.count > 1 ? " (+\(failures.count - 1) more)" : ""
                        let pointer = f.pointer.map { $0.tokens.isEmpty ? "(root)" : $0.description } ?? ""
                        return [
                            cell(r.caseID), cell(r.endpointID), "failed", cell(f.check.rawValue), cell(pointer),
                            cell(f.message) + more,
                        ]
                    }
                })
        }

        let warningGroups = WarningGroup.group(run.results)
        if !warningGroups.isEmpty {
            let total = warningGroups.reduce(0) { $0 + $1.findings }
            out.append("")
            out.append("### Warnings (\(total) in \(warningGroups.count) group\(warningGroups.count == 1 ? "" : "s")): not failures, grouped by cause")
            out.append("")
            out += table(
                ["warnings", "check", "pointer", "endpoint", "cases", "e.g."], align: ["---:", "---", "---", "---", "---:", "---"],
                rows: warningGroups.prefix(warningGroupsShown).map { g in
                    [String(g.findings), cell(g.check), cell(g.pointer ?? ""), cell(g.endpointID), String(g.cases), cell(g.message)]
                })
            if warningGroups.count > warningGroupsShown {
                out.append("")
                out.append("… \(warningGroups.count - warningGroupsShown) more groups (results.json lists every warning).")
            }
        }

        // Per reading and option taken, a count and the first ids shown.
        let ambiguousCount = run.results.glances.filter { $0.kind == .ambiguous }.count
        if ambiguousCount > 0 {
            out.append("")
            out.append("### Ambiguous (\(ambiguousCount)): the target took a documented alternative reading")
            out.append("")
            out.append("These conform and block nothing; a profile can pin a reading (`\"readings\": {ID: OPTION}`) to be held to it.")
            out.append("")
            out += table(
                ["reading", "we read", "the target took", "cases"],
                rows: AmbiguityGroup.group(run.results, keep: ambiguousCasesShown).map { g in
                    let id = g.finding.reading ?? ""
                    let reading = run.readings.first { $0.id == id }
                    let shown = g.firstCaseIDs.map(cell).joined(separator: ", ")
                    return [
                        cell(id), cell(reading?.ours.says ?? ""), cell(g.finding.actual),
                        "\(g.count): \(shown)\(g.count > ambiguousCasesShown ? ", …" : "")",
                    ]
                })
        }

        // Counted from the index; only the ten shown are read back.
        let flakyCount = run.results.glances.filter(\.isFlaky).count
        if flakyCount > 0 {
            out.append("")
            out.append("### Flaky (\(flakyCount)): passed only after a transport retry")
            out.append("")
            for r in run.results.matching(\.isFlaky).prefix(10) {
                out.append("- \(cell(r.caseID)) (\(cell(r.endpointID))): \(r.attempts.count) earlier attempt\(r.attempts.count == 1 ? "" : "s"), first: \(cell(r.attempts.first ?? ""))")
            }
            if flakyCount > 10 { out.append("- … and \(flakyCount - 10) more") }
        }

        if c.skipped > 0 {
            // Grouped by reason: a missing credential usually skips many cases at once.
            // Most cases first.
            let reasons = Judged.skipGroups(run)
            out.append("")
            out.append("### Skipped (\(c.skipped))")
            out.append("")
            out.append(Judged.line(run) + ".")
            out.append("")
            for (why, n) in reasons.prefix(10) { out.append("- \(n) × \(cell(why))") }
            if reasons.count > 10 { out.append("- … and \(reasons.count - 10) more reasons") }
        }

        if !run.coverage.isEmpty {
            let byID = ReportFormats.resultsByID(run)
            out.append("")
            out.append("### Documented-error coverage")
            out.append("")
            var rows: [[String]] = run.coverage.map { ep in
                let failing = ep.rows.filter { row in
                    row.caseIDs.contains { id in
                        switch byID(id)?.kind {
                        case .failed?, .error?: return true
                        default: return false
                        }
                    }
                }
                return [
                    cell(ep.endpointID), cell("\(ep.method) \(ep.path)"), String(ep.rows.count), String(ep.covered),
                    String(ep.explained), String(ep.uncovered.count), list(ep.uncovered.map(\.rowID)),
                    list(failing.map(\.rowID)),
                ]
            }
            let all = run.coverage.flatMap(\.rows)
            rows.append([
                "**total**", "", String(all.count), String(all.count { $0.isCovered }), String(all.count { $0.isExplained }),
                String(all.count { !$0.isCovered && !$0.isExplained }), "", "",
            ])
            out += table(
                ["endpoint", "request", "rows", "covered", "explained", "uncovered", "uncovered rows", "rows failing in this run"],
                align: ["---", "---", "---:", "---:", "---:", "---:", "---", "---"], rows: rows, keepLast: true)
        }
        out += valuesSection(run.values)
        return out.joined(separator: "\n") + "\n"
    }

    /// The documented enum values seen on the target in answers that conformed, and those never seen.
    static func valuesSection(_ values: [ValueCoverage]) -> [String] {
        guard !values.isEmpty else { return [] }
        var out = ["", "### Documented values seen", ""]
        let rows = values.map { v in
            [
                cell(v.endpointID), cell(v.pointer), list(v.values.filter { !$0.seenIn.isEmpty }.map(\.value)),
                list(v.values.filter { $0.seenIn.isEmpty }.map(\.value)), String(v.others),
            ]
        }
        out += table(
            ["endpoint", "pointer", "seen", "never seen", "undocumented answered"], align: ["---", "---", "---", "---", "---:"],
            rows: rows, keepLast: false)
        return out
    }

    /// Problems shown, and case ids shown per problem, before "… and N more".
    static let maxProblems = 20, maxCasesPerProblem = 30

    /// `### 3 problems in 41 failing cases`, then one numbered item per problem
    /// (most cases first) with its cases; nothing when every case passed.
    static func problemSection(_ run: RunResult) -> [String] {
        let problems = Problems.group(run.results)
        guard !problems.isEmpty else { return [] }
        var out = ["### \(Problems.headline(problems))", ""]
        for p in problems.prefix(maxProblems) {
            let n = p.caseCount
            var line = "\(p.number). **\(cell(p.check))** "
            if let pointer = p.pointer { line += "`" + code(pointer.isEmpty ? "(root)" : pointer) + "` " }
            if let keyword = p.keyword, !keyword.isEmpty { line += "(rule `" + code(keyword) + "`) " }
            line += "on \(cell(p.endpointID))"
            if p.check != "error", !p.expected.isEmpty { line += ", expected \(cell(p.expected))" }
            line += ": \(n) case\(n == 1 ? "" : "s")"
            out.append(line)
            out.append("    - e.g. \(cell(p.message))")
            let shown = p.firstCaseIDs.prefix(maxCasesPerProblem).map(cell).joined(separator: ", ")
            out.append("    - " + shown + (n > maxCasesPerProblem ? ", … and \(n - maxCasesPerProblem) more" : ""))
        }
        if problems.count > maxProblems { out += ["", "… and \(problems.count - maxProblems) more problems"] }
        out.append("")
        return out
    }

    /// Text inside a code span: one line, no backtick.
    static func code(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "`", with: "'")
    }

    /// A table with at most `maxTableRows` rows (the last row kept when
    /// `keepLast`, for a totals row), then a "… and N more" line.
    /// Warning groups in summary.md (report.html lists them all).
    static let warningGroupsShown = 20

    /// Case ids shown per ambiguity group (reading and option taken).
    static let ambiguousCasesShown = 5

    /// `more`: rows after `rows` not given (counted as hidden; not with `keepLast`).
    static func table(_ header: [String], align: [String]? = nil, more: Int = 0, rows: [[String]], keepLast: Bool = false) -> [String] {
        var out = ["| " + header.joined(separator: " | ") + " |"]
        out.append("|" + (align ?? header.map { _ in "---" }).joined(separator: "|") + "|")
        var shown = rows
        var hidden = 0
        if rows.count + more > maxTableRows {
            hidden = rows.count + more - maxTableRows
            shown = Array(rows.prefix(keepLast ? maxTableRows - 1 : maxTableRows))
            if keepLast, let last = rows.last { shown.append(last) }
        }
        for r in shown {
            let padded = r + Array(repeating: "", count: max(0, header.count - r.count))
            out.append("| " + padded.prefix(header.count).joined(separator: " | ") + " |")
        }
        if hidden > 0 {
            // A blank line first: in GFM a line right after a table is one more row.
            out.append("")
            out.append("… and \(hidden) more")
        }
        return out
    }

    /// Up to five ids, comma-separated.
    static func list(_ ids: [String]) -> String {
        let shown = ids.prefix(5).map(cell).joined(separator: ", ")
        return ids.count > 5 ? shown + ", … (+\(ids.count - 5))" : shown
    }

    /// Text safe in a table cell or a line: one line, at most 200 characters,
    /// Markdown punctuation escaped (a pipe cannot end the cell, `<` cannot
    /// open HTML, `[` cannot open a link).
    static func cell(_ s: String) -> String {
        var text = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        if text.count > 200 { text = String(text.prefix(199)) + "…" }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "\\", "|", "`", "*", "_", "[", "]", "<", ">", "&", "~", "#", "!":
                out += "\\"
                out.unicodeScalars.append(ch)
            case "\t":
                out += " "
            default:
                if ch.value < 0x20 || ch.value == 0x7F { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

extension ReportFormat {
    /// `summary.md`: the short Markdown summary (also the GitHub job summary).
    public static let summary = ReportFormat(name: "Markdown summary", file: "summary.md", certified: true) { run, _, sink in
        // Bounded (tables stop at 50 rows): written whole.
        sink.write(MarkdownReporter.render(run))
    }
}
