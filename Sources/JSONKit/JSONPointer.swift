/// An RFC 6901 JSON Pointer: `""` is the whole document, `/a/0/b~1c` is
/// member "a", element 0, member "b/c".
public struct JSONPointer: Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var tokens: [String]

    public init(tokens: [String] = []) { self.tokens = tokens }

    public static let root = JSONPointer()

    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var pointer: String
        public var message: String
        public var description: String { "invalid JSON pointer '\(pointer)': \(message)" }
    }

    /// Parses the string form; also accepts the URI-fragment form `#/a/b`.
    public init(parsing text: String) throws(SyntaxError) {
        // The usual pointer ("/a/b", no '~', not a fragment): split over the
        // UTF-8 bytes ('/' is one byte and never inside another character's).
        // `split` by Character was 1 % of a 25,000-case load, which names a
        // pointer in every assertion.
        if text.utf8.first == UInt8(ascii: "/"), !text.utf8.contains(UInt8(ascii: "~")) {
            var copy = text
            tokens = copy.withUTF8 { b in
                var out: [String] = []
                var start = 1
                for i in 1..<b.count where b[i] == UInt8(ascii: "/") {
                    out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
                    start = i + 1
                }
                out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<b.count]), as: UTF8.self))
                return out
            }
            return
        }
        var s = Substring(text)
        if s.hasPrefix("#") {
            s = s.dropFirst()
            guard let decoded = String(s).removingPercentEncodingPortable() else {
                throw SyntaxError(pointer: text, message: "bad percent-encoding")
            }
            s = Substring(decoded)
        }
        if s.isEmpty {
            tokens = []
            return
        }
        guard s.hasPrefix("/") else { throw SyntaxError(pointer: text, message: "must be empty or start with '/'") }
        var out: [String] = []
        for raw in s.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            // No escape (the usual token): the text as it is, not rebuilt a Character at a time.
            if !raw.utf8.contains(UInt8(ascii: "~")) {
                out.append(String(raw))
                continue
            }
            var t = ""
            var it = raw.makeIterator()
            while let c = it.next() {
                if c == "~" {
                    switch it.next() {
                    case "0": t.append("~")
                    case "1": t.append("/")
                    default: throw SyntaxError(pointer: text, message: "'~' must be followed by 0 or 1")
                    }
                } else {
                    t.append(c)
                }
            }
            out.append(t)
        }
        tokens = out
    }

    public init(stringLiteral value: String) {
        do {
            try self.init(parsing: value)
        } catch {
            preconditionFailure(error.description)
        }
    }

    public var description: String {
        var out = ""
        for t in tokens {
            out += "/"
            out += JSONPointer.escape(t)
        }
        return out
    }

    public static func escape(_ token: String) -> String {
        // Byte tests: `String.contains(String)` goes through Foundation's
        // range(of:), which was 2 % of the client's CPU (pointers are
        // described for every item a check walks).
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences("~", "~0").replacingOccurrences("/", "~1")
    }

    public func appending(_ token: String) -> JSONPointer {
        var p = self
        p.tokens.append(token)
        return p
    }

    public func appending(_ index: Int) -> JSONPointer { appending(String(index)) }

    public var parent: JSONPointer? {
        tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    public static func < (a: JSONPointer, b: JSONPointer) -> Bool {
        a.tokens.lexicographicallyPrecedes(b.tokens)
    }

    /// The value this pointer designates in `document`, or nil.
    public func resolve(in document: JSON) -> JSON? {
        var cur = document
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let v = o[t] else { return nil }
                cur = v
            case .array(let a):
                guard let idx = JSONPointer.arrayIndex(t), idx < a.count else { return nil }
                cur = a[idx]
            default:
                return nil
            }
        }
        return cur
    }

    /// A strict array index: digits only, no leading zeros.
    @usableFromInline static func arrayIndex(_ t: String) -> Int? {
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if t.count > 1 && t.hasPrefix("0") { return nil }
        return Int(t)
    }
}

extension String {
    /// Every occurrence of `target`'s UTF-8 bytes replaced by `replacement`
    /// (without Foundation; by bytes, so that a secret is found exactly as it
    /// would be printed, whatever characters surround it).
    public func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty, containsText(target) else { return self }
        let hay = Array(utf8), pin = Array(target.utf8), with = Array(replacement.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(hay.count)
        var i = 0
        while i < hay.count {
            if i + pin.count <= hay.count, hay[i] == pin[0], hay[i..<(i + pin.count)].elementsEqual(pin) {
                out += with
                i += pin.count
            } else {
                out.append(hay[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `needle`'s UTF-8 bytes occur in this string's: a plain substring
    /// test without Foundation (whose `contains` on Linux goes through NSString
    /// and ICU, a hundred times slower on the simulator's filter).
    public func containsText(_ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var hay = self, pin = needle
        return hay.withUTF8 { h in
            pin.withUTF8 { n in
                guard n.count <= h.count, let first = n.first else { return false }
                var i = 0
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first {
                        var k = 1
                        while k < n.count && h[i + k] == n[k] { k += 1 }
                        if k == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// Percent-decoding without Foundation; nil on malformed escapes or bad UTF-8.
    public func removingPercentEncodingPortable() -> String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var it = Array(utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard let h = it.popFirst(), let l = it.popFirst(), let hv = hexNibble(h), let lv = hexNibble(l)
                else { return nil }
                bytes.append(hv << 4 | lv)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 87
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - 55
    default: return nil
    }
}
