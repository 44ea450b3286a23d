import Foundation
import JSONKit
import Testing

@testable import ConformanceKit

/// Findings that share a cause are one problem, and every report lists the
/// problems before the cases.
@Suite struct ProblemsTests {
    typealias R = ReportFormatTests

    static func leak(_ pointer: JSONPointer, role: Role, levels: String = "ADMIN") -> Finding {
        Finding(
            check: .visibility, pointer: pointer, expected: "absent for \(role) (visible to \(levels) only)", actual: "present",
            message: "\(pointer) leaked to \(role): the docs show it to \(levels) only")
    }

    static func stateEnum(_ index: Int) -> Finding {
        Finding(
            check: .schema, pointer: JSONPointer(tokens: ["mvnoAccounts", String(index), "state"]), keyword: "/properties/mvnoAccounts/items/properties/state/enum",
            expected: "one of ACTIVE, SUSPENDED", actual: "\"DELETED\"", message: "/mvnoAccounts/\(index)/state: \"DELETED\" is not one of …")
    }

    static let wrongStatus = Finding(check: .status, expected: "403", actual: "200", message: "expected status 403, got 200")

    /// 41 failing cases with three causes, some cases showing two of them, an
    /// error, passes and a skip.
    static func triageRun() -> RunResult {
        var results: [CaseResult] = []
        for i in 0..<30 {
            let role: Role = ["OWNER", "VIEWER", "MANAGER"][i % 3]
            var findings = [leak("/socs", role: role)]
            if i % 2 == 0 { findings.append(leak("/notes", role: role, levels: "ADMIN, RESELLER")) }
            findings.append(R.warning)
            results.append(R.result("get-leak-\(i)", .failed, role: role, findings: findings))
        }
        for i in 0..<11 {
            results.append(
                R.result(
                    "deleted-page-\(i)", .failed, endpoint: "mvno-deleted-list", findings: [stateEnum(i), stateEnum(i + 1)]))
        }
        results.append(R.result("get-by-id", .passed))
        results.append(R.result("get-unknown-id", .error("timed out after 30 s"), covers: "404-mvnoAccount"))
        results.append(R.result("get-as-viewer", .skipped("no credential")))
        return R.run(results)
    }

    @Test func failingCasesAreCountedOnceWithoutASetWhenSeqsAscend() {
        // Seeded overlapping seqs, ascending per problem (the merge) and then
        // out of order (merged shards: the set); both against a set's count.
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return Int(seed % UInt64(n))
        }
        for round in 0..<40 {
            let problems = (0..<(1 + next(6))).map { k in
                var seqs = Array(Set((0..<next(30)).map { _ in next(60) })).sorted()
                if round % 4 == 3, seqs.count > 1 { seqs.swapAt(0, seqs.count - 1) }
                return Problem(
                    number: k + 1, check: "status", endpointID: "ep", pointer: nil, keyword: nil, expected: "200", message: "m",
                    firstCaseIDs: [], caseSeqs: seqs)
            }
            #expect(Problems.caseCount(problems) == Set(problems.flatMap(\.caseSeqs)).count, "round \(round)")
        }
        #expect(Problems.caseCount([]) == 0)
    }

    @Test func findingsThatShareACauseAreOneProblem() throws {
        let run = Self.triageRun()
        let problems = Problems.group(run.results)
        #expect(problems.map(\.number) == [1, 2, 3, 4])
        // Most cases first; the case's role is not part of the cause.
        #expect(problems[0].check == "visibility" && problems[0].pointer == "/socs" && problems[0].caseCount == 30)
        #expect(problems[0].expected == "absent (visible to ADMIN only)")
        #expect(problems[1].check == "visibility" && problems[1].pointer == "/notes" && problems[1].caseCount == 15)
        // Array indices normalized: two findings of one case count the case once.
        #expect(problems[2].check == "schema" && problems[2].pointer == "/mvnoAccounts/*/state")
        #expect(problems[2].keyword == "/properties/mvnoAccounts/items/properties/state/enum")
        #expect(problems[2].firstCaseIDs == (0..<11).map { "deleted-page-\($0)" })
        #expect(problems[2].endpointID == "mvno-deleted-list")
        // An error is a problem of its own kind; warnings, passes and skips are none.
        #expect(problems[3].check == "error" && problems[3].expected == "timed out after 30 s" && problems[3].firstCaseIDs == ["get-unknown-id"])
        #expect(Problems.caseCount(problems) == 42)
        #expect(Problems.headline(problems) == "4 problems in 42 failing cases")
        // The seqs point at the cases (reports link to #case-SEQ).
        for p in problems {
            for (id, seq) in zip(p.firstCaseIDs, p.caseSeqs) { #expect(run.results[seq].caseID == id) }
        }
        #expect(Problems.group(run.results) == problems, "a pure function")
        #expect(Problems.group(R.run([R.result("a", .passed)]).results).isEmpty)
    }

    @Test func differentExpectationsEndpointsOrChecksAreDifferentProblems() {
        let results = [
            R.result("a", .failed, findings: [Self.wrongStatus]),
            R.result("b", .failed, endpoint: "mvno-account-create", findings: [Self.wrongStatus]),
            R.result("c", .failed, findings: [Finding(check: .status, expected: "404", actual: "400", message: "expected status 404, got 400")]),
            R.result("d", .failed, findings: [Finding(check: .assertion, pointer: "/socs", expected: "absent", actual: "[]", message: "m")]),
            R.result("e", .failed, findings: [Self.leak("/socs", role: "OWNER")]),
            R.result("f", .failed, findings: [Self.wrongStatus]),
        ]
        let problems = Problems.group(R.run(results).results)
        #expect(problems.map(\.firstCaseIDs) == [["a", "f"], ["b"], ["c"], ["d"], ["e"]])
        #expect(Problems.normalizedPointer("/a/10/b/x1/2") == "/a/*/b/x1/*")
        #expect(Problems.normalizedPointer("") == "")
    }

    @Test func consoleListsProblemsBeforeTheCases() throws {
        let lines = ConsoleReporter.lines(Self.triageRun())
        #expect(lines.first == "4 problems in 42 failing cases:")
        #expect(lines[1] == "  1. visibility /socs on mvno-account-get, expected absent (visible to ADMIN only): 30 cases")
        #expect(lines[3].hasSuffix(", … (+24)"), "six ids, then how many more")
        let firstFail = try #require(lines.firstIndex { $0.hasPrefix("FAIL ") })
        let lastProblem = try #require(lines.lastIndex { $0.hasPrefix("  4. ") })
        #expect(lastProblem < firstFail)
        #expect(lines.last == "1 passed, 42 failed, 1 skipped")
        #expect(ConsoleReporter.problemLines(R.run([R.result("a", .passed)])).isEmpty)
    }

    @Test func summaryMarkdownListsProblemsBeforeTotalsAndCases() throws {
        let md = MarkdownReporter.render(Self.triageRun())
        let problems = try #require(md.range(of: "### 4 problems in 42 failing cases\n"))
        let totals = try #require(md.range(of: "| cases | passed |"))
        let failures = try #require(md.range(of: "### Failures and errors (42)"))
        #expect(problems.upperBound < totals.lowerBound && totals.upperBound < failures.lowerBound)
        #expect(md.contains("1. **visibility** `/socs` on mvno-account-get, expected absent (visible to ADMIN only): 30 cases\n"))
        #expect(md.contains("3. **schema** `/mvnoAccounts/*/state` (rule `/properties/mvnoAccounts/items/properties/state/enum`) on mvno-deleted-list, expected one of ACTIVE, SUSPENDED: 11 cases\n"))
        #expect(md.contains("get-leak-29\n"), "every case of a problem up to 30")
        #expect(md.contains("4. **error** on mvno-account-get: 1 case\n    - e.g. timed out after 30 s\n"))
    }

    @Test func htmlListsProblemsThenACompactTableThenTheCards() throws {
        let run = Self.triageRun()
        let html = HTMLReporter.render(run)
        let header = try #require(html.range(of: "</header>"))
        let problems = try #require(html.range(of: "<section id=\"problems\">\n<h2>4 problems in 42 failing cases</h2>"))
        let totals = try #require(html.range(of: "<section id=\"totals\">"))
        let table = try #require(html.range(of: "<table class=\"failing\">"))
        let firstCard = try #require(html.range(of: "<article class=\"case\""))
        #expect(header.upperBound <= problems.lowerBound && problems.upperBound < totals.lowerBound)
        #expect(totals.upperBound < table.lowerBound && table.upperBound < firstCard.lowerBound)
        // Each problem links to its cases; each row of the table links to its card and its problems.
        #expect(html.contains("<tr id=\"problem-1\">"))
        #expect(html.contains("<a href=\"#case-0\">get-leak-0</a>, <a href=\"#case-1\">get-leak-1</a>"))
        #expect(html.contains("<tr><td><a href=\"#case-0\">get-leak-0</a></td><td>mvno-account-get</td><td>OWNER</td><td><span class=\"badge fail\">failed</span></td><td><a href=\"#problem-1\">#1</a> <a href=\"#problem-2\">#2</a></td>"))
        // The verdict is a word, not an emoji that needs an emoji font.
        #expect(html.contains("<h1><span class=\"verdict-word\">FAILED</span> TelecomX conformance: 41 of 44 cases failed, 1 errored</h1>"))
        #expect(!html.unicodeScalars.contains { $0.properties.isEmojiPresentation }, "no emoji anywhere on the page")
    }

    @Test func resultsJSONCarriesTheProblems() throws {
        let meta = RunMetadata(toolVersion: "0.1.0", suiteVersion: "1", targetName: "t", baseURL: "http://x", profileFile: "p.json")
        let doc = try JSONParser.parse(JSONReporter.render(Self.triageRun(), meta: meta))
        #expect(doc.objectValue?.keys.suffix(3) == ["problems", "generated", "values"], "a format version only gains keys, at the end")
        let problems = try #require(doc["problems"]?.arrayValue)
        #expect(problems.count == 4)
        #expect(problems[0].objectValue?.keys == ["number", "check", "endpoint", "pointer", "keyword", "expected", "message", "cases"])
        #expect(problems[2]["pointer"] == "/mvnoAccounts/*/state")
        #expect(problems[3]["pointer"] == .null && problems[3]["check"] == "error")
        #expect(problems[0]["cases"]?.arrayValue?.count == 30)
        // The file still reads as version 1.
        #expect(try JSONReporter.decode(JSONReporter.render(Self.triageRun(), meta: meta)).inconsistencies().isEmpty)
    }

    @Test func warningsAreGroupedByCauseWithACount() {
        let results = (0..<3).map { i in
            R.result(
                "list-\(i)", .passed,
                findings: (0..<4).map { j in
                    Finding(
                        check: .undocumentedField, severity: .warning, pointer: JSONPointer(tokens: ["items", String(j), "extra"]), expected: "not documented", actual: "present",
                        message: "/items/\(j)/extra is not documented")
                } + [R.warning])
        }
        let groups = WarningGroup.group(results)
        #expect(groups.count == 2)
        #expect(groups[0].findings == 12 && groups[0].pointer == "/items/*/extra" && groups[0].cases == 3)
        let lines = ConsoleReporter.warningLines(R.run(results))
        #expect(lines.first == "15 warnings in 2 groups (not failures; the reports list each):")
        #expect(lines[1] == "  12× undocumented-field /items/*/extra on mvno-account-get in 3 cases, e.g. /items/0/extra is not documented")
        #expect(ConsoleReporter.lines(R.run(results)).contains(lines[1]))
    }

    /// A failing case names what it sent (its title) and, for a wrong message, what the body said.
    @Test func aWrongMessageShowsTheCaseAndTheBodyItRead() async throws {
        let run = try await SimulatorHarness.detection(of: "create-customer-message").faulted
        let lines = ConsoleReporter.lines(run)
        let fail = try #require(lines.firstIndex { $0.hasPrefix("FAIL  mvno-account-create/create-customer-") })
        let r = try #require(run.results.first { lines[fail].contains("/" + $0.caseID + ":") })
        #expect(lines[fail + 1] == "      case: \(r.title)")
        #expect(lines[fail + 2].hasPrefix("      answered: \(r.status ?? 0) {"), "\(lines[fail + 2])")
        #expect(lines[fail + 2].contains("not_found"), "the body holds the wrong message: \(lines[fail + 2])")
        #expect(lines[fail + 3].hasPrefix("      reproduce: curl "))
        for t in TelecomXSimulatorTokens.all { #expect(!lines.joined().contains(t.token), "\(t.role)'s token reached the console") }
    }
}
