import ConformanceKit
import Foundation
import JSONKit
import Testing

/// The documented enum values of the answers: which the cases aim at, and
/// which a run saw on the target.
@Suite(.serialized) struct ValueCoverageTests {
    static func enumAt(_ suite: Suite, _ endpoint: String, _ pointer: String) -> DocumentedEnum? {
        suite.documentedEnums.first { $0.endpointID == endpoint && $0.pointer == pointer }
    }

    @Test func theDocumentedEnumsComeFromTheResponseSchemas() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        #expect(Self.enumAt(suite, "mvno-account-get", "/state")?.values == ["ACTIVE", "CREATING", "DELETING", "BLOCKED"])
        #expect(Self.enumAt(suite, "mvno-account-get", "/numberState")?.values == ["IN_USE", "PORTING_IN", "PORTING_OUT"])
        #expect(Self.enumAt(suite, "mvno-account-get", "/mvnoSim/formFactor")?.values == ["MINI_MICRO", "NANO", "MINI_MICRO_NANO", "eSIM"])
        #expect(Self.enumAt(suite, "mvno-account-get", "/dataSharingSims/*/network")?.values == ["TELENOR", "TDC"])
        #expect(Self.enumAt(suite, "mvno-deleted-list", "/mvnoAccounts/*/state") != nil)
        // Request schemas are not answers.
        #expect(!suite.documentedEnums.contains { $0.pointer == "/autoAssignSim" })
    }

    @Test func observationsKeepDocumentedValuesAndOnlyCountTheOthers() throws {
        let enums = [
            DocumentedEnum(endpointID: "e", pointer: "/state", values: ["ACTIVE", "DELETING"]),
            DocumentedEnum(endpointID: "e", pointer: "/sims/*/network", values: ["TDC", "TELENOR"]),
        ]
        let body = try JSONParser.parse(
            Array(#"{"state": "DELETING", "sims": [{"network": "TDC"}, {"network": "TELIA"}, {"network": null}]}"#.utf8))
        let seen = DocumentedValues.observe(body, enums: enums, conforms: true)
        #expect(seen == [
            ValueObservation(endpointID: "e", pointer: "/state", seen: ["DELETING"], others: 0),
            ValueObservation(endpointID: "e", pointer: "/sims/*/network", seen: ["TDC"], others: 1),
        ])
        // A failing answer is no evidence of a documented value; its undocumented values still count.
        let failing = DocumentedValues.observe(body, enums: enums, conforms: false)
        #expect(failing == [ValueObservation(endpointID: "e", pointer: "/sims/*/network", seen: [], others: 1)])
    }

    @Test func observationsStayBoundedWhateverTheServerSends() throws {
        let enums = [DocumentedEnum(endpointID: "e", pointer: "/items/*/state", values: ["ACTIVE"])]
        let items = (0..<30_000).map { #"{"state": "X\#($0)"}"# }.joined(separator: ",")
        let body = try JSONParser.parse(Array(#"{"items": [\#(items)]}"#.utf8))
        let observed = DocumentedValues.observe(body, enums: enums, conforms: true)
        #expect(observed.count == 1)
        #expect(observed.first?.seen == [])
        #expect((observed.first?.others ?? 0) <= 10_000 && (observed.first?.others ?? 0) > 0)
    }

    @Test func aimedCasesComeFromEqualsAssertions() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let values = ValueCoverage.compute(suite)
        let state = try #require(values.first { $0.endpointID == "mvno-account-get" && $0.pointer == "/state" })
        #expect(state.values.map(\.value) == ["ACTIVE", "CREATING", "DELETING", "BLOCKED"])
        #expect(state.values.first { $0.value == "DELETING" }?.aimedBy == ["get-state-deleting"])
        #expect(state.values.allSatisfy { $0.seenIn.isEmpty })
    }

    @Test func aRunSeesEveryDocumentedAccountValueOnTheSimulator() async throws {
        let result = try await SimulatorHarness.run()
        for pointer in [
            "/state", "/numberState", "/mvnoSim/formFactor", "/mvnoSim/network", "/smartWatch/state", "/smartWatch/orderState",
            "/smartWatch/model", "/voicemail/notify", "/purchaseInfo/paymentOption",
        ] {
            let v = try #require(result.values.first { $0.endpointID == "mvno-account-get" && $0.pointer == pointer })
            #expect(v.values.allSatisfy { !$0.seenIn.isEmpty }, "\(pointer): \(v.values.filter { $0.seenIn.isEmpty }.map(\.value))")
            #expect(v.others == 0)
        }
        // Values no case reads stay unseen.
        let change = try #require(result.values.first { $0.endpointID == "mvno-account-get" && $0.pointer == "/mvnoSimNetworkChangeTo/network" })
        #expect(change.values.allSatisfy { $0.seenIn.isEmpty })
    }

    @Test func aDeletingAccountReportedAsDeletedLeavesDeletingUnseen() async throws {
        let result = try await SimulatorHarness.run(faults: ["get-deleting-as-deleted"], endpoints: ["mvno-account-get"])
        let r = try #require(result.results.first { $0.caseID == "get-state-deleting" })
        #expect(r.verdict == .failed)
        let state = try #require(result.values.first { $0.endpointID == "mvno-account-get" && $0.pointer == "/state" })
        #expect(state.values.first { $0.value == "DELETING" }?.seenIn == [])
        #expect(state.others > 0)
    }

    @Test func staticCoverageListsAimedCasesAndARunListsSeenValues() async throws {
        let (status, c) = await conformance(["coverage", "--suite", Project.cases])
        #expect(status == 0, "\(c.err)")
        #expect(c.out.contains("aimed 4/4: ACTIVE (get-state-active), CREATING (get-state-creating), DELETING (get-state-deleting), BLOCKED (get-state-blocked)"))

        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (runStatus, r) = await conformance(["coverage", "--simulator", "--suite", Project.cases, "--reports", tmp.path])
        #expect(runStatus == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("seen 4/4: ACTIVE, CREATING, DELETING, BLOCKED"))
        #expect(try tmp.read("coverage.txt").contains("never seen"))
        let json = try JSONParser.parse(Array(try tmp.read("results.json").utf8))
        let values = try #require(json["values"]?.arrayValue)
        let state = try #require(values.first { $0["endpoint"]?.stringValue == "mvno-account-get" && $0["pointer"]?.stringValue == "/state" })
        #expect(state["values"]?.arrayValue?.allSatisfy { $0["seen"] == .bool(true) } == true)
        #expect(try tmp.read("summary.md").contains("### Documented values seen"))
    }
}
