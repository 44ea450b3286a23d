import Foundation

/// GitHub Actions workflow commands for a run: one `::error` line per
/// problem (findings grouped by cause, most cases first), at the file of the
/// problem's first case, so the pull request shows it there. Capped: GitHub
/// shows only the first few annotations of a step, and a run that fails
/// everything should not print hundreds; a last `::notice` says how many
/// more the reports hold.
public enum GitHubAnnotations {
    /// At most this many `::error` lines (GitHub shows 10 error annotations per step).
    public static let cap = 10

    /// `directory`: the working directory, so an absolute case path becomes relative to the checkout.
    public static func lines(_ run: RunResult, directory: String, cap: Int = cap) -> [String] {
        let problems = Problems.group(run.results)
        var out: [String] = []
        for p in problems.prefix(cap) {
            let n = p.caseCount
            // The first case's file, read back for the few problems shown (not a map of every case).
            let file = p.firstCaseIDs.first.flatMap { run.results.firstIndex(ofCaseID: $0) }.map { relative(run.results[$0].file, to: directory) } ?? ""
            let what = p.check == "error" ? "could not judge: \(p.expected)" : "\(p.message)" + (p.expected.isEmpty ? "" : " (expected \(p.expected))")
            let shown = p.firstCaseIDs.prefix(5).joined(separator: ", ") + (n > 5 ? ", … (+\(n - 5))" : "")
            var properties: [String] = []
            if !file.isEmpty { properties += ["file=" + property(file), "line=1"] }
            properties.append("title=" + property("conformance: \(p.title) (\(n) case\(n == 1 ? "" : "s"))"))
            out.append("::error \(properties.joined(separator: ","))::" + data("\(what); cases: \(shown)"))
        }
        if problems.count > cap {
            out.append("::notice::" + data("\(problems.count - cap) more problem\(problems.count - cap == 1 ? "" : "s") in the reports (summary.md, report.html)"))
        }
        return out
    }

    /// A workflow command's message: `%`, CR and LF escaped, and any other
    /// control character shown as its escape (`TerminalText`).
    static func data(_ s: String) -> String {
        TerminalText.escapingControls(
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A"))
    }

    /// A workflow command's property value: as `data`, and `:` and `,` too.
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    static func relative(_ path: String, to directory: String) -> String {
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(dir) ? String(path.dropFirst(dir.count)) : path
    }
}
