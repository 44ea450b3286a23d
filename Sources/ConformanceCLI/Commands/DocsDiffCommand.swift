import ConformanceKit
import DocTools

extension CLI {
    static let docsDiffHelp = """
        conformance docs-diff — what the vendor's pages say now that the suite does not

        USAGE
          conformance docs-diff [--docs DIR] [--suite DIR] [--fail-on-findings]

        Imports each page in memory (as import-docs would, with <suite>/import-overrides.json)
        and compares it with the suite: members added, removed or retyped, enums, bounds and
        visibility changed, error rows added or removed, the access line, method, path and
        parameters changed. Each finding names the page and line, the field and the suite file.

        OPTIONS
          --docs DIR            the doc pages (default: ../shared/api-docs)
          --suite DIR           the suite (default: Cases)
          --fail-on-findings    exit 1 when anything differs (for CI watching the vendor's pages)
          -h, --help            this help

        EXIT STATUS
          0 it ran (whatever it found, unless --fail-on-findings) · 1 findings with --fail-on-findings · 2 usage error
        """

    static func docsDiff(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help", "fail-on-findings"], options: ["docs", "suite"]))
        if p.has("help") {
            console.out(docsDiffHelp)
            return .passed
        }
        let findings: [DriftFinding]
        let docs = p.value("docs") ?? "../shared/api-docs"
        do {
            findings = try DocsDrift.check(docsDirectory: docs, suiteRoot: p.value("suite") ?? "Cases")
        } catch {
            console.err("error: \(error)")
            return .usage
        }
        for line in DocsDrift.render(findings, pagesChecked: DocsDrift.pageNames(docsDirectory: docs).count) { console.out(line) }
        return p.has("fail-on-findings") && !findings.isEmpty ? .failed : .passed
    }
}
