/// What the terminal shows: one line per case that did not pass, then the totals.
public enum ConsoleReporter {
    public static func lines(_ run: RunResult) -> [String] {
        var out: [String] = []
        for p in run.preflight where p.state == .refuted {
            out.append("PREFLIGHT \(p.detail)")
        }
        for r in run.results {
            switch r.verdict {
            case .passed:
                if r.isFlaky {
                    out.append("FLAKY \(r.endpointID)/\(r.caseID): passed after \(r.attempts.count) retr\(r.attempts.count == 1 ? "y" : "ies") (\(r.attempts.joined(separator: "; ")))")
                }
            case .skipped: continue
            case .ambiguous:
                for f in r.ambiguities {
                    out.append("AMBIG \(r.endpointID)/\(r.caseID): \(f.message)")
                }
            case .failed:
                let first = r.failures.first?.message ?? "failed"
                let more = r.failures.count > 1 ? " (+\(r.failures.count - 1) more)" : ""
                out.append("FAIL  \(r.endpointID)/\(r.caseID): \(first)\(more)")
                if let curl = r.request?.curl { out.append("      reproduce: \(curl)") }
            case .error(let why):
                out.append("ERROR \(r.endpointID)/\(r.caseID): \(why)")
                if let curl = r.request?.curl { out.append("      reproduce: \(curl)") }
            }
        }
        if run.ambiguous > 0 {
            out.append(
                "\(run.ambiguous) ambiguous: conforming cases where the target took a documented alternative reading "
                    + "(counted as passed; they block nothing; pin a reading in the profile to be held to it)")
        }
        let flaky = run.results.count { $0.isFlaky }
        if flaky > 0 { out.append("\(flaky) flaky case(s): passed only after a transport retry") }
        let warnings = run.results.reduce(0) { $0 + $1.warnings.count }
        if warnings > 0 { out.append("\(warnings) warning(s): undocumented fields and the like, listed in the report") }
        out.append(summaryLine(run))
        return out
    }

    /// `N passed, N failed, N skipped` — errors count as failed here, and
    /// ambiguous cases (which conform) as passed, as JUnit readers count them.
    public static func summaryLine(_ run: RunResult) -> String {
        "\(run.passed + run.ambiguous) passed, \(run.failed + run.errors) failed, \(run.skipped) skipped"
    }
}
