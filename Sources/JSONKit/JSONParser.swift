#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a document could not be parsed, and where: line and column (1-based)
/// and the key path of the value being read (`feature.data`, `items[3]`).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var offset: Int
    /// Key path segments from the root to the value being parsed, outermost first.
    public var path: [JSONPathSegment]

    public var keyPath: String { JSONPathSegment.render(path) }

    public var description: String {
        let at = "line \(line), column \(column)"
        if path.isEmpty { return "\(message) (\(at))" }
        let p = keyPath
        // A long path (a document nested thousands deep) would bury the
        // reason: it comes first, and the path is shortened in the middle.
        guard p.count > JSONParseError.longPath else { return "\(p): \(message) (\(at))" }
        return "\(message) (\(at)), at \(p.prefix(JSONParseError.longPath / 2 - 2)) … \(p.suffix(JSONParseError.longPath / 2 - 2))"
    }

    /// Key paths longer than this are shown after the reason, shortened in the middle.
    public static let longPath = 80
}

/// One step of a key path: an object key or an array index.
public enum JSONPathSegment: Sendable, Hashable {
    case key(String)
    case index(Int)

    /// `a.b[2].c` — the dotted form used in diagnostics about files.
    public static func render(_ path: [JSONPathSegment]) -> String {
        var out = ""
        for seg in path {
            switch seg {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out
    }
}

public struct JSONParser {
    public enum Dialect: Sendable {
        /// RFC 8259 JSON, as servers must send it.
        case json
        /// JSON5: comments, unquoted keys, single quotes, trailing commas,
        /// hexadecimal numbers, leading '+', leading/trailing decimal point,
        /// Infinity/NaN, escaped line breaks in strings.
        case json5
    }

    public static let defaultMaxDepth = 512

    /// Parses a whole document; anything but whitespace (and, in JSON5,
    /// comments) after the value is an error.
    public static func parse(
        _ bytes: [UInt8], dialect: Dialect = .json, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSON {
        var result: Result<JSON, JSONParseError> = .success(.null)
        bytes.withUnsafeBufferPointer { buf in
            var p = Parser(buf: buf, json5: dialect == .json5, maxDepth: maxDepth)
            defer { p.release() }
            do throws(JSONParseError) {
                result = .success(try p.parseDocument())
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(
        _ text: String, dialect: Dialect = .json, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8), dialect: dialect, maxDepth: maxDepth)
    }
}

struct Failure: Error {
    var message: String
    var offset: Int
    var path: [JSONPathSegment] = []
}

struct Parser {
    let buf: UnsafeBufferPointer<UInt8>
    let json5: Bool
    let maxDepth: Int
    var i = 0
    var depth = 0
    /// True when the whole input is ASCII: strings need no UTF-8 validation.
    let ascii: Bool
    /// Strings already made in this document, by content (see `StringCache`).
    var strings: StringCache
    /// Set by `parseString` when the string it read had escapes.
    var escaped = false

    /// `caching`: strings are remembered by content and keys predicted by
    /// shape (the tree's tricks); the tape (JSONTape) makes no strings, so it
    /// turns them off.
    init(buf: UnsafeBufferPointer<UInt8>, json5: Bool, maxDepth: Int, caching: Bool = true) {
        self.buf = buf
        self.json5 = json5
        self.maxDepth = maxDepth
        var hi: UInt8 = 0
        for b in buf { hi |= b }
        ascii = hi < 0x80
        strings = StringCache(documentSize: caching ? buf.count : 0)
        shapes = Shapes()
    }

    /// The keys of the last object parsed at each depth, to predict the next.
    var shapes: Shapes

    func release() {
        strings.release()
        shapes.release()
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        do throws(Failure) {
            if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
            try skipSpace()
            guard i < buf.count else { throw Failure(message: "empty document", offset: i) }
            let v = try parseValue()
            try skipSpace()
            if i < buf.count {
                throw Failure(message: "unexpected \(describe(i)) after the end of the document", offset: i)
            }
            return v
        } catch {
            throw locate(error)
        }
    }

    func locate(_ f: Failure) -> JSONParseError {
        var line = 1, col = 1
        var k = 0
        let end = min(f.offset, buf.count)
        while k < end {
            if buf[k] == 0x0A {
                line += 1
                col = 1
            } else if buf[k] & 0xC0 != 0x80 {
                col += 1
            }
            k += 1
        }
        return JSONParseError(message: f.message, line: line, column: col, offset: f.offset, path: f.path.reversed())
    }

    func describe(_ at: Int) -> String {
        guard at < buf.count else { return "end of input" }
        let b = buf[at]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + hexByte(b)
    }

    @inline(__always) mutating func skipSpace() throws(Failure) {
        while i < buf.count {
            let b = buf[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                i += 1
            } else if json5 {
                if b == 0x2F, i + 1 < buf.count, buf[i + 1] == 0x2F {  // line comment
                    i += 2
                    while i < buf.count, buf[i] != 0x0A { i += 1 }
                } else if b == 0x2F, i + 1 < buf.count, buf[i + 1] == 0x2A {  // block comment
                    let start = i
                    i += 2
                    while true {
                        guard i + 1 < buf.count else {
                            throw Failure(message: "unterminated /* comment", offset: start)
                        }
                        if buf[i] == 0x2A && buf[i + 1] == 0x2F {
                            i += 2
                            break
                        }
                        i += 1
                    }
                } else if b == 0x0B || b == 0x0C || b == 0xC2 && i + 1 < buf.count && buf[i + 1] == 0xA0 {
                    i += b == 0xC2 ? 2 : 1
                } else {
                    return
                }
            } else {
                return
            }
        }
    }

    mutating func parseValue() throws(Failure) -> JSON {
        guard i < buf.count else { throw Failure(message: "unexpected end of input, expected a value", offset: i) }
        switch buf[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString(quote: 0x22))
        case UInt8(ascii: "'") where json5: return .string(try parseString(quote: 0x27))
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "I"), UInt8(ascii: "N"):
            if json5 { return .number(try parseNumber()) }
            fallthrough
        default:
            throw Failure(message: "unexpected \(describe(i)), expected a value", offset: i)
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        let start = i
        guard i + n <= buf.count else {
            throw Failure(message: "unexpected \(describe(i)), expected a value", offset: start)
        }
        let w = word.utf8Start
        for k in 0..<n where buf[i + k] != w[k] {
            throw Failure(message: "unexpected \(describe(i)), expected a value", offset: start)
        }
        i += n
        if json5, i < buf.count, isIdentifierByte(buf[i]) {
            throw Failure(message: "unexpected \(describe(i)) after '\(word)'", offset: i)
        }
    }

    mutating func enter() throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw Failure(message: "nesting deeper than \(maxDepth) levels", offset: i)
        }
    }

    mutating func parseObject() throws(Failure) -> JSON {
        try enter()
        i += 1  // {
        try skipSpace()
        if i < buf.count, buf[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(JSONObject())
        }
        var members: [JSONObject.Member] = []
        let shape = shapes.shape(at: depth)
        members.reserveCapacity(shape?.pointee.memberCount ?? 16)
        while true {
            guard i < buf.count else { throw Failure(message: "unterminated object, expected '}'", offset: i) }
            let key: String
            let b = buf[i]
            if b == 0x22 {
                if let shape, let predicted = shape.pointee.key(members.count, at: i, in: buf) {
                    key = predicted.key
                    i += predicted.count + 2
                } else {
                    let open = i
                    escaped = false
                    key = try parseString(quote: 0x22)
                    if let shape, !escaped { shape.pointee.remember(key, members.count, at: open) }
                }
            } else if json5, b == 0x27 {
                key = try parseString(quote: 0x27)
            } else if json5, isIdentifierStart(b) {
                key = parseIdentifier()
            } else if b == UInt8(ascii: "}"), json5 {
                i += 1
                break
            } else {
                throw Failure(
                    message: json5
                        ? "unexpected \(describe(i)), expected a key"
                        : "unexpected \(describe(i)), expected a quoted key", offset: i)
            }
            try skipSpace()
            guard i < buf.count, buf[i] == UInt8(ascii: ":") else {
                throw Failure(message: "unexpected \(describe(i)), expected ':' after key", offset: i, path: [.key(key)])
            }
            i += 1
            try skipSpace()
            let value: JSON
            do throws(Failure) {
                value = try parseValue()
                try skipSpace()
            } catch {
                var e = error
                e.path.append(.key(key))
                throw e
            }
            // Moved, not copied: the copy cost a retain and a release of each key and value (perf, issue 24).
            members.append(JSONObject.Member(key: consume key, value: consume value))
            guard i < buf.count else { throw Failure(message: "unterminated object, expected '}'", offset: i) }
            if buf[i] == UInt8(ascii: ",") {
                i += 1
                try skipSpace()
                if !json5, i < buf.count, buf[i] == UInt8(ascii: "}") {
                    throw Failure(message: "trailing comma before '}'", offset: i)
                }
                continue
            }
            if buf[i] == UInt8(ascii: "}") {
                i += 1
                break
            }
            throw Failure(message: "unexpected \(describe(i)), expected ',' or '}'", offset: i)
        }
        // A hint, not a promise: capped so that one huge object cannot make its
        // small siblings reserve room they will not use. It keeps the larger
        // count of siblings of about one size: an account with one optional
        // member more than the one before it grew its array to twice the room
        // (a second allocation and a copy, perf, issue 24); one under half the
        // hint (another kind of object at this depth) sets it anew.
        if let shape {
            let n = min(members.count, Shapes.keysPerShape)
            let hint = shape.pointee.memberCount
            if n > hint || n * 2 < hint { shape.pointee.memberCount = n }
        }
        depth -= 1
        return .object(JSONObject(members))
    }

    mutating func parseArray() throws(Failure) -> JSON {
        try enter()
        i += 1  // [
        try skipSpace()
        if i < buf.count, buf[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        var values: [JSON] = []
        let shape = shapes.shape(at: depth)
        if let hint = shape?.pointee.elementCount, hint > 1 { values.reserveCapacity(hint) }
        while true {
            if json5, i < buf.count, buf[i] == UInt8(ascii: "]") {
                i += 1
                break
            }
            do throws(Failure) {
                values.append(try parseValue())
                try skipSpace()
            } catch {
                var e = error
                e.path.append(.index(values.count))
                throw e
            }
            guard i < buf.count else { throw Failure(message: "unterminated array, expected ']'", offset: i) }
            if buf[i] == UInt8(ascii: ",") {
                i += 1
                try skipSpace()
                if !json5, i < buf.count, buf[i] == UInt8(ascii: "]") {
                    throw Failure(message: "trailing comma before ']'", offset: i)
                }
                continue
            }
            if buf[i] == UInt8(ascii: "]") {
                i += 1
                break
            }
            throw Failure(message: "unexpected \(describe(i)), expected ',' or ']'", offset: i)
        }
        shape?.pointee.elementCount = min(values.count, Shapes.keysPerShape)
        depth -= 1
        return .array(values)
    }

    // MARK: strings

    /// Steps over the bytes of a string that need no attention, 8 at a time,
    /// while none is a quote, a backslash or a control character; returns the
    /// bytes stepped over ORed together (a high bit set: a byte past ASCII).
    /// The tree and the tape (JSONTape) read strings through it.
    @inline(__always) mutating func skipPlain(quote: UInt8) -> UInt64 {
        var seen: UInt64 = 0
        if quote == 0x22, let base = buf.baseAddress { i = Parser.plainRun(base, from: i, count: buf.count, seen: &seen) }
        return seen
    }

    /// Where the bytes from `i` (of the `count` at `base`) stop needing no
    /// attention in a string quoted with `"`, stepped over 8 at a time: at
    /// the first quote, backslash or control character, or at the last 8
    /// bytes' boundary. `seen` gets the bytes stepped over ORed into it.
    /// `skipPlain` and the tape's fast reader (JSONTapeFast.swift) step with it.
    @inline(__always) static func plainRun(_ base: UnsafePointer<UInt8>, from i: Int, count: Int, seen: inout UInt64) -> Int {
        var i = i
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= count {
            let x = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let q = x ^ (ones &* 0x22)
            let b = x ^ (ones &* 0x5C)
            let hit = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((x &- ones &* 0x20) & ~x)) & highs
            if hit != 0 {
                // The lowest flagged byte is exact (a borrow only flags bytes above
                // a true hit): step straight to it, keeping the bytes before it.
                let before = hit.trailingZeroBitCount >> 3
                seen |= x & ~(UInt64.max << UInt64(before << 3))
                return i + before
            }
            seen |= x
            i += 8
        }
        return i
    }

    /// Reads a string from its opening quote (at `i`) while it has no
    /// escape: where its bytes start and end, and the bytes ORed together (a
    /// high bit set means a byte past ASCII: only such a string needs its
    /// UTF-8 checked), with `i` past the closing quote. nil at the first
    /// backslash, with `i` on it. The tree and the tape read strings with it.
    @inline(__always) mutating func plainString(quote: UInt8) throws(Failure) -> (start: Int, end: Int, seen: UInt64)? {
        let open = i
        i += 1
        let start = i
        var seen = skipPlain(quote: quote)
        while i < buf.count {
            let b = buf[i]
            if b == quote {
                i += 1
                return (start, i - 1, seen)
            }
            if b == 0x5C { return nil }
            if b < 0x20 {
                throw Failure(message: "control character in string (escape it as \\u00\(hex2(b)))", offset: i)
            }
            seen |= UInt64(b)
            i += 1
        }
        throw Failure(message: "unterminated string", offset: open)
    }

    mutating func parseString(quote: UInt8) throws(Failure) -> String {
        let open = i
        if let (start, end, seen) = try plainString(quote: quote) {
            return try makeString(start, end, open: open, ascii: ascii || seen & 0x8080_8080_8080_8080 == 0)
        }
        let start = open + 1
        // Slow path: escapes.
        escaped = true
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: buf[start..<i]))
        while i < buf.count {
            let b = buf[i]
            if b == quote {
                i += 1
                return try validated(bytes, open: open)
            }
            if b < 0x20 {
                throw Failure(message: "control character in string (escape it as \\u00\(hex2(b)))", offset: i)
            }
            if b != 0x5C {
                bytes.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < buf.count else { break }
            let e = buf[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // High surrogate: a low one must follow.
                    if i + 1 < buf.count, buf[i] == 0x5C, buf[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else {
                            throw Failure(message: "invalid surrogate pair in \\u escape", offset: i - 6)
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        throw Failure(message: "lone surrogate in \\u escape", offset: i - 6)
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw Failure(message: "lone surrogate in \\u escape", offset: i - 6)
                }
                appendUTF8(UInt32(scalar), to: &bytes)
            case UInt8(ascii: "'") where json5: bytes.append(0x27)
            case UInt8(ascii: "v") where json5: bytes.append(0x0B)
            case UInt8(ascii: "0") where json5: bytes.append(0x00)
            case UInt8(ascii: "x") where json5:
                let h = try hexDigit(), l = try hexDigit()
                appendUTF8(UInt32(h << 4 | l), to: &bytes)
            case 0x0A where json5: break  // line continuation
            case 0x0D where json5:
                if i < buf.count, buf[i] == 0x0A { i += 1 }
            default:
                if json5, e >= 0x20, e != UInt8(ascii: "u") {
                    bytes.append(e)  // JSON5: any other escaped character is itself
                } else {
                    throw Failure(message: "invalid escape '\\\(describeByte(e))' in string", offset: i - 2)
                }
            }
        }
        throw Failure(message: "unterminated string", offset: open)
    }

    func describeByte(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "x" + hexByte(b)
    }

    func hex2(_ b: UInt8) -> String { hexByte(b) }

    mutating func hexDigit() throws(Failure) -> Int {
        guard i < buf.count else { throw Failure(message: "unterminated escape", offset: i) }
        let c = buf[i]
        let v: Int
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(c) - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(c) - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(c) - 55
        default: throw Failure(message: "invalid hex digit \(describe(i)) in escape", offset: i)
        }
        i += 1
        return v
    }

    mutating func hex4() throws(Failure) -> Int {
        var v = 0
        for _ in 0..<4 { v = v << 4 | (try hexDigit()) }
        return v
    }

    func appendUTF8(_ s: UInt32, to bytes: inout [UInt8]) {
        switch s {
        case 0..<0x80:
            bytes.append(UInt8(s))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (s >> 6)))
            bytes.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (s >> 12)))
            bytes.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (s & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (s >> 18)))
            bytes.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    /// The string of the bytes `start..<end`; `ascii`: they are all ASCII (no UTF-8 to check).
    @inline(__always) mutating func makeString(_ start: Int, _ end: Int, open: Int, ascii: Bool) throws(Failure) -> String {
        let count = end - start
        guard strings.enabled, count <= StringCache.maxLength, let base = buf.baseAddress else {
            return try newString(start, end, open: open, ascii: ascii)
        }
        let set = strings.set(base, start, count, bufferCount: buf.count)
        if let s = strings.hit(set, base, start, count, bufferCount: buf.count) { return s }
        let s = try newString(start, end, open: open, ascii: ascii)
        strings.store(set, start: start, count: count, s)
        return s
    }

    /// An ASCII string is made as it is, in a document that is not ASCII
    /// too: one "ø" in a page no longer sends every other string of it
    /// through the UTF-8 check and its comparison (perf, issue 24).
    func newString(_ start: Int, _ end: Int, open: Int, ascii: Bool) throws(Failure) -> String {
        let slice = UnsafeBufferPointer(rebasing: buf[start..<end])
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let s = validUTF8String(slice) else {
            throw Failure(message: "string is not valid UTF-8", offset: open)
        }
        return s
    }

    func validated(_ bytes: [UInt8], open: Int) throws(Failure) -> String {
        guard let s = bytes.withUnsafeBufferPointer({ validUTF8String($0) }) else {
            throw Failure(message: "string is not valid UTF-8", offset: open)
        }
        return s
    }

    // MARK: identifiers (JSON5 keys)

    func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x24 || b >= 0x80
    }

    func isIdentifierByte(_ b: UInt8) -> Bool { isIdentifierStart(b) || (b >= 0x30 && b <= 0x39) }

    mutating func parseIdentifier() -> String {
        let start = i
        while i < buf.count, isIdentifierByte(buf[i]) { i += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
    }

    // MARK: numbers

    mutating func parseNumber() throws(Failure) -> Double {
        let start = i
        var negative = false
        if buf[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if json5, buf[i] == UInt8(ascii: "+") {
            i += 1
        }
        if json5, i < buf.count {
            if buf[i] == UInt8(ascii: "I") {
                try literal("Infinity")
                return negative ? -.infinity : .infinity
            }
            if buf[i] == UInt8(ascii: "N") {
                try literal("NaN")
                return .nan
            }
            if buf[i] == UInt8(ascii: "0"), i + 1 < buf.count, buf[i + 1] | 0x20 == UInt8(ascii: "x") {
                i += 2
                let hs = i
                var v: Double = 0
                while i < buf.count, let d = hexValue(buf[i]) {
                    v = v * 16 + Double(d)
                    i += 1
                }
                guard i > hs else { throw Failure(message: "hexadecimal number without digits", offset: start) }
                return negative ? -v : v
            }
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        let intStart = i
        while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(buf[i] - 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                exp10 += 1
            }
            i += 1
        }
        let intDigits = i - intStart
        if intDigits == 0 && !(json5 && i < buf.count && buf[i] == UInt8(ascii: ".")) {
            throw Failure(message: "invalid number: expected a digit", offset: i)
        }
        if !json5, intDigits > 1, buf[intStart] == UInt8(ascii: "0") {
            throw Failure(message: "invalid number: leading zero", offset: intStart)
        }
        var fracDigits = 0
        if i < buf.count, buf[i] == UInt8(ascii: ".") {
            i += 1
            let fs = i
            while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(buf[i] - 0x30)
                    if mantissa != 0 { digits += 1 }
                    exp10 -= 1
                }
                i += 1
            }
            fracDigits = i - fs
            if fracDigits == 0 && !(json5 && intDigits > 0) {
                throw Failure(message: "invalid number: expected a digit after '.'", offset: i)
            }
        }
        if i < buf.count, buf[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var eneg = false
            if i < buf.count, buf[i] == UInt8(ascii: "-") || buf[i] == UInt8(ascii: "+") {
                eneg = buf[i] == UInt8(ascii: "-")
                i += 1
            }
            let es = i
            var e = 0
            while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 {
                if e < 100_000 { e = e * 10 + Int(buf[i] - 0x30) }
                i += 1
            }
            guard i > es else { throw Failure(message: "invalid number: expected a digit in exponent", offset: i) }
            exp10 += eneg ? -e : e
        }
        if json5, i < buf.count, isIdentifierByte(buf[i]) {
            throw Failure(message: "unexpected \(describe(i)) in number", offset: i)
        }
        // Exact fast path (Clinger): mantissa fits in 53 bits and 10^|e| is exact.
        if mantissa < (1 << 53), exp10 >= -22, exp10 <= 22 {
            var v = Double(mantissa)
            if exp10 < 0 { v /= pow10[-exp10] } else if exp10 > 0 { v *= pow10[exp10] }
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        let cleaned = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard let v = Double(cleaned) else { throw Failure(message: "invalid number '\(text)'", offset: start) }
        return v
    }

    func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c) - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c) - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c) - 55
        default: return nil
        }
    }
}

/// The keys of the last object parsed at each depth. Objects at one depth
/// are mostly siblings of one shape (the accounts of a page, the items of a
/// list), so the key of member k is predicted to be the key of member k of the
/// previous one: when the same bytes follow in the input, between quotes, that
/// key is taken as it is, without scanning, hashing or making a string. Any
/// other key is read as usual and becomes the prediction. Only keys read
/// without escapes are remembered, so equal bytes mean an equal key.
struct Shapes {
    static let depths = 16
    static let keysPerShape = 64

    struct Shape {
        /// The member count of the last object: the capacity to reserve for the next.
        var memberCount = 16
        /// The same for arrays (capped like `memberCount`).
        var elementCount = 0
        /// Room for `keysPerShape` remembered keys, made on first use; the first
        /// `known` are initialised.
        var keys: UnsafeMutablePointer<Remembered>?
        var known = 0

        @inline(__always) func key(_ k: Int, at i: Int, in buf: UnsafeBufferPointer<UInt8>) -> (key: String, count: Int)? {
            guard k < known, let keys, let base = buf.baseAddress else { return nil }
            let r = keys + k
            let count = r.pointee.count
            // The opening quote is at i; the key's bytes and a closing quote must follow.
            guard i + count + 1 < buf.count, base[i + count + 1] == 0x22,
                StringCache.same(base, r.pointee.start, i + 1, count, bufferCount: buf.count)
            else { return nil }
            return (r.pointee.key, count)
        }

        /// Remembers the key of member `k` (read without escapes, its opening
        /// quote at `open`). Keys are remembered in order: one that would leave a
        /// gap (after a JSON5 key, which is not remembered) is not.
        @inline(__always) mutating func remember(_ key: String, _ k: Int, at open: Int) {
            guard k <= known, k < Shapes.keysPerShape else { return }
            if keys == nil { keys = .allocate(capacity: Shapes.keysPerShape) }
            let entry = Remembered(start: open + 1, count: key.utf8.count, key: key)
            if k < known {
                keys![k] = entry
            } else {
                (keys! + k).initialize(to: entry)
                known += 1
            }
        }
    }

    struct Remembered {
        var start: Int
        var count: Int
        var key: String
    }

    let shapes: UnsafeMutablePointer<Shape>

    init() {
        shapes = .allocate(capacity: Shapes.depths)
        shapes.initialize(repeating: Shape(), count: Shapes.depths)
    }

    /// The shape for objects at `depth` (nil when too deep to be remembered).
    @inline(__always) func shape(at depth: Int) -> UnsafeMutablePointer<Shape>? {
        depth < Shapes.depths ? shapes + depth : nil
    }

    func release() {
        for d in 0..<Shapes.depths {
            if let keys = shapes[d].keys {
                keys.deinitialize(count: shapes[d].known)
                keys.deallocate()
            }
        }
        shapes.deinitialize(count: Shapes.depths)
        shapes.deallocate()
    }
}

/// A cache of the strings made while parsing one document, keyed by their
/// bytes in the input. API payloads repeat themselves: every account in a page
/// has the same thirty keys, and many share a reseller, a rate plan or a date.
/// A repeated string then costs a hash and a byte comparison and shares one
/// `String`, instead of a UTF-8 check, an allocation and a later free.
///
/// Two-way set associative with least-recently-used replacement, so that two
/// frequent strings hashing to the same set do not evict each other on every
/// use, and a stream of unique values (ids) only ever displaces the older way.
/// Bounded whatever the input: at most `maxSets * 2` strings of at most
/// `maxLength` bytes; strings with escapes are not cached.
struct StringCache {
    static let maxLength = 48
    static let maxSets = 1024

    /// A cached string and where its bytes first occurred in the input.
    struct Entry {
        var start: Int
        var count: Int
        var string: String
    }

    /// `sets * 2` entries; way 0 of a set is the more recently used.
    let entries: UnsafeMutablePointer<Entry>
    let mask: Int

    /// Off for documents under `minDocumentSize`: too few strings to repeat
    /// for the cache to pay for itself.
    let enabled: Bool
    static let minDocumentSize = 16 * 1024

    init(documentSize: Int) {
        enabled = documentSize >= StringCache.minDocumentSize
        // About one entry per 128 bytes of input: a power of two in 8...maxSets sets.
        var n = 8
        while n < StringCache.maxSets && n * 256 < documentSize { n <<= 1 }
        if !enabled { n = 0 }
        mask = n - 1
        entries = .allocate(capacity: 2 * n)
        entries.initialize(repeating: Entry(start: 0, count: -1, string: ""), count: 2 * n)
    }

    func release() {
        entries.deinitialize(count: 2 * (mask + 1))
        entries.deallocate()
    }

    /// The set for `count` bytes at `start`: a multiplicative hash over 8-byte words.
    @inline(__always) func set(_ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int, bufferCount: Int) -> Int {
        let m: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: count) &* m
        let raw = UnsafeRawPointer(base + start)
        if count >= 8 {
            var k = 0
            while k + 8 <= count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* m
                k += 8
            }
            if k < count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* m
            }
        } else if count > 0 {
            h = (h ^ StringCache.short(base, start, count, bufferCount: bufferCount)) &* m
        }
        return Int(truncatingIfNeeded: h >> 40) & mask
    }

    /// The `count` (< 8) bytes at `start` as the low bytes of a word.
    @inline(__always) static func short(_ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int, bufferCount: Int) -> UInt64 {
        if start + 8 <= bufferCount {
            let w = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
            return w & (UInt64.max >> (64 - 8 * UInt64(count)))
        }
        var w: UInt64 = 0
        for k in 0..<count { w |= UInt64(base[start + k]) << (8 * UInt64(k)) }
        return w
    }

    /// Whether the `count` bytes at `a` and at `b` are equal.
    @inline(__always) static func same(_ base: UnsafePointer<UInt8>, _ a: Int, _ b: Int, _ count: Int, bufferCount: Int) -> Bool {
        if a == b { return true }
        if count < 8 {
            return short(base, a, count, bufferCount: bufferCount) == short(base, b, count, bufferCount: bufferCount)
        }
        let pa = UnsafeRawPointer(base + a), pb = UnsafeRawPointer(base + b)
        var k = 0
        while k + 8 <= count {
            if pa.loadUnaligned(fromByteOffset: k, as: UInt64.self) != pb.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        return k == count
            || pa.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == pb.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// The cached string in `set` made from the same bytes, if any; a hit in
    /// the older way makes it the newer.
    @inline(__always) func hit(_ set: Int, _ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int, bufferCount: Int) -> String? {
        let e = entries + 2 * set
        if e.pointee.count == count && StringCache.same(base, e.pointee.start, start, count, bufferCount: bufferCount) {
            return e.pointee.string
        }
        let o = e + 1
        if o.pointee.count == count && StringCache.same(base, o.pointee.start, start, count, bufferCount: bufferCount) {
            swap(&e.pointee, &o.pointee)
            return e.pointee.string
        }
        return nil
    }

    /// Caches `s` as the newer way of `set`, dropping the older.
    @inline(__always) func store(_ set: Int, start: Int, count: Int, _ s: String) {
        let e = entries + 2 * set
        (e + 1).pointee = Entry(start: start, count: count, string: s)
        swap(&e.pointee, &(e + 1).pointee)
    }
}

private let pow10: [Double] = (0...22).map { e in
    var v = 1.0
    for _ in 0..<e { v *= 10 }
    return v
}

func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}

/// `bytes` as a String when they are valid UTF-8, else nil.
///
/// `String(validating:as:)` is generic: unspecialised, it instantiated type
/// metadata on every call, about 5 % of a run's CPU (perf, issue 24) for the
/// strings of a non-ASCII answer. `String(decoding:as:)` on a buffer of bytes
/// takes the standard library's fast UTF-8 path and repairs what is invalid
/// (each bad sequence becomes U+FFFD), so the input was valid exactly when
/// the result holds the same bytes.
@inline(__always)
func validUTF8String(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    var s = String(decoding: bytes, as: UTF8.self)
    let same = s.withUTF8 { u in
        guard u.count == bytes.count else { return false }
        guard let a = u.baseAddress, let b = bytes.baseAddress else { return true }
        return memcmp(a, b, u.count) == 0
    }
    return same ? s : nil
}
