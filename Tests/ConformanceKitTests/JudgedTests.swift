import Foundation
import Testing

@testable import ConformanceKit

/// A run that judged little does not look green, and CI can fail it.
@Suite struct JudgedTests {
    static func result(_ id: String, _ verdict: Verdict) -> CaseResult {
        CaseResult(
            seq: 0, caseID: id, title: id, file: "f", endpointID: "e", covers: "success", role: "ADMIN", verdict: verdict,
            findings: [], request: nil, status: nil, responseExcerpt: nil, durationSeconds: 0)
    }

    @Test func skipReasonsAreGroupedMostCasesFirstAndTheJudgedShareIsSaid() {
        let fixture = "target acme has no fixture 'account.id' (…); add it to acme.json"
        let other = "target acme has no fixture 'create.ratePlan' (…); add it to acme.json"
        let mutating = "mutating case; target acme does not allow mutations (set \"allowMutations\": true in acme.json)"
        let results =
            [Self.result("p", .passed), Self.result("f", .failed), Self.result("e", .error("refused"))]
            + [Self.result("m1", .skipped(mutating))]
            + (0..<3).map { Self.result("a\($0)", .skipped(other)) } + (0..<2).map { Self.result("b\($0)", .skipped(fixture)) }
        let run = RunResult(
            targetName: "acme", baseURL: "https://acme.example", startedAt: Date(), finishedAt: Date(), endpoints: [],
            results: results, coverage: [])
        #expect(Judged.count(run) == 2)
        #expect(Judged.skipGroups(run).map(\.cases) == [3, 2, 1])
        #expect(Judged.skipGroups(run).first?.reason == other)
        #expect(Judged.line(run) == "2 of 9 cases judged; 6 skipped: 5 for 2 missing fixtures, 1 mutating (not allowed on this target); 1 errored")
        let lines = ConsoleReporter.lines(run)
        #expect(lines.contains("SKIP  3 cases: " + other))
        #expect(lines.last == ConsoleReporter.summaryLine(run), "the totals close the output")
        #expect(lines[lines.count - 2] == Judged.line(run))
        #expect(lines.firstIndex(of: "SKIP  3 cases: " + other)! < lines.firstIndex(of: "SKIP  2 cases: " + fixture)!)
    }
}
