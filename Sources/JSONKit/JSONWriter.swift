/// Serialises JSON deterministically: members in their stored order, numbers
/// without a needless fractional part, non-finite numbers as `null`.
public struct JSONWriter: Sendable {
    public var pretty: Bool
    public var sortKeys: Bool
    public var indent: String

    public init(pretty: Bool = false, sortKeys: Bool = false, indent: String = "  ") {
        self.pretty = pretty
        self.sortKeys = sortKeys
        self.indent = indent
    }

    public func string(_ value: JSON) -> String { String(decoding: bytes(value), as: UTF8.self) }

    /// UTF-8 bytes, built in one growing buffer (linear in the output size).
    public func bytes(_ value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var w = Bounded(limit: .max, masked: [], indent: pretty ? Array(indent.utf8) : [])
        write(value, into: &out, level: 0, &w)
        return out
    }

    /// The start of the text, for showing a large document: writing stops soon
    /// after `limit` bytes (the result is cut back to at most `limit`, on a
    /// character boundary), so the cost follows the excerpt, not the document.
    /// Members whose key is in `masked` show `"***"` instead of a non-null value.
    /// `truncated` tells whether anything was left out. `scrub`, when given,
    /// rewrites every key and string before it is written, and every literal
    /// (number, `true`, `false`, `null`) it maps to something else is written
    /// as that string: text is rewritten before the cut, so the cut cannot
    /// leave part of what `scrub` removes. `mayScrub`, when given, says which
    /// keys, strings and literals `scrub` may change (from their UTF-8): one
    /// it returns false for is written as it is, without `scrub` asked (and
    /// for a key or a string without a `String` made); it must return true
    /// wherever `scrub` would change the text.
    public func prefix<V: JSONReading>(
        _ value: V, limit: Int, masked: Set<String> = [], scrub: ((String) -> String)? = nil,
        mayScrub: ((UnsafeBufferPointer<UInt8>) -> Bool)? = nil
    ) -> (text: String, truncated: Bool) {
        written(value, limit: limit, masked: masked, scrub: scrub, mayScrub: mayScrub)
    }

    /// `prefix` of a tape's value (the runner's excerpts), compiled for the
    /// view here: a generic function called from another module runs
    /// unspecialised, each step through the protocol's witnesses (perf, issue 24).
    public func prefix(
        _ value: JSONView, limit: Int, masked: Set<String> = [], scrub: ((String) -> String)? = nil,
        mayScrub: ((UnsafeBufferPointer<UInt8>) -> Bool)? = nil
    ) -> (text: String, truncated: Bool) {
        written(value, limit: limit, masked: masked, scrub: scrub, mayScrub: mayScrub)
    }

    private func written<V: JSONReading>(
        _ value: V, limit: Int, masked: Set<String>, scrub: ((String) -> String)?,
        mayScrub: ((UnsafeBufferPointer<UInt8>) -> Bool)?
    ) -> (text: String, truncated: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, 4096) + 64)
        var w = Bounded(limit: limit, masked: masked, indent: pretty ? Array(indent.utf8) : [], scrub: scrub, mayScrub: mayScrub)
        write(value, into: &out, level: 0, &w)
        guard out.count > limit else { return (String(decoding: out, as: UTF8.self), false) }
        return (String(decoding: out[..<out.utf8Boundary(atMost: limit)], as: UTF8.self), true)
    }

    private struct Bounded {
        let limit: Int
        let masked: Set<String>
        var scrub: ((String) -> String)? = nil
        var mayScrub: ((UnsafeBufferPointer<UInt8>) -> Bool)? = nil
        /// Bit n set when a masked key has n UTF-8 bytes (bit 63: 63 or more),
        /// all bits when a masked key is not ASCII: an ASCII key is equal to
        /// an ASCII key of its own length only, so a key whose length no masked
        /// key has is not made, hashed and looked up (that was 0.6 % of a
        /// keep-alive run's client CPU, perf issue 24). A key that is not
        /// ASCII is looked up always (`"\u{212A}"` is equal to `"K"`).
        let maskedLengths: UInt64
        /// The writer's indent as bytes (empty when not pretty), made once
        /// for the document, not read from the `String` at every line.
        let indent: [UInt8]

        init(
            limit: Int, masked: Set<String>, indent: [UInt8], scrub: ((String) -> String)? = nil,
            mayScrub: ((UnsafeBufferPointer<UInt8>) -> Bool)? = nil
        ) {
            self.limit = limit
            self.masked = masked
            self.indent = indent
            self.scrub = scrub
            self.mayScrub = mayScrub
            var lengths: UInt64 = 0
            for key in masked {
                lengths |= key.utf8.allSatisfy { $0 < 0x80 } ? JSONKeys.bit(key.utf8.count) : .max
            }
            maskedLengths = lengths
        }

        /// Whether the key of these bytes is in `masked`.
        func isMasked(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
            guard maskedLengths != 0, maskedLengths & JSONKeys.bit(key.count) != 0 || !key.allSatisfy({ $0 < 0x80 }) else { return false }
            return masked.contains(String(decoding: key, as: UTF8.self))
        }

        /// A key or a string, scrubbed when `scrub` may change it, written as a JSON string literal.
        func text(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
            if let scrub, mayScrub?(bytes) ?? true {
                return JSONWriter.writeString(scrub(String(decoding: bytes, as: UTF8.self)), into: &out)
            }
            JSONWriter.writeString(bytes, into: &out)
        }
    }

    private func literal(_ text: String, into out: inout [UInt8], _ w: inout Bounded) {
        if let scrub = w.scrub, w.mayScrub.map({ may in
            var t = text
            return t.withUTF8(may)
        }) ?? true {
            let shown = scrub(text)
            if shown != text { return JSONWriter.writeString(shown, into: &out) }
        }
        out.append(contentsOf: text.utf8)
    }

    private func write<V: JSONReading>(_ value: V, into out: inout [UInt8], level: Int, _ w: inout Bounded) {
        if out.count > w.limit { return }
        if value.isNull { return literal("null", into: &out, &w) }
        if let b = value.boolValue { return literal(b ? "true" : "false", into: &out, &w) }
        if let n = value.numberValue { return literal(JSONWriter.formatNumber(n), into: &out, &w) }
        if value.withStringUTF8({ w.text($0, into: &out) }) != nil { return }
        // An array or an object: its elements or members in order (or by
        // key), as far as the limit. `key` is nil for an element.
        let array = value.isArray
        var k = 0
        var cut = false
        func item(_ key: UnsafeBufferPointer<UInt8>?, _ v: V) -> Bool {
            if out.count > w.limit {
                cut = true
                return false
            }
            out.append(k > 0 ? UInt8(ascii: ",") : array ? UInt8(ascii: "[") : UInt8(ascii: "{"))
            k += 1
            newline(&out, level + 1, w.indent)
            if let key {
                w.text(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                if w.isMasked(key), !v.isNull {
                    out.append(contentsOf: #""***""#.utf8)
                    return true
                }
            }
            write(v, into: &out, level: level + 1, &w)
            return true
        }
        if array {
            value.forEachElement { item(nil, $0) }
        } else if sortKeys {
            var members: [(key: String, value: V)] = []
            value.forEachMember { key, v in
                members.append((key, v))
                return true
            }
            for m in members.sorted(by: { $0.key < $1.key }) {
                var key = m.key
                if !key.withUTF8({ item($0, m.value) }) { break }
            }
        } else {
            value.forEachMemberUTF8(item)
        }
        if cut { return }
        if k == 0 {
            out.append(contentsOf: (array ? "[]" : "{}").utf8)
            return
        }
        newline(&out, level, w.indent)
        out.append(array ? UInt8(ascii: "]") : UInt8(ascii: "}"))
    }

    private func newline(_ out: inout [UInt8], _ level: Int, _ indent: [UInt8]) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<level { out.append(contentsOf: indent) }
    }

    /// A number as a person reads it in a message: as `formatNumber`, but a
    /// number the parser could not hold (beyond the range of a double, such
    /// as 1e400, read as infinity) is named as such rather than shown as `null`.
    public static func humanNumber(_ n: Double) -> String {
        n.isFinite ? formatNumber(n) : "\(n < 0 ? "-" : "")(a number beyond the range of a double, e.g. 1e400)"
    }

    public static func formatNumber(_ n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(.towardZero), abs(n) < 1e15 {
            return String(Int64(n))
        }
        return "\(n)"
    }

    /// Appends `s` as a JSON string literal: quotes, backslashes and control
    /// characters escaped, and U+2028/U+2029 too (so the output is also valid JavaScript).
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString($0, into: &out) }
    }

    /// Appends these UTF-8 bytes as a JSON string literal, escaped as `writeString` escapes a `String`.
    public static func writeString(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs that need no escape are copied whole: plain indexing over
        // the contiguous bytes, cheap even in a debug build (the tests'
        // whole-suite runs write every simulator answer through here).
        let n = utf8.count
        var run = 0
        var i = 0
        while i < n {
            let b = utf8[i]
            let isLineSeparator = b == 0xE2 && i + 2 < n && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9)
            guard b < 0x20 || b == 0x22 || b == 0x5C || isLineSeparator else {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i])) }
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(b >> 4), hexDigit(b & 0xF)])
            default:  // U+2028 or U+2029
                out.append(contentsOf: "\\u202".utf8)
                out.append(utf8[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                i += 2
            }
            i += 1
            run = i
        }
        if run < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<n])) }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    /// Appends `s` as a JSON string literal to a String.
    public static func writeString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        writeString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter().string(self) }
}

extension Array where Element == UInt8 {
    /// The largest length `<= n` that does not end inside a UTF-8 sequence:
    /// where to cut these bytes so that the text keeps whole characters.
    public func utf8Boundary(atMost n: Int) -> Int {
        guard n < count else { return count }
        var cut = Swift.max(0, n)
        while cut > 0 && self[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }
}
