import Foundation
import HTTPServer
import JSONKit
import TelecomXSimulator
import Testing

@testable import ConformanceKit

/// Generated negative inputs expect what the rows' texts cover (reading
/// generated-negative-answer); a oneOf is matched by status and message as a
/// pair; an answer that takes an alternative is still judged as that alternative.
@Suite struct GeneratedNegativeAnswerTests {
    static func suite() throws -> Suite { try SuiteLoader.load(root: Project.cases).suite }

    struct RowRule: Sendable, CustomTestStringConvertible {
        var description: String
        var kind: String
        var covers: Bool
        var testDescription: String { "\(kind): \(description)" }
    }

    @Test(arguments: [
        RowRule(description: "Pbx is outside the valid range", kind: "type", covers: false),
        RowRule(description: "Pbx is outside the valid range", kind: "range", covers: true),
        RowRule(description: "Rate plan not found or not valid", kind: "format", covers: false),
        RowRule(description: "Rate plan not found or not valid", kind: "not-found", covers: true),
        RowRule(description: "The number is invalid", kind: "type", covers: true),
        RowRule(description: "Donor SIM number is not valid", kind: "format", covers: true),
        RowRule(description: "Start date has to be either today, or in the future", kind: "format", covers: false),
        RowRule(description: "Custom data too large, max. 4Kb", kind: "type", covers: false),
        RowRule(description: "Custom data too large, max. 4Kb", kind: "size", covers: true),
        RowRule(description: "Customer not found", kind: "format", covers: false),
    ])
    func aRowAnswersTheBreaksItsTextNames(_ r: RowRule) {
        #expect(NegativeRules.covers(r.description, kind: r.kind) == r.covers)
    }

    @Test func conditionsOfTheTablesAreMetOrNot() {
        #expect(NegativeRules.unmetCondition(in: "Id of extension the MVNO account belongs to on the hosted PBX (only if pbx>0).", level: "ADMIN") == "only if pbx>0")
        #expect(NegativeRules.unmetCondition(in: "Number requires porting but donor SIM number is invalid", level: "ADMIN") == "requires porting but donor SIM number is invalid")
        #expect(NegativeRules.unmetCondition(in: "Alternate customer to bill this MVNO to (OWNER only).", level: "ADMIN") == "(OWNER only)")
        #expect(NegativeRules.unmetCondition(in: "Alternate customer to bill this MVNO to (OWNER only).", level: "OWNER") == nil)
        #expect(NegativeRules.unmetCondition(in: "Note about the account (RESELLER/ADMIN only).", level: "ADMIN") == nil)
        #expect(NegativeRules.unmetCondition(in: "Note about the account (RESELLER/ADMIN only).", level: "OWNER") == "(RESELLER/ADMIN only)")
        #expect(NegativeRules.unmetCondition(in: "Enable MMS.", level: "ADMIN") == nil)
    }

    func generated(_ suite: Suite, _ id: String) throws -> Step {
        let c = try #require(suite.cases.first { $0.id == id })
        return Planner.pinned(c.steps[0], [:])
    }

    @Test func aWronglyTypedMemberExpectsTheRowsThatSayItIsInvalidElseBadRequest() throws {
        let suite = try Self.suite()
        // 422 pbx is about a range: a wrongly typed pbx is a bad body.
        let pbx = try generated(suite, "create-gen-pbx-type")
        #expect(pbx.expect.oneOf.map(\.row) == ["400-bad_request"])
        #expect(pbx.readings.contains(ReadingChoice(reading: "generated-negative-answer", option: "stated-row")))
        let named = try #require(pbx.alternatives.first { $0.choices.contains(ReadingChoice(reading: "generated-negative-answer", option: "member-named")) })
        #expect(named.expect.oneOf.contains { $0.status == 422 && $0.message == "pbx" })
        // "The number is invalid" says so.
        let number = try generated(suite, "create-gen-number-type")
        #expect(Set(number.expect.oneOf.map(\.description)) == ["422 number"])
        // A "not found" row is about a well-formed id nobody has.
        for id in ["create-gen-rate-plan-format", "create-gen-customer-format", "create-gen-start-date-format"] {
            #expect(try generated(suite, id).expect.oneOf.map(\.row) == ["400-bad_request"], "\(id)")
        }
        // Every generated case cites the reading and never accepts a 5xx.
        let negatives = suite.cases.filter { $0.tags.contains("negative") }
        #expect(negatives.count > 40)
        for c in negatives {
            let step = Planner.pinned(c.steps[0], [:])
            // A max-items break follows its member's count bound instead, with that bound's reading.
            let followsBound = c.id.hasSuffix("-max-items") && !step.readings.isEmpty
            #expect(followsBound || step.readings.contains { $0.reading == "generated-negative-answer" }, "\(c.id)")
            #expect(!step.alternatives.contains { $0.expect.status >= 500 || $0.expect.oneOf.contains { $0.status >= 500 } }, "\(c.id)")
        }
    }

    @Test func aMemberWhoseConditionIsUnmetMayBeIgnoredAndTheAnswerEchoesTheRest() throws {
        let suite = try Self.suite()
        for id in ["create-gen-extension-type", "create-gen-donor-sim-number-format", "create-gen-billing-customer-type", "create-gen-notes-type"] {
            let step = try generated(suite, id)
            let ignored = try #require(
                step.alternatives.first { $0.choices.contains(ReadingChoice(reading: "generated-negative-answer", option: "ignored")) && $0.expect.status == 200 },
                "\(id)")
            #expect(ignored.expect.schema == "schemas/mvno-account-create-response.schema.json")
            #expect(Set(ignored.expect.assertions.map(\.pointer.description)) == ["/customer", "/number", "/ratePlan"], "\(id)")
            #expect(ignored.expect.assertions.allSatisfy { $0.source == "reading:generated-negative-answer" })
        }
        // A member the rows name, with no condition, is not ignored.
        let pbx = try generated(suite, "create-gen-pbx-type")
        #expect(!pbx.alternatives.contains { $0.expect.status == 200 })
    }

    /// Every generated create that may succeed (a bound's inside, an ignored
    /// bad value) cites create-success-status: 200, 201 and 202 all pass.
    @Test func everyGeneratedCreateThatSucceedsAcceptsTheSuccessStatusReading() throws {
        let suite = try Self.suite()
        let generated = suite.cases.filter { $0.tags.contains("generated") && $0.endpoint == "mvno-account-create" }
        var succeeding = 0
        for c in generated {
            let step = Planner.pinned(c.steps[0], [:])
            let statuses = Set(([step.expect] + step.alternatives.map(\.expect)).map(\.status).filter { $0 < 300 })
            guard !statuses.isEmpty else { continue }
            succeeding += 1
            #expect(step.readings.contains { $0.reading == "create-success-status" }, "\(c.id)")
            #expect(statuses == [200, 201, 202], "\(c.id): \(statuses)")
        }
        #expect(succeeding > 20, "\(succeeding)")
    }

    /// Status and message as a pair: several rows of the answered status.
    @Test func severalRowsOfOneStatusAreMatchedAsPairsAndListedOnce() throws {
        var e = Expectation(status: 422, errorMessage: "billingCustomer", schema: nil, assertions: [])
        e.oneOf = [
            ExpectedRow(row: "422-billingCustomer", status: 422, message: "billingCustomer"),
            ExpectedRow(row: "422-number-a", status: 422, message: "number"),
            ExpectedRow(row: "422-number-b", status: 422, message: "number"),
            ExpectedRow(row: "422-custom", status: 422, message: "custom"),
            ExpectedRow(row: "400-bad_request", status: 400, message: "bad_request"),
        ]
        func answer(_ status: Int, _ message: String) -> HTTPExchange {
            HTTPExchange(
                status: status, headers: ["content-type": "application/json"], body: Array(#"{"message":"\#(message)"}"#.utf8),
                seconds: 0)
        }
        let pointer = try JSONPointer(parsing: "/message")
        #expect(e.row(answering: answer(422, "custom"), at: pointer).errorMessage == "custom")
        #expect(e.messages(ofStatus: 422) == ["billingCustomer", "number", "custom"])
        #expect(e.oneOfSummary() == "422 with one of: billingCustomer, number, custom; 400 bad_request")
        let suite = try Self.suite()
        var (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        profile.baseURL = "http://127.0.0.1:1"
        let endpoint = try #require(suite.endpoint("mvno-account-create"))
        let request = PlannedRequest(method: "POST", path: "/mvno", query: [], headers: [], body: nil)
        let context = Checker.Context(expect: e, endpoint: endpoint, role: "ADMIN", request: request, bindings: [:])
        let passed = Checker.judge(answer(422, "number"), context: context, suite: suite, target: profile, options: CheckOptions())
        #expect(passed.verdict == .passed, "\(passed.findings.map(\.message))")
        let failed = Checker.judge(answer(422, "deleteDate"), context: context, suite: suite, target: profile, options: CheckOptions())
        #expect(failed.verdict == .failed)
        #expect(failed.findings.map(\.message) == ["expected error message 422 with one of: billingCustomer, number, custom at /message, got \"deleteDate\""])
        let status = Checker.judge(answer(200, "x"), context: context, suite: suite, target: profile, options: CheckOptions())
        #expect(status.findings.first?.message == "expected one of the documented rows 422 with one of: billingCustomer, number, custom; 400 bad_request, got status 200")
    }

    /// A server that accepts a wrongly typed `notes` and answers it back as
    /// sent: the failure names the member and its type, not the status.
    @Test func anAcceptedBadValueIsJudgedAsTheAlternativeItTook() async throws {
        var suite = try Self.suite()
        suite.cases = suite.cases.filter { ["create-gen-notes-type", "create-gen-feature-mms-type"].contains($0.id) }
        let notes = try #require(suite.cases.first { $0.id == "create-gen-notes-type" })
        let sent = try #require(notes.steps[0].request.body?.raw["notes"])
        let simulator = TelecomXSimulator()
        let handler: HTTPHandler = { request in
            guard request.method == "POST", case .object(var body)? = try? JSONParser.parse(request.body) else {
                return simulator.respond(request)
            }
            // Accepts the account without the bad member; answers a bad `notes` back as sent.
            let badNotes = body["notes"]
            body["notes"] = nil
            body["feature"] = nil
            var r = request
            r.body = Array(JSONWriter().string(.object(body)).utf8)
            var response = simulator.respond(r)
            if let badNotes, case .object(var answer)? = try? JSONParser.parse(response.body) {
                answer["notes"] = badNotes
                response.body = Array(JSONWriter().string(.object(answer)).utf8)
            }
            return response
        }
        let run = try await ReadingsTests.run(handler, suite: suite)
        let result = try #require(run.results.first { $0.caseID == "create-gen-notes-type" })
        #expect(result.verdict == .failed)
        #expect(!result.findings.contains { $0.check == .status }, "\(result.findings.map(\.message))")
        let schema = try #require(result.findings.first { $0.check == .schema })
        #expect(schema.pointer == "/notes", "\(result.findings.map(\.message))")
        #expect(schema.message.hasPrefix("answered as reading 'generated-negative-answer' option ignored"), "\(schema.message)")
        #expect(schema.message.contains("/notes"), "\(schema.message)")
        #expect(sent.stringValue == nil, "the generated notes is not a string: \(sent)")
        // The same server answering a conforming account for a member it may ignore is ambiguous, not failed.
        let mms = try #require(run.results.first { $0.caseID == "create-gen-feature-mms-type" })
        #expect(mms.verdict != .failed, "\(mms.findings.map(\.message))")
    }
}
