import Foundation
import Testing

@testable import ConformanceKit

@Suite(.serialized) struct CertificationTests {
    @Test func aCleanBundleVerifiesAndEveryFlippedByteIsNamed() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let out = tmp.path + "/bundle"
        let (status, c) = await conformance(["certify", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--simulator", "--out", out])
        #expect(status == 0, "\(c.out)\n\(c.err)")
        #expect(c.out.contains("verdict: CERTIFIABLE"))
        let (ok, v) = await conformance(["verify", out, "--suite", Project.cases])
        #expect(ok == 0, "\(v.out)")
        for file in ["junit.xml", "results.json", "report.html", "summary.md", "manifest.json", "manifest.json.sha256"] {
            let copy = tmp.path + "/flip-" + file
            try FileManager.default.copyItem(atPath: out, toPath: copy)
            let path = copy + "/" + file
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (bad, b) = await conformance(["verify", copy, "--suite", Project.cases])
            #expect(bad == 1, "\(file): \(b.out)")
            #expect(b.out.contains("FAIL  " + copy + "/" + (file == "manifest.json.sha256" ? "manifest.json" : file)), "\(file): \(b.out)")
        }
    }

    @Test func verifyNamesSuiteFilesThatDiffer() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        let out = tmp.path + "/bundle"
        let (status, _) = await conformance(["certify", "--suite", suite, "--target", suite + "/targets/simulator.json", "--simulator", "--out", out, "--case-free"])
        #expect(status == 2)  // unknown option: certify takes no selection and no stray flags
        let (s2, c) = await conformance(["certify", "--suite", suite, "--target", suite + "/targets/simulator.json", "--simulator", "--out", out])
        #expect(s2 == 0, "\(c.out)")
        try tmp.write("Cases/cases/mvno-account-get/get-by-id.json", try tmp.read("Cases/cases/mvno-account-get/get-by-id.json") + " ")
        let (bad, v) = await conformance(["verify", out, "--suite", suite])
        #expect(bad == 1)
        #expect(v.out.contains("the suite differs from the one certified: cases/mvno-account-get/get-by-id.json (changed)"), "\(v.out)")
    }

    @Test func aFaultMakesTheTargetNotCertifiableAndNamesTheRequiredCases() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance([
            "certify", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--simulator",
            "--out", tmp.path + "/b", "--fault", "get-by-number-broken",
        ])
        #expect(status == 1)
        #expect(c.out.contains("verdict: NOT CERTIFIABLE"))
        #expect(c.out.contains("  mvno-account-get/get-by-number: failed: expected status 200, got 404"), "\(c.out)")
        let (ok, v) = await conformance(["verify", tmp.path + "/b", "--suite", Project.cases])
        #expect(ok == 0, "a not-certifiable bundle is still a consistent one: \(v.out)")
    }

    @Test func certifyRefusesASelection() async {
        let (status, c) = await conformance(["certify", "--out", "/tmp/x", "--case", "get-*"])
        #expect(status == 2)
        #expect(c.err.contains("certify runs the whole suite: --case is not allowed"))
    }

    func result(_ id: String, _ verdict: Verdict, required: Bool = true, attempts: [String] = []) -> CaseResult {
        var r = CaseResult(
            seq: 0, caseID: id, title: id, file: "f", endpointID: "e", covers: "success", role: "OWNER", verdict: verdict,
            findings: [], request: nil, status: nil, responseExcerpt: nil, durationSeconds: 0)
        r.required = required
        r.attempts = attempts
        return r
    }

    @Test func certifiableOnlyWhenEveryRequiredCasePassedCleanly() {
        func run(_ rs: [CaseResult]) -> RunResult {
            RunResult(targetName: "t", baseURL: "u", startedAt: Date(), finishedAt: Date(), endpoints: [], results: rs)
        }
        #expect(run([result("a", .passed), result("b", .failed, required: false)]).isCertifiable)
        #expect(!run([result("a", .passed, attempts: ["connection refused"])]).isCertifiable)  // flaky
        #expect(!run([result("a", .skipped("no fixture"))]).isCertifiable)
        #expect(run([result("a", .skipped("no fixture"), required: false)]).isCertifiable)
        #expect(!run([result("a", .error("timeout"))]).isCertifiable)
        #expect(run([result("a", .passed, required: false, attempts: ["refused"])]).blockingCases.isEmpty)
    }
}
