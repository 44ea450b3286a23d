import ConformanceKit
import DocTools

extension CLI {
    public static let lintDocsHelp = """
        conformance lint-docs — report the vendor documentation's own defects

        USAGE
          conformance lint-docs [--docs DIR] [--suite DIR] [--fail-on-findings]

        Validates every example object in the doc pages against the schemas
        transcribed from their tables, and lists example keys the tables do not
        have, rows whose place in the nesting is ambiguous, typos and
        contradictions — each with the page and the field.

        OPTIONS
          --docs DIR            the doc pages (default: ../shared/api-docs)
          --suite DIR           the suite whose schemas describe the tables (default: Cases)
          --fail-on-findings    exit 1 when anything is found (for CI)
          -h, --help            this help

        EXIT STATUS
          0 it ran (whatever it found, unless --fail-on-findings) · 1 findings with --fail-on-findings · 2 usage error
        """

    static func lintDocs(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "fail-on-findings"], options: ["docs", "suite"])
        guard let p = try parseArguments(args, spec: spec, help: lintDocsHelp, console: console) else { return .passed }
        let findings: [DocFinding]
        do {
            findings = try DocLint.lint(docsDirectory: p.value("docs") ?? "../shared/api-docs", suiteRoot: p.suiteRoot)
        } catch {
            console.err("error: \(error)")
            return .usage
        }
        for line in DocLint.render(findings) { console.out(line) }
        return p.has("fail-on-findings") && !findings.isEmpty ? .failed : .passed
    }
}
