import ConformanceKit
import ConformanceTesting
import JSONKit
import TelecomXSimulator
import Testing

/// The deleted list searches IMSIs and notes but does not show them, so a
/// filter case that finds nothing by them may mean a wrong fixture as well as
/// a target that does not search the field (`confirmBeforeBlame` in
/// Cases/fixtures.json). The target is blamed only once the fixture is
/// confirmed: by GET /mvno/{deleted.filter.number} when the target answers it
/// (the preflight, told the account by its ICC, which the list shows), or by
/// the profile's `confirmedFixtures`. Asked in-process, filter cases only.
@Suite struct FilterFixtureBlameTests {
    static let cases = ["deleted-filter-imsi", "deleted-filter-notes", "deleted-filter-number"]

    static func run(
        _ edit: (inout TargetProfile) -> Void, faults: [String] = [], variants: [String] = []
    ) async throws -> [String: CaseResult] {
        let suite = Selection(caseGlobs: cases).apply(to: try ProjectSuite.suite())
        var profile = try ProjectSuite.profile("simulator.json")
        edit(&profile)
        let result = await InProcessSimulator.run(
            suite: suite, profile: profile, faults: try faults.map(SimulatorHarness.fault),
            variants: try variants.map(SimulatorHarness.variant), options: RunOptions(jobs: 2, timeout: 10))
        return Dictionary(uniqueKeysWithValues: result.results.map { ($0.caseID, $0) })
    }

    static func errorText(_ r: CaseResult?) -> String? {
        if case .error(let why)? = r?.verdict { return why }
        return nil
    }

    /// A wrong IMSI that nothing can confirm or refute (the target answers
    /// 404 to a deleted account's GET) is an error naming the fixture and
    /// saying how to vouch for it; the control case by number still passes.
    @Test func aWrongUnconfirmableIMSIIsAnErrorNamingTheFixture() async throws {
        let r = try await Self.run { p in
            p.fixtures["deleted.filter.imsi"] = "238019999999999"
            p.confirmedFixtures = [:]
        }
        let why = try #require(Self.errorText(r["deleted-filter-imsi"]), "\(String(describing: r["deleted-filter-imsi"]?.verdict))")
        #expect(why.contains("fixture 'deleted.filter.imsi'"), "\(why)")
        #expect(why.contains("confirmedFixtures"), "\(why)")
        #expect(r["deleted-filter-number"]?.verdict == .passed)
        #expect(r["deleted-filter-notes"]?.verdict == .passed)
    }

    /// Where the target shows the deleted account by GET, the preflight
    /// refutes a wrong IMSI or notes before any case: errors naming them.
    @Test func aTargetThatShowsTheDeletedAccountRefutesAWrongFixture() async throws {
        let r = try await Self.run(
            { p in
                p.fixtures["deleted.filter.imsi"] = "238019999999999"
                p.fixtures["deleted.filter.notes"] = "no-such-note"
                p.confirmedFixtures = [:]
            }, variants: ["deleted-account-readable"])
        let imsi = try #require(Self.errorText(r["deleted-filter-imsi"]))
        #expect(imsi.contains("fixture") && imsi.contains("'deleted.filter.imsi'") && imsi.contains("does not hold") || imsi.contains("disagree"), "\(imsi)")
        let notes = try #require(Self.errorText(r["deleted-filter-notes"]))
        #expect(notes.contains("fixture 'deleted.filter.notes' does not hold on the target"), "\(notes)")
        #expect(r["deleted-filter-number"]?.verdict == .passed, "the account's own fixtures stand")
    }

    /// Confirmed by the preflight (the target shows the deleted account), a
    /// target that does not search IMSIs and notes fails both cases: the
    /// harness can tell the field is not searched.
    @Test func aConfirmedFixtureLetsTheCaseBlameAFilterThatSkipsTheField() async throws {
        let r = try await Self.run(
            { p in p.confirmedFixtures = [:] }, faults: ["deleted-filter-skips-imsi-notes"], variants: ["deleted-account-readable"])
        #expect(r["deleted-filter-imsi"]?.verdict == .failed, "\(String(describing: r["deleted-filter-imsi"]?.verdict))")
        // Notes are sent in another letter case: finding nothing is also what
        // an exact-case filter answers (reading filter-letter-case), so that
        // case is ambiguous whoever is right; the IMSI case carries the finding.
        #expect(r["deleted-filter-notes"]?.verdict == .ambiguous, "\(String(describing: r["deleted-filter-notes"]?.verdict))")
    }

    /// Not confirmable and not vouched for, the same target is not blamed:
    /// a wrong fixture would look alike (the README says what is and is not
    /// distinguishable). Vouched for in the profile, it is blamed.
    @Test func anUnconfirmedFixtureDoesNotBlameButAVouchedOneDoes() async throws {
        let unvouched = try await Self.run({ p in p.confirmedFixtures = [:] }, faults: ["deleted-filter-skips-imsi-notes"])
        #expect(Self.errorText(unvouched["deleted-filter-imsi"])?.contains("'deleted.filter.imsi'") == true)
        // Ambiguous (exact case would answer alike), and not counted for the
        // one-option check: with an unconfirmed text it testifies to nothing.
        #expect(unvouched["deleted-filter-notes"]?.verdict == .ambiguous)
        #expect(unvouched["deleted-filter-notes"]?.readingOptions.isEmpty == true)
        let vouched = try await Self.run({ _ in }, faults: ["deleted-filter-skips-imsi-notes"])
        #expect(vouched["deleted-filter-imsi"]?.verdict == .failed)
        #expect(vouched["deleted-filter-notes"]?.readingOptions["filter-letter-case"] == ["exact-case"])
    }

    /// Confirmed, but the text is also in other deleted accounts' notes
    /// ("customer" is in "deleted on customer request" too): the answer lists
    /// the account among others, which is the fixture's promise of
    /// uniqueness failing (not checkable), not the target.
    @Test func aConfirmedTextThatIsNotUniqueIsAnErrorNotAFailure() async throws {
        let r = try await Self.run { p in p.fixtures["deleted.filter.notes"] = "CUSTOMER" }
        let why = try #require(Self.errorText(r["deleted-filter-notes"]), "\(String(describing: r["deleted-filter-notes"]?.verdict))")
        #expect(why.contains("no other item holds it"), "\(why)")
    }

    /// A rate plan the target does not have is refused (404 ratePlan) on
    /// every create that expects success: with no read to confirm
    /// create.ratePlan, each is an error naming it, not a failure; vouched
    /// for in the profile, the same answer is the target's failure.
    @Test func aRefusalOfAFixtureNoReadConfirmedIsAnErrorNamingIt() async throws {
        let suite = Selection(caseGlobs: ["create-then-get", "create-minimal-defaults"]).apply(to: try ProjectSuite.suite())
        var profile = try ProjectSuite.profile("simulator.json")
        profile.fixtures["create.ratePlan"] = "5d10000000000000000000ff"
        let wrong = await InProcessSimulator.run(suite: suite, profile: profile, options: RunOptions(jobs: 2, timeout: 10))
        #expect(wrong.results.count == 2)
        for r in wrong.results {
            let why = try #require(Self.errorText(r), "\(r.caseID): \(r.verdict)")
            #expect(why.contains("404 ratePlan") && why.contains("fixture 'create.ratePlan'") && why.contains("confirmedFixtures"), "\(why)")
        }
        profile.confirmedFixtures["create.ratePlan"] = "test: vouched for"
        let vouched = await InProcessSimulator.run(suite: suite, profile: profile, options: RunOptions(jobs: 2, timeout: 10))
        #expect(vouched.results.allSatisfy { $0.verdict == .failed }, "\(vouched.results.map(\.verdict))")
    }

    /// An account that shows another documented state than its values.*
    /// fixture says is an error naming the fixture (it may be wrong or
    /// outdated); a state the page does not document stays a failure.
    @Test func aValuesFixtureShowingAnotherDocumentedValueIsAnError() async throws {
        let suite = Selection(caseGlobs: ["get-state-deleting"]).apply(to: try ProjectSuite.suite())
        var profile = try ProjectSuite.profile("simulator.json")
        profile.fixtures["values.state.DELETING"] = profile.fixtures["values.state.ACTIVE"]
        let wrong = await InProcessSimulator.run(suite: suite, profile: profile, options: RunOptions(jobs: 1, timeout: 10))
        let why = try #require(Self.errorText(wrong.results.first), "\(String(describing: wrong.results.first?.verdict))")
        #expect(why.contains("fixture 'values.state.DELETING'"), "\(why)")
        let faulted = await InProcessSimulator.run(
            suite: suite, profile: try ProjectSuite.profile("simulator.json"), faults: [try SimulatorHarness.fault("get-deleting-as-deleted")],
            options: RunOptions(jobs: 1, timeout: 10))
        #expect(faulted.results.first?.verdict == .failed)
    }
}

/// Reading preterminate-days: "30 days" as 30 × 24 hours (ours) or as 30
/// Danish calendar days. With the simulator's clock on 10 April 2026 its
/// deleted accounts span the end of March, when Denmark moves to summer time.
@Suite struct PreterminateDaysTests {
    static let april = 1_775_822_400.0  // 2026-04-10T12:00:00Z

    static func run(variants: [String], faults: [String] = []) async throws -> CaseResult? {
        let suite = Selection(caseGlobs: ["deleted-preterminate-30-days"]).apply(to: try ProjectSuite.suite())
        let sim = InProcessSimulator(
            faults: try faults.map(SimulatorHarness.fault), variants: try variants.map(SimulatorHarness.variant),
            clock: .manual(ManualClock(epochSeconds: april)))
        return await sim.run(suite: suite, profile: try ProjectSuite.profile("simulator.json"), options: RunOptions(jobs: 1, timeout: 10))
            .results.first
    }

    @Test func danishCalendarDaysAreAnAlternativeNotAFailure() async throws {
        #expect(try await Self.run(variants: [])?.verdict == .passed)
        let danish = try await Self.run(variants: ["preterminate-danish-days"])
        #expect(danish?.verdict == .ambiguous, "\(String(describing: danish?.verdict)) \(danish?.findings.map(\.message) ?? [])")
        #expect(danish?.readingOptions["preterminate-days"] == ["danish-calendar-days"])
        // The variant does differ here: items deleted before the change are 23 hours short of 30 × 24.
        let page = try await InProcessSimulator(variants: [try SimulatorHarness.variant("preterminate-danish-days")], clock: .manual(ManualClock(epochSeconds: Self.april)))
            .run(suite: Selection(caseGlobs: ["deleted-preterminate-30-days"]).apply(to: try ProjectSuite.suite()),
                 profile: { var p = try ProjectSuite.profile("simulator.json"); p.readings = ["preterminate-days": "24-hour-days"]; return p }(),
                 options: RunOptions(jobs: 1, timeout: 10))
        #expect(page.results.first?.verdict == .failed, "held to 24-hour days, the Danish count fails")
        // A count of 29 days fails under either reading.
        #expect(try await Self.run(variants: ["preterminate-danish-days"], faults: ["deleted-preterminate-29-days"])?.verdict == .failed)
    }
}

