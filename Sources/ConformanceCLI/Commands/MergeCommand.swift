import ConformanceKit

extension CLI {
    static let mergeHelp = """
        conformance merge — merge the JUnit reports of shards (run --shard I/N) into one

        USAGE
          conformance merge A.xml B.xml … -o junit.xml

        Test suites of the same endpoint are joined; counts and times are recomputed.
        EXIT STATUS
          0 merged · 2 usage error or an unreadable report
        """

    static func merge(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"], options: ["o", "output"], positionals: 1000)
        guard let p = try parseArguments(args, spec: spec, help: mergeHelp, console: console) else { return .passed }
        guard let output = p.value("o") ?? p.value("output") else { throw UsageError("merge needs -o FILE") }
        guard !p.positionals.isEmpty else { throw UsageError("merge needs at least one report to read") }
        do {
            let m = try JUnitMerge.merge(files: p.positionals)
            try writeAtomically(m.xml, to: output)
            console.out("merged \(p.positionals.count) report(s) into \(output): \(m.tests) tests, \(m.failures) failures, \(m.errors) errors, \(m.skipped) skipped")
            return .passed
        } catch let e as JUnitMerge.MergeError {
            console.err("error: \(e)")
            return .usage
        }
    }
}
