@testable import ConformanceKit
@testable import ConformanceCLI
import Foundation
import Testing

/// Console, results.json, summary.md, report.html and JUnit give the same
/// five numbers (passed, ambiguous, failed, errors, skipped) for one run, and
/// each says how it counts `ambiguous`. Asked in-process, of the fault runs
/// the detection tests make anyway (shared through `SimulatorHarness`'s memo)
/// and of a built run holding every outcome.
@Suite struct ReportNumbersTests {
    struct Numbers: Equatable, CustomStringConvertible {
        var passed = 0, ambiguous = 0, failed = 0, errors = 0, skipped = 0
        var description: String { "\(passed) passed, \(ambiguous) ambiguous, \(failed) failed, \(errors) errors, \(skipped) skipped" }
    }

    static func ints(_ s: some StringProtocol) -> [Int] {
        s.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// The console's `totals:` line when it prints one; otherwise its closing line, which then stands for
    /// all five (no ambiguous case, no error).
    static func console(_ run: RunResult) throws -> Numbers {
        let lines = ConsoleReporter.lines(run)
        if let t = lines.first(where: { $0.hasPrefix("totals: ") }) {
            let n = ints(t.split(separator: ";")[0])
            try #require(n.count == 6, "\(t)")
            #expect(t.contains("the last line counts ambiguous as passed"), "the console says how the closing line counts ambiguous")
            return Numbers(passed: n[1], ambiguous: n[2], failed: n[3], errors: n[4], skipped: n[5])
        }
        let n = ints(try #require(lines.last))
        try #require(n.count == 3)
        return Numbers(passed: n[0], failed: n[1], skipped: n[2])
    }

    static func resultsJSON(_ run: RunResult) throws -> Numbers {
        let meta = RunMetadata(toolVersion: "t", suiteVersion: "s", targetName: "t", baseURL: run.baseURL, profileFile: "p")
        let json = JSONReporter.render(run, meta: meta)
        #expect(json.contains("\"ambiguousCountedAs\": \"passed\"") || json.contains("\"ambiguousCountedAs\":\"passed\""))
        let c = try JSONReporter.decode(json).counts
        return Numbers(passed: c.passed, ambiguous: c.ambiguous, failed: c.failed, errors: c.errors, skipped: c.skipped)
    }

    /// The row under `| cases | passed | ambiguous | failed | errors | skipped |`.
    static func summaryMarkdown(_ run: RunResult) throws -> Numbers {
        let md = MarkdownReporter.render(run)
        let lines = md.components(separatedBy: "\n")
        let head = try #require(lines.firstIndex { $0.hasPrefix("| cases | passed | ambiguous | failed | errors | skipped |") })
        let n = ints(lines[head + 2])
        #expect(md.contains("the exit status and JUnit count them as passed"))
        return Numbers(passed: n[1], ambiguous: n[2], failed: n[3], errors: n[4], skipped: n[5])
    }

    static func reportHTML(_ run: RunResult) throws -> Numbers {
        let html = HTMLReporter.render(run)
        let table = try #require(html.range(of: "<table class=\"totals\">"))
        let rest = html[table.upperBound...]
        #expect(rest.hasPrefix("\n<tr><th>cases</th><th>passed</th><th>ambiguous</th><th>failed</th><th>errors</th><th>skipped</th>"))
        let row = try #require(rest.range(of: "</tr>\n<tr>"))
        let end = try #require(rest[row.upperBound...].range(of: "</tr>"))
        let cells = rest[row.upperBound..<end.lowerBound].components(separatedBy: "</td>").map { c in
            Int(c.replacingOccurrences(of: "<td class=\"num\">", with: ""))
        }
        #expect(html.contains("the exit status and JUnit count them as passed"))
        return Numbers(passed: cells[1] ?? -1, ambiguous: cells[2] ?? -1, failed: cells[3] ?? -1, errors: cells[4] ?? -1, skipped: cells[5] ?? -1)
    }

    /// JUnit counts by its own attributes; `passed` is what none of them counts, less the ambiguous property.
    static func junit(_ run: RunResult) throws -> Numbers {
        let xml = JUnitReporter.render(run)
        var n = Numbers()
        var tests = 0
        for line in xml.components(separatedBy: "\n") where line.hasPrefix("  <testsuite ") {
            func attribute(_ name: String) -> Int {
                guard let r = line.range(of: " \(name)=\"") else { return -1 }
                return Int(line[r.upperBound...].prefix { $0 != "\"" }) ?? -1
            }
            tests += attribute("tests")
            n.failed += attribute("failures")
            n.errors += attribute("errors")
            n.skipped += attribute("skipped")
        }
        for line in xml.components(separatedBy: "\n") where line.contains("<property name=\"ambiguous\" value=\"") {
            n.ambiguous += ints(line).last ?? 0
        }
        #expect(xml.contains("<property name=\"ambiguousCountedAs\" value=\"passed\"/>") || run.endpoints.isEmpty)
        n.passed = tests - n.failed - n.errors - n.skipped - n.ambiguous
        return n
    }

    static func compare(_ run: RunResult, _ label: String) throws {
        let outputs = [
            ("console", try console(run)), ("results.json", try resultsJSON(run)), ("summary.md", try summaryMarkdown(run)),
            ("report.html", try reportHTML(run)), ("junit.xml", try junit(run)),
        ]
        let truth = Numbers(
            passed: run.passed, ambiguous: run.ambiguous, failed: run.failed, errors: run.errors, skipped: run.skipped)
        for (name, numbers) in outputs {
            #expect(numbers == truth, "\(label): \(name) says \(numbers), the run holds \(truth)")
        }
    }

    @Test func everyOutputGivesTheSameNumbersForARunWithEveryOutcome() throws {
        var results = Array(ReportFormatTests.mixedRun().results)
        results.append(ReportFormatTests.result("get-took-alternative", .ambiguous))
        let run = ReportFormatTests.run(results, coverage: ReportFormatTests.mixedRun().coverage)
        #expect(run.ambiguous == 1 && run.errors == 1 && run.failed > 0 && run.skipped > 0, "every outcome is present")
        try Self.compare(run, "a run with every outcome")
    }

    @Test func everyOutputGivesTheSameNumbersForTheFaultRuns() async throws {
        for fault in ["get-cross-tenant", "deleted-limit-ignored", "create-500-on-bad-type"] {
            let run = try await SimulatorHarness.detection(of: fault).faulted
            #expect(run.failed + run.errors > 0, "\(fault) fails its run")
            try Self.compare(run, "--fault \(fault)")
        }
    }
}

/// The exit status, results.json's verdict and `--help` tell the same story.
@Suite struct ExitStatusAgreementTests {
    @Test func theExitStatusFollowsTheReportsVerdict() {
        typealias R = ReportFormatTests
        let runs: [(String, RunResult, ConformanceCLI.ExitStatus)] = [
            ("passes with errors", R.run([R.result("a", .passed), R.result("b", .error("timed out"))]), .unjudged),
            ("all ambiguous", R.run([R.result("a", .ambiguous)]), .passed),
            ("all skipped", R.run([R.result("a", .skipped("no fixture"))]), .unjudged),
            ("a failure", R.run([R.result("a", .failed), R.result("b", .error("x"))]), .failed),
            ("clean", R.run([R.result("a", .passed), R.result("b", .skipped("no fixture"))]), .passed),
        ]
        let verdictStatus: [String: ConformanceCLI.ExitStatus] = ["passed": .passed, "failed": .failed, "unjudged": .unjudged]
        for (label, run, status) in runs {
            #expect(CLI.exitStatus(run) == status, "\(label)")
            #expect(verdictStatus[ReportFormats.runVerdict(run)] == status, "\(label): results.json says \(ReportFormats.runVerdict(run))")
        }
        #expect(CLI.mainHelp.contains("3  nothing failed, but the verdict is incomplete: a case errored"))
        #expect(!CLI.mainHelp.contains("every case errored"), "exit 3 is not only for runs where every case errored")
        #expect(CLI.runHelp.contains("3 nothing failed, but a case errored (could not be judged) or none was judged (all skipped)"))
    }
}
