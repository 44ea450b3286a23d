import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import JSONKit
import JSONSchemaKit
import Testing

/// What keeps a correct server we did not write from being failed: "no value"
/// as null or omitted, comparisons that fit the docs, independent checks, and
/// profile mistakes reported as profile mistakes.
@Suite(.serialized) struct FalseAlarmTests {
    /// A copy of `Cases/` to break on purpose.
    static func suiteCopy() throws -> TempDir {
        let tmp = TempDir()
        try FileManager.default.copyItem(atPath: Project.cases, toPath: tmp.path + "/Cases")
        return tmp
    }

    @Test func aDocumentedMemberHoldingNullHoldsNoValue() throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let account = try #require(suite.compiledSchemas["schemas/mvno-account.schema.json"])
        let empty: JSON = [
            "_id": "5a1000000000000000000001", "extension": .null, "name": .null, "porting": .null, "employee": .null,
            "socLimit": .null, "deleteDate": .null, "custom": .null, "mvnoSim": ["pin1": .null, "network": .null],
        ]
        let r = account.validate(empty)
        #expect(r.violations.map(\.message) == [])
        #expect(r.undescribed.isEmpty)
        // A value of the wrong type is still wrong, and an undocumented member still undocumented.
        let wrong = account.validate(["extension": 5, "nosuch": .null])
        #expect(wrong.violations.map(\.instanceLocation.description) == ["/extension"])
        #expect(wrong.undescribed.map(\.description) == ["/nosuch"])
        // Standard JSON Schema without the option: null is a type like any other.
        var registry = SchemaRegistry()
        try registry.register(["properties": ["a": ["type": "string"]]], uri: "file:///t.json")
        #expect(!(try registry.compile("file:///t.json")).isValid(["a": .null]))
        #expect(try registry.compile("file:///t.json", options: ValidationOptions(nullMeansAbsent: true)).isValid(["a": .null]))
        #expect(!(try registry.compile("file:///t.json", options: ValidationOptions(nullMeansAbsent: true))).isValid(["a": 1]))
    }

    @Test func expectedObjectsAndArraysAreSubsetsInAnyOrder() {
        let sent: JSON = [["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true]]
        let answered: JSON = [["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true, "startEOM": false, "setBySystem": false]]
        #expect(Checker.matches(answered, sent))
        #expect(!Checker.matches(sent, answered), "a member the case names must be there")
        #expect(Checker.matches([2, 1], [1, 2]))
        #expect(!Checker.matches([1, 1], [1, 2]))
        #expect(!Checker.matches([1, 2, 3], [1, 2]), "as many elements")
        #expect(Checker.matches(nil, .null) && Checker.matches(.null, .null))
        #expect(!Checker.matches("a", .null))
        #expect(Checker.matches(1, 1.0) && !Checker.matches("1", 1))
        #expect(!Checker.matches(["a": ["b": 1]], ["a": ["b": 2]]))
    }

    @Test func aSchemaFindingOnTheFirstPageDoesNotStopTheWalk() async throws {
        let run = try await SimulatorHarness.run(
            faults: ["deleted-state-deleted", "deleted-offset-off-by-one"], endpoints: ["mvno-deleted-list"])
        let walk = try #require(run.results.first { $0.caseID == "deleted-admin-walk" })
        #expect(walk.verdict == .failed)
        #expect(walk.failures.contains { $0.check == .schema })
        #expect(walk.failures.contains { $0.check == .invariant && $0.pointer == "/total" }, "\(walk.failures.map(\.message))")
    }

    @Test func aFixtureOfTheWrongTypeIsAProfileProblem() async throws {
        let tmp = try Self.suiteCopy()
        defer { tmp.cleanup() }
        let profile = tmp.path + "/Cases/targets/simulator.json"
        var doc = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: profile))))
        guard case .object(var o) = doc, case .object(var f)? = o["fixtures"] else { Issue.record("no fixtures"); return }
        f["account.id"] = 123
        f["create.freeNumbers"] = "+4521000000"
        o["fixtures"] = .object(f)
        doc = .object(o)
        try Data(JSONWriter(pretty: true).string(doc).utf8).write(to: URL(fileURLWithPath: profile))
        let (status, c) = await conformance(["run", "--simulator", "--suite", tmp.path + "/Cases", "--target", profile, "--reports", tmp.path + "/r"])
        #expect(status == 2)
        #expect(c.err.contains("simulator.json: fixtures.account.id: must be a 24-hex id (a string); found the number 123"), "\(c.err)")
        #expect(c.err.contains("fixtures.create.freeNumbers: must be a non-empty array of E.164 numbers"), "\(c.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/r/junit.xml") || c.out.isEmpty)
    }

    @Test func aFixtureTheTargetContradictsTurnsItsCasesIntoErrorsNamingIt() async throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        var (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        // A well-formed id of another customer: the account exists, but not under this customer.
        profile.fixtures["account.customer"] = "5c1000000000000000000002"
        profile.fixtures["missing.account.id"] = profile.fixtures["account.id"]
        let run = await InProcessSimulator.run(suite: suite, profile: profile, options: RunOptions(jobs: 4, timeout: 10))
        let refuted = run.preflight.filter { $0.state == .refuted }
        #expect(Set(refuted.flatMap(\.fixtures)) == ["account.id", "account.customer", "missing.account.id"])
        #expect(run.preflight.filter { $0.state == .confirmed }.count >= 3)
        let usingCustomer = run.results.filter { r in suite.cases.first { $0.id == r.caseID }?.fixtureVariables.contains("account.customer") == true }
        #expect(usingCustomer.count > 20)
        #expect(usingCustomer.allSatisfy { if case .error(let why) = $0.verdict { why.contains("'account.customer'") } else { false } })
        #expect(run.failed == 0, "\(run.results.filter { $0.verdict == .failed }.map(\.caseID))")
        let unknown = try #require(run.results.first { $0.caseID == "get-unknown-id" })
        guard case .error(let why) = unknown.verdict else { Issue.record("get-unknown-id: \(unknown.verdict)"); return }
        #expect(why.contains("fixture 'missing.account.id' does not hold on the target: GET /mvno/5a1000000000000000000001 as ADMIN answered 200, not 404"))
        #expect(ConsoleReporter.lines(run).contains { $0.hasPrefix("PREFLIGHT fixture 'missing.account.id'") })
    }

    @Test func theFixturesCommandShowsWhatThePreflightConfirms() async throws {
        let tmp = try Self.suiteCopy()
        defer { tmp.cleanup() }
        let profile = tmp.path + "/Cases/targets/simulator.json"
        var doc = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: profile))))
        guard case .object(var o) = doc, case .object(var f)? = o["fixtures"] else { Issue.record("no fixtures"); return }
        f["missing.account.id"] = f["account.id"]
        o["fixtures"] = .object(f)
        doc = .object(o)
        try Data(JSONWriter(pretty: true).string(doc).utf8).write(to: URL(fileURLWithPath: profile))
        let (status, c) = await conformance(["fixtures", "--suite", tmp.path + "/Cases", "--target", profile, "--preflight", "--simulator"])
        #expect(status == 0, "\(c.err)")
        let lines = c.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("fixture ") && $0.contains("  preflight  ") })
        #expect(lines.contains { $0.hasPrefix("missing.account.id ") && $0.contains(" REFUTED ") }, "\(c.out)")
        #expect(lines.contains { $0.hasPrefix("account.customer ") && $0.contains(" confirmed ") }, "\(c.out)")
        #expect(lines.contains { $0.hasPrefix("create.ratePlan ") && $0.contains(" - ") }, "no request checks it")
        // Without --preflight nothing is sent and there is no such column.
        let (_, plain) = await conformance(["fixtures", "--suite", tmp.path + "/Cases", "--target", profile])
        #expect(!plain.out.contains("preflight"))
    }

    @Test func aCircularSchemaStopsTheLoadNamingItsFile() async throws {
        let tmp = try Self.suiteCopy()
        defer { tmp.cleanup() }
        let file = tmp.path + "/Cases/schemas/common.schema.json"
        var doc = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        guard case .object(var o) = doc, case .object(var defs)? = o["$defs"] else { Issue.record("no $defs"); return }
        defs["Id"] = ["$ref": "#/$defs/Loop"]
        defs["Loop"] = ["allOf": [["$ref": "#/$defs/Id"]]]
        o["$defs"] = .object(defs)
        doc = .object(o)
        try Data(JSONWriter(pretty: true).string(doc).utf8).write(to: URL(fileURLWithPath: file))
        let (status, c) = await conformance(["run", "--suite", tmp.path + "/Cases", "--reports", tmp.path + "/r"])
        #expect(status == 2)
        #expect(c.err.contains("schemas/common.schema.json: these schemas apply one another in place and never finish: #/$defs/"), "\(c.err)")
        #expect(c.err.contains("1 problem in the suite"), "one cycle, reported once: \(c.err)")
    }
}
