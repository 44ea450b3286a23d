import ConformanceKit
import DocTools
import Foundation

extension CLI {
    static let importDocsHelp = """
        conformance import-docs — turn vendor doc pages into suite files

        USAGE
          conformance import-docs PAGE... [--suite DIR] [--force] [--dry-run]

        For each page (a .txt page in the vendor's wiki format) writes, under the suite:
          endpoints/<page>.json          method, path, parameters (texts verbatim, with page line),
                                         access line, levels and rule, error rows with ids
          schemas/<…>.schema.json        one per field table: request body, response, further objects
          cases/<page>/todo-<row>.json   a skeleton case per documented row: it loads and plans,
                                         is skipped as 'skeleton', and coverage shows the row uncovered
        Hand decisions (error ids, nesting, formats the page only implies, schema file names) come
        from <suite>/import-overrides.json. Levels the access line names that <suite>/access.json
        does not declare are added to it.

        OPTIONS
          --suite DIR    the suite folder to write into (default: Cases)
          --force        replace existing files (an endpoint spec keeps what the page does not own:
                         readings, bounds, negatives, paging, notProvokable reasons, comments)
          --dry-run      print what would be written; write nothing
          -h, --help     this help

        EXIT STATUS
          0 written (or would be, with --dry-run) · 2 usage error, unreadable page, or files exist without --force
        """

    static func importDocs(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help", "force", "dry-run"], options: ["suite"], positionals: 1000))
        if p.has("help") {
            console.out(importDocsHelp)
            return .passed
        }
        guard !p.positionals.isEmpty else { throw UsageError("import-docs needs at least one PAGE (a .txt doc page)") }
        let suite = p.value("suite") ?? "Cases"
        do {
            let overrides = try ImportOverrides.load(suiteRoot: suite)
            var results: [DocImport.Result] = []
            for path in p.positionals {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DocImportError("cannot read page \(path)")
                }
                let name = (path as NSString).lastPathComponent
                results.append(DocImport.importPage(name: name, text: String(decoding: data, as: UTF8.self), overrides: overrides))
            }
            let report = try DocImport.write(results, suiteRoot: suite, force: p.has("force"), dryRun: p.has("dry-run"))
            let verb = p.has("dry-run") ? "would write" : "wrote"
            for f in report.written { console.out("\(verb) \(suite)/\(f)") }
            for r in results {
                for n in r.notes { console.out("note: \(n)") }
            }
            if !report.addedLevels.isEmpty {
                console.out("levels added to \(suite)/access.json: \(report.addedLevels.joined(separator: ", "))")
            }
            if !report.undeclaredLevels.isEmpty {
                console.out(
                    "note: \(suite)/access.json not found; the access lines name \(report.undeclaredLevels.joined(separator: ", "))")
            }
            let cases = results.reduce(0) { $0 + $1.files.filter { $0.kind == "case" }.count }
            console.out(
                "\(results.count) page\(results.count == 1 ? "" : "s"): \(report.written.count) files; "
                    + "\(cases) skeleton cases to write ('conformance coverage --suite \(suite)' lists the rows they leave uncovered)")
            return .passed
        } catch {
            console.err("error: \(error)")
            return .usage
        }
    }
}
