import Foundation
import Synchronization

/// An instant plus a number of calendar days in one time zone: the same
/// wall-clock time that many days later (so an hour more or less across a
/// daylight-saving change), which is what `Calendar.date(byAdding: .day, …)`
/// answers, and what the days-after rule compares with.
///
/// Foundation's calendar took 1.7 µs an item, 3 % of our client's CPU in the
/// rate benchmark (perf, issue 24). What it does for days (swift-foundation's
/// `_CalendarGregorian.add`): `near = a + days·86,400`, moved by
/// `off(a) − off(near)` where that restores the time of day, then moved back
/// out of a repeated hour. Where no transition falls within two days of
/// `near`, and the two offsets differ by less than a day, that is plain
/// arithmetic: `near + off(a) − off(near)`, and no repeated hour. That is
/// checked with the zone's own transitions
/// (`nextDaylightSavingTimeTransition(after:)`), whose spans are kept for the
/// page; anywhere else (within two days of a transition, before 1900 or after
/// 2100, offsets a day apart, as Samoa's across the day it skipped in 2011)
/// the answer is Foundation's. `WallClockDaysTests` compares the two in every
/// zone Foundation knows.
///
/// The spans are the zone's, whatever page asks: `WallClockDays.zone(_:)`
/// gives each page the calendar and the spans earlier pages found
/// (`ZoneSpans`, shared by the process, bounded), so the zone's transitions
/// are looked up once, not once a page (through ICU, 14 allocations each:
/// perf, issue 24).
struct WallClockDays {
    let calendar: Calendar

    /// An open interval of instants with no transition in it, and its offset.
    struct Span: Sendable {
        let from: Double
        let to: Double
        let offset: Int
    }

    /// At most `kept` spans, the oldest replaced first.
    struct SpanRing: Sendable {
        private(set) var spans: [Span] = []
        private var replace = 0

        mutating func keep(_ span: Span) {
            if spans.count < WallClockDays.kept {
                spans.append(span)
            } else {
                spans[replace] = span
                replace = (replace + 1) % WallClockDays.kept
            }
        }
    }

    private var ring = SpanRing()
    private var spans: [Span] { ring.spans }
    /// Where the spans found are kept for the next page in this zone.
    private let shared: ZoneSpans?

    /// Spans kept (one page's dates seldom need more than two); the oldest goes first.
    static let kept = 8
    /// How far from a transition `near` must be.
    static let margin: Double = 2 * 86_400
    /// 1900-01-01 to 2100-01-01.
    static let years: ClosedRange<Double> = -2_208_988_800...4_102_444_800

    init(_ calendar: Calendar) {
        self.calendar = calendar
        shared = nil
    }

    init(_ calendar: Calendar, shared: ZoneSpans) {
        self.calendar = calendar
        self.shared = shared
        ring = shared.ring
    }

    /// The zones asked for so far: each one's calendar and spans. At most
    /// `zonesKept` zones (a suite names a few); past that, a zone gets a
    /// calendar of its own and keeps its spans for its page only.
    private static let zones = Mutex<[String: (calendar: Calendar, spans: ZoneSpans)]>([:])
    static let zonesKept = 32
    static var zonesCount: Int { zones.withLock { $0.count } }
    var spanCount: Int { spans.count }

    /// The days-after rule's arithmetic in the zone `id`, with the spans
    /// earlier pages found in it; nil for a zone Foundation does not know.
    static func zone(_ id: String) -> WallClockDays? {
        if let known = zones.withLock({ $0[id] }) { return WallClockDays(known.calendar, shared: known.spans) }
        guard let calendar = Invariants.calendar(in: id) else { return nil }
        let spans = ZoneSpans()
        let kept = zones.withLock { zones -> (calendar: Calendar, spans: ZoneSpans)? in
            if let raced = zones[id] { return raced }
            guard zones.count < zonesKept else { return nil }
            zones[id] = (calendar, spans)
            return zones[id]
        }
        guard let kept else { return WallClockDays(calendar) }
        return WallClockDays(kept.calendar, shared: kept.spans)
    }

    mutating func adding(_ days: Int, to seconds: Double) -> Double? {
        if let answer = arithmetic(days, to: seconds) { return answer }
        return Invariants.adding(days: days, to: seconds, in: calendar)
    }

    /// The answer by arithmetic, or nil where it might not be Foundation's.
    mutating func arithmetic(_ days: Int, to a: Double) -> Double? {
        guard Self.years.contains(a), (-73_000...73_000).contains(days) else { return nil }
        let near = a + Double(days) * 86_400
        guard Self.years.contains(near), let after = clearOffset(near) else { return nil }
        let change = offset(a) - after
        guard abs(change) < 86_400 else { return nil }
        return near + Double(change)
    }

    /// The offset at `a` (a span's, or the zone's).
    private func offset(_ a: Double) -> Int {
        for span in spans where span.from < a && a < span.to { return span.offset }
        return calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: a))
    }

    /// The offset at `near` where no transition falls within `margin` of it; nil otherwise.
    private mutating func clearOffset(_ near: Double) -> Int? {
        let low = near - Self.margin, high = near + Self.margin
        for span in spans where span.from < low && high < span.to { return span.offset }
        let from = low - 1
        let next = calendar.timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: from))
        let to = next?.timeIntervalSince1970 ?? .infinity
        guard high < to else { return nil }
        let span = Span(from: from, to: to, offset: calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: near)))
        shared?.keep(span)
        ring.keep(span)
        return span.offset
    }
}

/// One zone's spans with no transition in them, shared by the pages that ask
/// (`WallClockDays.zone(_:)`): at most `WallClockDays.kept`, the oldest
/// replaced first. A span is a fact of the zone's rules, whichever page
/// found it.
final class ZoneSpans: Sendable {
    private let state = Mutex(WallClockDays.SpanRing())

    var ring: WallClockDays.SpanRing { state.withLock { $0 } }
    var spans: [WallClockDays.Span] { ring.spans }

    func keep(_ span: WallClockDays.Span) { state.withLock { $0.keep(span) } }
}
