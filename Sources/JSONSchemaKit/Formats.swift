import JSONKit

/// `format` checkers. Each returns nil when the string is valid, otherwise a
/// short reason ("month 20 is out of range"). They work on UTF-8 bytes and do
/// not allocate (see `FormatProblem`).
/// The formats that can assert.
enum FormatKind: UInt8, Sendable, CaseIterable {
    case dateTime, date, time, duration, email, hostname, ipv4, ipv6, uuid, jsonPointer, relativeJSONPointer
    case uri, uriReference, iri, iriReference, uriTemplate, regex, objectID, e164, icc

    init?(name: String) {
        guard let k = FormatKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }

    var name: String {
        switch self {
        case .dateTime: return "date-time"
        case .date: return "date"
        case .time: return "time"
        case .duration: return "duration"
        case .email: return "email"
        case .hostname: return "hostname"
        case .ipv4: return "ipv4"
        case .ipv6: return "ipv6"
        case .uuid: return "uuid"
        case .jsonPointer: return "json-pointer"
        case .relativeJSONPointer: return "relative-json-pointer"
        case .uri: return "uri"
        case .uriReference: return "uri-reference"
        case .iri: return "iri"
        case .iriReference: return "iri-reference"
        case .uriTemplate: return "uri-template"
        case .regex: return "regex"
        case .objectID: return "objectid"
        case .e164: return "e164"
        case .icc: return "icc"
        }
    }
}

/// Why a string is not in its format. Checkers build one without allocating,
/// so that checking a string allocates and releases nothing (which lets the
/// evaluator check strings in the instance in place, without retaining them);
/// `description` is the text shown in violations.
enum FormatProblem: ExpressibleByStringLiteral, CustomStringConvertible {
    case text(StaticString)
    /// "<what> <value> is out of range"
    case outOfRange(StaticString, Int)
    /// "day <day> is out of range for <year>-<month>"
    case dayOutOfRange(day: Int, year: Int, month: Int)
    /// "expected 24 hexadecimal characters, got <count>"
    case hexCount(Int)

    init(stringLiteral text: StaticString) { self = .text(text) }

    var description: String {
        switch self {
        case .text(let text): return text.description
        case .outOfRange(let what, let value): return "\(what) \(value) is out of range"
        case .dayOutOfRange(let d, let y, let m): return "day \(d) is out of range for \(y)-\(m < 10 ? "0" : "")\(m)"
        case .hexCount(let n): return "expected 24 hexadecimal characters, got \(n)"
        }
    }
}

enum Formats {
    /// Checks `s` against format `kind`: nil when valid, else the reason.
    static func check(_ kind: FormatKind, _ s: String) -> String? {
        if case .regex = kind { return ECMARegex.syntaxError(s) }
        if let r = s.utf8.withContiguousStorageIfAvailable({ problem(kind, $0) }) { return r?.description }
        return Array(s.utf8).withUnsafeBufferPointer { problem(kind, $0) }?.description
    }

    /// Whether `s` is valid, when that can be told without copying or allocating:
    /// nil for `regex` and for strings not stored as contiguous UTF-8.
    @inline(__always)
    static func isValid(_ kind: FormatKind, _ s: String) -> Bool? {
        if case .regex = kind { return nil }  // (`==` here would make the check opaque to the optimizer)
        return s.utf8.withContiguousStorageIfAvailable { problem(kind, $0) == nil }
    }

    /// Checks the UTF-8 bytes `b` against format `kind`; `regex` is checked by `check` only.
    static func problem(_ kind: FormatKind, _ b: Bytes) -> FormatProblem? {
        switch kind {
        case .dateTime: return dateTime(b)
        case .date: return date(b)
        case .time: return time(b)
        case .duration: return duration(b)
        case .email: return email(b)
        case .hostname: return hostname(b)
        case .ipv4: return ipv4(b)
        case .ipv6: return ipv6(b)
        case .uuid: return uuid(b)
        case .jsonPointer: return jsonPointer(b)
        case .relativeJSONPointer: return relativeJSONPointer(b)
        case .uri: return uri(b, requireScheme: true, iri: false)
        case .uriReference: return uri(b, requireScheme: false, iri: false)
        case .iri: return uri(b, requireScheme: true, iri: true)
        case .iriReference: return uri(b, requireScheme: false, iri: true)
        case .uriTemplate: return uriTemplate(b)
        case .regex: return nil
        case .objectID: return objectID(b)
        case .e164: return e164(b)
        case .icc: return icc(b)
        }
    }

    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Whether `c` is one of the (ASCII) characters of `set`.
    @inline(__always) static func isOne(_ c: UInt8, of set: StaticString) -> Bool {
        set.withUTF8Buffer { $0.contains(c) }
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        let l = b | 0x20
        return isDigit(b) || (l >= 0x61 && l <= 0x66)
    }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    /// The two ASCII digits at `i` and `i + 1` (both in range) as a number, or -1.
    @inline(__always) static func twoDigits(_ b: Bytes, _ i: Int) -> Int {
        let high = b[i] &- 0x30
        let low = b[i + 1] &- 0x30
        return high < 10 && low < 10 ? Int(high) * 10 + Int(low) : -1
    }

    static func daysIn(month m: Int, year y: Int) -> Int { CivilDate.daysInMonth(year: y, month: m) }

    // MARK: dates and times (RFC 3339 §5.6)

    /// full-date at `i` (10 bytes): returns reason or nil.
    @inline(__always)
    static func fullDate(_ b: Bytes, _ i: Int) -> FormatProblem? {
        guard i + 10 <= b.count, b[i + 4] == 0x2D, b[i + 7] == 0x2D else { return "expected YYYY-MM-DD" }
        let century = twoDigits(b, i)
        let yy = twoDigits(b, i + 2)
        let m = twoDigits(b, i + 5)
        let d = twoDigits(b, i + 8)
        guard century >= 0, yy >= 0, m >= 0, d >= 0 else { return "expected YYYY-MM-DD" }
        let y = century * 100 + yy
        guard m >= 1 && m <= 12 else { return .outOfRange("month", m) }
        guard d >= 1 && d <= daysIn(month: m, year: y) else {
            return .dayOutOfRange(day: d, year: y, month: m)
        }
        return nil
    }

    static func date(_ b: Bytes) -> FormatProblem? {
        guard b.count == 10 else { return "expected YYYY-MM-DD" }
        return fullDate(b, 0)
    }

    /// full-time at `i` to the end of `b`: partial-time time-offset.
    @inline(__always)
    static func fullTime(_ b: Bytes, _ i: Int) -> FormatProblem? {
        guard i + 8 <= b.count, b[i + 2] == 0x3A, b[i + 5] == 0x3A else { return "expected hh:mm:ss" }
        let h = twoDigits(b, i)
        let mi = twoDigits(b, i + 3)
        let s = twoDigits(b, i + 6)
        guard h >= 0, mi >= 0, s >= 0 else { return "expected hh:mm:ss" }
        var k = i + 8
        if k < b.count && b[k] == 0x2E {
            k += 1
            let start = k
            while k < b.count && isDigit(b[k]) { k += 1 }
            guard k > start else { return "expected digits after '.'" }
        }
        guard h <= 23 else { return .outOfRange("hour", h) }
        guard mi <= 59 else { return .outOfRange("minute", mi) }
        guard s <= 60 else { return .outOfRange("second", s) }
        guard k < b.count else { return "missing time zone offset (Z or ±hh:mm)" }
        var offsetMinutes = 0
        switch b[k] {
        case 0x5A, 0x7A:  // Z z
            guard k + 1 == b.count else { return "unexpected characters after the time zone" }
        case 0x2B, 0x2D:  // + -
            let oh = k + 6 == b.count ? twoDigits(b, k + 1) : -1
            let om = k + 6 == b.count ? twoDigits(b, k + 4) : -1
            guard oh >= 0, b[k + 3] == 0x3A, om >= 0 else { return "time zone offset must be Z or ±hh:mm" }
            guard oh <= 23 else { return .outOfRange("offset hour", oh) }
            guard om <= 59 else { return .outOfRange("offset minute", om) }
            offsetMinutes = (oh * 60 + om) * (b[k] == 0x2B ? 1 : -1)
        default:
            return "time zone offset must be Z or ±hh:mm"
        }
        if s == 60 {
            // A leap second happens at 23:59:60 UTC only.
            var utc = (h * 60 + mi - offsetMinutes) % 1440
            if utc < 0 { utc += 1440 }
            guard utc == 23 * 60 + 59 else { return "leap second 60 is only valid at 23:59 UTC" }
        }
        return nil
    }

    static func dateTime(_ b: Bytes) -> FormatProblem? {
        guard b.count >= 20 else { return "expected YYYY-MM-DDThh:mm:ss followed by Z or ±hh:mm" }
        if let r = fullDate(b, 0) { return r }
        guard b[10] == 0x54 || b[10] == 0x74 else { return "expected 'T' between date and time" }
        return fullTime(b, 11)
    }

    static func time(_ b: Bytes) -> FormatProblem? { fullTime(b, 0) }

    /// ISO 8601 durations as in RFC 3339 Appendix A.
    static func duration(_ b: Bytes) -> FormatProblem? {
        let bad: FormatProblem = "not an ISO 8601 duration (e.g. P1DT12H)"
        guard b.count >= 3, b[0] == 0x50 else { return bad }
        var i = 1
        if i < b.count && b[i] != 0x54 {
            // dur-date (Y, M, D) or dur-week (W)
            guard let run = unitRun(b, &i, units: "YMDW") else { return bad }
            if run.sawLast {
                guard run.count == 1, i == b.count else { return "weeks cannot be combined with other units" }
                return nil
            }
            // Allowed: D, M, M D, Y, Y M, Y M D
            guard run.consecutive else { return bad }
        }
        if i < b.count {
            guard b[i] == 0x54 else { return bad }
            i += 1
            // Allowed: H, H M, H M S, M, M S, S
            guard i < b.count, let run = unitRun(b, &i, units: "HMS"), run.consecutive, i == b.count else { return bad }
        }
        return nil
    }

    /// Number-unit pairs of a duration from `i` up to a 'T' or the end, each
    /// unit one of `units`: nil when one is malformed. Else whether each unit
    /// follows the one before it in `units`, whether the last of `units`
    /// occurs, and how many pairs there are.
    static func unitRun(_ b: Bytes, _ i: inout Int, units: StaticString) -> (
        consecutive: Bool, sawLast: Bool, count: Int
    )? {
        var consecutive = true
        var sawLast = false
        var count = 0
        var previous = -1
        while i < b.count && b[i] != 0x54 {
            let start = i
            while i < b.count && isDigit(b[i]) { i += 1 }
            guard i > start, i < b.count else { return nil }
            let unit = units.withUTF8Buffer { $0.firstIndex(of: b[i]) }
            guard let unit else { return nil }
            i += 1
            if count > 0 && unit != previous + 1 { consecutive = false }
            if unit == units.utf8CodeUnitCount - 1 { sawLast = true }
            previous = unit
            count += 1
        }
        return (consecutive, sawLast, count)
    }

    // MARK: internet names and addresses

    static func ipv4(_ b: Bytes) -> FormatProblem? { ipv4(b, 0, b.count) ? nil : "not a dotted-quad IPv4 address" }

    static func ipv4(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        var parts = 0
        var i = from
        while true {
            let start = i
            var v = 0
            while i < to && isDigit(b[i]) {
                v = v * 10 + Int(b[i] - 0x30)
                i += 1
                if i - start > 3 { return false }
            }
            let len = i - start
            guard len > 0, v <= 255, !(len > 1 && b[start] == 0x30) else { return false }
            parts += 1
            if i == to { break }
            guard b[i] == 0x2E, parts < 4 else { return false }
            i += 1
        }
        return parts == 4
    }

    static func ipv6(_ b: Bytes) -> FormatProblem? { ipv6(b, 0, b.count) ? nil : "not an IPv6 address" }

    static func ipv6(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to > from else { return false }
        var groups = 0
        var doubleColon = false
        var i = from
        if b[i] == 0x3A {
            guard i + 1 < to, b[i + 1] == 0x3A else { return false }
            doubleColon = true
            i += 2
            if i == to { return true }
        }
        while i < to {
            // Is the rest an IPv4 tail?
            var j = i
            while j < to && b[j] != 0x3A && b[j] != 0x2E { j += 1 }
            if j < to && b[j] == 0x2E {
                guard ipv4(b, i, to) else { return false }
                groups += 2
                i = to
                break
            }
            let len = j - i
            guard len >= 1 && len <= 4 else { return false }
            for k in i..<j where !isHex(b[k]) { return false }
            groups += 1
            i = j
            if i == to { break }
            // b[i] == ':'
            i += 1
            if i < to && b[i] == 0x3A {
                guard !doubleColon else { return false }
                doubleColon = true
                i += 1
                if i == to { break }
            } else if i == to {
                return false  // trailing single colon
            }
        }
        return doubleColon ? groups <= 7 : groups == 8
    }

    static func hostname(_ b: Bytes) -> FormatProblem? {
        guard hostname(b, 0, b.count) else { return "not a valid host name" }
        return nil
    }

    /// RFC 1123 host names (ASCII letters, digits, hyphens; labels of 1–63; at most 253 overall).
    static func hostname(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to > from, to - from <= 253 else { return false }
        var i = from
        while true {
            let start = i
            while i < to && b[i] != 0x2E {
                let c = b[i]
                guard isAlpha(c) || isDigit(c) || c == 0x2D else { return false }
                i += 1
            }
            let len = i - start
            guard len >= 1 && len <= 63, b[start] != 0x2D, b[i - 1] != 0x2D else { return false }
            if len >= 4, b[start + 2] == 0x2D, b[start + 3] == 0x2D,
                !((b[start] | 0x20) == 0x78 && (b[start + 1] | 0x20) == 0x6E)
            {
                return false  // "--" in positions 3-4 is reserved for A-labels (xn--)
            }
            if i == to { return true }
            i += 1  // '.'
            if i == to { return false }
        }
    }

    static func email(_ b: Bytes) -> FormatProblem? {
        let bad: FormatProblem = "not an e-mail address"
        guard let at = b.lastIndex(of: 0x40), at > 0, at < b.count - 1 else { return bad }
        // local part
        if b[0] == 0x22 {
            guard at >= 2, b[at - 1] == 0x22 else { return bad }
            var i = 1
            while i < at - 1 {
                let c = b[i]
                if c == 0x5C {
                    i += 2
                    continue
                }
                guard c >= 0x20 && c < 0x7F && c != 0x22 else { return bad }
                i += 1
            }
            if i != at - 1 { return bad }
        } else {
            var prevDot = true
            for i in 0..<at {
                let c = b[i]
                if c == 0x2E {
                    if prevDot { return bad }
                    prevDot = true
                    continue
                }
                prevDot = false
                let atext = isAlpha(c) || isDigit(c) || isOne(c, of: "!#$%&'*+-/=?^_`{|}~")
                if !atext { return bad }
            }
            if prevDot { return bad }
        }
        // domain
        let d = at + 1
        if b[d] == 0x5B {
            guard b[b.count - 1] == 0x5D else { return bad }
            let inner = d + 1
            let end = b.count - 1
            if end - inner > 5, b[inner] == 0x49, b[inner + 1] == 0x50, b[inner + 2] == 0x76, b[inner + 3] == 0x36,
                b[inner + 4] == 0x3A
            {
                return ipv6(b, inner + 5, end) ? nil : bad
            }
            return ipv4(b, inner, end) ? nil : bad
        }
        return hostname(b, d, b.count) ? nil : bad
    }

    static func uuid(_ b: Bytes) -> FormatProblem? {
        guard b.count == 36 else { return "not a UUID (8-4-4-4-12 hex digits)" }
        for i in 0..<36 {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if b[i] != 0x2D { return "not a UUID (8-4-4-4-12 hex digits)" }
            } else if !isHex(b[i]) {
                return "not a UUID (8-4-4-4-12 hex digits)"
            }
        }
        return nil
    }

    // MARK: JSON pointers

    static func jsonPointer(_ b: Bytes) -> FormatProblem? { jsonPointer(b, 0) ? nil : "not a JSON pointer" }

    static func jsonPointer(_ b: Bytes, _ from: Int) -> Bool {
        guard from < b.count else { return true }
        guard b[from] == 0x2F else { return false }
        var i = from
        while i < b.count {
            if b[i] == 0x7E {
                guard i + 1 < b.count, b[i + 1] == 0x30 || b[i + 1] == 0x31 else { return false }
                i += 2
            } else {
                i += 1
            }
        }
        return true
    }

    static func relativeJSONPointer(_ b: Bytes) -> FormatProblem? {
        let bad: FormatProblem = "not a relative JSON pointer"
        var i = 0
        while i < b.count && isDigit(b[i]) { i += 1 }
        guard i > 0, !(i > 1 && b[0] == 0x30) else { return bad }
        if i == b.count { return nil }
        if b[i] == 0x23 { return i + 1 == b.count ? nil : bad }
        return jsonPointer(b, i) ? nil : bad
    }

    // MARK: URIs (RFC 3986 syntax)

    static func isUnreserved(_ c: UInt8) -> Bool {
        isAlpha(c) || isDigit(c) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
    }
    static func isSubDelim(_ c: UInt8) -> Bool { isOne(c, of: "!$&'()*+,;=") }

    /// Checks `b[from..<to]` consists of pchar-like bytes (`extra` allowed too), with valid %-escapes.
    static func chars(_ b: Bytes, _ from: Int, _ to: Int, extra: StaticString, iri: Bool = false) -> Bool {
        var i = from
        while i < to {
            let c = b[i]
            if iri && c >= 0x80 {
                i += 1
                continue
            }
            if c == 0x25 {
                guard i + 2 < to, isHex(b[i + 1]), isHex(b[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isUnreserved(c) || isSubDelim(c) || isOne(c, of: extra) else { return false }
            i += 1
        }
        return true
    }

    static func uri(_ b: Bytes, requireScheme: Bool, iri: Bool) -> FormatProblem? {
        let bad: FormatProblem =
            requireScheme
            ? (iri ? "not an absolute IRI" : "not an absolute URI") : (iri ? "not a IRI reference" : "not a URI reference")
        var i = 0
        let n = b.count
        // scheme
        var schemeEnd: Int? = nil
        if n > 0 && isAlpha(b[0]) {
            var k = 1
            while k < n && (isAlpha(b[k]) || isDigit(b[k]) || b[k] == 0x2B || b[k] == 0x2D || b[k] == 0x2E) { k += 1 }
            if k < n && b[k] == 0x3A { schemeEnd = k }
        }
        if let e = schemeEnd {
            i = e + 1
        } else if requireScheme {
            return bad
        }
        // split off fragment and query
        var end = n
        if let h = b[i..<n].firstIndex(of: 0x23) {
            guard chars(b, h + 1, n, extra: ":@/?", iri: iri) else { return bad }
            end = h
        }
        var pathEnd = end
        if let q = b[i..<end].firstIndex(of: 0x3F) {
            guard chars(b, q + 1, end, extra: ":@/?", iri: iri) else { return bad }
            pathEnd = q
        }
        var p = i
        if pathEnd - i >= 2 && b[i] == 0x2F && b[i + 1] == 0x2F {
            // authority
            let aStart = i + 2
            var aEnd = aStart
            while aEnd < pathEnd && b[aEnd] != 0x2F { aEnd += 1 }
            guard authority(b, aStart, aEnd, iri: iri) else { return bad }
            p = aEnd
        } else if schemeEnd == nil {
            // relative-path reference: no colon in the first segment
            var k = i
            while k < pathEnd && b[k] != 0x2F {
                if b[k] == 0x3A { return bad }
                k += 1
            }
        }
        guard chars(b, p, pathEnd, extra: ":@/", iri: iri) else { return bad }
        return nil
    }

    /// RFC 6570 URI templates (level 4 syntax).
    static func uriTemplate(_ b: Bytes) -> FormatProblem? {
        let bad: FormatProblem = "not a URI template"
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x7B {  // {
                i += 1
                if i < b.count, isOne(b[i], of: "+#./;?&") { i += 1 }
                // variable-list
                while true {
                    // varname: varchar *( ["."] varchar )
                    var sawChar = false
                    var lastDot = false
                    while i < b.count {
                        let v = b[i]
                        if isAlpha(v) || isDigit(v) || v == 0x5F {
                            i += 1
                        } else if v == 0x25 {
                            guard i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) else { return bad }
                            i += 3
                        } else if v == 0x2E && sawChar && !lastDot {
                            i += 1
                            lastDot = true
                            continue
                        } else {
                            break
                        }
                        sawChar = true
                        lastDot = false
                    }
                    guard sawChar, !lastDot, i < b.count else { return bad }
                    if b[i] == 0x3A {  // prefix :1-9999
                        i += 1
                        let start = i
                        while i < b.count && isDigit(b[i]) { i += 1 }
                        let len = i - start
                        guard len >= 1 && len <= 4, b[start] != 0x30 else { return bad }
                    } else if b[i] == 0x2A {  // explode
                        i += 1
                    }
                    guard i < b.count else { return bad }
                    if b[i] == 0x2C {
                        i += 1
                        continue
                    }
                    guard b[i] == 0x7D else { return bad }
                    i += 1
                    break
                }
                continue
            }
            if c == 0x25 {
                guard i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) else { return bad }
                i += 3
                continue
            }
            if c <= 0x20 || c == 0x7F || isOne(c, of: "\"<>\\^`{|}") { return bad }
            i += 1
        }
        return nil
    }

    static func authority(_ b: Bytes, _ from: Int, _ to: Int, iri: Bool) -> Bool {
        var hostStart = from
        if let at = b[from..<to].lastIndex(of: 0x40) {
            guard chars(b, from, at, extra: ":", iri: iri) else { return false }
            hostStart = at + 1
        }
        var hostEnd = to
        if hostStart < to && b[hostStart] == 0x5B {
            guard let close = b[hostStart..<to].firstIndex(of: 0x5D) else { return false }
            guard ipv6(b, hostStart + 1, close) else {
                // IPvFuture: v<hex>.<chars>
                guard close - hostStart > 3, b[hostStart + 1] | 0x20 == 0x76 else { return false }
                return chars(b, hostStart + 2, close, extra: ":")
            }
            hostEnd = close + 1
            if hostEnd < to {
                guard b[hostEnd] == 0x3A else { return false }
                for k in (hostEnd + 1)..<to where !isDigit(b[k]) { return false }
            }
            return true
        }
        if let colon = b[hostStart..<to].lastIndex(of: 0x3A) {
            for k in (colon + 1)..<to where !isDigit(b[k]) { return false }
            hostEnd = colon
        }
        return chars(b, hostStart, hostEnd, extra: "", iri: iri)
    }

    // MARK: the TelecomX API's own formats

    /// A MongoDB ObjectId: exactly 24 hexadecimal characters.
    static func objectID(_ b: Bytes) -> FormatProblem? {
        guard b.count == 24 else {
            // Characters, not bytes: every byte but UTF-8 continuation bytes starts one.
            return .hexCount(b.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) })
        }
        var bad: UInt8 = 0
        for c in b {
            let digit: UInt8 = c &- 0x30 < 10 ? 0 : 1
            let letter: UInt8 = (c | 0x20) &- 0x61 < 6 ? 0 : 1
            bad |= digit & letter
        }
        return bad != 0 ? "expected 24 hexadecimal characters" : nil
    }

    /// E.164: '+', then 8–15 digits, the first 1–9.
    static func e164(_ b: Bytes) -> FormatProblem? {
        let reason: FormatProblem = "expected '+' and 8 to 15 digits, the first not 0"
        guard b.count >= 9, b.count <= 16, b[0] == 0x2B, b[1] >= 0x31 && b[1] <= 0x39 else { return reason }
        for c in b.dropFirst() where !isDigit(c) { return reason }
        return nil
    }

    /// A SIM card's ICC-ID: 18–20 digits.
    static func icc(_ b: Bytes) -> FormatProblem? {
        guard b.count >= 18, b.count <= 20 else { return "expected 18 to 20 digits" }
        for c in b where !isDigit(c) { return "expected 18 to 20 digits" }
        return nil
    }
}
