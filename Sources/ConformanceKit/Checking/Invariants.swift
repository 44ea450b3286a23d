import Foundation
import JSONKit

/// Rules about a whole list answer: paging consistency, what every item must
/// satisfy. (Walking all pages needs more requests: the runner does that.)
package enum Invariants {
    /// The offset and limit the request asked for, with the documented defaults and bounds applied.
    static func requested(_ request: PlannedRequest, paging: Paging) -> (offset: Int, limit: Int, asked: Int?) {
        let offsetText = request.query.last { $0.name == paging.offsetParam }?.value
        let limitText = request.query.last { $0.name == paging.limitParam }?.value
        let offset = max(0, offsetText.flatMap { Int($0) } ?? paging.defaultOffset)
        let asked = limitText.flatMap { Int($0) }
        let limit = min(paging.maxLimit, max(paging.minLimit, asked ?? paging.defaultLimit))
        return (offset, limit, asked)
    }

    /// How far past its recovery window a listed item may be before it is a
    /// finding: the page states no precision, a server may purge on a
    /// schedule, and the two clocks (the answer's Date, ours) may differ.
    static let recoveryGraceSeconds = 3_600.0

    public static func check<V: JSONReading>(
        _ inv: Invariant, body: V, paging: Paging, request: PlannedRequest, bindings: [String: JSON], now: Double? = nil
    ) -> [Finding] {
        // The list, read in place (no array of its items made: a 10 MB answer may hold millions).
        let items = paging.items.resolve(in: body).flatMap { $0.isArray ? $0 : nil }
        switch inv {
        case .page:
            return page(body: body, paging: paging, request: request)
        case .walk:
            return []  // done by the runner
        case .eachEquals(let pointer, let t):
            guard let items else { return [missingItems(paging)] }
            let want = t.filled(bindings)
            var out: [Finding] = []
            items.enumerateElements { i, item in
                let got = pointer.resolve(in: item)
                if !Checker.matches(got, want) {
                    let at = JSONPointer(tokens: paging.items.appending(i).tokens + pointer.tokens)
                    out.append(
                        Finding(
                            check: .invariant, pointer: at, expected: shorten(want.description),
                            actual: got.map { shorten($0.materialize().description) } ?? "missing",
                            message: "\(at): every item must have \(pointer) = \(shorten(want.description)), got \(got.map { shorten($0.materialize().description) } ?? "nothing")"))
                }
            }
            return out
        case .noneEquals(let pointer, let t):
            guard let items else { return [missingItems(paging)] }
            let want = Planner.substitute(t, bindings)
            var out: [Finding] = []
            items.enumerateElements { i, item in
                guard Checker.matches(pointer.resolve(in: item), want) else { return }
                let at = JSONPointer(tokens: paging.items.appending(i).tokens + pointer.tokens)
                out.append(
                    Finding(
                        check: .invariant, pointer: at, expected: "no item with \(pointer) = \(shorten(want.description))",
                        actual: shorten(want.description),
                        message: "\(at): no item may have \(pointer) = \(shorten(want.description)), but this one has"))
            }
            return out
        case .someEquals(let pointer, let t):
            guard let items else { return [missingItems(paging)] }
            let want = Planner.substitute(t, bindings)
            if items.containsElement(where: { Checker.matches(pointer.resolve(in: $0), want) }) { return [] }
            let count = items.elementCount ?? 0
            // Another page may hold it: only a page that holds every match can say it is missing.
            if let total = paging.total.resolve(in: body)?.numberValue, Double(count) < total { return [] }
            let at = paging.items
            return [
                Finding(
                    check: .invariant, pointer: at, expected: "an item with \(pointer) = \(shorten(want.description))",
                    actual: "\(count) items, none with it",
                    message: "\(at): no item has \(pointer) = \(shorten(want.description)) among the \(count) listed")
            ]
        case .eachContains(let pointers, let t):
            guard let items else { return [missingItems(paging)] }
            let text = t.filled(bindings).textValue.lowercased()
            var out: [Finding] = []
            items.enumerateElements { i, item in
                let hit = pointers.contains { p in p.resolve(in: item)?.stringValue?.lowercased().containsText(text) == true }
                if !hit {
                    let at = paging.items.appending(i)
                    let fields = pointers.map(\.description).joined(separator: ", ")
                    out.append(
                        Finding(
                            check: .invariant, pointer: at, expected: "'\(text)' in one of \(fields)",
                            actual: shorten(pointers.map { $0.resolve(in: item)?.materialize().description ?? "-" }.joined(separator: ", ")),
                            message: "\(at) does not match the filter '\(text)' in any of \(fields)"))
                }
            }
            return out
        case .eachDaysAfter(let from, let to, let days, let zone):
            guard let items else { return [missingItems(paging)] }
            var out: [Finding] = []
            // The zone's calendar made once, not for each item or page, and its
            // days added by arithmetic away from its transitions (perf, issue 24).
            var wallClock = zone.flatMap(WallClockDays.zone)
            items.enumerateElements { i, item in
                // The item's pointer, the two dates and the pair of pointers are
                // made only where a finding needs them, not as arrays for every
                // item of every page (perf, issue 24).
                func date(_ p: JSONPointer) -> Double? {
                    let v = p.resolve(in: item)
                    if let d = v?.withStringUTF8(RFC3339.seconds(utf8:)) ?? nil { return d }
                    // A malformed date is the schema check's business.
                    if v != nil && v?.isNull != true { return nil }
                    // The rule is stated for every item: a member it needs being
                    // absent (or unreadable) is a finding, never a silent pass.
                    let base = paging.items.appending(i)
                    let got = v.map { shorten($0.materialize().description) } ?? "missing"
                    out.append(
                        Finding(
                            check: .invariant, pointer: JSONPointer(tokens: base.tokens + p.tokens), expected: "a date-time (the \(days)-day rule needs it in every item)",
                            actual: got, message: "\(base)\(p) must hold a date-time in every item (\(to) is \(days) days after \(from)), got \(got)"))
                    return nil
                }
                let first = date(from), second = date(to)  // both read: each may be a finding
                guard let a = first, let b = second else { return }
                let expected = wallClock?.adding(days, to: a) ?? a + Double(days) * 86_400
                if abs(b - expected) > 0.5 {
                    let at = JSONPointer(tokens: paging.items.appending(i).tokens + to.tokens)
                    out.append(
                        Finding(
                            check: .invariant, pointer: at, expected: "\(formatDate(expected)) (\(from) + \(days) days)",
                            actual: to.resolve(in: item)?.stringValue ?? "",
                            message: "\(at) must be \(days) days after \(from) (\(formatDate(expected))), got \(to.resolve(in: item)?.stringValue ?? "")"))
                }
                // Listed means still within the window: `to` not past, `from` not in the future.
                if let now {
                    if b < now - recoveryGraceSeconds {
                        let base = paging.items.appending(i)
                        out.append(
                            Finding(
                                check: .invariant, pointer: JSONPointer(tokens: base.tokens + to.tokens), expected: "after \(formatDate(now)) (the item is listed, so its window is open)",
                                actual: formatDate(b), message: "\(base)\(to) is \(formatDate(b)), before the time of the answer \(formatDate(now)): a listed item's window must still be open"))
                    }
                    if a > now + recoveryGraceSeconds {
                        let base = paging.items.appending(i)
                        out.append(
                            Finding(
                                check: .invariant, pointer: JSONPointer(tokens: base.tokens + from.tokens), expected: "at or before \(formatDate(now))",
                                actual: formatDate(a), message: "\(base)\(from) is \(formatDate(a)), after the time of the answer \(formatDate(now))"))
                    }
                }
            }
            return out
        }
    }

    static func missingItems(_ paging: Paging) -> Finding {
        Finding(check: .invariant, pointer: paging.items, expected: "an array", actual: "missing",
            message: "\(paging.items) is not an array")
    }

    static func page<V: JSONReading>(body: V, paging: Paging, request: PlannedRequest) -> [Finding] {
        var out: [Finding] = []
        let (offset, limit, asked) = requested(request, paging: paging)
        func number(_ p: JSONPointer) -> Int? { p.resolve(in: body)?.intValue }
        let count = paging.items.resolve(in: body)?.elementCount
        if let got = number(paging.offsetPointer), got != offset {
            out.append(Finding(check: .invariant, pointer: paging.offsetPointer, expected: "\(offset)", actual: "\(got)",
                message: "\(paging.offsetPointer) must echo the offset asked for (\(offset)), got \(got)"))
        }
        if let got = number(paging.limitPointer), got != limit {
            let why = asked == nil ? "the documented default \(paging.defaultLimit)" : asked == limit ? "the limit asked for" : "\(asked!) held to \(paging.minLimit)…\(paging.maxLimit)"
            out.append(Finding(check: .invariant, pointer: paging.limitPointer, expected: "\(limit)", actual: "\(got)",
                message: "\(paging.limitPointer) must be \(limit) (\(why)), got \(got)"))
        }
        if let count {
            if count > limit || count > paging.maxLimit {
                out.append(Finding(check: .invariant, pointer: paging.items, expected: "at most \(min(limit, paging.maxLimit)) items",
                    actual: "\(count) items", message: "\(paging.items) holds \(count) items, more than the limit \(min(limit, paging.maxLimit))"))
            }
            if let total = number(paging.total) {
                let expected = max(0, min(limit, total - offset))
                if count != expected {
                    out.append(Finding(check: .invariant, pointer: paging.items, expected: "\(expected) items (total \(total), offset \(offset), limit \(limit))",
                        actual: "\(count) items", message: "\(paging.items) holds \(count) items; with total \(total), offset \(offset) and limit \(limit) it must hold \(expected)"))
                }
            }
        }
        return out
    }

    /// `seconds` plus `days` calendar days in `calendar`'s time zone (the same
    /// wall-clock time, so an hour more or less across a DST change).
    static func adding(days: Int, to seconds: Double, in calendar: Calendar) -> Double? {
        calendar.date(byAdding: .day, value: days, to: Date(timeIntervalSince1970: seconds))?.timeIntervalSince1970
    }

    /// The Gregorian calendar in the time zone `zone`; nil for a zone Foundation does not know.
    static func calendar(in zone: String) -> Calendar? {
        guard let tz = TimeZone(identifier: zone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        return calendar
    }

    static func formatDate(_ seconds: Double) -> String { RFC3339.format(seconds) }

    /// The fields of an HTTP Date header (IMF-fixdate, RFC 9110 5.6.7:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`), each in its range (a day the month
    /// does not have is still let through); nil for any other form.
    static func httpDateFields(_ s: String) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        // The form every server sends, read from its bytes; any other text
        // as the words it splits into (a `String` per word cost 0.6 % of our
        // client's CPU for the Date header of every answer: perf, issue 24).
        // HotPathTests compares the two.
        if case let fields?? = s.utf8.withContiguousStorageIfAvailable(fixdateFields) { return fields }
        return splitDateFields(s)
    }

    /// The months' names of an HTTP date, three bytes each.
    static let fixdateMonths = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// `httpDateFields` of the 29 bytes `Www, DD Mmm YYYY HH:MM:SS GMT`
    /// (the name any four printable ASCII bytes, as the words allow); nil
    /// for any other bytes, which `splitDateFields` reads.
    static func fixdateFields(_ b: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        guard b.count == 29, b[4] == 0x20, b[7] == 0x20, b[11] == 0x20, b[16] == 0x20, b[19] == 0x3A, b[22] == 0x3A, b[25] == 0x20,
            b[26] == UInt8(ascii: "G"), b[27] == UInt8(ascii: "M"), b[28] == UInt8(ascii: "T"), (0...3).allSatisfy({ (0x21...0x7E).contains(b[$0]) })
        else { return nil }
        func number(_ at: Int, _ count: Int) -> Int? {
            var n = 0
            for k in at..<at + count {
                guard (0x30...0x39).contains(b[k]) else { return nil }
                n = n * 10 + Int(b[k] - 0x30)
            }
            return n
        }
        guard let day = number(5, 2), let m = (0..<12).first(where: { fixdateMonths[$0 * 3..<$0 * 3 + 3].elementsEqual(b[8..<11]) }),
            let year = number(12, 4),
            let hour = number(17, 2), let minute = number(20, 2), let second = number(23, 2)
        else { return nil }
        guard (1...31).contains(day), (1970...9999).contains(year), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        return (year, m + 1, day, hour, minute, second)
    }

    /// `httpDateFields` of any text: its words, each read as a number or a month's name.
    static func splitDateFields(_ s: String) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        let parts = s.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let m = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), (1...31).contains(day), (1970...9999).contains(year)
        else { return nil }
        let t = parts[4].split(separator: ":").compactMap { Int($0) }
        guard t.count == 3, (0...23).contains(t[0]), (0...59).contains(t[1]), (0...60).contains(t[2]) else { return nil }
        return (year, m + 1, day, t[0], t[1], t[2])
    }

    /// Seconds since 1970 of an HTTP Date header (`httpDateFields`); nil for
    /// any other form or a day its month does not have.
    public static func httpDate(_ s: String) -> Double? {
        guard let f = httpDateFields(s), f.day <= CivilDate.daysInMonth(year: f.year, month: f.month) else { return nil }
        // What `RFC3339.seconds` makes of the same fields written as a date-time
        // (it was given `String(format:)`'s text, 0.9 % of a run's CPU for the
        // Date header of every answer: perf, issue 24); HotPathTests compares.
        let days = CivilDate(year: f.year, month: f.month, day: f.day).daysSince1970
        return Double(days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second)
    }
}
