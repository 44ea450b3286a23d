import ConformanceKit
import TelecomXSimulator
import Foundation
import HTTPServer
import JSONKit
import Testing

/// The whole pipeline: the suite in `Cases/` against the built-in
/// simulator, clean and with faults; in-process, but for one run over real
/// loopback sockets (the report against both JUnit schemas). Not
/// serialized: the fault matrix's runs are independent (memoised by
/// configuration), and run one after another they were the whole test run's
/// long pole (213 s of a 215 s run, one core idle).
@Suite struct EndToEndTests {
    @Test func theSuiteIsAllGreenAgainstTheSimulator() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(["--suite", Project.cases, "--reports", tmp.path])
        #expect(status == 0, "\(c.out)\n\(c.err)")
        let summary = try #require(c.out.split(separator: "\n").first { $0.hasSuffix("skipped") })
        #expect(summary.hasSuffix(" 0 failed, 0 skipped"), "\(summary)")
        #expect(!summary.hasPrefix("0 passed"))
        let xml = try tmp.read("junit.xml")
        #expect(xml.contains("<testsuite name=\"mvno-account-get\""))
        #expect(!xml.contains("<failure"))
        #expect(!xml.contains("<error"))
    }

    @Test func theReportValidatesAgainstBothJUnitSchemas() async throws {
        let xmllint = try #require(xmllintPath(), "xmllint is required (apt-get install -y libxml2-utils; .ci/run installs it)")
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // A run with failures, so failure elements are validated too; over
        // real sockets: the one whole-suite CLI run that keeps them.
        let (status, _) = await conformance(["--suite", Project.cases, "--reports", tmp.path, "--fault", "get-drop-number"], sockets: true)
        #expect(status == 1)
        #expect(try tmp.read("junit.xml").contains("<failure"))
        for xsd in ["windyroad-JUnit.xsd", "jenkins-xunit-junit-10.xsd"] {
            let path = Project.shared + "/junit/" + xsd
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
            let r = try runProcess(xmllint, ["--noout", "--schema", path, tmp.path + "/junit.xml"])
            #expect(r.status == 0, "\(xsd): \(r.output)")
        }
    }

    struct FaultExpectation: Sendable, CustomTestStringConvertible {
        var fault: String
        var failingCase: String
        var check: CheckKind
        var pointer: String?
        var keyword: String?
        var testDescription: String { "\(fault) → \(failingCase)" }
    }

    static let faults: [FaultExpectation] = [
        .init(fault: "get-not-found-status", failingCase: "get-unknown-id", check: .status, pointer: nil),
        .init(fault: "get-not-found-message", failingCase: "get-unknown-id", check: .errorMessage, pointer: "/message"),
        .init(fault: "get-drop-number", failingCase: "get-by-id", check: .assertion, pointer: "/number"),
        .init(fault: "get-wrong-enum", failingCase: "get-by-id", check: .schema, pointer: "/state", keyword: "enum"),
        .init(fault: "get-bool-as-number", failingCase: "get-by-id", check: .schema, pointer: "/feature/data", keyword: "type"),
        .init(fault: "get-short-id", failingCase: "get-by-id", check: .schema, pointer: "/_id", keyword: "format"),
        .init(fault: "get-bad-date", failingCase: "get-by-id", check: .schema, pointer: "/startDate", keyword: "format"),
        .init(fault: "get-leak-restricted", failingCase: "get-as-owner-restricted-hidden", check: .visibility, pointer: "/notes"),
        .init(fault: "get-leak-restricted", failingCase: "get-access-viewer-own", check: .visibility, pointer: "/notes"),
        .init(fault: "get-drop-number", failingCase: "get-chain-id-then-number", check: .capture, pointer: "/number"),
        .init(fault: "get-cross-tenant", failingCase: "get-other-customer-denied", check: .status, pointer: nil),
        .init(fault: "get-deleting-as-deleted", failingCase: "get-state-deleting", check: .schema, pointer: "/state", keyword: "enum"),
        .init(fault: "get-by-number-broken", failingCase: "get-by-number", check: .status, pointer: nil),
        .init(fault: "wrong-content-type", failingCase: "get-by-id", check: .contentType, pointer: nil),
        .init(fault: "create-custom-limit-3999", failingCase: "create-bound-custom-4000", check: .status, pointer: nil),
        .init(fault: "create-custom-limit-4097", failingCase: "create-bound-custom-4097", check: .status, pointer: nil),
        .init(fault: "create-custom-limit-8k", failingCase: "create-bound-custom-4097", check: .status, pointer: nil),
        .init(fault: "create-icc-max-19", failingCase: "create-bound-mvno-sim-20", check: .status, pointer: nil),
        .init(fault: "deleted-limit-max-499", failingCase: "deleted-bound-limit-500", check: .assertion, pointer: "/limit"),
        .init(fault: "deleted-limit-min-2", failingCase: "deleted-bound-limit-1", check: .assertion, pointer: "/limit"),
        .init(fault: "create-500-on-bad-type", failingCase: "create-gen-pbx-type", check: .status, pointer: nil),
        .init(fault: "get-renamed-row", failingCase: "get-by-id", check: .renamed, pointer: "/restOfWorld"),
        .init(fault: "create-renamed-topup-sms", failingCase: "create-echoes-request", check: .renamed, pointer: "/feature/sendTopUpSms"),
    ]

    /// Against a simulator that departs from the docs in one way, the case
    /// aimed at that behaviour fails with a finding that names the place.
    @Test(arguments: faults)
    func aFaultIsCaughtByTheCaseAimedAtIt(_ f: FaultExpectation) async throws {
        let detection = try await SimulatorHarness.detection(of: f.fault)
        let r = try #require(detection.faulted.results.first { $0.caseID == f.failingCase })
        #expect(detection.caught.contains { $0.caseID == f.failingCase }, "the detection rule counts \(f.failingCase)")
        #expect(r.verdict == .failed, "\(f.failingCase) should fail under \(f.fault): \(r.verdict)")
        let finding = r.findings.first { $0.check == f.check && $0.severity == .failure }
        #expect(finding != nil, "no \(f.check) finding in \(r.findings)")
        if let pointer = f.pointer { #expect(finding?.pointer?.description == pointer, "\(String(describing: finding))") }
        if let keyword = f.keyword { #expect(finding?.keyword?.hasSuffix("/" + keyword) == true, "\(String(describing: finding?.keyword))") }
    }

    /// Every fault in the simulator's catalogue is caught by at least one case
    /// of the endpoint it affects (the rule `faults --detect` uses, over that
    /// endpoint's cases); the clean simulator fails nothing.
    @Test(arguments: Fault.catalogue.map(\.name))
    func everyFaultIsDetected(_ name: String) async throws {
        let (fault, _, result, caught) = try await SimulatorHarness.detection(of: name)
        #expect(result.results.count > 0, "the run under \(name) judged no case of \(fault.endpoint)")
        #expect(!caught.isEmpty, "no case of \(fault.endpoint) fails under \(name)")
        #expect(result.errors == 0, "errors under \(name): \(result.results.filter { if case .error = $0.verdict { true } else { false } }.map(\.caseID))")
    }

    @Test func theCleanSimulatorPassesEveryCaseAndSkipsNone() async throws {
        let result = try await SimulatorHarness.run()
        #expect(result.results.allSatisfy { $0.verdict == .passed }, "\(result.results.filter { $0.verdict != .passed }.map { ($0.caseID, $0.verdict, $0.findings.map(\.message)) })")
        #expect(result.results.count > 30)
    }

    // A hang guard, not a speed claim: refused connections end each case at
    // once; only a run that waited out timeouts would come near this.
    @Test(.timeLimit(.minutes(10)))
    func anUnreachableTargetGivesErrorsAndAReportNotACrash() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // A port that was free a moment ago: bind, note it, close.
        let probe = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { _ in HTTPResponse(status: 200) }
        let port = try probe.start()
        probe.shutdown()
        let target = try String(contentsOfFile: Project.cases + "/targets/simulator.json", encoding: .utf8)
        try tmp.write("target.json", target)
        let env = ["TELECOMX_OWNER_TOKEN": "t1", "TELECOMX_ADMIN_TOKEN": "t2"]
        let (status, c) = await conformance(
            [
                "run", "--suite", Project.cases, "--reports", tmp.path, "--target", tmp.path + "/target.json",
                "--base-url", "http://127.0.0.1:\(port)", "--timeout", "5",
            ], environment: env)
        #expect(status == 3, "\(c.out)\n\(c.err)")
        #expect(c.out.contains("ERROR"))
        let xml = try tmp.read("junit.xml")
        #expect(xml.contains("<error type=\"error\""))
        #expect(xml.contains("<skipped message=\"no credential for role VIEWER"))
        #expect(!xml.contains("<failure"))
    }

    @Test func noSecretAppearsInAnyOutput() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(["--suite", Project.cases, "--reports", tmp.path, "--fault", "get-bad-date"])
        #expect(status == 1)
        let outputs = [c.out, c.err, try tmp.read("junit.xml")]
        for (_, token) in TelecomXSimulatorTokens.all {
            for o in outputs { #expect(!o.contains(token), "a token leaked") }
        }
        #expect(try tmp.read("junit.xml").contains("token=***"))
    }
}
