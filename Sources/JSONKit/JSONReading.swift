#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the checks read of a JSON value: the same questions asked of the
/// tree (`JSON`) or of a tape (`JSONView`), so that one generic check serves
/// both. The runner judges answers on their tapes, without making the tree
/// (perf, issue 24); a caller that has a tree passes the tree.
///
/// The answers are the tree's, for both: a member is the last of its name,
/// found by `String ==` (canonical equivalence: `"é"` finds `"e\u{301}"`);
/// `materialize()` is the value as `JSONParser.parse` would give it.
/// `JSONReadingTests` holds the view to the tree on every value of many documents.
public protocol JSONReading {
    var isNull: Bool { get }
    var boolValue: Bool? { get }
    var numberValue: Double? { get }
    /// The string, made now for a view (nil when this is no string).
    var stringValue: String? { get }
    var isString: Bool { get }
    var isArray: Bool { get }
    var isObject: Bool { get }
    /// The elements of an array, in order (nil for anything else).
    var elementValues: [Self]? { get }
    /// How many elements an array has (nil for anything else).
    var elementCount: Int? { get }
    /// The member named `key`: the last of that name (nil for a missing key or anything but an object).
    func member(_ key: String) -> Self?
    /// The element at `index` of an array (nil when out of range or not an array).
    func element(_ index: Int) -> Self?
    /// Calls `body` with each member of an object in document order (duplicates
    /// included) until it returns false; nothing for anything else.
    func forEachMember(_ body: (String, Self) throws -> Bool) rethrows
    /// The value as the tree.
    func materialize() -> JSON
}

extension JSONReading {
    /// The JSON Schema type name of this value ("integer" is reported for
    /// numbers with no fractional part only by `isInteger`).
    @inlinable public var typeName: String {
        if isNull { return "null" }
        if boolValue != nil { return "boolean" }
        if numberValue != nil { return "number" }
        if isString { return "string" }
        return isArray ? "array" : "object"
    }

    /// The value as an `Int` when it is a number with no fractional part that fits.
    @inlinable public var intValue: Int? {
        guard let n = numberValue, n.rounded(.towardZero) == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    /// A number with no fractional part.
    @inlinable public var isInteger: Bool {
        guard let n = numberValue else { return false }
        return n.isFinite && n.rounded(.towardZero) == n
    }
}

extension JSON: JSONReading {
    public var isString: Bool { if case .string = self { return true } else { return false } }
    public var isArray: Bool { if case .array = self { return true } else { return false } }
    public var isObject: Bool { if case .object = self { return true } else { return false } }
    @inlinable public var elementValues: [JSON]? { arrayValue }
    @inlinable public var elementCount: Int? { arrayValue?.count }
    @inlinable public func member(_ key: String) -> JSON? { self[key] }
    @inlinable public func element(_ index: Int) -> JSON? { self[index] }
    public func forEachMember(_ body: (String, JSON) throws -> Bool) rethrows {
        guard case .object(let o) = self else { return }
        for m in o.members where try !body(m.key, m.value) { return }
    }
    @inlinable public func materialize() -> JSON { self }
}

extension JSONView: JSONReading {
    public var isString: Bool { kind == .string }
    public var isArray: Bool { kind == .array }
    public var isObject: Bool { kind == .object }

    public var elementValues: [JSONView]? {
        guard kind == .array else { return nil }
        var out: [JSONView] = []
        out.reserveCapacity(count)
        for e in elements { out.append(e) }
        return out
    }

    /// The member named `key`, the last of that name. A plain key (ASCII
    /// without `K`, `;` or a backquote) is compared byte for byte, as
    /// `JSONObject`'s lookup does: a string `==` to it is it, byte for byte.
    /// Any other is compared as `String`s, for the tree's canonical equivalence.
    public func member(_ key: String) -> JSONView? {
        guard kind == .object else { return nil }
        var plain = true
        for b in key.utf8 where b >= 0x80 || b == UInt8(ascii: "K") || b == UInt8(ascii: ";") || b == UInt8(ascii: "`") {
            plain = false
            break
        }
        guard plain else {
            var found: JSONView?
            for m in members where m.key.stringValue == key { found = m.value }
            return found
        }
        // Byte for byte, each key's length (a field of its second word) first:
        // an account has thirty members, and the checks look several up in
        // every item of a page.
        var key = key
        return key.withUTF8 { k -> JSONView? in
            var found = -1
            var at = index + 2
            for _ in 0..<count {
                let second = words[at + 1]
                let n = Int(second & ~TapeTag.side)
                if n == k.count, let base = (second & TapeTag.side == 0 ? input : side) {
                    let bytes = base + Int(words[at] & TapeTag.payload)
                    if n <= 16 {
                        // A short key (most are) byte by byte: no call.
                        var i = 0
                        while i < n, bytes[i] == k[i] { i += 1 }
                        if i == n { found = at + 2 }
                    } else if memcmp(bytes, k.baseAddress!, n) == 0 {
                        found = at + 2
                    }
                } else if n == 0, k.count == 0 {
                    found = at + 2  // "" (no buffer may be behind an empty key)
                }
                at = self.at(at + 2).end
            }
            return found < 0 ? nil : self.at(found)
        }
    }

    public var elementCount: Int? { kind == .array ? count : nil }

    public func element(_ index: Int) -> JSONView? { self[index] }

    public func forEachMember(_ body: (String, JSONView) throws -> Bool) rethrows {
        for m in members where try !body(m.key.stringValue ?? "", m.value) { return }
    }
}

extension JSONPointer {
    /// The value this pointer names in `document`, read from a tree or a tape alike.
    @inlinable public func resolve<V: JSONReading>(in document: V) -> V? {
        var cur = document
        for t in tokens {
            if cur.isObject {
                guard let v = cur.member(t) else { return nil }
                cur = v
            } else if cur.isArray {
                guard let idx = JSONPointer.arrayIndex(t), let v = cur.element(idx) else { return nil }
                cur = v
            } else {
                return nil
            }
        }
        return cur
    }
}
