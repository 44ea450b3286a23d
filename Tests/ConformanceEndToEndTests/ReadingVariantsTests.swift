import Foundation
import JSONKit
import TelecomXSimulator
import Testing

@testable import ConformanceKit

/// Issue #26, items 4-6: every alternative of every reading is a simulator
/// variant (and every variant an alternative or a freedom), the hand-written
/// cases rest on complete readings, and a target takes one option of a
/// reading throughout a run.
@Suite struct ReadingVariantsTests {
    static func suite() throws -> Suite { try SuiteLoader.load(root: Project.cases).suite }

    // MARK: item 6: an alternative is a variant

    @Test func everyAlternativeOfEveryReadingHasAVariantThatTakesIt() throws {
        let suite = try Self.suite()
        let taken = Set(Variant.catalogue.compactMap(\.takes).map(\.description))
        var alternatives = 0
        for r in suite.readings {
            for a in r.alternatives {
                alternatives += 1
                #expect(taken.contains("\(r.id)=\(a.id)"), "no simulator variant takes \(r.id)=\(a.id) (add one to Variant.catalogue with takes: reading(\"\(r.id)\", \"\(a.id)\"))")
            }
        }
        #expect(alternatives >= 20)
    }

    @Test func everyVariantTakesAnAlternativeOrNamesAFreedom() throws {
        let suite = try Self.suite()
        let ids = suite.readings.map(\.id)
        for v in Variant.catalogue {
            if let t = v.takes {
                let reading = try #require(suite.reading(t.reading), "\(v.name) takes the unknown reading \(t.reading)")
                #expect(reading.alternatives.contains { $0.id == t.option }, "\(v.name): \(t.option) is not an alternative of \(t.reading) (ours is \(reading.ours.id))")
                #expect(v.allowedBy.contains(t.reading), "\(v.name): allowedBy should name the reading \(t.reading)")
            } else {
                // A freedom: allowed by a doc text or a standard, and no reading of ours is about it.
                #expect(!v.allowedBy.isEmpty, "\(v.name)")
                let named = ids.filter { v.allowedBy.contains("reading \($0)") }
                #expect(named.isEmpty, "\(v.name) names reading \(named) but takes none of its alternatives")
            }
        }
        #expect(Set(Variant.catalogue.map(\.name)).count == Variant.catalogue.count)
    }

    @Test func allOnIsEveryFreedomAndOneAlternativePerReading() throws {
        let suite = try Self.suite()
        let on = Variant.allOn
        let readings = on.compactMap(\.takes).map(\.reading)
        #expect(Set(readings).count == readings.count, "two options of one reading in --variant all: \(readings)")
        #expect(Set(readings) == Set(suite.readings.filter { !$0.alternatives.isEmpty }.map(\.id)))
        #expect(Set(on.filter { $0.takes == nil }) == Set(Variant.catalogue.filter { $0.takes == nil }))
    }

    // MARK: item 4: complete readings for the hand-written cases

    /// Every hand-written case that creates an account (success under the
    /// suite's reading) also accepts 201, through the endpoint's
    /// create-success-status citation.
    @Test func everyHandWrittenSuccessfulCreateRestsOnTheSuccessStatusReading() throws {
        let suite = try Self.suite()
        let creates = suite.cases.filter { $0.endpoint == "mvno-account-create" && !$0.tags.contains("generated") }
        var checked = 0
        for c in creates {
            for step in c.steps where step.endpoint == "mvno-account-create" && step.covers == "success" {
                checked += 1
                #expect(step.readings.contains(ReadingChoice(reading: "create-success-status", option: "200")), "\(c.id)")
                #expect(step.alternatives.contains { $0.expect.status == 201 }, "\(c.id): 201 is not accepted")
            }
        }
        #expect(checked >= 20)
    }

    /// A port-in that is not about authorization runs as ADMIN, whom every
    /// option of porting-authorization lets authorize; the cases about
    /// authorization cite the reading with an answer for every option that
    /// changes theirs.
    @Test func portingCasesHoldOnEveryReadingOfWhoMayAuthorize() throws {
        let suite = try Self.suite()
        let reading = try #require(suite.reading("porting-authorization"))
        #expect(Set(reading.alternatives.map(\.id)) == ["reseller-may", "owner-may-not", "admin-only"])
        let portIn = try #require(suite.cases.first { $0.id == "create-port-in" })
        #expect(portIn.role == "ADMIN")
        for id in ["create-port-in-authorization-denied", "create-port-in-authorization-owner"] {
            let c = try #require(suite.cases.first { $0.id == id })
            let step = try #require(c.steps.first)
            let options = Set(step.alternatives.flatMap(\.choices).filter { $0.reading == reading.id }.map(\.option))
                .subtracting([reading.ours.id])
            #expect(options == Set(reading.alternatives.map(\.id)), "\(id): \(options)")
        }
        // OWNER: created under ours, refused where OWNER may not authorize.
        let owner = try #require(suite.cases.first { $0.id == "create-port-in-authorization-owner" }?.steps.first)
        #expect(owner.expect.status == 200)
        let refused = owner.alternatives.filter { $0.choices.contains(ReadingChoice(reading: reading.id, option: "owner-may-not")) }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.expect.status == 403 && $0.expect.errorMessage == "number" })
    }

    /// The access matrix sends each relation's customer with a rate plan valid
    /// for it (reading rate-plan-scope), from `{{relation.NAME}}`.
    @Test func theMatrixSendsEachRelationsOwnRatePlan() throws {
        let suite = try Self.suite()
        func ratePlan(_ id: String) throws -> JSON? {
            let c = try #require(suite.cases.first { $0.id == id }, "\(id)")
            return c.steps.first?.request.body?.raw["ratePlan"]
        }
        #expect(try ratePlan("create-access-admin-other-reseller") == "{{create.otherReseller.ratePlan}}")
        #expect(try ratePlan("create-access-admin-own") == "{{create.ratePlan}}")
        let value: JSON = ["customer": "C", "ratePlan": "P"]
        #expect(replacingRelation(in: ["a": "{{relation.customer}}", "b": "x-{{relation.ratePlan}}"], with: value) == ["a": "C", "b": "x-P"])
    }

    @Test func aRelationMemberOutsideAMatrixIsALoadErrorNamingTheFix() throws {
        let sink = DiagnosticSink()
        let node = Node(value: "{{relation.ratePlan}}", path: [.key("request")], file: "Cases/cases/x.json", sink: sink)
        let ok = VariableScope(fixtures: ["create.ratePlan": "id"]).check(Template(.string("{{relation.ratePlan}}")), at: node)
        #expect(!ok)
        let d = try #require(sink.items.first)
        #expect(d.file == "Cases/cases/x.json" && d.message.contains("'{{relation.ratePlan}}'") && d.message.contains("'ratePlan'"), "\(d.message)")
    }

    /// The provenance key agreed for #26 loads on assertions and invariants; a
    /// value that is not a non-empty string is a load error naming file and key path.
    @Test func anAssertionCarriesItsSource() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        func write(_ source: String) throws {
            try tmp.write(
                "Cases/cases/mvno-account-get/sourced.json",
                #"{"id":"sourced","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"{{account.id}}"}},"expect":{"assert":[{"pointer":"/number","exists":true,"source":"# + source + "}]}}")
        }
        try write(#""mvno-account-get.txt:10""#)
        let (loaded, _) = try SuiteLoader.load(root: suite)
        #expect(loaded.cases.first { $0.id == "sourced" }?.steps.first?.expect.assertions.count == 1)
        try write("5")
        do {
            _ = try SuiteLoader.load(root: suite)
            Issue.record("a numeric source should not load")
        } catch {
            #expect(error.description.contains("sourced.json: expect.assert[0].source: must be a string"), "\(error.description)")
        }
    }

    // MARK: item 5: one option per reading per target

    static func result(_ id: String, seq: Int, options: [String: [String]]) -> CaseResult {
        var r = CaseResult(
            seq: seq, caseID: id, title: id, file: "Cases/cases/\(id).json", endpointID: "ep", covers: "success", role: "OWNER",
            verdict: .passed, findings: [], request: nil, status: 200, responseExcerpt: nil, durationSeconds: 0)
        r.readingOptions = options
        return r
    }

    static let size = Reading(
        id: "size", page: "p.txt", line: 3, quote: "max. 4Kb", question: "q", because: "b",
        ours: .init(id: "4096", says: "4096 bytes"), alternatives: [.init(id: "4000", says: "4000 bytes")])

    @Test func twoCasesTakingDifferentOptionsOfOneReadingBothFailNamingEachOther() throws {
        let out = ReadingConsistency.judge(
            [Self.result("a", seq: 0, options: ["size": ["4096"]]), Self.result("b", seq: 1, options: ["size": ["4000"]]),
             Self.result("c", seq: 2, options: [:])],
            readings: [Self.size])
        #expect(out.map(\.verdict) == [.failed, .failed, .passed])
        let fa = try #require(out[0].findings.first)
        let fb = try #require(out[1].findings.first)
        #expect(fa.check == .reading && fa.severity == .failure && fa.reading == "size")
        #expect(fa.message.contains("reading 'size' (p.txt:3 “max. 4Kb”)") && fa.message.contains("case 'b' took 4000 (4000 bytes)"), "\(fa.message)")
        #expect(fb.message.contains("this answer takes 4000") && fb.message.contains("case 'a' took 4096"), "\(fb.message)")
    }

    @Test func answersSharingAnOptionAreConsistentAndAPerCaseReadingIsNotCompared() {
        let shared = ReadingConsistency.judge(
            [Self.result("a", seq: 0, options: ["size": ["4000", "4096"]]), Self.result("b", seq: 1, options: ["size": ["4000"]])],
            readings: [Self.size])
        #expect(shared.allSatisfy { $0.verdict == .passed && $0.findings.isEmpty })
        var perCase = Self.size
        perCase.perCase = true
        let free = ReadingConsistency.judge(
            [Self.result("a", seq: 0, options: ["size": ["4096"]]), Self.result("b", seq: 1, options: ["size": ["4000"]])],
            readings: [perCase])
        #expect(free.allSatisfy { $0.verdict == .passed && $0.findings.isEmpty })
    }

    /// {4000 or 4096}, then {4096}, then {4000}: the third is held to what the
    /// first two share, and named with the case it contradicts.
    @Test func aLaterCaseIsHeldToWhatTheEarlierOnesShare() throws {
        let out = ReadingConsistency.judge(
            [Self.result("a", seq: 0, options: ["size": ["4000", "4096"]]), Self.result("b", seq: 1, options: ["size": ["4096"]]),
             Self.result("c", seq: 2, options: ["size": ["4000"]])],
            readings: [Self.size])
        #expect(out.map(\.verdict) == [.passed, .failed, .failed])
        #expect(out[2].findings.first?.message.contains("case 'b'") == true)
    }

    /// The acceptance test: a server that takes 4001 bytes of custom (only a
    /// 4096-byte Kb allows that) and refuses 4096 (only a 1000-byte Kb allows
    /// that) fails, each case naming the reading and the other case, although
    /// each answer alone conforms to one reading.
    @Test func aTargetAccepting4001BytesAndRefusing4096FailsTheConsistencyCheck() async throws {
        let run = try await SimulatorHarness.run(faults: ["create-custom-limit-4050"])
        let accepted = try #require(run.results.first { $0.caseID == "create-bound-custom-4001" })
        let refused = try #require(run.results.first { $0.caseID == "create-bound-custom-4096" })
        #expect(accepted.status == 200 && refused.status == 422)
        #expect(accepted.readingOptions["custom-size-4kb"] == ["4096-bytes"])
        #expect(refused.readingOptions["custom-size-4kb"] == ["4000-bytes"])
        for (r, other) in [(accepted, refused.caseID), (refused, accepted.caseID)] {
            #expect(r.verdict == .failed)
            let f = r.findings.first { $0.check == .reading && $0.severity == .failure }
            #expect(f?.reading == "custom-size-4kb" && f?.message.contains("case '\(other)'") == true, "\(r.findings.map(\.message))")
        }
        #expect(run.failed == 2, "\(SimulatorHarness.notPassed(run))")
    }

    /// The filter's letter case too: notes matched in any case, deviceType in exact case.
    @Test func aTargetFilteringInTwoLetterCaseReadingsFailsTheConsistencyCheck() async throws {
        let run = try await SimulatorHarness.run(faults: ["deleted-filter-case-mixed"])
        let failed = run.results.filter { $0.verdict == .failed }.map(\.caseID).sorted()
        #expect(failed == ["deleted-filter-device-type", "deleted-filter-notes"], "\(SimulatorHarness.notPassed(run))")
        #expect(run.results.filter { $0.verdict == .failed }.allSatisfy { $0.failures.contains { $0.reading == "filter-letter-case" } })
    }
}
