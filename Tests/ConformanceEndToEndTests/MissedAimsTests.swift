@testable import ConformanceKit
import ConformanceTesting
import JSONKit
import Testing

/// Issue #25: what the suite missed on independent servers. Each rule is
/// asked in-process on plain values; the faults that prove the cases catch
/// the deviations run in the fault matrices (EndToEndTests and
/// VariantEndToEndTests iterate the catalogue), and the checks below look at
/// what those shared runs found.
@Suite struct MissedAimsTests {
    static let paging = Paging(
        items: JSONPointer(tokens: ["mvnoAccounts"]), total: JSONPointer(tokens: ["total"]),
        offsetParam: "offset", offsetPointer: JSONPointer(tokens: ["offset"]), defaultOffset: 0,
        limitParam: "limit", limitPointer: JSONPointer(tokens: ["limit"]), defaultLimit: 100, minLimit: 1, maxLimit: 500)
    static let request = PlannedRequest(method: "GET", path: "/mvno/deleted", query: [], headers: [], body: nil)
    static let rule = Invariant.eachDaysAfter(from: JSONPointer(tokens: ["deleted"]), to: JSONPointer(tokens: ["preterminateUntil"]), days: 30)

    static func page(_ items: [JSON]) -> JSON {
        ["offset": 0, "limit": 100, "total": .number(Double(items.count)), "mvnoAccounts": .array(items)]
    }

    @Test func theThirtyDayRuleFindsAMissingDateInsteadOfPassing() {
        let items: [JSON] = [
            ["_id": "a", "deleted": "2026-01-01T00:00:00.000Z", "preterminateUntil": "2026-01-31T00:00:00.000Z"],
            ["_id": "b", "deleted": "2026-01-01T00:00:00.000Z"],
            ["_id": "c", "deleted": "2026-01-01T00:00:00.000Z", "preterminateUntil": .null],
            ["_id": "d", "preterminateUntil": "2026-01-31T00:00:00.000Z"],
        ]
        let f = Invariants.check(Self.rule, body: Self.page(items), paging: Self.paging, request: Self.request, bindings: [:])
        #expect(f.map(\.pointer) == ["/mvnoAccounts/1/preterminateUntil", "/mvnoAccounts/2/preterminateUntil", "/mvnoAccounts/3/deleted"])
        #expect(f.allSatisfy { $0.severity == .failure && $0.message.contains("in every item") }, "\(f.map(\.message))")
    }

    @Test func aListedItemWhoseWindowHasClosedIsAFinding() throws {
        let now = try #require(RFC3339.seconds("2026-03-01T00:00:00Z"))
        let items: [JSON] = [
            // Open: deleted 10 days ago.
            ["deleted": "2026-02-19T00:00:00.000Z", "preterminateUntil": "2026-03-21T00:00:00.000Z"],
            // Closed 10 days ago, though its 30 days are right.
            ["deleted": "2026-01-20T00:00:00.000Z", "preterminateUntil": "2026-02-19T00:00:00.000Z"],
            // Deleted tomorrow.
            ["deleted": "2026-03-02T00:00:00.000Z", "preterminateUntil": "2026-04-01T00:00:00.000Z"],
            // Closed half an hour ago: inside the grace a purge schedule and two clocks need.
            ["deleted": "2026-01-29T23:30:00.000Z", "preterminateUntil": "2026-02-28T23:30:00.000Z"],
        ]
        let f = Invariants.check(Self.rule, body: Self.page(items), paging: Self.paging, request: Self.request, bindings: [:], now: now)
        #expect(f.map(\.pointer) == ["/mvnoAccounts/1/preterminateUntil", "/mvnoAccounts/2/deleted"], "\(f.map(\.message))")
        let without = Invariants.check(Self.rule, body: Self.page(items), paging: Self.paging, request: Self.request, bindings: [:])
        #expect(without.isEmpty, "without a time, only the 30 days are judged")
    }

    /// The unlisted-field control names the item that must not be found: other
    /// accounts a correct server finds (their notes, not shown, may hold the
    /// customer name) are no finding; the fixture among them is.
    @Test func noneEqualsNamesOnlyTheItemThatMustNotBeFound() {
        let rule = Invariant.noneEquals(pointer: JSONPointer(tokens: ["number"]), value: Template(.string("{{deleted.filter.number}}")))
        let bindings: [String: JSON] = ["deleted.filter.number": "+4511111111"]
        let others: [JSON] = [["number": "+4522222222"], ["number": "+4533333333"]]
        #expect(Invariants.check(rule, body: Self.page(others), paging: Self.paging, request: Self.request, bindings: bindings).isEmpty)
        #expect(Invariants.check(rule, body: Self.page([]), paging: Self.paging, request: Self.request, bindings: bindings).isEmpty)
        let found = Invariants.check(
            rule, body: Self.page(others + [["number": "+4511111111"]]), paging: Self.paging, request: Self.request, bindings: bindings)
        #expect(found.map(\.pointer) == ["/mvnoAccounts/2/number"], "\(found.map(\.message))")
        #expect(found.allSatisfy { $0.severity == .failure })
    }

    @Test func theAnswersDateHeaderIsRead() {
        #expect(Invariants.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(Invariants.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(Invariants.httpDate("Sun, 06 Nov 1994 25:49:37 GMT") == nil)
        #expect(Invariants.httpDate("") == nil)
    }

    @Test func extensionIsShownOnlyIfPbxIsAboveZero() throws {
        let suite = try ProjectSuite.suite()
        for ref in ["schemas/mvno-account.schema.json", "schemas/mvno-account-create-response.schema.json"] {
            let rules = try #require(suite.presence[ref], "\(ref) has no x-onlyIf rule")
            #expect(Set(rules.map(\.path)) == [["extension"], ["dnd"], ["voicemail"]], "\(ref)")
        }
        let listRules = try #require(suite.presence["schemas/mvno-deleted-page.schema.json"])
        #expect(
            Set(listRules.map { $0.path.joined(separator: "/") }) == ["mvnoAccounts/*/extension", "mvnoAccounts/*/extensionNumber", "mvnoAccounts/*/dnd"])
        let rules = try #require(suite.presence["schemas/mvno-account.schema.json"]).filter { $0.path == ["extension"] }
        let ext: JSON = "5e7000000000000000000001"
        for pbx: JSON? in [nil, .null, 0, -1, "2"] {
            var o = JSONObject()
            o["extension"] = ext
            if let pbx { o["pbx"] = pbx }
            let f = Presence.violations(in: JSON.object(o), rules: rules)
            #expect(f.count == 1 && f[0].pointer == "/extension" && f[0].message.contains("mvno-account-get.txt:86"), "pbx \(pbx.map(\.description) ?? "absent"): \(f.map(\.message))")
        }
        #expect(Presence.violations(in: ["pbx": 2, "extension": ext] as JSON, rules: rules).isEmpty)
        #expect(Presence.violations(in: ["pbx": 0, "extension": .null] as JSON, rules: rules).isEmpty, "null holds no value")
        #expect(Presence.violations(in: ["pbx": 0] as JSON, rules: rules).isEmpty)
        let items: JSON = ["mvnoAccounts": [["pbx": 2, "extension": ext], ["pbx": .null, "extensionNumber": "101"]]]
        #expect(Presence.violations(in: items, rules: listRules).map(\.pointer) == ["/mvnoAccounts/1/extensionNumber"])
    }

    /// voicemail "only if feature.voicemail is active and sipAccount and pbx is
    /// not", dnd "(only if pbx>0)": outside the condition, absent or null
    /// passes, an inert value is the reading only-if-presence's alternative
    /// (ambiguous; nothing when pinned to it, a failure when pinned to ours),
    /// and a setting in effect fails.
    @Test func voicemailAndDndAreJudgedByTheirConditionAndTheReading() throws {
        let suite = try ProjectSuite.suite()
        let rules = try #require(suite.presence["schemas/mvno-account.schema.json"])
        // Typed apart: in one expression it took 5 s to type-check.
        let readingPaths: [[String]] = rules.filter { $0.reading == "only-if-presence" }.map(\.path).sorted { $0[0] < $1[0] }
        #expect(readingPaths == [["dnd"], ["voicemail"]])
        func judge(_ body: JSON, pinned: [String: String] = [:]) -> [Finding] {
            Presence.violations(in: body, rules: rules, readings: suite.readings, pinned: pinned)
        }
        let settings: JSON = ["notify": "SMS", "pin": "1234"]
        let stateOf: (JSON) -> [String] = { body in judge(body).map { "\($0.pointer ?? "") \($0.severity.rawValue)" } }
        // In its condition: shown.
        #expect(judge(["feature": ["voicemail": true], "pbx": 0, "voicemail": settings]).isEmpty)
        #expect(judge(["feature": ["voicemail": true], "sipAccount": .null, "voicemail": settings]).isEmpty)
        #expect(judge(["pbx": 2, "dnd": true]).isEmpty)
        // Outside: a setting in effect fails, whichever part of the condition is unmet.
        #expect(stateOf(["feature": ["voicemail": false], "voicemail": settings]) == ["/voicemail failure"])
        #expect(stateOf(["voicemail": settings]) == ["/voicemail failure"], "feature.voicemail absent is not active")
        #expect(stateOf(["feature": ["voicemail": true], "sipAccount": "5e5000000000000000000001", "voicemail": settings]) == ["/voicemail failure"])
        #expect(stateOf(["feature": ["voicemail": true], "pbx": 3, "voicemail": settings, "dnd": true]) == ["/voicemail failure"])
        #expect(stateOf(["pbx": 0, "dnd": true]) == ["/dnd failure"])
        let unmet = judge(["voicemail": settings])[0]
        #expect(unmet.message.contains("feature.voicemail absent") && unmet.message.contains("mvno-account-get.txt:72"), "\(unmet.message)")
        // Outside, absent or null: nothing.
        #expect(judge(["pbx": 0, "dnd": .null, "voicemail": .null]).isEmpty)
        // Outside, inert: the alternative inert-otherwise.
        let inert: JSON = ["pbx": 0, "dnd": false, "voicemail": ["notify": "NONE", "pin": "1234"]]
        let ambiguous = judge(inert)
        #expect(ambiguous.count == 1 && ambiguous[0].message.hasSuffix("(and 1 more member so)"), "one finding per answer: \(ambiguous.map(\.message))")
        #expect(ambiguous.allSatisfy { $0.severity == .ambiguous && $0.check == .reading && $0.reading == "only-if-presence" && $0.actual.hasPrefix("inert-otherwise:") })
        #expect(judge(["dnd": false, "voicemail": [:]]).allSatisfy { $0.severity == .ambiguous }, "a voicemail without notify notifies nobody")
        #expect(judge(inert, pinned: ["only-if-presence": "inert-otherwise"]).isEmpty)
        #expect(judge(inert, pinned: ["only-if-presence": "absent-otherwise"]).map(\.severity) == [.failure, .failure])
        // A failure beside inert values: both said.
        let mixed = judge(["pbx": 0, "dnd": false, "voicemail": settings])
        #expect(Set(mixed.map { "\($0.pointer ?? "") \($0.severity.rawValue)" }) == ["/dnd ambiguous", "/voicemail failure"])
    }

    @Test func coverageListsTheAimsAndSaysWhichNoCaseTakes() throws {
        let suite = try ProjectSuite.suite()
        let computed = AimCoverage.compute(suite)
        #expect(computed.map(\.aim.name) == AimCoverage.aims.map(\.name))
        let missed = computed.filter { $0.by.isEmpty }.map(\.aim.name)
        #expect(missed.isEmpty, "aims no case takes: \(missed)")
        let text = AimCoverage.render(suite)
        #expect(text.last == "aims: \(AimCoverage.aims.count), \(AimCoverage.aims.count) aimed at, 0 not")
        let exact = try #require(computed.first { $0.aim.name == "exact-lookup" })
        #expect(exact.by == ["get-id-prefix", "get-number-suffix", "get-number-trailing-space"])
    }

    /// The fault leaks only past the first 100 items: the finding comes from a later page of the walk.
    @Test func aLaterPagesItemsAreJudgedAsTheFirstPages() async throws {
        let d = try await SimulatorHarness.detection(of: "deleted-later-page-leak")
        let walk = try #require(d.caught.first { $0.caseID == "deleted-reseller-admin-walk" }, "\(d.caught.map(\.caseID))")
        let leaks = walk.failures.filter { $0.check == .visibility }
        #expect(!leaks.isEmpty && leaks.allSatisfy { $0.message.hasPrefix("page at offset 100: ") }, "\(walk.failures.map(\.message))")
        #expect(walk.findings.count <= 30, "later pages' findings are bounded (\(walk.findings.count))")
    }

    @Test func eachNewFaultIsCaughtByTheCaseAimedAtIt() async throws {
        let aimed: [(fault: String, caseID: String)] = [
            ("deleted-preterminate-absent", "deleted-preterminate-30-days"),
            ("deleted-old-listed", "deleted-admin-walk"),
            ("deleted-filter-skips-device", "deleted-filter-same-case-control"),
            ("deleted-filter-customer-name", "deleted-filter-unlisted-field"),
            ("deleted-filter-offset-ignored", "deleted-filter-with-offset"),
            ("get-malformed-500", "get-malformed-id"),
            ("get-number-trimmed", "get-number-trailing-space"),
            ("get-extension-without-pbx", "get-by-id"),
            ("create-readable-by-anyone", "create-then-read-by-every-role"),
            ("create-non-json-500", "create-body-not-json"),
            ("get-plus-encoded-not-decoded", "get-percent-encoded-number"),
            ("get-prefix-lookup", "get-id-prefix"),
            ("create-custom-flattened", "create-round-trip"),
            ("create-race-double-sell", "create-number-concurrent"),
            ("create-text-latin1", "create-round-trip"),
            ("get-prefix-lookup", "get-number-suffix"),
            ("get-voicemail-not-in-use", "get-access-admin-other-reseller"),
            ("deleted-filter-skips-notes", "deleted-filter-notes-same-case"),
            ("get-order-state-enum-case", "get-smart-watch-order-state-partially-failed"),
            ("deleted-dnd-without-pbx", "deleted-admin-walk"),
        ]
        for (fault, caseID) in aimed {
            let d = try await SimulatorHarness.detection(of: fault)
            #expect(d.caught.contains { $0.caseID == caseID }, "\(fault): caught by \(d.caught.map(\.caseID)), not \(caseID)")
        }
    }
}
