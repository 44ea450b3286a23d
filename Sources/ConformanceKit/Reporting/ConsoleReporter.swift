/// What the terminal shows: the problems (findings grouped by cause), then
/// one line per case that did not pass, then the totals.
public enum ConsoleReporter {
    /// Every line with its control characters escaped (`TerminalText`): the
    /// lines quote answers, and a server must not drive the terminal.
    public static func lines(_ run: RunResult) -> [String] {
        var out: [String] = []
        write(run) { out.append($0) }
        return out
    }

    /// `lines`, each handed to `emit` as it is made (as `run` prints them):
    /// nothing is kept per case, however many cases fail.
    public static func write(_ run: RunResult, _ emit: (String) -> Void) {
        writeRaw(run) { emit(TerminalText.escapingControls($0)) }
    }

    /// Failed or errored cases shown in detail (their FAIL or ERROR line, what
    /// was sent, the answer, the curl line); the cases after them are counted
    /// in one line: the console is read by a person, the reports list every case.
    public static let detailedCasesShown = 50

    /// The line that stands for the failed or errored cases not shown in detail.
    static func moreCasesLine(_ more: Int) -> String {
        "… \(more) more failed or errored case\(more == 1 ? "" : "s") not shown here: junit.xml, results.json and report.html list every one"
    }

    /// The line that stands for the flaky cases past the first `detailedCasesShown`.
    static func moreFlakyLine(_ more: Int) -> String {
        "… \(more) more flaky case\(more == 1 ? "" : "s") not shown here: junit.xml (flakyError) and results.json (attempts) list every one"
    }

    static func writeRaw(_ run: RunResult, _ out: (String) -> Void) {
        for p in run.preflight where p.state == .refuted { out("PREFLIGHT \(p.detail)") }
        problemLines(run).forEach(out)
        // Only the cases with a line are read back (failed, errored, flaky); past
        // `detailedCasesShown` failed or errored cases, the others are only counted.
        // FLAKY lines are capped the same way, on their own count: a server that
        // needs a retry for every case must not bury the failures.
        var detailed = 0, notShown = 0, flakyShown = 0, flakyNotShown = 0
        for i in run.results.indices {
            let g = run.results.glance(i)
            if g.isBad {
                guard detailed < detailedCasesShown else {
                    notShown += 1
                    continue
                }
                detailed += 1
            } else if g.kind == .passed && g.isFlaky {
                guard flakyShown < detailedCasesShown else {
                    flakyNotShown += 1
                    continue
                }
                flakyShown += 1
            } else {
                continue
            }
            let r = run.results[i]
            switch r.verdict {
            case .passed:
                if r.isFlaky {
                    out("FLAKY \(r.endpointID)/\(r.caseID): passed after \(r.attempts.count) retr\(r.attempts.count == 1 ? "y" : "ies") (\(r.attempts.joined(separator: "; ")))")
                }
            case .skipped: continue
            case .ambiguous:
                continue  // grouped by reading below
            case .failed:
                let first = r.failures.first?.message ?? "failed"
                let more = r.failures.count > 1 ? " (+\(r.failures.count - 1) more)" : ""
                out("FAIL  \(r.endpointID)/\(r.caseID): \(first)\(more)")
                // What was sent, in the case's words (a generated case names the member and the value it sent wrong).
                out("      case: \(r.title)")
                // A wrong message or envelope is read from the body: show what was read (scrubbed and masked before it was kept).
                if r.failures.contains(where: { $0.check == .errorMessage || $0.check == .contentType }), let excerpt = r.responseExcerpt {
                    out("      answered: \(r.status.map(String.init) ?? "?") \(oneLine(excerpt))")
                }
                if let curl = r.request?.curl { out("      reproduce: \(curl)") }
            case .error(let why):
                out("ERROR \(r.endpointID)/\(r.caseID): \(why)")
                if let curl = r.request?.curl { out("      reproduce: \(curl)") }
            }
        }
        if notShown > 0 { out(moreCasesLine(notShown)) }
        if flakyNotShown > 0 { out(moreFlakyLine(flakyNotShown)) }
        // One line per reading and option the target took, with how many cases and the first few.
        let groups = AmbiguityGroup.group(run.results, keep: ambiguousCasesShown)
        for g in groups {
            let shown = g.firstCaseIDs.joined(separator: ", ") + (g.count > ambiguousCasesShown ? ", … (+\(g.count - ambiguousCasesShown))" : "")
            let id = g.finding.reading ?? ""
            let doc = run.readings.first { $0.id == id }.map { " (\($0.page):\($0.line) “\($0.quote)”)" } ?? ""
            out(
                "AMBIG reading '\(id)'\(doc): we read \(g.finding.expected); the target took \(g.finding.actual): "
                    + "\(g.count) case\(g.count == 1 ? "" : "s"): \(shown)")
        }
        if run.ambiguous > 0 {
            out(
                "\(run.ambiguous) ambiguous: conforming cases where the target took a documented alternative reading "
                    + "(counted as passed; they block nothing; pin a reading in the profile to be held to it)")
        }
        let flaky = run.flaky
        if flaky > 0 { out("\(flaky) flaky case(s): passed only after a transport retry") }
        warningLines(run).forEach(out)
        // Skip reasons grouped, most cases first; then the totals and how much was judged.
        let skips = Judged.skipGroups(run)
        for g in skips.prefix(skipReasonsShown) { out("SKIP  \(g.cases) case\(g.cases == 1 ? "" : "s"): \(g.reason)") }
        if skips.count > skipReasonsShown {
            out("SKIP  … \(skips.count - skipReasonsShown) more reason\(skips.count - skipReasonsShown == 1 ? "" : "s") (summary.md lists them)")
        }
        if run.ambiguous > 0 || run.errors > 0 {
            // The reports' five numbers; the closing line folds two of them, as JUnit readers do.
            out("totals: \(ReportFormats.totals(run)); the last line counts ambiguous as passed and errors as failed")
        }
        if run.skipped > 0 || run.errors > 0 { out(Judged.line(run)) }
        out(summaryLine(run))
    }

    /// Case ids shown per ambiguity group (reading and option taken).
    static let ambiguousCasesShown = 4

    /// Warning groups shown on the console (the reports list every warning).
    static let warningGroupsShown = 5

    /// `2018 warnings in 3 groups:` and one line per group, most findings first.
    package static func warningLines(_ run: RunResult) -> [String] {
        let groups = WarningGroup.group(run.results)
        guard !groups.isEmpty else { return [] }
        let total = groups.reduce(0) { $0 + $1.findings }
        var out = ["\(total) warning\(total == 1 ? "" : "s") in \(groups.count) group\(groups.count == 1 ? "" : "s") (not failures; the reports list each):"]
        for g in groups.prefix(warningGroupsShown) {
            let at = g.pointer.map { " " + ($0.isEmpty ? "(root)" : $0) } ?? ""
            let cases = g.cases
            out.append("  \(g.findings)× \(g.check)\(at) on \(g.endpointID) in \(cases) case\(cases == 1 ? "" : "s"), e.g. \(g.message)")
        }
        if groups.count > warningGroupsShown {
            out.append("  … \(groups.count - warningGroupsShown) more group\(groups.count - warningGroupsShown == 1 ? "" : "s") (summary.md, report.html)")
        }
        return out
    }

    /// Skip reasons shown on the console (summary.md lists more).
    static let skipReasonsShown = 5

    /// `N passed, N failed, N skipped` — errors count as failed here, and
    /// ambiguous cases (which conform) as passed, as JUnit readers count them.
    package static func summaryLine(_ run: RunResult) -> String {
        "\(run.passed + run.ambiguous) passed, \(run.failed + run.errors) failed, \(run.skipped) skipped"
    }

    /// A body excerpt on one line, at most `limit` characters.
    static func oneLine(_ s: String, limit: Int = 240) -> String {
        let flat = s.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + " …" : flat
    }

    /// Case ids shown per problem on the console (the reports list them all).
    static let casesPerProblem = 6

    /// `3 problems in 41 failing cases:` and one entry per problem, most cases
    /// first; nothing when every case passed.
    package static func problemLines(_ run: RunResult) -> [String] {
        let problems = Problems.group(run.results)
        guard !problems.isEmpty else { return [] }
        var out = ["\(Problems.headline(problems)):"]
        for p in problems {
            let n = p.caseCount
            let expected = p.check == "error" ? "" : p.expected.isEmpty ? "" : ", expected \(p.expected)"
            out.append("  \(p.number). \(p.title)\(expected): \(n) case\(n == 1 ? "" : "s")")
            if p.check == "error" { out.append("     \(p.expected)") } else { out.append("     e.g. \(p.message)") }
            let shown = p.firstCaseIDs.prefix(casesPerProblem).joined(separator: ", ")
            out.append("     " + shown + (n > casesPerProblem ? ", … (+\(n - casesPerProblem))" : ""))
        }
        out.append("cases:")
        return out
    }
}
