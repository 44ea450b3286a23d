import ConformanceCLI
import ConformanceKit
import Foundation
import JSONKit
import Testing

/// The preflight checks every fixture a read-only request can check, and
/// says why it leaves the others unchecked.
@Suite struct PreflightFixtureTests {
    static func profile(_ edit: (inout JSONObject) -> Void, in dir: String) throws -> String {
        var doc = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Project.cases + "/targets/simulator.json"))))
        guard case .object(var o) = doc, case .object(var f)? = o["fixtures"] else { throw CocoaError(.fileReadCorruptFile) }
        edit(&f)
        o["fixtures"] = .object(f)
        o["$schema"] = nil
        doc = .object(o)
        let path = dir + "/profile.json"
        try JSONWriter(pretty: true).string(doc).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everyFixtureIsCheckedByAPreflightRequestOrSaysWhyNot() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        var checked = Set<String>()
        for c in suite.preflight {
            checked.formUnion(c.fixtures + c.fields.map(\.fixture) + c.contains.map(\.fixture))
            if let f = c.find { checked.insert(f.fixture) }
        }
        for name in suite.fixtures.keys.sorted() {
            #expect(checked.contains(name) != (suite.uncheckedFixtures[name] != nil), "\(name): checked, or unchecked with why, not both")
        }
    }

    /// A wrong filter fixture is an error naming it, not a failure of the target.
    @Test func aWrongFilterFixtureIsAnErrorNamingIt() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = try Self.profile({ $0["deleted.filter.simNumber"] = "8945029000000009999" }, in: tmp.path)
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--simulator", "--target", path, "--reports", tmp.path + "/r", "--endpoint", "mvno-deleted-list"])
        #expect(status == 3, "errors, no failure: \(c.out)")
        #expect(!c.out.contains("FAIL  "), "\(c.out)")
        #expect(c.out.contains("ERROR mvno-deleted-list/deleted-filter-sim-number: not judged: fixture 'deleted.filter.simNumber' does not hold on the target"))
        #expect(c.out.contains("PREFLIGHT fixture 'deleted.filter.simNumber'"))
    }

    /// A pool entry the target already uses is skipped, said, and recorded; a
    /// 409 to an entry the preflight saw free stays the target's.
    @Test func aPoolEntryInUseIsSkippedBeforeAnyCase() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let path = try Self.profile({ f in
            if case .array(let numbers)? = f["create.freeNumbers"] { f["create.freeNumbers"] = .array([f["account.number"]!] + numbers) }
        }, in: tmp.path)
        let sim = try inProcessSimulator()
        defer { sim.stop() }
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (profile, _) = try TargetLoader.load(path: path, suite: suite)
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--target", path, "--base-url", sim.baseURL, "--reports", tmp.path + "/r",
             "--endpoint", "mvno-account-create", "--case", "create-access-*"],
            environment: sim.environment(for: profile))
        #expect(status == 0, "\(c.out)\n\(c.err)")
        #expect(c.out.contains("pools: create.freeNumbers: 200 of 201 entries free on the target"), "\(c.out)")
        #expect(c.out.contains("1 in use, skipped: \"+4520000001\""))
        let ledger = try PoolLedger.load(path: PoolLedger.path(dir: tmp.path + "/r", baseURL: sim.baseURL))
        #expect(ledger.used["create.freeNumbers"]?.first == "\"+4520000001\"")
    }
}
