import JSONKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The compiled form the evaluator runs on: nodes and keywords as plain,
// trivially copyable records in contiguous arrays (no reference counting on
// the hot path), with strings, JSON values and regular expressions in side
// tables that only the keywords needing them touch.

struct FNode {
    var first: Int32  // first keyword
    var count: Int32
    var resource: Int32
    /// For a schema that is nothing but a `$ref`, the node the chain of such refs ends at (else itself).
    var collapsed: Int32
    /// Index in `members` of the schema's properties/patternProperties/additionalProperties, or -1.
    var members: Int32
    /// The `unevaluatedProperties` child, or -1.
    var unevaluatedProperties: Int32
    var flags: UInt8
    /// For a leaf that `assertsTypeAndFormat`: the `TypeMask` of the types
    /// allowed (all without a `type`) and the format, if any.
    var types: UInt8 = 0x7F
    var format: FormatKind? = nil

    static let isFalse: UInt8 = 1
    static let hasUnevaluated: UInt8 = 2
    static let declaresProperties: UInt8 = 4
    /// Has in-place applicators (allOf, anyOf, oneOf, if, $ref, $dynamicRef, dependentSchemas).
    static let hasInPlace: UInt8 = 8
    /// Has keywords applying to array items.
    static let hasItems: UInt8 = 16
    /// Has only assertions (see `OpCode.isAssertion`): the fast evaluator checks
    /// it without entering it.
    static let isLeaf: UInt8 = 32
    /// At an object or array, this schema alone says which members are
    /// described: no in-place applicators, `patternProperties`, `contains` or
    /// `unevaluated*`, and no `properties` that describes nothing (`{}`) (see
    /// `Evaluator.allDescribed`).
    static let describesPlainly: UInt8 = 64
    /// A leaf with at most one `type` and one `format` (the usual property
    /// schema), summarised in `types` and `format`.
    static let assertsTypeAndFormat: UInt8 = 128
}

enum OpCode: UInt8 {
    case falseSchema, type, enumeration, constant, multipleOf, maximum, exclusiveMaximum, minimum, exclusiveMinimum
    case maxLength, minLength, pattern, format, maxItems, minItems, uniqueItems, contains, maxProperties, minProperties
    case required, dependentRequired, members, propertyNames, dependentSchemas, prefixItems, items
    case allOf, anyOf, oneOf, not, conditional, ref, dynamicRef, unevaluatedProperties, unevaluatedItems

    /// A keyword that only asserts something of the instance (`Evaluator.holds` decides it).
    var isAssertion: Bool {
        switch self {
        case .falseSchema, .type, .enumeration, .constant, .multipleOf, .maximum, .exclusiveMaximum, .minimum,
            .exclusiveMinimum, .maxLength, .minLength, .pattern, .format, .maxItems, .minItems, .uniqueItems,
            .maxProperties, .minProperties, .required:
            return true
        default:
            return false
        }
    }
}

/// One keyword. The meaning of `a`, `b`, `c`, `x` depends on `op` (see `Program.init`).
struct FKeyword {
    var op: OpCode
    var a: Int32 = -1
    var b: Int32 = -1
    var c: Int32 = -1
    var x: Double = 0
}

/// A string stored as UTF-8 in `Program.bytes`.
struct NameRef {
    var offset: Int32
    var length: Int32
}

/// `properties` / `patternProperties` / `additionalProperties` of one schema.
struct FMembers {
    var slotStart: Int32
    var slotMask: Int32  // table size - 1; -1 when there are no properties
    var patternStart: Int32
    var patternCount: Int32
    var additional: Int32  // -1: none
}

/// A string stored in `Program.bytes`, with the words `Tables.words` computes for it.
struct ShortKey {
    var w0: UInt64
    var w1: UInt64
    var offset: Int32
    var length: Int32

    static let empty = ShortKey(w0: 0, w1: 0, offset: 0, length: 0)
}

/// An open-addressing hash table slot for property names.
struct PropSlot {
    var name: ShortKey
    var hash: UInt32
    var child: Int32  // -1: empty
}

struct FPattern {
    var regex: Int32
    var child: Int32
}

/// Unsafe views of a program's tables, valid inside `Program.withTables`.
struct Tables {
    let nodes: UnsafeBufferPointer<FNode>
    let keywords: UnsafeBufferPointer<FKeyword>
    let lists: UnsafeBufferPointer<Int32>
    let members: UnsafeBufferPointer<FMembers>
    let slots: UnsafeBufferPointer<PropSlot>
    let patterns: UnsafeBufferPointer<FPattern>
    let nameRefs: UnsafeBufferPointer<NameRef>
    let keys: UnsafeBufferPointer<ShortKey>
    let bytes: UnsafeBufferPointer<UInt8>

    /// Two words summarising a byte string: for up to 16 bytes they determine
    /// it (with its length); longer strings also need a full comparison.
    ///
    /// A short key is usually a small string, which `withContiguousStorageIfAvailable`
    /// copies to the stack as two 8-byte words: no load here straddles them
    /// (such a load could not be forwarded from the pending stores and stalls).
    @inline(__always) static func words(_ p: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let n = p.count
        guard n > 0, let base = p.baseAddress else { return (0, 0) }
        let r = UnsafeRawPointer(base)
        if n >= 16 {
            return (r.loadUnaligned(as: UInt64.self), r.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        }
        if n >= 8 { return (r.loadUnaligned(as: UInt64.self), word(r + 8, n - 8)) }
        return (word(r, n), 0)
    }

    /// Up to 7 bytes at `r` as a word that determines them (given `n`).
    @inline(__always) static func word(_ r: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 4 {
            return UInt64(r.loadUnaligned(as: UInt32.self))
                | UInt64(r.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
        }
        if n == 0 { return 0 }
        let a = UInt64(r.load(as: UInt8.self))
        let b = UInt64(r.load(fromByteOffset: n / 2, as: UInt8.self))
        let c = UInt64(r.load(fromByteOffset: n - 1, as: UInt8.self))
        return a | b << 8 | c << 16
    }

    @inline(__always) static func hash(_ w: (UInt64, UInt64), _ n: Int) -> UInt32 {
        var h = (w.0 ^ (w.1 << 29 | w.1 >> 35) ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    /// Whether the bytes of `name` equal `p` (whose words are `w`).
    @inline(__always) static func equals(
        _ name: ShortKey, _ p: UnsafeBufferPointer<UInt8>, _ w: (UInt64, UInt64), _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard Int(name.length) == p.count, name.w0 == w.0, name.w1 == w.1 else { return false }
        if p.count <= 16 { return true }
        return memcmp(bytes.baseAddress! + Int(name.offset), p.baseAddress!, p.count) == 0
    }

    /// Whether the bytes of `name` equal `p`.
    @inline(__always) func equals(_ name: NameRef, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(name.length) == p.count else { return false }
        if p.count == 0 { return true }
        return memcmp(bytes.baseAddress! + Int(name.offset), p.baseAddress!, p.count) == 0
    }

    /// The child schema `properties` assigns to `key`, or -1. (Static, with just
    /// the buffers it needs, so that calls do not copy the whole `Tables`.)
    @inline(__always) static func property(
        _ m: FMembers, _ key: String, _ slots: UnsafeBufferPointer<PropSlot>, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        if m.slotMask < 0 { return -1 }
        if let r = key.utf8.withContiguousStorageIfAvailable({ lookup(m, $0, slots, bytes) }) { return r }
        return Array(key.utf8).withUnsafeBufferPointer { lookup(m, $0, slots, bytes) }
    }

    @inline(__always) static func lookup(
        _ m: FMembers, _ p: UnsafeBufferPointer<UInt8>, _ slots: UnsafeBufferPointer<PropSlot>,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        if m.slotMask < 0 { return -1 }
        let w = Tables.words(p)
        let h = Tables.hash(w, p.count)
        let mask = Int(m.slotMask)
        var i = Int(h) & mask
        while true {
            let s = slots[Int(m.slotStart) + i]
            if s.child < 0 { return -1 }
            if s.hash == h && equals(s.name, p, w, bytes) { return s.child }
            i = (i + 1) & mask
        }
    }

    /// Whether `s` is one of `names` (exactly, by code points).
    @inline(__always) static func isOneOf(
        _ s: String, _ names: UnsafeBufferPointer<ShortKey>.SubSequence, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        func find(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
            let w = Tables.words(p)
            for n in names where equals(n, p, w, bytes) { return true }
            return false
        }
        if let r = s.utf8.withContiguousStorageIfAvailable(find) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(find)
    }

    @inline(__always) func property(_ m: FMembers, _ key: String) -> Int32 { Tables.property(m, key, slots, bytes) }

    /// Whether `s` equals the stored string `name` exactly (by code points).
    @inline(__always) func equals(_ name: NameRef, _ s: String) -> Bool {
        if Int(name.length) != s.utf8.count { return false }
        if let r = s.utf8.withContiguousStorageIfAvailable({ equals(name, $0) }) { return r }
        return Array(s.utf8).withUnsafeBufferPointer { equals(name, $0) }
    }

    /// Whether object `o` has a member named exactly `name`.
    @inline(__always) func has(_ o: JSONObject, _ name: NameRef) -> Bool {
        for m in o.members where equals(name, m.key) { return true }
        return false
    }

    func string(_ name: NameRef) -> String {
        String(
            decoding: UnsafeBufferPointer(rebasing: bytes[Int(name.offset)..<Int(name.offset + name.length)]),
            as: UTF8.self)
    }
}

/// A compiled schema graph: immutable, shared by all validations.
final class Program: Sendable {
    let nodes: ContiguousArray<FNode>
    let keywords: ContiguousArray<FKeyword>
    let lists: ContiguousArray<Int32>
    let members: ContiguousArray<FMembers>
    let slots: ContiguousArray<PropSlot>
    let patterns: ContiguousArray<FPattern>
    let nameRefs: ContiguousArray<NameRef>
    let keys: ContiguousArray<ShortKey>
    let bytes: ContiguousArray<UInt8>

    // Side tables.
    let keywordNames: [String]
    let locations: [String]
    let values: [JSON]
    let regexes: [ECMARegex]
    let dependentRequired: [[Dependency]]
    let dependentSchemas: [[NamedChild]]
    let anchorNames: [String]
    /// Per resource: `$dynamicAnchor` name → node.
    let dynamicAnchors: [[String: Int32]]
    let root: Int32
    /// Whether a `$dynamicRef` may resolve dynamically (then the evaluator tracks the dynamic scope).
    let usesDynamicScope: Bool

    func withTables<R>(_ body: (Tables) -> R) -> R {
        nodes.withUnsafeBufferPointer { n in
            keywords.withUnsafeBufferPointer { k in
                lists.withUnsafeBufferPointer { l in
                    members.withUnsafeBufferPointer { m in
                        slots.withUnsafeBufferPointer { s in
                            patterns.withUnsafeBufferPointer { p in
                                nameRefs.withUnsafeBufferPointer { r in
                                    keys.withUnsafeBufferPointer { ks in
                                        bytes.withUnsafeBufferPointer { b in
                                            body(
                                                Tables(
                                                    nodes: n, keywords: k, lists: l, members: m, slots: s, patterns: p,
                                                    nameRefs: r,
                                                    keys: ks, bytes: b))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Lowers compiler nodes into tables. Keyword operands:
    /// - type: a = mask; maxLength/minLength/maxItems/minItems/maxProperties/minProperties: a = limit
    /// - maximum/minimum/exclusive*/multipleOf: x = limit
    /// - enumeration: a = first value in `values`, b = count, c = first key in `keys` when all are strings
    /// - constant: a = value; pattern: a = regex; format: a = FormatKind
    /// - contains: a = child, b = min, c = max (-1 none)
    /// - required: a = first name in `nameRefs`, b = count
    /// - dependentRequired / dependentSchemas: a = index in the side table
    /// - members: a = index in `members`; propertyNames/not/ref/unevaluated*: a = child
    /// - prefixItems/allOf/anyOf/oneOf: a = first in `lists`, b = count; items: a = child, b = from
    /// - conditional: a = if, b = then, c = else (-1 none); dynamicRef: a = target, b = anchor name (-1 none)
    init(lowering irNodes: [Node], root: Int, dynamicAnchors: [[String: Int]], usesDynamicScope: Bool) {
        var nodes = ContiguousArray<FNode>()
        var keywords = ContiguousArray<FKeyword>()
        var lists = ContiguousArray<Int32>()
        var members = ContiguousArray<FMembers>()
        var slots = ContiguousArray<PropSlot>()
        var patterns = ContiguousArray<FPattern>()
        var nameRefs = ContiguousArray<NameRef>()
        var keys = ContiguousArray<ShortKey>()
        var bytes = ContiguousArray<UInt8>()
        var keywordNames: [String] = []
        var locations: [String] = []
        var values: [JSON] = []
        var regexes: [ECMARegex] = []
        var regexIndex: [String: Int32] = [:]
        var dependentRequired: [[Dependency]] = []
        var dependentSchemas: [[NamedChild]] = []
        var anchorNames: [String] = []
        var interned: [[UInt8]: NameRef] = [:]

        func intern(_ s: String) -> NameRef {
            let u = Array(s.utf8)
            if let r = interned[u] { return r }
            let r = NameRef(offset: Int32(bytes.count), length: Int32(u.count))
            bytes.append(contentsOf: u)
            interned[u] = r
            return r
        }
        func key(_ s: String) -> ShortKey {
            let r = intern(s)
            let w = Array(s.utf8).withUnsafeBufferPointer { Tables.words($0) }
            return ShortKey(w0: w.0, w1: w.1, offset: r.offset, length: r.length)
        }
        func list(_ xs: [Int]) -> Int32 {
            let start = Int32(lists.count)
            lists.append(contentsOf: xs.map(Int32.init))
            return start
        }
        func regex(_ r: ECMARegex) -> Int32 {
            if let i = regexIndex[r.source] { return i }
            let i = Int32(regexes.count)
            regexes.append(r)
            regexIndex[r.source] = i
            return i
        }
        func clamp(_ n: Int) -> Int32 { Int32(min(n, Int(Int32.max))) }

        for node in irNodes {
            var flags: UInt8 = 0
            if node.isFalse { flags |= FNode.isFalse }
            if node.hasUnevaluated { flags |= FNode.hasUnevaluated }
            if node.declaresProperties { flags |= FNode.declaresProperties }
            var plain = !node.hasUnevaluated
            for kw in node.keywords {
                switch kw.op {
                case .allOf, .anyOf, .oneOf, .conditional, .ref, .dynamicRef, .dependentSchemas:
                    flags |= FNode.hasInPlace
                    plain = false
                case .contains:
                    flags |= FNode.hasItems
                    plain = false
                case .prefixItems, .items, .unevaluatedItems: flags |= FNode.hasItems
                case .members(let m) where !m.patterns.isEmpty: plain = false
                default: break
                }
            }
            let hasMembers = node.keywords.contains { if case .members = $0.op { true } else { false } }
            if node.declaresProperties && !hasMembers { plain = false }
            if plain { flags |= FNode.describesPlainly }
            nodes.append(
                FNode(
                    first: Int32(keywords.count), count: Int32(node.keywords.count), resource: Int32(node.resource),
                    collapsed: Int32(nodes.count), members: -1, unevaluatedProperties: -1, flags: flags))
            locations.append(node.location)
            for kw in node.keywords {
                keywordNames.append(kw.name)
                var k = FKeyword(op: .falseSchema)
                switch kw.op {
                case .falseSchema: k.op = .falseSchema
                case .type(let m):
                    k.op = .type
                    k.a = Int32(m.rawValue)
                case .enumeration(let vs, let strings):
                    k.op = .enumeration
                    k.a = Int32(values.count)
                    k.b = Int32(vs.count)
                    values.append(contentsOf: vs)
                    if let strings {
                        k.c = Int32(keys.count)
                        for s in strings { keys.append(key(s)) }
                    }
                case .constant(let v):
                    k.op = .constant
                    k.a = Int32(values.count)
                    values.append(v)
                case .multipleOf(let x):
                    k.op = .multipleOf
                    k.x = x
                case .maximum(let x):
                    k.op = .maximum
                    k.x = x
                case .exclusiveMaximum(let x):
                    k.op = .exclusiveMaximum
                    k.x = x
                case .minimum(let x):
                    k.op = .minimum
                    k.x = x
                case .exclusiveMinimum(let x):
                    k.op = .exclusiveMinimum
                    k.x = x
                case .maxLength(let n):
                    k.op = .maxLength
                    k.a = clamp(n)
                case .minLength(let n):
                    k.op = .minLength
                    k.a = clamp(n)
                case .pattern(let r):
                    k.op = .pattern
                    k.a = regex(r)
                case .format(let kind):
                    k.op = .format
                    k.a = Int32(kind.rawValue)
                case .maxItems(let n):
                    k.op = .maxItems
                    k.a = clamp(n)
                case .minItems(let n):
                    k.op = .minItems
                    k.a = clamp(n)
                case .uniqueItems: k.op = .uniqueItems
                case .contains(let c, let lo, let hi):
                    k.op = .contains
                    k.a = Int32(c)
                    k.b = clamp(lo)
                    k.c = hi.map(clamp) ?? -1
                case .maxProperties(let n):
                    k.op = .maxProperties
                    k.a = clamp(n)
                case .minProperties(let n):
                    k.op = .minProperties
                    k.a = clamp(n)
                case .required(let names):
                    k.op = .required
                    k.a = Int32(nameRefs.count)
                    k.b = Int32(names.count)
                    for s in names { nameRefs.append(intern(s)) }
                case .dependentRequired(let deps):
                    k.op = .dependentRequired
                    k.a = Int32(dependentRequired.count)
                    dependentRequired.append(deps)
                case .members(let mo):
                    k.op = .members
                    var fm = FMembers(
                        slotStart: Int32(slots.count), slotMask: -1, patternStart: Int32(patterns.count),
                        patternCount: Int32(mo.patterns.count), additional: mo.additional.map(Int32.init) ?? -1)
                    if mo.hasProperties {
                        var size = 4
                        while size < mo.properties.count * 2 { size *= 2 }
                        var table = [PropSlot](repeating: PropSlot(name: .empty, hash: 0, child: -1), count: size)
                        for (_, named) in mo.properties.sorted(by: {
                            $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
                        }) {
                            let sk = key(named.name)
                            let h = Tables.hash((sk.w0, sk.w1), Int(sk.length))
                            var i = Int(h) & (size - 1)
                            while table[i].child >= 0 { i = (i + 1) & (size - 1) }
                            table[i] = PropSlot(name: sk, hash: h, child: Int32(named.node))
                        }
                        fm.slotMask = Int32(size - 1)
                        slots.append(contentsOf: table)
                    }
                    for p in mo.patterns { patterns.append(FPattern(regex: regex(p.regex), child: Int32(p.node))) }
                    k.a = Int32(members.count)
                    nodes[nodes.count - 1].members = k.a
                    members.append(fm)
                case .propertyNames(let c):
                    k.op = .propertyNames
                    k.a = Int32(c)
                case .dependentSchemas(let deps):
                    k.op = .dependentSchemas
                    k.a = Int32(dependentSchemas.count)
                    dependentSchemas.append(deps)
                case .prefixItems(let cs):
                    k.op = .prefixItems
                    k.a = list(cs)
                    k.b = Int32(cs.count)
                case .items(let c, let from):
                    k.op = .items
                    k.a = Int32(c)
                    k.b = clamp(from)
                case .allOf(let cs):
                    k.op = .allOf
                    k.a = list(cs)
                    k.b = Int32(cs.count)
                case .anyOf(let cs):
                    k.op = .anyOf
                    k.a = list(cs)
                    k.b = Int32(cs.count)
                case .oneOf(let cs):
                    k.op = .oneOf
                    k.a = list(cs)
                    k.b = Int32(cs.count)
                case .not(let c):
                    k.op = .not
                    k.a = Int32(c)
                case .conditional(let i, let t, let e):
                    k.op = .conditional
                    k.a = Int32(i)
                    k.b = t.map(Int32.init) ?? -1
                    k.c = e.map(Int32.init) ?? -1
                case .ref(let t):
                    k.op = .ref
                    k.a = Int32(t)
                case .dynamicRef(let t, let anchor):
                    k.op = .dynamicRef
                    k.a = Int32(t)
                    if let anchor {
                        k.b = Int32(anchorNames.count)
                        anchorNames.append(anchor)
                    }
                case .unevaluatedProperties(let c):
                    k.op = .unevaluatedProperties
                    k.a = Int32(c)
                    nodes[nodes.count - 1].unevaluatedProperties = k.a
                case .unevaluatedItems(let c):
                    k.op = .unevaluatedItems
                    k.a = Int32(c)
                }
                keywords.append(k)
            }
            let own = keywords[Int(nodes[nodes.count - 1].first)...]
            if !node.declaresProperties && own.allSatisfy({ $0.op.isAssertion }) {
                nodes[nodes.count - 1].flags |= FNode.isLeaf
                let types = own.filter { $0.op == .type }
                let formats = own.filter { $0.op == .format }
                if types.count + formats.count == own.count && types.count <= 1 && formats.count <= 1 {
                    nodes[nodes.count - 1].flags |= FNode.assertsTypeAndFormat
                    if let t = types.first { nodes[nodes.count - 1].types = UInt8(t.a) }
                    if let f = formats.first { nodes[nodes.count - 1].format = FormatKind(rawValue: UInt8(f.a)) }
                }
            }
        }
        // Collapse chains of schemas that are only a `$ref` (used when no path or dynamic scope is tracked).
        func pureRef(_ i: Int) -> Int? {
            guard irNodes[i].keywords.count == 1, case .ref(let target) = irNodes[i].keywords[0].op else { return nil }
            return target
        }
        for i in nodes.indices {
            var target = i
            var steps = 0
            while let next = pureRef(target), steps < 64 {
                target = next
                steps += 1
            }
            if pureRef(target) == nil { nodes[i].collapsed = Int32(target) }
        }
        self.nodes = nodes
        self.keywords = keywords
        self.lists = lists
        self.members = members
        self.slots = slots
        self.patterns = patterns
        self.nameRefs = nameRefs
        self.keys = keys
        self.bytes = bytes
        self.keywordNames = keywordNames
        self.locations = locations
        self.values = values
        self.regexes = regexes
        self.dependentRequired = dependentRequired
        self.dependentSchemas = dependentSchemas
        self.anchorNames = anchorNames
        self.dynamicAnchors = dynamicAnchors.map { $0.mapValues(Int32.init) }
        self.root = Int32(root)
        self.usesDynamicScope = usesDynamicScope
    }
}
