import JSONKit

/// A schema compiled once into an immutable graph; validate as many instances
/// as you like, from any thread.
public struct CompiledSchema: Sendable {
    let program: Program
    public let options: ValidationOptions
    /// Schemas that apply one another in place in a circle (e.g. a `$ref` to
    /// itself, or two `$defs` referring to each other), as locations: such a
    /// schema never finishes evaluating an instance that reaches it. nil when
    /// there is none. Standard JSON Schema leaves this to the validator at run
    /// time; a caller that owns the schemas can refuse them up front.
    public internal(set) var inPlaceCycle: [String]?

    init(program: Program, options: ValidationOptions) {
        self.program = program
        self.options = options
    }

    /// Validates `instance`, reporting every violation (and, with
    /// `reportUndescribedProperties`, the undescribed members).
    public func validate(_ instance: JSON) -> ValidationResult {
        program.withTables { t in
            var result = ValidationResult()
            var fast = Evaluator(program: program, tables: t, collect: false)
            fast.allDescribed = options.reportUndescribedProperties
            fast.nullMeansAbsent = options.nullMeansAbsent
            fast.siblings = SiblingSlots(tables: t.members.count)
            defer { fast.siblings?.release() }
            let valid = fast.eval(program.root, instance, nil)
            if !valid {
                var full = Evaluator(program: program, tables: t, collect: true)
                full.nullMeansAbsent = options.nullMeansAbsent
                _ = full.eval(program.root, instance, nil)
                result.violations = full.sortedViolations()
            }
            // A valid instance whose every member the evaluator saw described has none to report.
            if options.reportUndescribedProperties && !(valid && fast.allDescribed) {
                var d = Describer(program: program, tables: t)
                result.undescribedMembers = d.run(instance)
            }
            return result
        }
    }

    /// Whether `instance` is valid; stops at the first violation and records nothing.
    public func isValid(_ instance: JSON) -> Bool {
        program.withTables { t in
            var ev = Evaluator(program: program, tables: t, collect: false)
            ev.nullMeansAbsent = options.nullMeansAbsent
            ev.siblings = SiblingSlots(tables: t.members.count)
            defer { ev.siblings?.release() }
            return ev.eval(program.root, instance, nil)
        }
    }
}

/// Evaluated properties and items of one instance location, as seen by
/// `unevaluatedProperties`/`unevaluatedItems`. Passed by pointer, nil when no
/// caller needs them (the common case, which then costs nothing).
typealias AnnotationsRef = UnsafeMutablePointer<Annotations>?

struct Annotations {
    var allProps = false
    var allItems = false
    var prefix = 0
    var props: Set<String>? = nil
    var items: Set<Int>? = nil

    mutating func merge(_ o: Annotations) {
        if o.allProps { allProps = true } else if let p = o.props { props = props.map { $0.union(p) } ?? p }
        if o.allItems { allItems = true }
        if o.prefix > prefix { prefix = o.prefix }
        if let i = o.items { items = items.map { $0.union(i) } ?? i }
    }

    mutating func addProp(_ k: String) {
        if props == nil { props = [k] } else { props!.insert(k) }
    }

    mutating func addItem(_ i: Int) {
        if items == nil { items = [i] } else { items!.insert(i) }
    }

    func hasProp(_ k: String) -> Bool { allProps || (props?.contains(k) ?? false) }
}

enum PathToken {
    case key(String)
    case index(Int)

    var text: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return String(i)
        }
    }
}

struct InstanceStep {
    var token: PathToken
    /// Position of the member/element in its container: sorting by these is document order.
    var ordinal: Int
}

struct Recorded {
    var order: [Int]
    var violation: SchemaViolation
}

/// The evaluation engine. In fast mode (`collect == false`) it stops at the
/// first failure and touches no paths; in collect mode it keeps instance and
/// keyword paths on stacks and materialises them only when recording a violation.
struct Evaluator {
    let program: Program
    let t: Tables
    var collect: Bool
    var recorded: [Recorded] = []
    var instPath: [InstanceStep] = []
    var kwPath: [PathToken] = []
    var scope: [Int32] = []
    /// Nesting of evaluations, in total and at the current instance location
    /// (reset when descending into a member or element): a schema that keeps
    /// referring to itself without consuming the instance is stopped.
    var depth = 0
    var inPlace = 0
    let usesDynamicScope: Bool
    /// Whether no member seen so far can be undescribed, as far as a fast-mode
    /// evaluation can tell; set it to start checking. It can tell while every
    /// schema it applies to an object or array `describesPlainly`: then the
    /// `Describer` reports a member only if one of those schemas declares
    /// `properties` that leave it out and has no `additionalProperties`. Once
    /// false it stays false, and the `Describer` must run.
    var allDescribed = false
    /// A member that `properties` declares and that holds `null` is taken as
    /// absent (see `ValidationOptions.nullMeansAbsent`).
    var nullMeansAbsent = false
    /// The fast path's key look-ups of the objects already seen (nil: none
    /// kept); made and released by the caller around one evaluation. Plain
    /// pointers: the evaluator is copied into closures, and a reference
    /// counted field cost a retain and a release at each copy.
    var siblings: SiblingSlots?

    static let maxDepth = 1_000
    static let maxInPlace = 100

    init(program: Program, tables: Tables, collect: Bool) {
        self.program = program
        self.t = tables
        self.collect = collect
        self.usesDynamicScope = program.usesDynamicScope
    }

    func sortedViolations() -> [SchemaViolation] {
        Evaluator.sort(recorded).map(\.violation)
    }

    static func sort(_ rs: [Recorded]) -> [Recorded] {
        rs.enumerated().sorted { a, b in
            let c = compare(a.element.order, b.element.order)
            return c != 0 ? c < 0 : a.offset < b.offset
        }.map(\.element)
    }

    static func compare(_ a: [Int], _ b: [Int]) -> Int {
        var i = 0
        while i < a.count && i < b.count {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    // MARK: nodes

    /// Evaluates with fresh annotations collected into `sub`.
    @inline(__always)
    mutating func eval(_ index: Int32, _ inst: JSON, collecting sub: inout Annotations) -> Bool {
        withUnsafeMutablePointer(to: &sub) { eval(index, inst, $0) }
    }

    /// Evaluates schema `index` on `inst`. Inlined into its callers: in fast
    /// mode a leaf schema (only assertions: the usual property schema) is
    /// checked right here, a `type` with a `format` without any call into the
    /// evaluator. Leaves see the value through a pointer, so that strings are
    /// checked in place instead of being retained and released.
    @inline(__always)
    mutating func eval(_ index: Int32, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var index = index
        var node = t.nodes[Int(index)]
        if node.collapsed != index && !collect && !usesDynamicScope {
            index = node.collapsed
            node = t.nodes[Int(index)]
        }
        if allDescribed && node.flags & FNode.describesPlainly == 0 {
            switch inst {
            case .object, .array: allDescribed = false
            default: break
            }
        }
        if node.flags & FNode.isLeaf != 0 && !collect && depth < Evaluator.maxDepth && inPlace < Evaluator.maxInPlace {
            return withUnsafePointer(to: inst) { p in
                if node.flags & FNode.assertsTypeAndFormat != 0 {
                    guard Evaluator.typeMatches(TypeMask(rawValue: node.types), p.pointee) else { return false }
                    guard let format = node.format else { return true }
                    if let valid = Evaluator.formatHolds(format, p) { return valid }
                }
                return leafHolds(node, p)
            }
        }
        return evalKeywords(index, node, inst, ann)
    }

    /// Whether every assertion of leaf schema `node` holds for the value at `p`.
    mutating func leafHolds(_ node: FNode, _ p: UnsafePointer<JSON>) -> Bool {
        var k = Int(node.first)
        let end = k + Int(node.count)
        while k < end {
            let kw = t.keywords[k]
            switch kw.op {
            case .type:  // the most common assertions are decided here, the others by `holds`
                if !Evaluator.typeMatches(TypeMask(rawValue: UInt8(kw.a)), p.pointee) { return false }
            case .format:
                if let valid = Evaluator.formatHolds(FormatKind(rawValue: UInt8(kw.a))!, p) {
                    if !valid { return false }
                } else if !holds(kw, p.pointee) {
                    return false
                }
            default:
                if !holds(kw, p.pointee) { return false }
            }
            k += 1
        }
        return true
    }

    /// Whether the value at `p` is in format `kind` (or not a string), decided
    /// in place (without retaining the string: checking allocates nothing);
    /// nil when `Formats.isValid` cannot tell.
    static func formatHolds(_ kind: FormatKind, _ p: UnsafePointer<JSON>) -> Bool? {
        guard case .string(let s) = p.pointee else { return true }
        return Formats.isValid(kind, s)
    }

    /// Evaluates the keywords of `node` (number `index`) on `inst`.
    mutating func evalKeywords(_ index: Int32, _ node: FNode, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        if node.count == 0 { return true }
        if depth >= Evaluator.maxDepth || inPlace >= Evaluator.maxInPlace {
            if collect {
                record(
                    index, keyword: "$ref", inst, expected: "a finite evaluation",
                    text: depth >= Evaluator.maxDepth
                        ? "schema evaluation is nested deeper than \(Evaluator.maxDepth) levels"
                        : "schema recursion without progress: more than \(Evaluator.maxInPlace) schemas applied in place at one location"
                )
            }
            return false
        }
        depth += 1
        inPlace += 1
        var pushedScope = false
        if usesDynamicScope && scope.last != node.resource {
            scope.append(node.resource)
            pushedScope = true
        }
        var ok = true
        var k = node.first
        let end = node.first + node.count
        if node.flags & FNode.hasUnevaluated != 0 {
            var local = Annotations()
            withUnsafeMutablePointer(to: &local) { lp in
                while k < end {
                    if !step(index, k, inst, lp) {
                        ok = false
                        if !collect { break }
                    }
                    k += 1
                }
            }
            if ok, let ann { ann.pointee.merge(local) }
        } else {
            while k < end {
                if !step(index, k, inst, ann) {
                    ok = false
                    if !collect { break }
                }
                k += 1
            }
        }
        if pushedScope { scope.removeLast() }
        depth -= 1
        inPlace -= 1
        return ok
    }

    @inline(__always)
    mutating func step(_ node: Int32, _ k: Int32, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        if collect {
            kwPath.append(.key(program.keywordNames[Int(k)]))
            let ok = apply(node, k, inst, ann)
            kwPath.removeLast()
            return ok
        }
        return apply(node, k, inst, ann)
    }

    /// Evaluates `child` on a member or element: a new instance location.
    @inline(__always)
    mutating func descend(_ child: Int32, _ value: JSON) -> Bool {
        let saved = inPlace
        inPlace = 0
        let ok = eval(child, value, nil)
        inPlace = saved
        return ok
    }

    /// Evaluates a child schema on a member or element of the instance.
    @inline(__always)
    mutating func child(
        _ node: Int32, _ child: Int32, _ value: JSON, _ token: @autoclosure () -> PathToken, _ ordinal: Int,
        kwToken: @autoclosure () -> PathToken?, falseKeyword: String
    ) -> Bool {
        if !collect { return descend(child, value) }
        let tok = token()
        let kt = kwToken()
        instPath.append(InstanceStep(token: tok, ordinal: ordinal))
        if let kt { kwPath.append(kt) }
        var ok: Bool
        if t.nodes[Int(child)].flags & FNode.isFalse != 0 {
            ok = false
            reportFalseChild(node, falseKeyword, kt, value, tok)
        } else {
            ok = descend(child, value)
        }
        if kt != nil { kwPath.removeLast() }
        instPath.removeLast()
        return ok
    }

    // MARK: keywords

    /// Applies keyword `k` of `node`. Assertions that pass return at once; a
    /// failing one falls out of the switch to `reportFailure`, which builds the
    /// message (kept out of here so that this frame stays small: it is on the
    /// stack once per level of instance nesting).
    mutating func apply(_ node: Int32, _ k: Int32, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        let kw = t.keywords[Int(k)]
        switch kw.op {
        case .required where collect:
            guard case .object(let o) = inst else { return true }
            return requiredCollect(node, k, kw, o, inst)
        case .dependentRequired:
            guard case .object(let o) = inst else { return true }
            return dependentRequired(node, k, kw, o, inst)
        case .contains:
            guard case .array(let a) = inst else { return true }
            return contains(node, k, kw, a, inst, ann)
        case .members:
            guard case .object(let o) = inst else { return true }
            return applyMembers(node, t.members[Int(kw.a)], o, ann, table: kw.a)
        case .propertyNames:
            guard case .object(let o) = inst else { return true }
            return propertyNames(node, kw, o)
        case .dependentSchemas:
            guard case .object(let o) = inst else { return true }
            return dependentSchemas(kw, o, inst, ann)
        case .prefixItems:
            guard case .array(let a) = inst else { return true }
            return prefixItems(node, kw, a, ann)
        case .items:
            guard case .array(let a) = inst else { return true }
            return items(node, k, kw, a, ann)
        case .allOf:
            return allOf(kw, inst, ann)
        case .anyOf:
            if collect { return anyOfCollect(node, k, kw, inst, ann) }
            guard let ann else {
                for i in 0..<Int(kw.b) where eval(t.lists[Int(kw.a) + i], inst, nil) { return true }
                return false
            }
            return anyOfAnnotating(kw, inst, ann)
        case .oneOf:
            if collect { return oneOfCollect(node, k, kw, inst, ann) }
            return oneOf(kw, inst, ann)
        case .not:
            let saved = collect
            collect = false
            let r = eval(kw.a, inst, nil)
            collect = saved
            if !r { return true }
        case .conditional:
            return conditional(kw, inst, ann)
        case .ref:
            return eval(kw.a, inst, ann)
        case .dynamicRef:
            return eval(dynamicTarget(kw), inst, ann)
        case .unevaluatedProperties:
            guard case .object(let o) = inst, let ann else { return true }
            return unevaluatedProperties(node, kw, o, ann)
        case .unevaluatedItems:
            guard case .array(let a) = inst, let ann else { return true }
            return unevaluatedItems(node, kw, a, ann)
        case .type:  // the most common assertion, decided without a call
            if Evaluator.typeMatches(TypeMask(rawValue: UInt8(kw.a)), inst) { return true }
        default:
            if holds(kw, inst) { return true }
        }
        if collect { reportFailure(node, k, kw, inst) }
        return false
    }

    /// Whether assertion `kw` (`kw.op.isAssertion`) holds for `inst`. (Not
    /// inlined, to keep its callers small; `mutating` only so that calling it
    /// does not copy the evaluator.)
    @inline(never)
    mutating func holds(_ kw: FKeyword, _ inst: JSON) -> Bool {
        switch kw.op {
        case .type:
            return Evaluator.typeMatches(TypeMask(rawValue: UInt8(kw.a)), inst)
        case .enumeration:
            if kw.c >= 0 {
                guard case .string(let s) = inst else { return false }
                return Tables.isOneOf(s, t.keys[Int(kw.c)..<Int(kw.c + kw.b)], t.bytes)
            }
            return enumContains(kw, inst)
        case .constant:
            return Exact.equal(program.values[Int(kw.a)], inst)
        case .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum:
            guard case .number(let n) = inst else { return true }
            return Evaluator.numberHolds(kw, n)
        case .maxLength, .minLength:
            guard case .string(let s) = inst else { return true }
            return Evaluator.lengthHolds(kw, bytes: s.utf8.count) { s.unicodeScalars.count }
        case .pattern:
            guard case .string(let s) = inst else { return true }
            return program.regexes[Int(kw.a)].matches(s)
        case .format:
            guard case .string(let s) = inst else { return true }
            return Formats.check(FormatKind(rawValue: UInt8(kw.a))!, s) == nil
        case .maxItems:
            guard case .array(let a) = inst else { return true }
            return a.count <= Int(kw.a)
        case .minItems:
            guard case .array(let a) = inst else { return true }
            return a.count >= Int(kw.a)
        case .uniqueItems:
            guard case .array(let a) = inst, a.count > 1 else { return true }
            return Evaluator.firstDuplicate(a) == nil
        case .maxProperties:
            guard case .object(let o) = inst else { return true }
            return o.count <= Int(kw.a)
        case .minProperties:
            guard case .object(let o) = inst else { return true }
            return o.count >= Int(kw.a)
        case .required:
            guard case .object(let o) = inst else { return true }
            for i in Int(kw.a)..<Int(kw.a + kw.b) where !t.has(o, t.nameRefs[i]) { return false }
            return true
        case .falseSchema:
            return false
        default:
            assertionFailure("\(kw.op) is not an assertion")
            return true
        }
    }

    /// A numeric assertion (`multipleOf`, `maximum`, `exclusiveMaximum`,
    /// `minimum`, `exclusiveMinimum`) on the number `n`. The tree's and the
    /// tape's evaluators both decide them here.
    @inline(__always) static func numberHolds(_ kw: FKeyword, _ n: Double) -> Bool {
        switch kw.op {
        case .multipleOf: return Numbers.isMultiple(n, of: kw.x)
        case .maximum: return n <= kw.x
        case .exclusiveMaximum: return n < kw.x
        case .minimum: return n >= kw.x
        default: return n > kw.x  // exclusiveMinimum
        }
    }

    /// `maxLength` or `minLength` on a string of `bytes` UTF-8 bytes, whose
    /// code points `scalars` counts (only when the byte count cannot decide).
    @inline(__always) static func lengthHolds(_ kw: FKeyword, bytes: Int, scalars: () -> Int) -> Bool {
        if kw.op == .maxLength { return bytes <= Int(kw.a) || scalars() <= Int(kw.a) }
        return bytes >= 4 * Int(kw.a) || scalars() >= Int(kw.a)
    }

    func enumContains(_ kw: FKeyword, _ inst: JSON) -> Bool {
        for i in Int(kw.a)..<Int(kw.a + kw.b) where Exact.equal(program.values[i], inst) { return true }
        return false
    }

    func dynamicTarget(_ kw: FKeyword) -> Int32 {
        guard kw.b >= 0 else { return kw.a }
        let anchor = program.anchorNames[Int(kw.b)]
        for r in scope {
            if let n = program.dynamicAnchors[Int(r)][anchor] { return n }
        }
        return kw.a
    }

    mutating func requiredCollect(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ o: JSONObject, _ inst: JSON) -> Bool {
        var ok = true
        for i in Int(kw.a)..<Int(kw.a + kw.b) where !t.has(o, t.nameRefs[i]) {
            ok = false
            let name = t.string(t.nameRefs[i])
            record(
                node, k, inst, expected: "property \(Render.quoted(name))", actual: "missing",
                text: "required property \(Render.quoted(name)) is missing")
        }
        return ok
    }

    mutating func dependentRequired(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ o: JSONObject, _ inst: JSON) -> Bool {
        var ok = true
        for d in program.dependentRequired[Int(kw.a)] where Exact.has(o, d.property) {
            for name in d.required where !Exact.has(o, name) {
                ok = false
                if !collect { return false }
                record(
                    node, k, inst, subpath: [.key(d.property)],
                    expected: "property \(Render.quoted(name)) (required when \(Render.quoted(d.property)) is present)",
                    actual: "missing",
                    text:
                        "property \(Render.quoted(name)) is missing (required when \(Render.quoted(d.property)) is present)"
                )
            }
        }
        return ok
    }

    mutating func contains(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ a: [JSON], _ inst: JSON, _ ann: AnnotationsRef)
        -> Bool
    {
        let lo = Int(kw.b)
        let hi: Int? = kw.c >= 0 ? Int(kw.c) : nil
        var count = 0
        let saved = collect
        collect = false
        for i in a.indices where descend(kw.a, a[i]) {
            count += 1
            if let ann {
                ann.pointee.addItem(i)
            } else if hi == nil && count >= lo {
                break
            } else if let hi, count > hi {
                break
            }
        }
        collect = saved
        if count < lo {
            if collect {
                let name = lo == 1 ? "contains" : "minContains"
                record(
                    node, k, inst, keyword: name,
                    expected: "at least \(Evaluator.plural(lo, "item")) matching the contains schema",
                    text: count == 0
                        ? "no item matches the contains schema"
                        : "only \(Evaluator.plural(count, "item")) match the contains schema, fewer than \(lo)")
            }
            return false
        }
        if let hi, count > hi {
            if collect {
                record(
                    node, k, inst, keyword: "maxContains",
                    expected: "at most \(Evaluator.plural(hi, "item")) matching the contains schema",
                    text: "\(count) items match the contains schema, more than \(hi)")
            }
            return false
        }
        return true
    }

    mutating func propertyNames(_ node: Int32, _ kw: FKeyword, _ o: JSONObject) -> Bool {
        var ok = true
        for (i, m) in o.members.enumerated() {
            if !child(node, kw.a, .string(m.key), .key(m.key), i, kwToken: nil, falseKeyword: "propertyNames") {
                ok = false
                if !collect { return false }
            }
        }
        return ok
    }

    mutating func dependentSchemas(_ kw: FKeyword, _ o: JSONObject, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var ok = true
        for d in program.dependentSchemas[Int(kw.a)] where Exact.has(o, d.name) {
            if collect { kwPath.append(.key(d.name)) }
            let r = eval(Int32(d.node), inst, ann)
            if collect { kwPath.removeLast() }
            if !r {
                ok = false
                if !collect { return false }
            }
        }
        return ok
    }

    mutating func prefixItems(_ node: Int32, _ kw: FKeyword, _ a: [JSON], _ ann: AnnotationsRef) -> Bool {
        var ok = true
        let n = min(Int(kw.b), a.count)
        for i in 0..<n
        where !child(node, t.lists[Int(kw.a) + i], a[i], .index(i), i, kwToken: .index(i), falseKeyword: "prefixItems")
        {
            ok = false
            if !collect { return false }
        }
        if ok, let ann {
            if n > ann.pointee.prefix { ann.pointee.prefix = n }
            if n == a.count { ann.pointee.allItems = true }
        }
        return ok
    }

    mutating func items(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ a: [JSON], _ ann: AnnotationsRef) -> Bool {
        var ok = true
        let from = Int(kw.b)
        if from < a.count {
            let name = collect ? program.keywordNames[Int(k)] : ""
            for i in from..<a.count where !child(node, kw.a, a[i], .index(i), i, kwToken: nil, falseKeyword: name) {
                ok = false
                if !collect { return false }
            }
        }
        if ok, let ann { ann.pointee.allItems = true }
        return ok
    }

    mutating func allOf(_ kw: FKeyword, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var ok = true
        for i in 0..<Int(kw.b) {
            if collect { kwPath.append(.index(i)) }
            let r = eval(t.lists[Int(kw.a) + i], inst, ann)
            if collect { kwPath.removeLast() }
            if !r {
                ok = false
                if !collect { return false }
            }
        }
        return ok
    }

    mutating func anyOfAnnotating(_ kw: FKeyword, _ inst: JSON, _ ann: UnsafeMutablePointer<Annotations>) -> Bool {
        var any = false
        for i in 0..<Int(kw.b) {
            var sub = Annotations()
            if eval(t.lists[Int(kw.a) + i], inst, collecting: &sub) {
                any = true
                ann.pointee.merge(sub)
            }
        }
        return any
    }

    mutating func oneOf(_ kw: FKeyword, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var matched = 0
        var keep = Annotations()
        for i in 0..<Int(kw.b) {
            var sub = Annotations()
            let r =
                ann == nil
                ? eval(t.lists[Int(kw.a) + i], inst, nil) : eval(t.lists[Int(kw.a) + i], inst, collecting: &sub)
            if r {
                matched += 1
                if matched > 1 { return false }
                keep = sub
            }
        }
        if matched == 1 { ann?.pointee.merge(keep) }
        return matched == 1
    }

    /// Runs branch `i` of an anyOf/oneOf in collect mode; returns its verdict,
    /// its annotations, and the violations it recorded (removed from the list).
    mutating func branch(_ kw: FKeyword, _ i: Int, _ inst: JSON, _ ann: AnnotationsRef) -> (
        Bool, Annotations, [Recorded]
    ) {
        var sub = Annotations()
        let mark = recorded.count
        kwPath.append(.index(i))
        let r =
            ann == nil ? eval(t.lists[Int(kw.a) + i], inst, nil) : eval(t.lists[Int(kw.a) + i], inst, collecting: &sub)
        kwPath.removeLast()
        let errors = Array(recorded[mark...])
        recorded.removeSubrange(mark...)
        return (r, sub, errors)
    }

    mutating func anyOfCollect(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var branches: [[Recorded]] = []
        var any = false
        for i in 0..<Int(kw.b) {
            let (r, sub, errors) = branch(kw, i, inst, ann)
            if r {
                any = true
                ann?.pointee.merge(sub)
            } else {
                branches.append(errors)
            }
        }
        if any { return true }
        reportAlternatives(node, k, inst, count: Int(kw.b), matched: [], branches: branches)
        return false
    }

    mutating func oneOfCollect(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        var matched: [Int] = []
        var branches: [[Recorded]] = []
        var keep = Annotations()
        for i in 0..<Int(kw.b) {
            let (r, sub, errors) = branch(kw, i, inst, ann)
            if r {
                matched.append(i)
                keep = sub
            } else {
                branches.append(errors)
            }
        }
        if matched.count == 1 {
            ann?.pointee.merge(keep)
            return true
        }
        reportAlternatives(node, k, inst, count: Int(kw.b), matched: matched, branches: branches)
        return false
    }

    mutating func conditional(_ kw: FKeyword, _ inst: JSON, _ ann: AnnotationsRef) -> Bool {
        if kw.b < 0 && kw.c < 0 && ann == nil { return true }
        let saved = collect
        collect = false
        var ifAnn = Annotations()
        let cond = ann == nil ? eval(kw.a, inst, nil) : eval(kw.a, inst, collecting: &ifAnn)
        collect = saved
        if cond {
            ann?.pointee.merge(ifAnn)
            guard kw.b >= 0 else { return true }
            if collect { kwPath[kwPath.count - 1] = .key("then") }
            return eval(kw.b, inst, ann)
        } else {
            guard kw.c >= 0 else { return true }
            if collect { kwPath[kwPath.count - 1] = .key("else") }
            return eval(kw.c, inst, ann)
        }
    }

    mutating func unevaluatedProperties(
        _ node: Int32, _ kw: FKeyword, _ o: JSONObject, _ ann: UnsafeMutablePointer<Annotations>
    ) -> Bool {
        var ok = true
        for (i, m) in o.members.enumerated() where !ann.pointee.hasProp(m.key) {
            if !child(node, kw.a, m.value, .key(m.key), i, kwToken: nil, falseKeyword: "unevaluatedProperties") {
                ok = false
                if !collect { return false }
            }
        }
        if ok { ann.pointee.allProps = true }
        return ok
    }

    mutating func unevaluatedItems(_ node: Int32, _ kw: FKeyword, _ a: [JSON], _ ann: UnsafeMutablePointer<Annotations>)
        -> Bool
    {
        var ok = true
        let prefix = ann.pointee.prefix
        if !ann.pointee.allItems {
            for i in prefix..<max(prefix, a.count) where !(ann.pointee.items?.contains(i) ?? false) {
                if !child(node, kw.a, a[i], .index(i), i, kwToken: nil, falseKeyword: "unevaluatedItems") {
                    ok = false
                    if !collect { return false }
                }
            }
        }
        if ok { ann.pointee.allItems = true }
        return ok
    }

    /// Records the violation of a failed assertion keyword (`apply` decided it failed).
    mutating func reportFailure(_ node: Int32, _ k: Int32, _ kw: FKeyword, _ inst: JSON) {
        let actual = Render.actual(inst)
        switch kw.op {
        case .type:
            let mask = TypeMask(rawValue: UInt8(kw.a))
            record(
                node, k, inst, expected: "type \(mask.description)",
                text:
                    "\(actual) is not of type \(mask.description) (it is \(Evaluator.article(Evaluator.typeName(inst))))"
            )
        case .enumeration:
            let values = Array(program.values[Int(kw.a)..<Int(kw.a + kw.b)])
            let list = Render.list(values)
            let expected = values.count == 1 ? list : "one of \(list)"
            let text =
                values.isEmpty
                ? "no value is allowed (enum is empty)"
                : values.count == 1 ? "\(actual) is not \(list)" : "\(actual) is not one of \(list)"
            record(node, k, inst, expected: expected, text: text)
        case .constant:
            let cs = Render.actual(program.values[Int(kw.a)], limit: 60)
            record(node, k, inst, expected: "the constant \(cs)", text: "\(actual) is not \(cs)")
        case .multipleOf:
            record(
                node, k, inst, expected: "a multiple of \(Render.number(kw.x))",
                text: "\(actual) is not a multiple of \(Render.number(kw.x))")
        case .maximum:
            record(
                node, k, inst, expected: "<= \(Render.number(kw.x))",
                text: "\(actual) is greater than the maximum \(Render.number(kw.x))")
        case .exclusiveMaximum:
            record(
                node, k, inst, expected: "< \(Render.number(kw.x))",
                text: "\(actual) is not less than the exclusive maximum \(Render.number(kw.x))")
        case .minimum:
            record(
                node, k, inst, expected: ">= \(Render.number(kw.x))",
                text: "\(actual) is less than the minimum \(Render.number(kw.x))")
        case .exclusiveMinimum:
            record(
                node, k, inst, expected: "> \(Render.number(kw.x))",
                text: "\(actual) is not greater than the exclusive minimum \(Render.number(kw.x))")
        case .maxLength:
            let length = inst.stringValue?.unicodeScalars.count ?? 0
            record(
                node, k, inst, expected: "at most \(Evaluator.plural(Int(kw.a), "character"))",
                text: "\(actual) is longer than \(Evaluator.plural(Int(kw.a), "character")) (\(length))")
        case .minLength:
            let length = inst.stringValue?.unicodeScalars.count ?? 0
            record(
                node, k, inst, expected: "at least \(Evaluator.plural(Int(kw.a), "character"))",
                text: "\(actual) is shorter than \(Evaluator.plural(Int(kw.a), "character")) (\(length))")
        case .pattern:
            let re = program.regexes[Int(kw.a)]
            record(
                node, k, inst, expected: "pattern \(re.source)",
                text: "\(actual) does not match the pattern \(re.source)")
        case .format:
            let kind = FormatKind(rawValue: UInt8(kw.a))!
            let reason = inst.stringValue.flatMap { Formats.check(kind, $0) } ?? "invalid"
            record(
                node, k, inst, expected: "format \(kind.name)",
                text: "\(actual) is not a valid \(kind.name) (\(reason))")
        case .maxItems:
            record(
                node, k, inst, expected: "at most \(Evaluator.plural(Int(kw.a), "item"))",
                text: "the array has \(inst.arrayValue?.count ?? 0) items, more than the maximum \(kw.a)")
        case .minItems:
            record(
                node, k, inst, expected: "at least \(Evaluator.plural(Int(kw.a), "item"))",
                text:
                    "the array has \(Evaluator.plural(inst.arrayValue?.count ?? 0, "item")), fewer than the minimum \(kw.a)"
            )
        case .uniqueItems:
            let a = inst.arrayValue ?? []
            let (i, j) = Evaluator.firstDuplicate(a) ?? (0, 0)
            record(
                node, k, inst, expected: "unique items",
                text: "items \(i) and \(j) are equal (\(Render.actual(a.isEmpty ? .null : a[j], limit: 40)))")
        case .maxProperties:
            record(
                node, k, inst, expected: "at most \(Evaluator.plural(Int(kw.a), "property"))",
                text: "the object has \(inst.objectValue?.count ?? 0) properties, more than the maximum \(kw.a)")
        case .minProperties:
            record(
                node, k, inst, expected: "at least \(Evaluator.plural(Int(kw.a), "property"))",
                text:
                    "the object has \(Evaluator.plural(inst.objectValue?.count ?? 0, "property")), fewer than the minimum \(kw.a)"
            )
        case .not:
            record(
                node, k, inst, expected: "not to match the \"not\" schema",
                text: "\(actual) must not match the schema at \(program.locations[Int(node)])/not")
        case .falseSchema:
            record(
                node, k, inst, expected: "nothing (the schema is false)",
                text: "no value is allowed here (the schema is false)", atSchema: true)
        default:
            record(node, k, inst, expected: "valid", text: "\(actual) is not valid")
        }
    }

    mutating func applyMembers(_ node: Int32, _ m: FMembers, _ o: JSONObject, _ ann: AnnotationsRef, table: Int32) -> Bool {
        var ok = true
        let members = o.members
        if !collect && ann == nil && m.patternCount == 0 {
            // The common case, without bookkeeping. Members are reached through a
            // pointer so that only the fields used are loaded.
            let slots = t.slots
            let bytes = t.bytes
            let declares = t.nodes[Int(node)].flags & FNode.declaresProperties != 0
            let siblings = m.slotMask >= 0 ? self.siblings : nil
            return members.withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress else { return true }
                for i in 0..<buf.count {
                    let p = base + i
                    var c: Int32 = -1
                    if m.slotMask >= 0 {
                        if let siblings {
                            c = siblings.child(table, m, i, p, slots, bytes)
                        } else {
                            c =
                                p.pointee.key.utf8.withContiguousStorageIfAvailable { Tables.lookup(m, $0, slots, bytes) }
                                ?? Tables.property(m, p.pointee.key, slots, bytes)
                        }
                    }
                    if c >= 0, nullMeansAbsent, case .null = p.pointee.value { continue }
                    let target = c >= 0 ? c : m.additional
                    if target >= 0 {
                        if !descend(target, p.pointee.value) { return false }
                    } else if declares {
                        allDescribed = false
                    }
                }
                return true
            }
        }
        let slots = t.slots
        let bytes = t.bytes
        return members.withUnsafeBufferPointer { buf in
            for i in buf.indices {
                let c = Tables.property(m, buf[i].key, slots, bytes)
                var matched = false
                if c >= 0, nullMeansAbsent, case .null = buf[i].value {
                    matched = true  // declared, and holding no value: as if absent
                } else if c >= 0 {
                    matched = true
                    if collect { kwPath[kwPath.count - 1] = .key("properties") }
                    if !child(
                        node, c, buf[i].value, .key(buf[i].key), i, kwToken: .key(buf[i].key),
                        falseKeyword: "properties")
                    {
                        ok = false
                        if !collect { return false }
                    }
                }
                if m.patternCount > 0 {
                    for p in Int(m.patternStart)..<Int(m.patternStart + m.patternCount) {
                        let pat = t.patterns[p]
                        let re = program.regexes[Int(pat.regex)]
                        guard re.matches(buf[i].key) else { continue }
                        matched = true
                        if collect { kwPath[kwPath.count - 1] = .key("patternProperties") }
                        if !child(
                            node, pat.child, buf[i].value, .key(buf[i].key), i, kwToken: .key(re.source),
                            falseKeyword: "patternProperties")
                        {
                            ok = false
                            if !collect { return false }
                        }
                    }
                }
                if !matched && m.additional >= 0 {
                    if collect { kwPath[kwPath.count - 1] = .key("additionalProperties") }
                    if !child(
                        node, m.additional, buf[i].value, .key(buf[i].key), i, kwToken: nil,
                        falseKeyword: "additionalProperties")
                    {
                        ok = false
                        if !collect { return false }
                    }
                } else if matched, let ann {
                    ann.pointee.addProp(buf[i].key)
                }
            }
            if ok, let ann, m.additional >= 0 { ann.pointee.allProps = true }
            return ok
        }
    }

    mutating func reportFalseChild(
        _ node: Int32, _ keyword: String, _ kwToken: PathToken?, _ value: JSON, _ token: PathToken
    ) {
        let what: String
        switch token {
        case .key(let k): what = "property \(Render.quoted(k))"
        case .index(let i): what = "item \(i)"
        }
        let reason: String
        switch keyword {
        case "additionalProperties", "unevaluatedProperties", "items", "unevaluatedItems", "additionalItems",
            "propertyNames":
            reason = "\(keyword) is false"
        default:
            reason = "its schema is false"
        }
        record(
            node, nil, value, keyword: keyword, subpath: kwToken.map { [$0] } ?? [], expected: "no \(what)",
            text: "\(what) is not allowed (\(reason))")
    }

    mutating func reportAlternatives(
        _ node: Int32, _ k: Int32, _ inst: JSON, count: Int, matched: [Int], branches: [[Recorded]]
    ) {
        let keyword = program.keywordNames[Int(k)]
        let a = Render.actual(inst)
        if matched.count > 1 {
            let which = matched.map { "#\($0)" }.joined(separator: ", ")
            record(
                node, k, inst, expected: "exactly one of \(count) subschemas to match (\(which) matched)",
                text:
                    "\(a) matches \(matched.count) of the \(count) oneOf subschemas (\(which)); exactly one must match")
            return
        }
        // The closest alternative: its violations are deepest, then fewest.
        var best: [Recorded] = []
        var bestScore = (Int.min, Int.min)
        for b in branches where !b.isEmpty {
            let score = (b.map(\.order.count).max() ?? 0, -b.count)
            if score > bestScore {
                bestScore = score
                best = b
            }
        }
        let details = Evaluator.sort(best).map(\.violation)
        let expected =
            keyword == "oneOf"
            ? "exactly one of \(count) subschemas to match (none did)"
            : "at least one of \(count) subschemas to match (none did)"
        var text = "\(a) matches none of the \(count) \(keyword) subschemas"
        if let first = details.first {
            text += "; closest: \(first.message)"
            if details.count > 1 { text += " (and \(details.count - 1) more)" }
        }
        record(node, k, inst, expected: expected, text: text, details: details)
    }

    // MARK: recording

    /// Records a violation at the current instance location for keyword `k` of
    /// `node` (or, with `k == nil`, for `keyword`). `subpath` extends the
    /// absolute keyword location below the keyword (e.g. properties/name).
    mutating func record(
        _ node: Int32, _ k: Int32?, _ inst: JSON, keyword: String? = nil, subpath: [PathToken] = [],
        expected: String, actual: String? = nil, text: String, details: [SchemaViolation] = [], atSchema: Bool = false
    ) {
        let name = keyword ?? k.map { program.keywordNames[Int($0)] } ?? "?"
        var tokens: [String] = []
        var order: [Int] = []
        tokens.reserveCapacity(instPath.count)
        order.reserveCapacity(instPath.count)
        for s in instPath {
            tokens.append(s.token.text)
            order.append(s.ordinal)
        }
        let pointer = JSONPointer(tokens: tokens)
        var kwTokens = kwPath
        if keyword != nil, k != nil, !kwTokens.isEmpty { kwTokens[kwTokens.count - 1] = .key(name) }
        if atSchema, !kwTokens.isEmpty { kwTokens.removeLast() }  // the `false` schema itself
        var keywordLocation = ""
        for t in kwTokens { keywordLocation += "/" + JSONPointer.escape(t.text) }
        var absolute = program.locations[Int(node)]
        if !atSchema {
            absolute += "/" + JSONPointer.escape(name)
            for t in subpath { absolute += "/" + JSONPointer.escape(t.text) }
        }
        let at = pointer.tokens.isEmpty ? "(root)" : pointer.description
        let v = SchemaViolation(
            instanceLocation: pointer, keywordLocation: keywordLocation, absoluteKeywordLocation: absolute,
            keyword: name,
            expected: expected, actual: actual ?? Render.actual(inst), message: "\(at): \(text)", details: details)
        recorded.append(Recorded(order: order, violation: v))
    }

    mutating func record(
        _ node: Int32, keyword: String, _ inst: JSON, expected: String, text: String
    ) {
        record(node, nil, inst, keyword: keyword, expected: expected, text: text)
    }

    // MARK: helpers

    static func plural(_ n: Int, _ word: String) -> String {
        if n == 1 { return "1 \(word)" }
        return word == "property" ? "\(n) properties" : "\(n) \(word)s"
    }

    @inline(__always)
    static func typeMatches(_ mask: TypeMask, _ inst: JSON) -> Bool {
        switch inst {
        case .null: return mask.contains(.null)
        case .bool: return mask.contains(.boolean)
        case .string: return mask.contains(.string)
        case .object: return mask.contains(.object)
        case .array: return mask.contains(.array)
        case .number(let n):
            if mask.contains(.number) { return true }
            return mask.contains(.integer) && isInteger(n)
        }
    }

    /// Whether `n` is a finite number without a fractional part. (Not with
    /// `rounded(.towardZero)`, which is a call into libm on x86-64.)
    @inline(__always)
    static func isInteger(_ n: Double) -> Bool {
        // Below 2^52 in magnitude, converting to Int64 drops any fraction; above, every finite double is whole.
        if abs(n) < 4_503_599_627_370_496 { return Double(Int64(n)) == n }
        return n.isFinite
    }

    static func typeName(_ inst: JSON) -> String {
        if case .number(let n) = inst, isInteger(n) { return "integer" }
        return inst.typeName
    }

    static func article(_ t: String) -> String {
        t == "integer" || t == "object" || t == "array" ? "an \(t)" : t == "null" ? "null" : "a \(t)"
    }

    static func firstDuplicate(_ a: [JSON]) -> (Int, Int)? {
        if a.count <= 24 {
            for j in 1..<a.count {
                for i in 0..<j where Exact.equal(a[i], a[j]) { return (i, j) }
            }
            return nil
        }
        // JSON's hash agrees with exact equality (equal values hash alike); compare exactly within a bucket.
        var buckets: [Int: [Int]] = [:]
        buckets.reserveCapacity(a.count)
        for (j, v) in a.enumerated() {
            let h = v.hashValue
            if let prior = buckets[h] {
                for i in prior where Exact.equal(a[i], v) { return (i, j) }
            }
            buckets[h, default: []].append(j)
        }
        return nil
    }
}

enum Numbers {
    /// `value` is an integer multiple of `m` (> 0), decided exactly for values
    /// with short decimal forms (0.0075 is a multiple of 0.0001).
    static func isMultiple(_ value: Double, of m: Double) -> Bool {
        if value == 0 { return true }
        if !value.isFinite { return false }
        if m.rounded() == m && value.rounded() == value {
            return value.truncatingRemainder(dividingBy: m) == 0
        }
        let q = value / m
        if !q.isFinite { return value.truncatingRemainder(dividingBy: m) == 0 }
        if abs(q) >= 9_007_199_254_740_992 { return true }
        if let (a, ea) = decimal(value), let (b, eb) = decimal(m) {
            let e = min(ea, eb)
            if let sa = scale(a, ea - e), let sb = scale(b, eb - e), sb != 0 {
                return sa % sb == 0
            }
        }
        let r = q.rounded()
        return abs(q - r) <= 1e-9 * max(1, abs(q))
    }

    static func scale(_ v: UInt64, _ by: Int) -> UInt64? {
        var x = v
        for _ in 0..<by {
            let (r, o) = x.multipliedReportingOverflow(by: 10)
            if o { return nil }
            x = r
        }
        return x
    }

    /// The shortest decimal form of |d| as digits × 10^exponent.
    static func decimal(_ d: Double) -> (UInt64, Int)? {
        let text = "\(abs(d))"
        var digits: UInt64 = 0
        var exponent = 0
        var seenDot = false
        var count = 0
        var it = text.utf8.makeIterator()
        while let c = it.next() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if count >= 18 { return nil }
                digits = digits * 10 + UInt64(c - 48)
                if digits > 0 { count += 1 }
                if seenDot { exponent -= 1 }
            case UInt8(ascii: "."):
                seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                var rest = ""
                while let x = it.next() { rest.unicodeScalars.append(Unicode.Scalar(x)) }
                guard let e = Int(rest.hasPrefix("+") ? String(rest.dropFirst()) : rest) else { return nil }
                exponent += e
                return (digits, exponent)
            default:
                return nil
            }
        }
        return (digits, exponent)
    }
}

/// The property each member of the last object a `properties` table was
/// applied to named, by the member's position, for the next object of that
/// table: the items of a page are siblings of one shape, and the parser gives
/// each of them the same key strings (`Shapes`), so a member whose key is, bit
/// for bit, the key at its position in the previous sibling names the same
/// property without hashing it (perf, issue 24: the look-up was most of
/// validation's own time on the deleted-accounts pages). Bits equal means the
/// same string: the same storage object, alive (the instance is not
/// mutated or freed while it is evaluated, and the cache lives for one
/// evaluation), or the same inline small string. Any other key is looked up
/// as before (`Tables.lookup`) and remembered in its place.
struct SiblingSlots {
    struct Entry {
        var bits: (UInt64, UInt64)
        var child: Int32
    }
    /// Positions remembered per table; members past it are looked up every time.
    static let positions = 64
    /// Per members table, `positions` entries, made when the table is first used.
    let tables: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>
    let count: Int
    /// Where a member's key is: its two words are read from there.
    let offset: Int

    /// Room for `count` members tables; nil where a `String` is not two words
    /// (its bits are what is compared), and then every key is looked up.
    init?(tables count: Int) {
        guard MemoryLayout<String>.size == 16, let offset = MemoryLayout<JSONObject.Member>.offset(of: \.key) else {
            return nil
        }
        self.count = max(1, count)
        self.offset = offset
        tables = .allocate(capacity: self.count)
        tables.initialize(repeating: nil, count: self.count)
    }

    func release() {
        for k in 0..<count { tables[k]?.deallocate() }
        tables.deallocate()
    }

    /// The child of `m` (members table `table`) that the key of the member at
    /// `p`, at `position` in its object, names; -1 for none (as `Tables.lookup`).
    @inline(__always) func child(
        _ table: Int32, _ m: FMembers, _ position: Int, _ p: UnsafePointer<JSONObject.Member>,
        _ slots: UnsafeBufferPointer<PropSlot>, _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        guard position < SiblingSlots.positions else {
            return p.pointee.key.utf8.withContiguousStorageIfAvailable { Tables.lookup(m, $0, slots, bytes) }
                ?? Tables.property(m, p.pointee.key, slots, bytes)
        }
        let e = entry(table, position)
        let bits = UnsafeRawPointer(p).load(fromByteOffset: offset, as: (UInt64, UInt64).self)
        if e.pointee.child != Int32.min && e.pointee.bits == bits { return e.pointee.child }
        let c =
            p.pointee.key.utf8.withContiguousStorageIfAvailable { Tables.lookup(m, $0, slots, bytes) }
            ?? Tables.property(m, p.pointee.key, slots, bytes)
        e.pointee = Entry(bits: bits, child: c)
        return c
    }

    /// The entry of `position` in members table `table`'s (made on first use).
    @inline(__always) func entry(_ table: Int32, _ position: Int) -> UnsafeMutablePointer<Entry> {
        if let made = tables[Int(table)] { return made + position }
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: SiblingSlots.positions)
        entries.initialize(repeating: Entry(bits: (0, 0), child: Int32.min), count: SiblingSlots.positions)
        tables[Int(table)] = entries
        return entries + position
    }

    /// Whether `child` will answer the member at `p` from the cache (for the
    /// tests, which count that both paths ran).
    func remembers(_ table: Int32, _ position: Int, _ p: UnsafePointer<JSONObject.Member>) -> Bool {
        guard position < SiblingSlots.positions else { return false }
        let e = entry(table, position)
        return e.pointee.child != Int32.min
            && e.pointee.bits == UnsafeRawPointer(p).load(fromByteOffset: offset, as: (UInt64, UInt64).self)
    }
}
