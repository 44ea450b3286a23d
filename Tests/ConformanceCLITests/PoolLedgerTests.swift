import ConformanceCLI
import ConformanceKit
import Foundation
import JSONKit
import Testing

/// Repeatable runs: the pool entries a run took are recorded per target, and
/// the next run against the same server skips them.
@Suite struct PoolLedgerTests {
    /// Two runs in a row against ONE simulator process: the second fails no
    /// case the first passed (its cases take fresh entries, or are skipped
    /// for an exhausted pool); with the ledger forgotten, the preflight of
    /// the pools finds the bought entries in use and skips them.
    @Test func aSecondRunAgainstTheSameServerFailsNothingTheFirstPassed() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let sim = try inProcessSimulator()
        defer { sim.stop() }
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let profilePath = Project.cases + "/targets/simulator.json"
        let (profile, _) = try TargetLoader.load(path: profilePath, suite: suite)
        let env = sim.environment(for: profile)
        let args = ["run", "--suite", Project.cases, "--target", profilePath, "--base-url", sim.baseURL, "--reports", tmp.path + "/r"]

        let first = await conformance(args, environment: env)
        #expect(first.status == 0, "\(first.capture.out)")
        let firstResults = try Self.verdicts(tmp.path + "/r/results.json")
        let ledgerPath = PoolLedger.path(dir: tmp.path + "/r", baseURL: sim.baseURL)
        let ledger = try PoolLedger.load(path: ledgerPath)
        #expect((ledger.used["create.freeNumbers"]?.count ?? 0) > 100, "the first run bought numbers")
        let ledgerText = try String(contentsOfFile: ledgerPath, encoding: .utf8)
        for secret in env.values { #expect(!ledgerText.contains(secret), "no credential in the ledger") }

        let second = await conformance(args, environment: env)
        let secondResults = try Self.verdicts(tmp.path + "/r/results.json")
        #expect(second.status == 0, "\(second.capture.out)")
        let regressions = firstResults.filter { $0.value == "passed" && secondResults[$0.key] == "failed" }
        #expect(regressions.isEmpty, "\(regressions.keys.sorted())")
        #expect(second.capture.out.contains("pools: create.freeNumbers: "), "says how many remain")
        #expect(second.capture.out.contains("entries left; earlier runs against this target took the others"))
        #expect(second.capture.out.contains("SKIP  "), "an exhausted pool skips its cases")
        #expect(second.capture.out.contains("is exhausted: "))

        // fixtures --target F --base-url URL --reports DIR: what is left.
        let left = await conformance(
            ["fixtures", "--suite", Project.cases, "--target", profilePath, "--base-url", sim.baseURL, "--reports", tmp.path + "/r"])
        #expect(left.status == 0)
        #expect(left.capture.out.contains("(exhausted: its cases are skipped)"), "\(left.capture.out)")

        // Forgotten: the preflight of the pools finds the bought entries in use and skips them.
        let third = await conformance(args + ["--reset-pools"], environment: env)
        #expect(third.capture.out.contains("pools: forgot the entries earlier runs against this target took"))
        #expect(third.capture.out.contains("in use, skipped: "), "\(third.capture.out)")
        let thirdResults = try Self.verdicts(tmp.path + "/r/results.json")
        let failedAfterPassing = firstResults.filter { $0.value == "passed" && thirdResults[$0.key] == "failed" }
        #expect(failedAfterPassing.isEmpty, "\(failedAfterPassing.keys.sorted())")
    }

    /// `--reset-pools --dry-run` changes nothing: the ledger stays byte for
    /// byte, and the output says what a reset run would forget. Nothing is
    /// sent (the base URL is a closed loopback port that no request reaches).
    @Test func aDryRunOfResetPoolsKeepsTheLedger() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let baseURL = "http://127.0.0.1:9"
        let ledgerPath = PoolLedger.path(dir: tmp.path + "/r", baseURL: baseURL)
        try FileManager.default.createDirectory(
            atPath: (ledgerPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let text = PoolLedger(used: ["create.freeNumbers": ["\"+4571000000\""]]).text(target: "simulator", baseURL: baseURL)
        try text.write(toFile: ledgerPath, atomically: true, encoding: .utf8)
        let run = await conformance([
            "run", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--base-url", baseURL,
            "--reports", tmp.path + "/r", "--case", "deleted-filter-number", "--reset-pools", "--dry-run",
        ])
        #expect(run.status == 0, "\(run.capture.out)\(run.capture.err)")
        #expect(run.capture.out.contains("pools: --dry-run: would forget"), "\(run.capture.out)")
        #expect(!run.capture.out.contains("pools: forgot"))
        #expect(try String(contentsOfFile: ledgerPath, encoding: .utf8) == text, "the ledger is untouched")
    }

    /// Case id → outcome, from results.json.
    static func verdicts(_ path: String) throws -> [String: String] {
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        var out: [String: String] = [:]
        for c in json["cases"]?.arrayValue ?? [] {
            if let id = c["id"]?.stringValue, let o = c["outcome"]?.stringValue { out[id] = o }
        }
        return out
    }

    @Test func theLedgerKeepsOnlyWhatTheProfileListsAndAnUnreadableOneIsNamed() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let ledger = PoolLedger(used: ["p": ["\"a\"", "\"gone\""], "q": ["\"x\""]])
        let pruned = ledger.pruned(to: ["p": ["a", "b"]])
        #expect(pruned.used == ["p": ["\"a\""]])
        #expect(pruned.remaining(in: ["p": ["a", "b"]]).map(\.left) == [1])
        let path = tmp.path + "/bad.json"
        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: LedgerError.self) { try PoolLedger.load(path: path) }
        #expect(PoolLedger.path(dir: "R", baseURL: "https://A.example/") == PoolLedger.path(dir: "R", baseURL: "https://a.example"))
    }
}
