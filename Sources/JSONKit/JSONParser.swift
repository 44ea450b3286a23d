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
        return path.isEmpty ? "\(message) (\(at))" : "\(keyPath): \(message) (\(at))"
    }
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

private struct Failure: Error {
    var message: String
    var offset: Int
    var path: [JSONPathSegment] = []
}

private struct Parser {
    let buf: UnsafeBufferPointer<UInt8>
    let json5: Bool
    let maxDepth: Int
    var i = 0
    var depth = 0
    /// True when the whole input is ASCII: strings need no UTF-8 validation.
    let ascii: Bool

    init(buf: UnsafeBufferPointer<UInt8>, json5: Bool, maxDepth: Int) {
        self.buf = buf
        self.json5 = json5
        self.maxDepth = maxDepth
        var hi: UInt8 = 0
        for b in buf { hi |= b }
        ascii = hi < 0x80
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
        members.reserveCapacity(16)
        while true {
            guard i < buf.count else { throw Failure(message: "unterminated object, expected '}'", offset: i) }
            let key: String
            let b = buf[i]
            if b == 0x22 {
                key = try parseString(quote: 0x22)
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
            members.append(JSONObject.Member(key: key, value: value))
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
        depth -= 1
        return .array(values)
    }

    // MARK: strings

    mutating func parseString(quote: UInt8) throws(Failure) -> String {
        let open = i
        i += 1
        let start = i
        // Fast path: skip 8 bytes at a time while none is a quote, a backslash or a control character.
        if quote == 0x22, let base = buf.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= buf.count {
                let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let q = x ^ (ones &* 0x22)
                let b = x ^ (ones &* 0x5C)
                let hit = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((x &- ones &* 0x20) & ~x)
                if hit & highs != 0 { break }
                i += 8
            }
        }
        while i < buf.count {
            let b = buf[i]
            if b == quote {
                let s = try makeString(start, i, open: open)
                i += 1
                return s
            }
            if b == 0x5C { break }
            if b < 0x20 {
                throw Failure(message: "control character in string (escape it as \\u00\(hex2(b)))", offset: i)
            }
            i += 1
        }
        guard i < buf.count else { throw Failure(message: "unterminated string", offset: open) }
        // Slow path: escapes.
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

    @inline(__always) func makeString(_ start: Int, _ end: Int, open: Int) throws(Failure) -> String {
        let slice = UnsafeBufferPointer(rebasing: buf[start..<end])
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw Failure(message: "string is not valid UTF-8", offset: open)
        }
        return s
    }

    func validated(_ bytes: [UInt8], open: Int) throws(Failure) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
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

private let pow10: [Double] = (0...22).map { e in
    var v = 1.0
    for _ in 0..<e { v *= 10 }
    return v
}

func hexByte(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}
