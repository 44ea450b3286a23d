import Foundation

/// An ECMA-262 regular expression (with the `u` flag, as JSON Schema asks),
/// used with search semantics: `matches` is true if the pattern matches
/// anywhere in the string.
///
/// Simple patterns — a sequence of characters and character classes with
/// greedy quantifiers, optionally anchored — run on a small backtracking
/// matcher over UTF-8 without allocation. Everything else is translated to
/// ICU syntax (ASCII `\d \w \s \b`, `$` only at the very end, `.` excluding
/// line terminators, ...) and run by `NSRegularExpression`.
struct ECMARegex: Sendable {
    let source: String
    private let engine: Engine

    private enum Engine: Sendable {
        /// The fast matcher, with ICU as the fallback should backtracking run long.
        case simple(SimplePattern, NSRegularExpression)
        case icu(NSRegularExpression)
    }

    struct SyntaxError: Error, Sendable {
        var message: String
    }

    init(_ pattern: String) throws(SyntaxError) {
        source = pattern
        var t = Translator(pattern: Array(pattern.unicodeScalars))
        try t.run()
        let re: NSRegularExpression
        do {
            re = try NSRegularExpression(pattern: t.icu, options: [])
        } catch {
            throw SyntaxError(message: "not a valid regular expression")
        }
        engine = t.simple.map { .simple($0, re) } ?? .icu(re)
    }

    /// Why `pattern` is not a valid ECMA-262 regular expression, or nil if it is.
    /// ICU cannot run unbounded lookbehind, but that is a limit of the engine,
    /// not of the syntax: for this check lookbehinds are tried as lookaheads.
    static func syntaxError(_ pattern: String) -> String? {
        var t = Translator(pattern: Array(pattern.unicodeScalars))
        do throws(SyntaxError) {
            try t.run()
        } catch {
            return error.message
        }
        if (try? NSRegularExpression(pattern: t.icu, options: [])) != nil { return nil }
        let relaxed = t.icu.replacingOccurrences(of: "(?<=", with: "(?=").replacingOccurrences(of: "(?<!", with: "(?!")
        if (try? NSRegularExpression(pattern: relaxed, options: [])) != nil { return nil }
        return "not a valid regular expression"
    }

    func matches(_ s: String) -> Bool {
        switch engine {
        case .simple(let p, let re):
            let r =
                s.utf8.withContiguousStorageIfAvailable { p.search($0) }
                ?? Array(s.utf8).withUnsafeBufferPointer { p.search($0) }
            if let r { return r }
            return ECMARegex.icuMatches(re, s)
        case .icu(let re):
            return ECMARegex.icuMatches(re, s)
        }
    }

    /// `matches` for a string's UTF-8 bytes (valid UTF-8): the fast matcher
    /// reads them in place; ICU, when it must, gets them as a `String`.
    func matches(utf8 b: UnsafeBufferPointer<UInt8>) -> Bool {
        switch engine {
        case .simple(let p, let re):
            if let r = p.search(b) { return r }
            return ECMARegex.icuMatches(re, String(decoding: b, as: UTF8.self))
        case .icu(let re):
            return ECMARegex.icuMatches(re, String(decoding: b, as: UTF8.self))
        }
    }

    /// Whether the fast matcher handles this pattern (for tests).
    var isSimple: Bool {
        if case .simple = engine { return true }
        return false
    }

    /// Matches with ICU even when the fast matcher would be used (for tests).
    func matchesUsingICU(_ s: String) -> Bool {
        switch engine {
        case .simple(_, let re), .icu(let re): return ECMARegex.icuMatches(re, s)
        }
    }

    static func icuMatches(_ re: NSRegularExpression, _ s: String) -> Bool {
        re.firstMatch(in: s, options: [], range: NSRange(location: 0, length: s.utf16.count)) != nil
    }
}

// MARK: - Character classes

struct CharClass: Sendable {
    /// Bit i set: ASCII code point i is in the class.
    var lo: UInt64 = 0
    var hi: UInt64 = 0
    /// Sorted, non-overlapping non-ASCII ranges.
    var ranges: [ClosedRange<UInt32>] = []

    static let digit: CharClass = {
        var c = CharClass()
        c.add(0x30...0x39)
        return c
    }()
    static let word: CharClass = {
        var c = CharClass()
        c.add(0x30...0x39)
        c.add(0x41...0x5A)
        c.add(0x61...0x7A)
        c.add(0x5F...0x5F)
        return c
    }()
    static let space: CharClass = {
        var c = CharClass()
        for v: UInt32 in [
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
        ] {
            c.add(v...v)
        }
        c.add(0x2000...0x200A)
        return c
    }()
    /// `.` without the `s` flag: anything but line terminators.
    static let dot: CharClass = {
        var c = CharClass()
        for v: UInt32 in [0x0A, 0x0D, 0x2028, 0x2029] { c.add(v...v) }
        return c.inverted
    }()

    mutating func add(_ r: ClosedRange<UInt32>) {
        var lower = r.lowerBound
        let upper = r.upperBound
        while lower <= upper && lower < 128 {
            if lower < 64 { lo |= 1 << UInt64(lower) } else { hi |= 1 << UInt64(lower - 64) }
            lower += 1
        }
        if lower <= upper { insertRange(lower...upper) }
    }

    private mutating func insertRange(_ r: ClosedRange<UInt32>) {
        var all = ranges + [r]
        all.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for x in all {
            if let last = merged.last, x.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, x.upperBound)
            } else {
                merged.append(x)
            }
        }
        ranges = merged
    }

    mutating func formUnion(_ other: CharClass) {
        lo |= other.lo
        hi |= other.hi
        for r in other.ranges { insertRange(r) }
    }

    var inverted: CharClass {
        var c = CharClass()
        c.lo = ~lo
        c.hi = ~hi
        var next: UInt32 = 0x80
        for r in ranges {
            if r.lowerBound > next { c.ranges.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
        }
        if next <= 0x10FFFF { c.ranges.append(next...0x10FFFF) }
        return c
    }

    @inline(__always) func contains(_ v: UInt32) -> Bool {
        if v < 64 { return lo & (1 << UInt64(v)) != 0 }
        if v < 128 { return hi & (1 << UInt64(v - 64)) != 0 }
        for r in ranges {
            if v < r.lowerBound { return false }
            if v <= r.upperBound { return true }
        }
        return false
    }
}

// MARK: - Simple patterns

struct SimplePattern: Sendable {
    struct Atom: Sendable {
        var cls: CharClass
        var min: Int
        var max: Int  // Int.max for unbounded
    }
    var atoms: [Atom]
    var anchoredStart: Bool
    var anchoredEnd: Bool

    /// Whether the pattern matches somewhere in `buf`; nil if backtracking took too long to tell.
    func search(_ buf: UnsafeBufferPointer<UInt8>) -> Bool? {
        var budget = 100_000
        if anchoredStart {
            if match(0, 0, buf, &budget) { return true }
            return budget < 0 ? nil : false
        }
        var start = 0
        while true {
            if match(0, start, buf, &budget) { return true }
            if budget < 0 { return nil }
            if start >= buf.count { return false }
            start += 1
            while start < buf.count && buf[start] & 0xC0 == 0x80 { start += 1 }
        }
    }

    @inline(__always) private func decode(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(buf[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0, i + 1 < buf.count { return ((b0 & 0x1F) << 6 | UInt32(buf[i + 1] & 0x3F), 2) }
        if b0 < 0xF0, i + 2 < buf.count {
            return ((b0 & 0x0F) << 12 | UInt32(buf[i + 1] & 0x3F) << 6 | UInt32(buf[i + 2] & 0x3F), 3)
        }
        if i + 3 < buf.count {
            return (
                (b0 & 0x07) << 18 | UInt32(buf[i + 1] & 0x3F) << 12 | UInt32(buf[i + 2] & 0x3F) << 6
                    | UInt32(buf[i + 3] & 0x3F), 4
            )
        }
        return (0xFFFD, 1)
    }

    private func match(_ k: Int, _ start: Int, _ buf: UnsafeBufferPointer<UInt8>, _ budget: inout Int) -> Bool {
        if k == atoms.count { return !anchoredEnd || start == buf.count }
        budget -= 1
        if budget < 0 { return false }
        let atom = atoms[k]
        var pos = start
        var count = 0
        while count < atom.max, pos < buf.count {
            let (c, len) = decode(buf, pos)
            guard atom.cls.contains(c) else { break }
            pos += len
            count += 1
        }
        if count < atom.min { return false }
        if atom.min == atom.max { return match(k + 1, pos, buf, &budget) }
        while true {
            if match(k + 1, pos, buf, &budget) { return true }
            if count == atom.min || budget < 0 { return false }
            pos -= 1
            while pos > start && buf[pos] & 0xC0 == 0x80 { pos -= 1 }
            count -= 1
        }
    }
}

// MARK: - Translation

/// Walks an ECMA-262 pattern once: checks the syntax JSON Schema cares about,
/// produces the ICU translation, and the simple form when there is one.
private struct Translator {
    let p: [Unicode.Scalar]
    var i = 0
    var icu = ""
    // Simple-form construction
    var simpleOK = true
    var atoms: [SimplePattern.Atom] = []
    var anchoredStart = false
    var anchoredEnd = false
    var simple: SimplePattern? = nil
    var groupDepth = 0

    init(pattern: [Unicode.Scalar]) { p = pattern }

    static let spaceICU =
        "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"
    static let wordICU = "a-zA-Z0-9_"
    static let digitICU = "0-9"

    func fail(_ m: String) -> ECMARegex.SyntaxError { ECMARegex.SyntaxError(message: m) }

    static func hex(_ v: UInt32) -> String { "\\x{" + String(v, radix: 16, uppercase: true) + "}" }

    mutating func run() throws(ECMARegex.SyntaxError) {
        var lastWasQuantifiable = false
        var lastWasQuantifier = false
        while i < p.count {
            let c = p[i]
            switch c {
            case "\\":
                let (text, cls) = try escape(inClass: false)
                icu += text
                if let cls { pushAtom(cls) } else { simpleOK = false }
                lastWasQuantifiable = true
                lastWasQuantifier = false
            case "[":
                let (text, cls) = try charClass()
                icu += text
                if let cls { pushAtom(cls) } else { simpleOK = false }
                lastWasQuantifiable = true
                lastWasQuantifier = false
            case "(":
                simpleOK = false
                i += 1
                if i < p.count && p[i] == "?" {
                    i += 1
                    guard i < p.count else { throw fail("unterminated group") }
                    switch p[i] {
                    case ":", "=", "!":
                        icu += "(?" + String(p[i])
                        i += 1
                    case "<":
                        if i + 1 < p.count && (p[i + 1] == "=" || p[i + 1] == "!") {
                            icu += "(?<" + String(p[i + 1])
                            i += 2
                        } else {
                            // named group (?<name>
                            var name = ""
                            i += 1
                            while i < p.count && p[i] != ">" {
                                let ch = p[i]
                                guard ch.isASCIILetter || ch.isASCIIDigit || ch == "_" || ch == "$" || ch.value > 0x7F
                                else {
                                    throw fail("invalid group name")
                                }
                                name.unicodeScalars.append(ch)
                                i += 1
                            }
                            guard i < p.count, !name.isEmpty, !(name.unicodeScalars.first!.isASCIIDigit) else {
                                throw fail("invalid group name")
                            }
                            i += 1
                            icu += "(?<" + name + ">"
                        }
                    default:
                        throw fail("invalid group '(?\(p[i])' (not ECMA-262)")
                    }
                } else {
                    icu += "("
                }
                groupDepth += 1
                lastWasQuantifiable = false
                lastWasQuantifier = false
                continue
            case ")":
                simpleOK = false
                guard groupDepth > 0 else { throw fail("unmatched ')'") }
                groupDepth -= 1
                icu += ")"
                i += 1
                lastWasQuantifiable = true
                lastWasQuantifier = false
                continue
            case "|":
                simpleOK = false
                icu += "|"
                i += 1
                lastWasQuantifiable = false
                lastWasQuantifier = false
                continue
            case "^":
                if i == 0 { anchoredStart = true } else { simpleOK = false }
                icu += "^"
                i += 1
                lastWasQuantifiable = false
                lastWasQuantifier = false
                continue
            case "$":
                if i == p.count - 1 { anchoredEnd = true } else { simpleOK = false }
                icu += "(?![\\x{0}-\\x{10FFFF}])"
                i += 1
                lastWasQuantifiable = false
                lastWasQuantifier = false
                continue
            case ".":
                icu += "[^\\n\\r\\x{2028}\\x{2029}]"
                pushAtom(.dot)
                i += 1
                lastWasQuantifiable = true
                lastWasQuantifier = false
                continue
            case "*", "+", "?", "{":
                if c == "{" {
                    guard let (lo, hi, len) = quantifierBraces(at: i) else {
                        throw fail("lone '{' (escape it as \\{)")
                    }
                    guard lastWasQuantifiable else { throw fail("nothing to repeat") }
                    guard lo <= hi else { throw fail("numbers out of order in {} quantifier") }
                    icu += String(String.UnicodeScalarView(p[i..<(i + len)]))
                    i += len
                    applyQuantifier(lo, hi)
                } else {
                    guard lastWasQuantifiable else {
                        if lastWasQuantifier && c == "?" {
                            // lazy quantifier
                            simpleOK = false
                            icu += "?"
                            i += 1
                            lastWasQuantifier = false
                            continue
                        }
                        throw fail("nothing to repeat")
                    }
                    icu.unicodeScalars.append(c)
                    i += 1
                    switch c {
                    case "*": applyQuantifier(0, Int.max)
                    case "+": applyQuantifier(1, Int.max)
                    default: applyQuantifier(0, 1)
                    }
                }
                lastWasQuantifiable = false
                lastWasQuantifier = true
                continue
            case "}", "]":
                throw fail("lone '\(c)' (escape it)")
            default:
                icu += literalICU(c.value)
                var cls = CharClass()
                cls.add(c.value...c.value)
                pushAtom(cls)
                lastWasQuantifiable = true
                lastWasQuantifier = false
            }
            if c != "\\" && c != "[" { i += 1 }
        }
        guard groupDepth == 0 else { throw fail("unterminated group") }
        if simpleOK {
            simple = SimplePattern(atoms: atoms, anchoredStart: anchoredStart, anchoredEnd: anchoredEnd)
        }
    }

    func literalICU(_ v: UInt32) -> String {
        if (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) {
            return String(Unicode.Scalar(v)!)
        }
        return Translator.hex(v)
    }

    mutating func pushAtom(_ cls: CharClass) {
        guard simpleOK else { return }
        atoms.append(SimplePattern.Atom(cls: cls, min: 1, max: 1))
    }

    mutating func applyQuantifier(_ lo: Int, _ hi: Int) {
        // A lazy marker after this quantifier makes the pattern non-simple (handled by caller).
        if i < p.count && p[i] == "?" {
            simpleOK = false
            icu += "?"
            i += 1
        }
        // A '+' right after a quantifier is "nothing to repeat" in ECMA-262 (ICU
        // would read it as possessive); the main loop rejects it.
        guard simpleOK, !atoms.isEmpty else { return }
        atoms[atoms.count - 1].min = lo
        atoms[atoms.count - 1].max = hi
    }

    /// `{n}`, `{n,}`, `{n,m}` at `at`: (min, max, length in scalars).
    func quantifierBraces(at: Int) -> (Int, Int, Int)? {
        var j = at + 1
        func number() -> Int? {
            var v = 0
            var digits = 0
            while j < p.count, p[j].isASCIIDigit {
                v = min(v * 10 + Int(p[j].value - 0x30), 1_000_000)
                j += 1
                digits += 1
            }
            return digits > 0 ? v : nil
        }
        guard let lo = number() else { return nil }
        var hi = lo
        if j < p.count && p[j] == "," {
            j += 1
            hi = number() ?? Int.max
        }
        guard j < p.count, p[j] == "}" else { return nil }
        return (lo, hi, j - at + 1)
    }

    /// Parses an escape at `i` (pointing at the backslash). Returns the ICU text and,
    /// for single-character or class escapes, the class (nil for assertions, backreferences, \p).
    mutating func escape(inClass: Bool) throws(ECMARegex.SyntaxError) -> (String, CharClass?) {
        i += 1
        guard i < p.count else { throw fail("pattern ends with a backslash") }
        let c = p[i]
        i += 1
        func single(_ v: UInt32) -> (String, CharClass?) {
            var cls = CharClass()
            cls.add(v...v)
            return (Translator.hex(v), cls)
        }
        switch c {
        case "d": return (inClass ? Translator.digitICU : "[" + Translator.digitICU + "]", .digit)
        case "D": return ("[^" + Translator.digitICU + "]", CharClass.digit.inverted)
        case "w": return (inClass ? Translator.wordICU : "[" + Translator.wordICU + "]", .word)
        case "W": return ("[^" + Translator.wordICU + "]", CharClass.word.inverted)
        case "s": return (inClass ? Translator.spaceICU : "[" + Translator.spaceICU + "]", .space)
        case "S": return ("[^" + Translator.spaceICU + "]", CharClass.space.inverted)
        case "b":
            if inClass { return single(0x08) }
            let w = "[" + Translator.wordICU + "]"
            return ("(?:(?<=\(w))(?!\(w))|(?<!\(w))(?=\(w)))", nil)
        case "B":
            if inClass { throw fail("invalid escape \\B in a class") }
            let w = "[" + Translator.wordICU + "]"
            return ("(?:(?<=\(w))(?=\(w))|(?<!\(w))(?!\(w)))", nil)
        case "t": return single(0x09)
        case "n": return single(0x0A)
        case "v": return single(0x0B)
        case "f": return single(0x0C)
        case "r": return single(0x0D)
        case "0":
            if i < p.count, p[i].isASCIIDigit { throw fail("invalid octal escape") }
            return single(0)
        case "c":
            guard i < p.count, p[i].isASCIILetter else { throw fail("invalid control escape \\c") }
            let v = p[i].value % 32
            i += 1
            return single(v)
        case "x":
            guard i + 1 < p.count, let h = hexValue(p[i]), let l = hexValue(p[i + 1]) else {
                throw fail("invalid \\x escape")
            }
            i += 2
            return single(h << 4 | l)
        case "u":
            let v = try unicodeEscape()
            return single(v)
        case "p", "P":
            guard i < p.count, p[i] == "{" else { throw fail("invalid property escape") }
            var body = ""
            i += 1
            while i < p.count && p[i] != "}" {
                body.unicodeScalars.append(p[i])
                i += 1
            }
            guard i < p.count, !body.isEmpty else { throw fail("unterminated property escape") }
            i += 1
            return ("\\" + String(c) + "{" + body + "}", nil)
        case "k":
            if inClass { throw fail("invalid escape \\k in a class") }
            guard i < p.count, p[i] == "<" else { throw fail("invalid named backreference") }
            var name = ""
            i += 1
            while i < p.count && p[i] != ">" {
                name.unicodeScalars.append(p[i])
                i += 1
            }
            guard i < p.count, !name.isEmpty else { throw fail("invalid named backreference") }
            i += 1
            return ("\\k<" + name + ">", nil)
        case "1"..."9":
            if inClass { throw fail("invalid escape in a class") }
            var digits = String(c)
            while i < p.count, p[i].isASCIIDigit {
                digits.unicodeScalars.append(p[i])
                i += 1
            }
            return ("\\" + digits, nil)
        case "-":
            guard inClass else { throw fail("invalid escape \\-") }
            return single(0x2D)
        default:
            // Identity escapes: only syntax characters and '/' (unicode mode).
            if "^$\\.*+?()[]{}|/".unicodeScalars.contains(c) {
                return single(c.value)
            }
            throw fail("invalid escape \\\(c)")
        }
    }

    func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c.value {
        case 0x30...0x39: return c.value - 0x30
        case 0x41...0x46: return c.value - 0x41 + 10
        case 0x61...0x66: return c.value - 0x61 + 10
        default: return nil
        }
    }

    /// After `\u`: `{hex}` or 4 hex digits, combining a surrogate pair `\uD83D\uDC32`.
    mutating func unicodeEscape() throws(ECMARegex.SyntaxError) -> UInt32 {
        if i < p.count, p[i] == "{" {
            i += 1
            var v: UInt32 = 0
            var n = 0
            while i < p.count, let h = hexValue(p[i]) {
                v = v << 4 | h
                n += 1
                i += 1
                if v > 0x10FFFF { throw fail("\\u{...} escape out of range") }
            }
            guard n > 0, i < p.count, p[i] == "}" else { throw fail("invalid \\u{...} escape") }
            i += 1
            return v
        }
        func four(_ at: Int) -> UInt32? {
            guard at + 3 < p.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = hexValue(p[at + k]) else { return nil }
                v = v << 4 | h
            }
            return v
        }
        guard let v = four(i) else { throw fail("invalid \\u escape") }
        i += 4
        if v >= 0xD800 && v <= 0xDBFF, i + 1 < p.count, p[i] == "\\", p[i + 1] == "u", let lo = four(i + 2),
            lo >= 0xDC00 && lo <= 0xDFFF
        {
            i += 6
            return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
        }
        return v
    }

    /// A class `[...]` at `i`. Returns the ICU text and, when it can be represented, the class.
    mutating func charClass() throws(ECMARegex.SyntaxError) -> (String, CharClass?) {
        i += 1
        var negated = false
        if i < p.count && p[i] == "^" {
            negated = true
            i += 1
        }
        if i < p.count && p[i] == "]" {
            i += 1
            // [] matches nothing; [^] matches anything.
            return negated ? ("[\\x{0}-\\x{10FFFF}]", CharClass().inverted) : ("(?!)", CharClass())
        }
        var cls: CharClass? = CharClass()
        var body = ""
        // Each item is either a single code point (range endpoint candidate) or a class escape.
        var pendingLow: UInt32? = nil
        var pendingLowText = ""
        func flushPending(_ cls: inout CharClass?, _ body: inout String) {
            if let v = pendingLow {
                cls?.add(v...v)
                body += pendingLowText
            }
            pendingLow = nil
            pendingLowText = ""
        }
        while true {
            guard i < p.count else { throw fail("unterminated character class") }
            let c = p[i]
            if c == "]" {
                i += 1
                break
            }
            // Read one class atom.
            var atomValue: UInt32? = nil
            var atomText = ""
            var atomClass: CharClass? = nil
            var atomIsSet = false
            if c == "\\" {
                let (text, ac) = try escape(inClass: true)
                atomText = text
                if let ac, text.hasPrefix("\\x{") {
                    atomValue = ac.firstValue
                    atomClass = ac
                } else {
                    atomIsSet = true
                    atomClass = ac
                }
            } else {
                atomValue = c.value
                atomText = Translator.hex(c.value)
                i += 1
            }
            // Range?
            if let low = pendingLow, let high = atomValue, !atomIsSet, pendingIsRange {
                guard low <= high else { throw fail("range out of order in character class") }
                cls?.add(low...high)
                body += pendingLowText + "-" + atomText
                pendingLow = nil
                pendingLowText = ""
                pendingIsRange = false
                continue
            }
            if pendingIsRange {
                // "a-\d" or similar: ECMA (unicode mode) rejects class escapes as range ends.
                throw fail("invalid character class range")
            }
            flushPending(&cls, &body)
            if atomIsSet {
                if let ac = atomClass { cls?.formUnion(ac) } else { cls = nil }
                body += atomText
                continue
            }
            // Is a '-' range operator next?
            if i + 1 < p.count, p[i] == "-", p[i + 1] != "]" {
                pendingLow = atomValue
                pendingLowText = atomText
                pendingIsRange = true
                i += 1
                continue
            }
            pendingLow = atomValue
            pendingLowText = atomText
        }
        if pendingIsRange { throw fail("invalid character class range") }
        flushPending(&cls, &body)
        let text = (negated ? "[^" : "[") + body + "]"
        if negated { cls = cls?.inverted }
        return (text, cls)
    }

    var pendingIsRange = false
}

extension CharClass {
    /// The single code point of a one-element class.
    var firstValue: UInt32? {
        if lo != 0 { return UInt32(lo.trailingZeroBitCount) }
        if hi != 0 { return UInt32(hi.trailingZeroBitCount + 64) }
        return ranges.first?.lowerBound
    }
}
