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
    /// `member` of each of `keys`, in their order, into `out` (its storage
    /// kept from one object to the next): for a view, one pass over the
    /// members for all of them.
    func lookUp(_ keys: JSONKeys, into out: inout [Self?])
    /// The element at `index` of an array (nil when out of range or not an array).
    func element(_ index: Int) -> Self?
    /// Calls `body` with each element of an array in order until it returns
    /// false; nothing for anything else. (Unlike `elementValues`, a view
    /// steps over the elements not reached.)
    func forEachElement(_ body: (Self) throws -> Bool) rethrows
    /// Calls `body` with each member of an object in document order (duplicates
    /// included) until it returns false; nothing for anything else.
    func forEachMember(_ body: (String, Self) throws -> Bool) rethrows
    /// The string's UTF-8 bytes, lent to `body` (nil when this is no
    /// string): a view lends them from its tape, without making a `String`.
    func withStringUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R?
    /// `forEachMember` with each key's UTF-8 bytes lent, not made into a `String`.
    func forEachMemberUTF8(_ body: (UnsafeBufferPointer<UInt8>, Self) throws -> Bool) rethrows
    /// The value as the tree.
    func materialize() -> JSON
}

extension JSONReading {
    /// Calls `body` with each element of an array and its position, in order
    /// (nothing for anything else): without an array of them made first.
    @inlinable public func enumerateElements(_ body: (Int, Self) throws -> Void) rethrows {
        var i = 0
        try forEachElement { e in
            try body(i, e)
            i += 1
            return true
        }
    }

    /// Whether an element of an array satisfies `predicate` (false for anything else).
    @inlinable public func containsElement(where predicate: (Self) throws -> Bool) rethrows -> Bool {
        var found = false
        try forEachElement { e in
            found = try predicate(e)
            return !found
        }
        return found
    }

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
    @inlinable public func lookUp(_ keys: JSONKeys, into out: inout [JSON?]) {
        out.removeAll(keepingCapacity: true)
        for k in keys.names { out.append(self[k]) }
    }
    @inlinable public func element(_ index: Int) -> JSON? { self[index] }
    public func forEachElement(_ body: (JSON) throws -> Bool) rethrows {
        guard case .array(let a) = self else { return }
        for e in a where try !body(e) { return }
    }
    public func forEachMember(_ body: (String, JSON) throws -> Bool) rethrows {
        guard case .object(let o) = self else { return }
        for m in o.members where try !body(m.key, m.value) { return }
    }
    public func withStringUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard case .string(var s) = self else { return nil }
        return try s.withUTF8(body)
    }
    public func forEachMemberUTF8(_ body: (UnsafeBufferPointer<UInt8>, JSON) throws -> Bool) rethrows {
        guard case .object(let o) = self else { return }
        for m in o.members {
            var key = m.key
            if try !key.withUTF8({ try body($0, m.value) }) { return }
        }
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
        var key = key
        let found = key.withUTF8 { k -> Int? in
            // Not plain: compared as `String`s, below.
            guard JSONView.isPlain(k) else { return nil }
            var found = -1
            var at = index + 2
            for _ in 0..<count {
                if keyEquals(at, k) { found = at + 2 }
                at = self.at(at + 2).end
            }
            return found
        }
        guard let found else {
            var last: JSONView?
            for m in members where m.key.stringValue == key { last = m.value }
            return last
        }
        return found < 0 ? nil : self.at(found)
    }

    /// Whether the key string at `at` is `k`, byte for byte: its length (a
    /// field of its second word) first, then a short key (most are) byte by
    /// byte, without a call.
    @inline(__always) func keyEquals(_ at: Int, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
        let second = words[at + 1]
        let n = Int(second & ~TapeTag.side)
        guard n == k.count else { return false }
        guard n > 0, let base = second & TapeTag.side == 0 ? input : side else { return n == 0 }
        let bytes = base + Int(words[at] & TapeTag.payload)
        guard n <= 16 else { return memcmp(bytes, k.baseAddress!, n) == 0 }
        var i = 0
        while i < n, bytes[i] == k[i] { i += 1 }
        return i == n
    }

    public func lookUp(_ keys: JSONKeys, into out: inout [JSONView?]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(nil, count: keys.names.count))
        guard kind == .object else { return }
        // A key that is not plain (see `member`) is looked up alone, as `String`s.
        for i in keys.names.indices where keys.spans[i].count < 0 { out[i] = member(keys.names[i]) }
        guard keys.lengths != 0 else { return }
        keys.flat.withUnsafeBufferPointer { flat in
            keys.spans.withUnsafeBufferPointer { spans in
                var at = index + 2
                for _ in 0..<count {
                    // Only a member whose key has the length of a wanted key is compared.
                    let n = Int(words[at + 1] & ~TapeTag.side)
                    if keys.lengths & JSONKeys.bit(n) != 0 {
                        for i in spans.indices where spans[i].count == n {
                            // The last of the name wins, as in `member`.
                            if keyEquals(at, UnsafeBufferPointer(rebasing: flat[spans[i].start..<spans[i].start + n])) {
                                out[i] = self.at(at + 2)
                            }
                        }
                    }
                    at = self.at(at + 2).end
                }
            }
        }
    }

    /// ASCII without `K`, `;` or a backquote: a string `==` to it is it, byte for byte.
    static func isPlain(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in key where b >= 0x80 || b == UInt8(ascii: "K") || b == UInt8(ascii: ";") || b == UInt8(ascii: "`") { return false }
        return true
    }

    public var elementCount: Int? { kind == .array ? count : nil }

    public func element(_ index: Int) -> JSONView? { self[index] }

    public func forEachElement(_ body: (JSONView) throws -> Bool) rethrows {
        for e in elements where try !body(e) { return }
    }

    public func forEachMember(_ body: (String, JSONView) throws -> Bool) rethrows {
        for m in members where try !body(m.key.stringValue ?? "", m.value) { return }
    }

    @inlinable public func withStringUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try withUTF8(body)
    }

    public func forEachMemberUTF8(_ body: (UnsafeBufferPointer<UInt8>, JSONView) throws -> Bool) rethrows {
        for m in members where try !(m.key.withUTF8 { try body($0, m.value) } ?? true) { return }
    }
}

/// Keys to look up together (`JSONReading.lookUp`), made once for many objects.
public struct JSONKeys: Sendable {
    public let names: [String]
    /// The plain keys' bytes, end to end (see `JSONView.isPlain`).
    let flat: [UInt8]
    /// Where each name's bytes are in `flat`; count -1 for a key that is not plain.
    let spans: [(start: Int, count: Int)]
    /// Bit n set when a plain key has n bytes (bit 63: 63 or more): a member
    /// whose key has a length no plain key has is stepped over uncompared.
    let lengths: UInt64

    public init(_ names: [String]) {
        self.names = names
        var flat: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        var lengths: UInt64 = 0
        for name in names {
            var name = name
            if name.withUTF8(JSONView.isPlain) {
                spans.append((flat.count, name.utf8.count))
                flat.append(contentsOf: name.utf8)
                lengths |= JSONKeys.bit(name.utf8.count)
            } else {
                spans.append((0, -1))
            }
        }
        self.flat = flat
        self.spans = spans
        self.lengths = lengths
    }

    /// A length's bit in a mask of lengths (bit 63: 63 or more), for
    /// stepping over keys no wanted one can equal (here and in `JSONWriter`'s masks).
    @inline(__always) static func bit(_ length: Int) -> UInt64 { 1 << UInt64(Swift.min(length, 63)) }
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
