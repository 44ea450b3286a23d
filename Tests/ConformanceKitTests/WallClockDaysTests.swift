import Foundation
import Testing

@testable import ConformanceKit

/// The days-after rule's arithmetic answers what Foundation's calendar
/// answers, in every zone Foundation knows: at instants spread over
/// 1900–2100, and at and around every transition of 1960–2040, where the
/// arithmetic must step aside (a repeated or skipped hour, a skipped day).
@Suite struct WallClockDaysTests {
    static let dayCounts = [30, 1, -1, 0, 7, 365, -400, 10_000]

    /// A fixed generator, so a failure names the same instants every run.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func seconds(in range: ClosedRange<Double>) -> Double {
            range.lowerBound + Double(next() % UInt64(range.upperBound - range.lowerBound)) + Double(next() % 1000) / 1000
        }
    }

    /// The instants of a zone's transitions in `years` (at most `limit`).
    static func transitions(_ zone: TimeZone, from: Double, to: Double, limit: Int = 200) -> [Double] {
        var out: [Double] = []
        var at = from
        while out.count < limit, let next = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: at)),
            next.timeIntervalSince1970 < to
        {
            out.append(next.timeIntervalSince1970)
            at = next.timeIntervalSince1970
        }
        return out
    }

    func compare(_ zone: TimeZone, instants: [Double], fast: inout Int, issues: inout [String]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var wallClock = WallClockDays(calendar)
        for (k, a) in instants.enumerated() {
            let days = Self.dayCounts[k % Self.dayCounts.count]
            let theirs = Invariants.adding(days: days, to: a, in: calendar)
            if wallClock.arithmetic(days, to: a) != nil { fast += 1 }
            let ours = wallClock.adding(days, to: a)
            guard let theirs, let ours else {
                if (theirs == nil) != (ours == nil) { issues.append("\(zone.identifier) \(a) + \(days): ours \(String(describing: ours)), Foundation's \(String(describing: theirs))") }
                continue
            }
            if abs(ours - theirs) > 0.001 {
                issues.append("\(zone.identifier) \(a) + \(days) days: ours \(ours), Foundation's \(theirs)")
            }
        }
    }

    @Test func everyZoneAgreesWithFoundation() {
        var issues: [String] = []
        var fast = 0, total = 0
        var random = Seeded(state: 0x5EED_DA75)
        for id in TimeZone.knownTimeZoneIdentifiers {
            guard let zone = TimeZone(identifier: id) else { continue }
            var instants = (0..<24).map { _ in random.seconds(in: WallClockDays.years) }
            // At, and an hour, a day and two days either side of, transitions
            // (a page's dates sit within a window: the same span serves many).
            let changes = Self.transitions(zone, from: -315_619_200, to: 2_208_988_800, limit: 12)
            let offsets: [Double] = [0, -1, 1, -1800, 1800, -3600, 3600, -5400, -86_400, 86_400, -172_801, 172_801]
            // The same instants less 30 days: the answer lands on the transition.
            let month: Double = 30 * 86_400
            let landing: [Double] = [-month, 1800 - month, -1800 - month]
            for t in changes {
                for d in offsets + landing { instants.append(t + d) }
            }
            total += instants.count
            compare(zone, instants: instants, fast: &fast, issues: &issues)
        }
        #expect(issues.isEmpty, "\(issues.count) disagreements, the first: \(issues.prefix(5))")
        // The arithmetic answers most of them (otherwise this compares Foundation with itself).
        #expect(TimeZone.knownTimeZoneIdentifiers.count > 300)
        #expect(fast > total / 2, "the arithmetic answered \(fast) of \(total)")
    }

    /// A page's worth of dates in one zone: the spans kept are reused, and the
    /// cache stays bounded however many spans the dates cross.
    @Test func manySpansStayBoundedAndAgree() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Copenhagen"))
        var random = Seeded(state: 42)
        let instants = (0..<2_000).map { _ in random.seconds(in: 1_500_000_000...1_900_000_000) }
        var fast = 0
        var issues: [String] = []
        compare(zone, instants: instants, fast: &fast, issues: &issues)
        #expect(issues.isEmpty, "\(issues.prefix(5))")
        #expect(fast > 1_800)
    }

    /// Where the arithmetic may not be Foundation's, it says so.
    @Test func stepsAsideNearATransitionAndOutsideItsYears() throws {
        let zone = try #require(TimeZone(identifier: "Europe/Copenhagen"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var wallClock = WallClockDays(calendar)
        // 2024-10-27T01:00:00Z: Copenhagen's clocks went back an hour.
        let fallBack = 1_729_990_800.0
        #expect(wallClock.arithmetic(30, to: fallBack - 30 * 86_400) == nil)
        #expect(wallClock.arithmetic(30, to: fallBack - 30 * 86_400 + 86_400) == nil)
        #expect(wallClock.arithmetic(30, to: fallBack - 33 * 86_400) != nil)
        #expect(wallClock.arithmetic(0, to: -2_300_000_000) == nil)
        #expect(wallClock.arithmetic(30, to: 4_102_444_000) == nil)
        // Samoa's offsets a day apart across the day it skipped (30 December 2011):
        // Foundation keeps 30 days of 24 hours there, not the wall-clock time.
        let apia = try #require(TimeZone(identifier: "Pacific/Apia"))
        var samoan = Calendar(identifier: .gregorian)
        samoan.timeZone = apia
        var samoa = WallClockDays(samoan)
        #expect(samoa.arithmetic(30, to: 1_325_237_400) == nil)
        #expect(samoa.adding(30, to: 1_325_237_400) == Invariants.adding(days: 30, to: 1_325_237_400, in: samoan))
        // Across the change, an hour more (the same wall-clock time).
        let before = fallBack - 10 * 86_400
        let answer = wallClock.adding(30, to: before)
        #expect(answer == before + 30 * 86_400 + 3600)
        #expect(answer == Invariants.adding(days: 30, to: before, in: calendar))
    }

    /// A page in a zone starts with the spans earlier pages found there (the
    /// zone's transitions are not looked up again), answers as Foundation
    /// does, and what the process keeps stays bounded in zones and spans.
    @Test func spansAreSharedAcrossPagesAndBounded() throws {
        // A zone no other test asks `zone(_:)` for.
        let id = "America/Argentina/Ushuaia"
        let calendar = try #require(Invariants.calendar(in: id))
        let instant = 1_700_000_000.0
        var first = try #require(WallClockDays.zone(id))
        let had = first.spanCount
        #expect(first.adding(30, to: instant) == Invariants.adding(days: 30, to: instant, in: calendar))
        #expect(first.spanCount == had + 1)
        var next = try #require(WallClockDays.zone(id))
        #expect(next.spanCount == had + 1, "the next page starts with the span the first found")
        #expect(next.adding(30, to: instant + 3600) == Invariants.adding(days: 30, to: instant + 3600, in: calendar))
        #expect(next.spanCount == had + 1, "and finds no new one for a date it covers")
        // Many zones: each answers as Foundation does; the process keeps at most `zonesKept`.
        var random = Seeded(state: 7)
        for zoneID in TimeZone.knownTimeZoneIdentifiers.prefix(WallClockDays.zonesKept + 10) {
            var days = try #require(WallClockDays.zone(zoneID))
            let zoneCalendar = try #require(Invariants.calendar(in: zoneID))
            let a = random.seconds(in: 1_500_000_000...1_900_000_000)
            #expect(days.adding(30, to: a) == Invariants.adding(days: 30, to: a, in: zoneCalendar), "\(zoneID)")
        }
        #expect(WallClockDays.zonesCount <= WallClockDays.zonesKept)
        #expect(WallClockDays.zone("Not/AZone") == nil)
        // One zone's spans: at most `kept`, the oldest replaced first.
        let spans = ZoneSpans()
        for k in 0..<(WallClockDays.kept * 3) { spans.keep(.init(from: Double(k), to: Double(k) + 0.5, offset: k)) }
        #expect(spans.spans.count == WallClockDays.kept)
        #expect(Set(spans.spans.map(\.offset)) == Set((WallClockDays.kept * 2)..<(WallClockDays.kept * 3)))
    }
}
