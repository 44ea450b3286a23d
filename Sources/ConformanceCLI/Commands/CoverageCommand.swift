import ConformanceKit
import Foundation

extension CLI {
    static let coverageHelp = """
        conformance coverage — each documented row of each endpoint, with the cases that provoke it
        or the reason it cannot be provoked from outside

        USAGE
          conformance coverage [--suite DIR]
          conformance coverage --target F [--simulator] [--variant NAME] [--fault NAME] [--reports DIR]

        Without a target: the rows, then every documented value of the answers (the enums of the
        response schemas) with the cases aimed at it (an equals assertion of that value).
        With --target F (or --simulator, the built-in simulator with profile F or simulator.json):
        runs the suite as `run` does (reports in --reports DIR, default Reports), then prints
        coverage.txt: the rows, and which documented values were seen on the target in answers
        that conformed and which were never seen.

        EXIT STATUS
          0 every row is covered or explained · 1 a row has neither · 2 usage or suite error
          with a target, otherwise the run's status (1 failed, 3 not judged)
        """

    static func coverage(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "simulator"], options: ["suite", "target", "reports"], repeatable: ["variant", "fault"])
        guard let p = try parseArguments(args, spec: spec, help: coverageHelp, console: console) else { return .passed }
        guard let suite = loadSuite(root: p.suiteRoot, console: console) else { return .usage }
        let cov = Coverage.compute(suite)
        let rowsOK = cov.allSatisfy { $0.uncovered.isEmpty }
        if p.value("target") != nil || p.has("simulator") {
            let reports = p.value("reports") ?? "Reports"
            var runArgs = ["--suite", p.suiteRoot, "--reports", reports]
            if let t = p.value("target") { runArgs += ["--target", t] }
            if p.has("simulator") { runArgs.append("--simulator") }
            for v in p.values("variant") { runArgs += ["--variant", v] }
            for f in p.values("fault") { runArgs += ["--fault", f] }
            let status = try await run(runArgs, environment: environment, console: console)
            guard status != .usage, let text = try? String(contentsOfFile: reports + "/coverage.txt", encoding: .utf8) else {
                return status
            }
            console.out("")
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { console.out(String(line)) }
            return rowsOK ? status : .failed
        }
        for line in Coverage.render(cov) { console.out(line) }
        console.out("")
        for line in ValueCoverage.render(ValueCoverage.compute(suite), observed: false) { console.out(line) }
        console.out("")
        for line in AimCoverage.render(suite) { console.out(line) }
        return rowsOK ? .passed : .failed
    }
}
