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
        // Per enum: which documented values were seen, by position (a bit
        // each for the first 64, a set past them), how many others, how many reached.
        var bits = [UInt64](repeating: 0, count: enums.count)
        var past64 = [Set<Int>](repeating: [], count: enums.count)
        var others = [Int](repeating: 0, count: enums.count)
        var reached = [Int](repeating: 0, count: enums.count)
        func see(_ i: Int, _ v: V) {
            if v.isNull { return }
            guard let k = enums[i].values.firstIndex(of: text(v)) else {
                others[i] += 1
                return
            }
            if k < 64 { bits[i] |= 1 << UInt64(k) } else { past64[i].insert(k) }
        }
        // The enums that end in a member of the same objects (`status`,
        // `planType` of every account) are read in one pass over each object,
        // not one pass each (perf, issue 24); each still reads its first
        // `valueLimit` values, in order. The others alone.
        var groups: [(parent: ArraySlice<String>, enums: [Int])] = []
        for (i, e) in enums.enumerated() {
            guard let last = e.tokens.last, last != "*" else {
                each(e.tokens[...], in: body, reached: &reached[i]) { see(i, $0) }
                continue
            }
            let parent = e.tokens.dropLast()
            if let g = groups.firstIndex(where: { $0.parent == parent }) { groups[g].enums.append(i) } else { groups.append((parent, [i])) }
        }
        for group in groups {
            let keys = JSONKeys(group.enums.map { enums[$0].tokens.last! })
            var values: [V?] = []
            eachParent(group.parent, in: body) { parent in
                parent.lookUp(keys, into: &values)
                var more = false
                for (k, i) in group.enums.enumerated() where reached[i] < valueLimit {
                    if let v = values[k] {
                        reached[i] += 1
                        see(i, v)
                    }
                    more = more || reached[i] < valueLimit
                }
                return more
            }
        }
        var out: [ValueObservation] = []
        for (i, e) in enums.enumerated() {
            var kept: [String] = []
            if conforms, bits[i] != 0 || !past64[i].isEmpty {
                for v in e.values {
                    let k = e.values.firstIndex(of: v)!
                    if k < 64 ? bits[i] & (1 << UInt64(k)) != 0 : past64[i].contains(k) { kept.append(v) }
                }
            }
            if !kept.isEmpty || others[i] > 0 {
                out.append(ValueObservation(endpointID: e.endpointID, pointer: e.pointer, seen: kept, others: others[i]))
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
