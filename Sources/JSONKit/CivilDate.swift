/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard
/// Hinnant's days-to-civil algorithm), for writing RFC 3339 dates without a
/// locale or calendar.
public struct CivilDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `YYYY-MM-DD`
    public var text: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

extension CivilDate {
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days from 1970-01-01 (Hinnant's days-from-civil; the inverse of `init(daysSince1970:)`).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Inlinable: the validator's date checks call it for every date.
    @inlinable public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// RFC 3339 date-times (`2026-11-23T05:00:00.000Z`, `2026-11-23T06:00:00+01:00`)
/// as seconds since 1970-01-01T00:00:00Z, without a formatter, locale or
/// calendar: reading one costs microseconds, not the milliseconds of making an
/// `ISO8601DateFormatter` (which, made per value, was half of the time a
/// 500-account page spent in the harness).
public enum RFC3339 {
    /// The instant `text` names, or nil when it is not an RFC 3339 date-time
    /// (or names a day or time that does not exist).
    public static func seconds(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    /// The same, read from a text's UTF-8 bytes (a tape's string, without making a `String`).
    public static func seconds(utf8: UnsafeBufferPointer<UInt8>) -> Double? { parse(utf8) }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        // Over bytes: a variadic `Character...` made an array at every call,
        // eight a date, for every date of every page (perf, issue 24).
        func byte(_ at: Int, _ c: UInt8) -> Bool { at < b.count && b[at] == c }
        func byte(_ at: Int, _ c: UInt8, _ d: UInt8) -> Bool { at < b.count && (b[at] == c || b[at] == d) }
        let dash = UInt8(ascii: "-"), colon = UInt8(ascii: ":")
        guard let year = digits(0, 4), byte(4, dash), let month = digits(5, 2), byte(7, dash), let day = digits(8, 2),
            byte(10, UInt8(ascii: "T"), UInt8(ascii: "t")), let hour = digits(11, 2), byte(13, colon), let minute = digits(14, 2), byte(16, colon),
            let second = digits(17, 2),
            (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if byte(i, UInt8(ascii: ".")) {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        if byte(i, UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            i += 1
        } else if byte(i, UInt8(ascii: "+"), dash) {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), byte(i + 3, colon), let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSince1970
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, milliseconds).
    public static func format(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let rest = ms - days * 86_400_000
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return CivilDate(daysSince1970: days).text + "T" + pad(rest / 3_600_000, 2) + ":" + pad(rest / 60_000 % 60, 2) + ":"
            + pad(rest / 1000 % 60, 2) + "." + pad(rest % 1000, 3) + "Z"
    }
}
