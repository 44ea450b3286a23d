import JSONKit

/// A place in an endpoint's documented answer where the docs list the
/// allowed values: an `enum` keyword in the endpoint's response schema.
package struct DocumentedEnum: Sendable, Hashable {
    public var endpointID: String
    /// A JSON Pointer with array indices as `*`, e.g. `/dataSharingSims/*/formFactor`.
    public var pointer: String { didSet { tokens = DocumentedEnum.tokens(pointer) } }
    /// The documented values, in the schema's order (strings as written, others as JSON).
    public var values: [String]
    /// `pointer`'s tokens, parsed once here rather than for every answer
    /// `DocumentedValues.observe` reads (1.6 % of a run's CPU; perf, issue 24).
    package private(set) var tokens: [String]

    public init(endpointID: String, pointer: String, values: [String]) {
        self.endpointID = endpointID
        self.pointer = pointer
        self.values = values
        tokens = DocumentedEnum.tokens(pointer)
    }

    /// A pointer's tokens; none (the whole answer) for text that is not a pointer, as `observe` read it before.
    static func tokens(_ pointer: String) -> [String] {
        (try? JSONPointer(parsing: pointer))?.tokens ?? []
    }
}

/// What one case's answers held at one documented enum pointer. Bounded
/// whatever a server sends: only documented values are kept, anything else
/// is only counted.
package struct ValueObservation: Sendable, Hashable {
    public var endpointID: String
    public var pointer: String
    /// Documented values held by answers that conformed (passed or ambiguous), in documented order.
    public var seen: [String]
    /// Values at the pointer that are not documented, in any answer with the success status.
    public var others: Int

    public init(endpointID: String, pointer: String, seen: [String], others: Int) {
        self.endpointID = endpointID
        self.pointer = pointer
        self.seen = seen
        self.others = others
    }
}

package enum DocumentedValues {
    /// The enums of every endpoint's success answer, in endpoint order then schema order.
    public static func catalogue(endpoints: [Endpoint], schemas: [String: JSON]) -> [DocumentedEnum] {
        var out: [DocumentedEnum] = []
        for ep in endpoints {
            guard let ref = ep.responseSchema else { continue }
            for (pointer, values) in enums(for: ref, schemas: schemas) {
                out.append(DocumentedEnum(endpointID: ep.id, pointer: pointer, values: values))
            }
        }
        return out
    }

    /// The `enum` keywords reachable from `ref` through properties, items,
    /// `$ref` and allOf/anyOf/oneOf, each with its pointer pattern (the
    /// values of one pointer reached twice are joined, first order kept).
    public static func enums(for ref: String, schemas: [String: JSON]) -> [(pointer: String, values: [String])] {
        var order: [String] = []
        var byPointer: [String: [String]] = [:]
        SchemaWalk.visit(ref, schemas: schemas) { o, path in
            if case .array(let values)? = o["enum"], !path.isEmpty {
                let pointer = JSONPointer(tokens: path).description
                if byPointer[pointer] == nil { order.append(pointer) }
                for v in values.map(text) where byPointer[pointer]?.contains(v) != true { byPointer[pointer, default: []].append(v) }
            }
        }
        return order.map { ($0, byPointer[$0] ?? []) }
    }

    /// A value as the coverage lists it: a string as written, anything else as JSON.
    static func text<V: JSONReading>(_ v: V) -> String { v.textValue }

    /// What `body` holds at each of `enums`: the documented values (only
    /// when `conforms`) and how many values are not documented. Pointers
    /// where the body holds nothing are left out. The values are judged as
    /// they are reached, not gathered into an array and a set of strings
    /// first (perf, issue 24): at most `valueLimit` of them per pointer.
    package static func observe<V: JSONReading>(_ body: V, enums: [DocumentedEnum], conforms: Bool) -> [ValueObservation] {
        observe(body, plan: Plan(enums), conforms: conforms)
    }

    /// What `observe` reads of one endpoint's enums, worked out once (the
    /// runner keeps one an endpoint) rather than for every answer: the
    /// groups of enums that end in a member of the same objects, their keys,
    /// and each enum's values as bytes (perf, issue 24: the grouping, the
    /// keys and a `String` for every value read were 20 allocations an answer).
    package struct Plan: Sendable {
        let enums: [DocumentedEnum]
        /// Enums whose last token is `*`, or that have no token: read alone.
        let alone: [Int]
        /// Enums that end in a member of the same objects (`status`,
        /// `planType` of every account): read in one pass over each object.
        let groups: [(parent: [String], enums: [Int], keys: JSONKeys)]
        /// Each enum's values as UTF-8.
        let utf8: [[[UInt8]]]
        /// Whether every value of the enum is ASCII: only then does comparing
        /// bytes answer what comparing `String`s does (`"\u{212A}"` is `"K"`).
        let ascii: [Bool]
        /// No two enums share a pointer: what `observe` finds needs no `merge`
        /// of its own (the catalogue joins one pointer's values).
        package let distinctPointers: Bool

        package init(_ enums: [DocumentedEnum]) {
            self.enums = enums
            distinctPointers = Set(enums.map(\.pointer)).count == enums.count
            var alone: [Int] = []
            var groups: [(parent: [String], enums: [Int])] = []
            let utf8 = enums.map { $0.values.map { Array($0.utf8) } }
            for (i, e) in enums.enumerated() {
                guard let last = e.tokens.last, last != "*" else {
                    alone.append(i)
                    continue
                }
                let parent = Array(e.tokens.dropLast())
                if let g = groups.firstIndex(where: { $0.parent == parent }) { groups[g].enums.append(i) } else { groups.append((parent, [i])) }
            }
            self.alone = alone
            self.groups = groups.map { ($0.parent, $0.enums, JSONKeys($0.enums.map { enums[$0].tokens.last! })) }
            self.utf8 = utf8
            ascii = utf8.map { $0.allSatisfy { $0.allSatisfy { $0 < 0x80 } } }
        }

        /// Counts `v` (not null) in enum `i`'s tally: its position among the values, or one more other.
        func see<V: JSONReading>(_ v: V, _ i: Int, _ t: inout Tally) {
            if v.isNull { return }
            guard let k = position(of: v, in: i) else {
                t.others += 1
                return
            }
            if k < 64 { t.bits |= 1 << UInt64(k) } else { t.past64.insert(k) }
        }

        /// The position of `v` among enum `i`'s values, as
        /// `values.firstIndex(of: text(v))` answers; nil for another value.
        func position<V: JSONReading>(of v: V, in i: Int) -> Int? {
            let found = v.withStringUTF8 { bytes -> Int? in
                guard ascii[i], bytes.allSatisfy({ $0 < 0x80 }) else {
                    return enums[i].values.firstIndex(of: String(decoding: bytes, as: UTF8.self))
                }
                return utf8[i].firstIndex { $0.count == bytes.count && $0.elementsEqual(bytes) }
            }
            if let found { return found }  // a string: found or not
            return enums[i].values.firstIndex(of: text(v))
        }
    }

    /// Per enum: which documented values were seen, by position (a bit
    /// each for the first 64, a set past them), how many others, how many reached.
    struct Tally {
        var bits: UInt64 = 0
        var past64: Set<Int> = []
        var others = 0
        var reached = 0
    }

    package static func observe<V: JSONReading>(_ body: V, plan: Plan, conforms: Bool) -> [ValueObservation] {
        let enums = plan.enums
        var tally = [Tally](repeating: Tally(), count: enums.count)
        // The enums that end in a member of the same objects are read in one
        // pass over each object, not one pass each (perf, issue 24); each
        // still reads its first `valueLimit` values, in order. The others alone.
        for i in plan.alone {
            var t = Tally(), reached = 0
            each(enums[i].tokens[...], in: body, reached: &reached) { plan.see($0, i, &t) }
            t.reached = reached
            tally[i] = t
        }
        var values: [V?] = []
        for group in plan.groups {
            eachParent(group.parent[...], in: body) { parent in
                parent.lookUp(group.keys, into: &values)
                var more = false
                for (k, i) in group.enums.enumerated() where tally[i].reached < valueLimit {
                    if let v = values[k] {
                        tally[i].reached += 1
                        plan.see(v, i, &tally[i])
                    }
                    more = more || tally[i].reached < valueLimit
                }
                return more
            }
        }
        var out: [ValueObservation] = []
        for (i, e) in enums.enumerated() {
            var kept: [String] = []
            let t = tally[i]
            if conforms, t.bits != 0 || !t.past64.isEmpty {
                for v in e.values {
                    let k = e.values.firstIndex(of: v)!
                    if k < 64 ? t.bits & (1 << UInt64(k)) != 0 : t.past64.contains(k) { kept.append(v) }
                }
            }
            if !kept.isEmpty || t.others > 0 {
                out.append(ValueObservation(endpointID: e.endpointID, pointer: e.pointer, seen: kept, others: t.others))
            }
        }
        return out
    }

    /// Calls `visit` with each value `path` reaches in `value`, as `each`
    /// steps (`*` takes every item of an array), until it returns false;
    /// false once it has.
    @discardableResult
    static func eachParent<V: JSONReading>(_ path: ArraySlice<String>, in value: V, _ visit: (V) -> Bool) -> Bool {
        guard let head = path.first else { return visit(value) }
        let rest = path.dropFirst()
        if head == "*" {
            var going = true
            value.forEachElement { item in
                going = eachParent(rest, in: item, visit)
                return going
            }
            return going
        }
        guard value.isObject, let v = value.member(head) else { return true }
        return eachParent(rest, in: v, visit)
    }

    /// How many values of one answer `observe` reads at one pointer, at most.
    static let valueLimit = 10_000

    /// Calls `visit` with each value `path` reaches in `value` (`*` takes
    /// every item of an array), until `reached` is `valueLimit`.
    static func each<V: JSONReading>(_ path: ArraySlice<String>, in value: V, reached: inout Int, _ visit: (V) -> Void) {
        guard reached < valueLimit else { return }
        guard let head = path.first else {
            reached += 1
            return visit(value)
        }
        let rest = path.dropFirst()
        if head == "*" {
            value.forEachElement { item in
                each(rest, in: item, reached: &reached, visit)
                return true
            }
        } else if value.isObject, let v = value.member(head) {
            each(rest, in: v, reached: &reached, visit)
        }
    }

    /// Joins observations of the same endpoint and pointer (documented order kept).
    public static func merge(_ observations: [ValueObservation], enums: [DocumentedEnum]) -> [ValueObservation] {
        var out: [ValueObservation] = []
        for o in observations {
            if let k = out.firstIndex(where: { $0.endpointID == o.endpointID && $0.pointer == o.pointer }) {
                let values = enums.first { $0.endpointID == o.endpointID && $0.pointer == o.pointer }?.values ?? []
                let union = Set(out[k].seen + o.seen)
                out[k].seen = values.filter(union.contains)
                out[k].others += o.others
            } else {
                out.append(o)
            }
        }
        return out
    }
}
