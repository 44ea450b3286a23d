import Foundation
import JSONKit
import Testing

@testable import ConformanceKit

/// Results spooled to a file as cases finish read back as they were, in
/// plan order, and the reports written from them are the reports written
/// from the same results held in memory, byte for byte.
@Suite struct CaseResultsTests {
    /// Every outcome and every field a result can carry, finished out of plan order.
    static func varied() -> [CaseResult] {
        var out: [CaseResult] = []
        let verdicts: [Verdict] = [
            .passed, .failed, .error("timed out after 30 s\nsecond line"), .skipped("no credential for VIEWER"), .ambiguous,
        ]
        for i in 0..<23 {
            let verdict = verdicts[i % verdicts.count]
            var findings: [Finding] = []
            if verdict == .failed || i % 4 == 0 {
                findings.append(
                    Finding(
                        check: .schema, pointer: JSONPointer(tokens: ["items", "\(i)", "a/b~c"]), keyword: "/properties/a/enum",
                        expected: "one of \"X\"", actual: "\"<y>\" \u{1}", message: "/a: \"ÿ\" is not one of \"X\"\nsecond line"))
            }
            if i % 3 == 0 {
                findings.append(
                    Finding(check: .undocumentedField, severity: .warning, pointer: "/extra", expected: "absent", actual: "1", message: "/extra"))
            }
            if verdict == .ambiguous {
                var f = Finding(check: .reading, severity: .ambiguous, expected: "4000 bytes", actual: "4096 bytes", message: "took 4096")
                f.reading = "custom-length"
                findings.append(f)
            }
            var r = CaseResult(
                seq: i, caseID: "case-\(i)" + (i % 5 == 0 ? "-viewer-own" : ""), title: "title “\(i)”",
                file: "Cases/cases/ep\(i % 3)/case-\(i).json", endpointID: "ep\(i % 3)", covers: i % 2 == 0 ? "success" : "404-x",
                role: i % 2 == 0 ? "VIEWER" : "OWNER", verdict: verdict, findings: findings,
                request: i == 7
                    ? nil
                    : RequestSummary(
                        method: "POST", url: "http://127.0.0.1:1/x/\(i)?token=***", headers: ["Authorization: ***", "X-A: b"],
                        body: i % 2 == 0 ? "{\"a\": \(i)}" : nil, curl: "curl -sS \"http://127.0.0.1:1/x/\(i)\""),
                status: i == 7 ? nil : 200 + i, responseExcerpt: i % 2 == 0 ? "{\n  \"a\": \"\(i) ünïcode 🎉\"\n}" : nil,
                durationSeconds: 0.001 * Double(i * 37 % 19) + 1e-9)
            r.attempts = i % 6 == 0 ? ["connection reset", "timed out"] : []
            r.requests = i % 4
            r.required = i % 7 != 0
            if i % 2 == 0 {
                r.observedValues = [ValueObservation(endpointID: "ep\(i % 3)", pointer: "/state", seen: ["ACTIVE"], others: i % 3)]
            }
            if i % 5 == 1 { r.readingOptions = ["custom-length": i % 10 == 1 ? ["4000"] : ["4096"], "other": []] }
            out.append(r)
        }
        // Finished in another order than planned.
        return out.enumerated().sorted { ($0.offset * 7) % 23 < ($1.offset * 7) % 23 }.map(\.element)
    }

    static func spooled(_ results: [CaseResult]) throws -> CaseResults {
        var s = try CaseResults.spooled()
        for r in results { s.append(r) }
        s.sortBySeq()
        return s
    }

    @Test func everyFieldReadsBackAsWrittenInPlanOrder() throws {
        let results = Self.varied()
        let s = try Self.spooled(results)
        #expect(s.isSpooled)
        let sorted = results.sorted { $0.seq < $1.seq }
        #expect(Array(s) == sorted)
        for i in s.indices { #expect(s.glance(i) == CaseGlance(sorted[i]), "\(i)") }
        #expect(s.firstIndex(ofCaseID: "case-12") == 12)
        #expect(s.firstIndex(ofCaseID: "case-99") == nil)
        let byID = s.lookupByCaseID()
        #expect(byID("case-13")?.seq == 13 && byID("case-13")?.kind == CaseGlance(sorted[13]).kind)
        #expect(byID("not-a-case") == nil)
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() throws {
        let original = try Self.spooled(Self.varied())
        var copy = original
        var r = copy[3]
        r.verdict = .failed
        r.findings.append(Finding(check: .reading, expected: "one option", actual: "two", message: "changed"))
        copy[3] = r
        copy.append(CaseResult(
            seq: 99, caseID: "late", title: "", file: "", endpointID: "ep9", covers: "", role: "OWNER", verdict: .passed,
            findings: [], request: nil, status: nil, responseExcerpt: nil, durationSeconds: 0))
        #expect(copy[3] == r && copy.count == original.count + 1 && copy.last?.endpointID == "ep9")
        #expect(original[3] != r && original.count == 23)
        #expect(copy.glance(3).kind == .failed)
    }

    /// The index keeps 32-bit id hashes and seqs: ids whose hashes collide
    /// are told apart by reading back, and a seq beyond 32 bits moves the
    /// results into memory instead of being cut.
    @Test func collidingIdHashesAndAWideSeqReadBackAsWritten() throws {
        #expect(SpoolIndex.hash("costarring") == SpoolIndex.hash("liquid"), "a known FNV-1a 32-bit collision")
        func result(_ seq: Int, _ id: String) -> CaseResult {
            CaseResult(
                seq: seq, caseID: id, title: "", file: "", endpointID: "ep", covers: "", role: "OWNER", verdict: .passed,
                findings: [], request: nil, status: nil, responseExcerpt: nil, durationSeconds: 0)
        }
        var s = try Self.spooled([result(1, "liquid"), result(0, "costarring")])
        #expect(s.firstIndex(ofCaseID: "liquid") == 1 && s.firstIndex(ofCaseID: "costarring") == 0)
        let byID = s.lookupByCaseID()
        #expect(byID("liquid")?.seq == 1 && byID("costarring")?.seq == 0)
        let wide = Int(Int32.max) + 1
        s.append(result(wide, "wide"))
        #expect(!s.isSpooled)
        #expect(s.map(\.caseID) == ["costarring", "liquid", "wide"] && s.glance(2).seq == wide)
    }

    @Test func theReportsOfSpooledResultsAreThoseOfTheSameResultsInMemory() throws {
        let results = Self.varied().sorted { $0.seq < $1.seq }
        let endpoints = (0..<3).map { EndpointInfo(id: "ep\($0)", title: "Endpoint \($0)", method: "GET", path: "/x/\($0)") }
        var coverage: [EndpointCoverage] = []
        for k in 0..<3 {
            let ids = results.filter { $0.endpointID == "ep\(k)" }.map(\.caseID) + ["never-ran"]
            coverage.append(
                EndpointCoverage(
                    endpointID: "ep\(k)", method: "GET", path: "/x/\(k)", file: "ep\(k).md",
                    rows: [RowCoverage(rowID: "success", status: 200, message: "", description: "ok", caseIDs: ids, notProvokable: nil)]))
        }
        func run(_ r: CaseResults) -> RunResult {
            RunResult(
                targetName: "t", baseURL: "http://127.0.0.1:1", startedAt: Date(timeIntervalSince1970: 1_700_000_000.5),
                finishedAt: Date(timeIntervalSince1970: 1_700_000_003), endpoints: endpoints, results: r, coverage: coverage)
        }
        let memory = run(CaseResults(results)), spooled = run(try Self.spooled(results))
        #expect(!memory.results.isSpooled && spooled.results.isSpooled)
        #expect(memory.failed > 0 && memory.errors > 0 && memory.skipped > 0 && memory.ambiguous > 0 && memory.flaky > 0)
        func counts(_ r: RunResult) -> [Int] { [r.passed, r.failed, r.errors, r.skipped, r.ambiguous, r.flaky, r.blockingCount] }
        #expect(counts(memory) == counts(spooled))
        let context = ReportContext(
            meta: RunMetadata(toolVersion: "0", suiteVersion: "s", targetName: "t", baseURL: "http://127.0.0.1:1", profileFile: "p.json"),
            junitFileAttributes: true)
        for format in ReportFormat.all {
            #expect(format.render(spooled, context) == format.render(memory, context), "\(format.file)")
        }
        #expect(ReadingConsistency.judge(spooled.results, readings: []) == spooled.results)
        #expect(Problems.group(spooled.results) == Problems.group(Array(memory.results)))
        #expect(ConsoleReporter.lines(spooled) == ConsoleReporter.lines(memory))
    }
}
