import Foundation

/// A JSON value. Objects keep their members in document order, which is what
/// lets findings be reported "in the order they occur in the document".
///
/// Equality follows JSON Schema's notion of equal instances: numbers compare by
/// value (`1 == 1.0`), objects compare regardless of member order.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var numberValue: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// Member of an object by key (nil for non-objects or missing keys).
    public subscript(key: String) -> JSON? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    /// Element of an array by index (nil when out of range or not an array).
    public subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

/// An ordered JSON object. Lookup is linear from the end (the last duplicate
/// key wins, as in JavaScript); objects in API payloads are small.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSON
        public init(key: String, value: JSON) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() { members = [] }
    public init(_ members: [Member]) { self.members = members }
    public init(_ pairs: KeyValuePairs<String, JSON>) {
        members = pairs.map { Member(key: $0.key, value: $0.value) }
    }
    public init(pairs: [(String, JSON)]) {
        members = pairs.map { Member(key: $0.0, value: $0.1) }
    }

    public var startIndex: Int { members.startIndex }
    public var endIndex: Int { members.endIndex }
    public subscript(position: Int) -> Member { members[position] }

    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSON? {
        get {
            // A plain key (ASCII without `K`, `;` or a backquote: the keys the
            // suite looks up) passes over the members of another length on
            // their UTF-8 counts, a field of the string, instead of a call
            // into `String ==` for each: an account has thirty members, and
            // presence, invariants and the coverage look several up in every
            // item of a page (perf, issue 24). `==` is canonical equivalence,
            // which this keeps: the only characters that decompose to ASCII
            // are ASCII and three that decompose to `K`, `;` and a backquote
            // (KELVIN SIGN, GREEK QUESTION MARK, GREEK VARIA), so a string
            // equal to a plain key is that key, byte for byte.
            var plain = true
            for b in key.utf8 where b >= 0x80 || b == UInt8(ascii: "K") || b == UInt8(ascii: ";") || b == UInt8(ascii: "`") {
                plain = false
                break
            }
            if plain {
                let n = key.utf8.count
                return members.withUnsafeBufferPointer { buf in
                    var i = buf.count - 1
                    while i >= 0 {
                        if buf[i].key.utf8.count == n, buf[i].key == key { return buf[i].value }
                        i -= 1
                    }
                    return nil
                }
            }
            var i = members.count - 1
            while i >= 0 {
                if members[i].key == key { return members[i].value }
                i -= 1
            }
            return nil
        }
        set {
            if let i = members.lastIndex(where: { $0.key == key }) {
                if let newValue {
                    members[i].value = newValue
                } else {
                    members.remove(at: i)
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    public func contains(key: String) -> Bool { self[key] != nil }

    /// Appends without looking for an existing key (used by the parser).
    public mutating func append(key: String, value: JSON) {
        members.append(Member(key: key, value: value))
    }

    public mutating func reserveCapacity(_ n: Int) { members.reserveCapacity(n) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let l = lhs.deduplicated, r = rhs.deduplicated
        guard l.count == r.count else { return false }
        for m in l.members {
            guard let other = r[m.key], other == m.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine member hashes commutatively.
        var acc = 0
        for m in deduplicated.members {
            var h = Hasher()
            h.combine(m.key)
            h.combine(m.value)
            acc = acc &+ h.finalize()
        }
        hasher.combine(acc)
    }

    /// The object with only the last occurrence of each key, in order of that occurrence.
    var deduplicated: JSONObject {
        if members.count < 2 { return self }
        var seen = Set<String>()
        var out: [Member] = []
        for m in members.reversed() where seen.insert(m.key).inserted {
            out.append(m)
        }
        if out.count == members.count { return self }
        return JSONObject(out.reversed())
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(JSONObject(pairs: elements))
    }
}
