@testable import ConformanceCLI
@testable import ConformanceKit
import Foundation
import ConformanceTesting
import JSONKit
import Testing

/// What CI reads from a run: `::error` annotations when GITHUB_ACTIONS=true,
/// `--exclude`, and JUnit `file` attributes on request.
@Suite struct CIOutputTests {
    @Test func aFaultRunPrintsOneAnnotationPerProblemAtItsCaseFile() async throws {
        let run = try await SimulatorHarness.detection(of: "get-cross-tenant").faulted
        let problems = Problems.group(run.results)
        try #require(!problems.isEmpty)
        let lines = GitHubAnnotations.lines(run, directory: Project.root)
        let errors = lines.filter { $0.hasPrefix("::error ") }
        #expect(errors.count == min(problems.count, GitHubAnnotations.cap), "\(lines.joined(separator: "\n"))")
        for (line, p) in zip(errors, problems) {
            let file = try #require(line.split(separator: ",").first.map { String($0.dropFirst("::error file=".count)) })
            #expect(!file.hasPrefix("/") && FileManager.default.fileExists(atPath: Project.root + "/" + file), "\(line)")
            #expect(line.contains(",line=1,title=conformance%3A \(p.check)"), "\(line)")
            #expect(line.contains(p.firstCaseIDs[0]), "the message names the cases: \(line)")
            #expect(!line.dropFirst(2).contains("\n"))
        }
    }

    @Test func annotationsAreCappedAndEscaped() {
        typealias R = ReportFormatTests
        let results = (0..<13).map { i in
            R.result(
                "case-\(i)", .failed,
                findings: [Finding(check: .status, expected: "40\(i)", actual: "200", message: "expected 40\(i),\nnot 100%: got 200")])
        }
        let lines = GitHubAnnotations.lines(R.run(results), directory: "/nowhere")
        #expect(lines.count == GitHubAnnotations.cap + 1)
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == GitHubAnnotations.cap)
        #expect(lines.last == "::notice::3 more problems in the reports (summary.md, report.html)")
        #expect(lines[0].contains("::expected 400,%0Anot 100%25: got 200 (expected 400); cases: case-0"), "\(lines[0])")
        #expect(GitHubAnnotations.property("a:b,c%") == "a%3Ab%2Cc%25")
    }

    @Test func excludeLeavesOutCaseIdsAndTags() throws {
        let suite = try ProjectSuite.suite()
        let smoke = suite.cases.filter { $0.tags.contains("smoke") }.map(\.id)
        try #require(!smoke.isEmpty)
        let kept = Selection(excludes: ["smoke", "get-access-*"]).apply(to: suite).cases.map(\.id)
        #expect(!kept.isEmpty && kept.count < suite.cases.count)
        #expect(Set(kept).isDisjoint(with: smoke))
        #expect(!kept.contains { $0.hasPrefix("get-access-") })
        #expect(kept.count == suite.cases.count { c in !c.tags.contains("smoke") && !globMatch("get-access-*", c.id) })
    }

    @Test func anExcludeMatchingNothingIsAUsageErrorWithASuggestion() async {
        let (status, c) = await conformance(["run", "--suite", Project.cases, "--exclude", "smok", "--list"])
        #expect(status == 2)
        #expect(c.err.contains("--exclude: 'smok' matches no case id and no tag of the suite (did you mean 'smoke'?)"), "\(c.err)")
        let (certify, cc) = await conformance(["certify", "--suite", Project.cases, "--exclude", "smoke", "--out", "/nonexistent"])
        #expect(certify == 2 && cc.err.contains("--exclude is not allowed"), "\(cc.err)")
    }

    @Test func theRunCommandAnnotatesOnGitHubExcludesAndNamesCaseFilesInJUnit() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            [
                "run", "--suite", Project.cases, "--reports", tmp.path, "--fault", "get-cross-tenant", "--endpoint", "mvno-account-get",
                "--exclude", "get-access-manager-*", "--junit-file",
            ], environment: ["GITHUB_ACTIONS": "true"])
        #expect(status == 1, "\(c.out)\n\(c.err)")
        let headline = try #require(c.out.split(separator: "\n").first { $0.hasSuffix("failing cases:") })
        let problems = try #require(Int(headline.prefix { $0.isNumber }))
        #expect(c.out.split(separator: "\n").count { $0.hasPrefix("::error file=") } == min(problems, GitHubAnnotations.cap), "\(c.out)")
        let junit = try tmp.read("junit.xml")
        #expect(!junit.contains("get-access-manager-"), "excluded cases are not run")
        #expect(junit.contains("get-access-owner-other-reseller"))
        let testcases = junit.components(separatedBy: "<testcase ").dropFirst()
        #expect(!testcases.isEmpty)
        for t in testcases {
            let file = try #require(t.range(of: " file=\"").map { String(t[$0.upperBound...].prefix { $0 != "\"" }) }, "\(t.prefix(200))")
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        let (quiet, q) = await conformance(["run", "--suite", Project.cases, "--reports", tmp.path, "--list", "--exclude", "smoke"])
        #expect(quiet == 0 && !q.out.contains("::error"))
    }
}
