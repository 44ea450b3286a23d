import JSONKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension CompiledSchema {
    /// Validates a document read into a tape (`JSONTape`), with the result
    /// `validate(tape.materialize())` would give: a fast pass reads the tape
    /// without making a tree; when it cannot vouch for the document (it is
    /// invalid, has undescribed members to report, or the schema uses a
    /// keyword the fast pass leaves to the tree), the tree is made from the
    /// tape and validated as before, so every violation and every undescribed
    /// member is the tree's, word for word. Step 3 of the rewrite that
    /// Benchmarks.md ("Round 2, tenth pass") plans for issue 24.
    public func validate(_ tape: JSONTape) -> ValidationResult {
        if vouches(for: tape) { return ValidationResult() }
        return validate(tape.materialize())
    }

    /// Whether the document on `tape` is valid: `isValid(tape.materialize())`,
    /// without the tree when the fast pass can tell.
    public func isValid(_ tape: JSONTape) -> Bool {
        if vouches(for: tape, describing: false) { return true }
        return isValid(tape.materialize())
    }

    /// Whether the fast pass alone finds the document valid, with (when
    /// `describing` and the options ask for them) no undescribed member to
    /// report: then `validate(tape)` makes no tree. (For benchmarks, which
    /// must know which path they time.)
    public func vouches(for tape: JSONTape, describing: Bool = true) -> Bool {
        fastVerdict(tape, describing: describing) == true
    }

    /// The fast pass's verdict: true (valid, and nothing to describe), false
    /// (invalid, or something to describe), nil (it cannot tell). For the
    /// tests, which hold it to the tree's verdict.
    func fastVerdict(_ tape: JSONTape, describing: Bool = true) -> Bool? {
        if program.usesDynamicScope { return nil }
        let describe = describing && options.reportUndescribedProperties
        return program.withTables { t in
            tape.withRoot { root in
                var ev = ViewEvaluator(program: program, tables: t)
                ev.allDescribed = describe
                ev.nullMeansAbsent = options.nullMeansAbsent
                let ok = ev.eval(program.root, root)
                if ev.unknown { return nil }
                return ok && (!describe || ev.allDescribed)
            }
        }
    }
}

/// The evaluator's fast mode (`Evaluator` with `collect == false`) over a
/// tape: it stops at the first failure, records nothing, and reads strings
/// and keys as bytes in place. What it does not handle, it leaves: it sets
/// `unknown`, and the caller validates the tree instead. It leaves schemas
/// with `unevaluatedProperties`/`unevaluatedItems` (they need annotations),
/// `patternProperties`, a dynamic scope, and evaluations past the nesting
/// limits. Each keyword here reads as the `Evaluator`'s does; the tests hold
/// the two to the same verdicts over the JSON Schema test suite.
struct ViewEvaluator {
    let program: Program
    let t: Tables
    var depth = 0
    var inPlace = 0
    /// As `Evaluator.allDescribed`.
    var allDescribed = false
    var nullMeansAbsent = false
    /// Set when the verdict cannot be had here; the verdict is then discarded.
    var unknown = false

    init(program: Program, tables: Tables) {
        self.program = program
        self.t = tables
    }

    mutating func eval(_ index: Int32, _ v: JSONView) -> Bool {
        var index = index
        var node = t.nodes[Int(index)]
        if node.collapsed != index {
            index = node.collapsed
            node = t.nodes[Int(index)]
        }
        if allDescribed && node.flags & FNode.describesPlainly == 0 {
            switch v.kind {
            case .object, .array: allDescribed = false
            default: break
            }
        }
        if node.count == 0 { return true }
        // A leaf (assertions only: the usual property schema) is checked right
        // here, as `Evaluator.eval` does: a `type` with a `format` without a call.
        if node.flags & FNode.isLeaf != 0 && depth < Evaluator.maxDepth && inPlace < Evaluator.maxInPlace {
            if node.flags & FNode.assertsTypeAndFormat != 0 {
                guard ViewEvaluator.typeMatches(TypeMask(rawValue: node.types), v) else { return false }
                guard let format = node.format else { return true }
                if format != .regex { return v.withUTF8 { Formats.problem(format, $0) == nil } ?? true }
            }
            var k = Int(node.first)
            let end = k + Int(node.count)
            while k < end {
                if !holds(t.keywords[k], v) { return false }
                k += 1
            }
            return true
        }
        if depth >= Evaluator.maxDepth || inPlace >= Evaluator.maxInPlace || node.flags & FNode.hasUnevaluated != 0 {
            unknown = true
            return false
        }
        depth += 1
        inPlace += 1
        var ok = true
        var k = node.first
        let end = node.first + node.count
        while k < end {
            if !apply(index, k, v) || unknown {
                ok = false
                break
            }
            k += 1
        }
        depth -= 1
        inPlace -= 1
        return ok
    }

    /// Evaluates `child` on a member or element: a new instance location.
    mutating func descend(_ child: Int32, _ v: JSONView) -> Bool {
        let saved = inPlace
        inPlace = 0
        let ok = eval(child, v)
        inPlace = saved
        return ok
    }

    mutating func apply(_ node: Int32, _ k: Int32, _ v: JSONView) -> Bool {
        let kw = t.keywords[Int(k)]
        switch kw.op {
        case .dependentRequired:
            guard v.kind == .object else { return true }
            for d in program.dependentRequired[Int(kw.a)] where has(v, d.property) {
                for name in d.required where !has(v, name) { return false }
            }
            return true
        case .contains:
            guard v.kind == .array else { return true }
            let lo = Int(kw.b)
            let hi: Int? = kw.c >= 0 ? Int(kw.c) : nil
            var count = 0
            for e in v.elements where descend(kw.a, e) {
                if unknown { return false }
                count += 1
                if hi == nil && count >= lo { break }
                if let hi, count > hi { break }
            }
            return count >= lo && (hi.map { count <= $0 } ?? true)
        case .members:
            guard v.kind == .object else { return true }
            return members(node, kw.a, v)
        case .propertyNames:
            guard v.kind == .object else { return true }
            for m in v.members where !descend(kw.a, m.key) { return false }
            return true
        case .dependentSchemas:
            guard v.kind == .object else { return true }
            for d in program.dependentSchemas[Int(kw.a)] where has(v, d.name) {
                if !eval(Int32(d.node), v) { return false }
            }
            return true
        case .prefixItems:
            guard v.kind == .array else { return true }
            var i = 0
            for e in v.elements {
                guard i < Int(kw.b) else { break }
                if !descend(t.lists[Int(kw.a) + i], e) { return false }
                i += 1
            }
            return true
        case .items:
            guard v.kind == .array else { return true }
            var i = 0
            for e in v.elements {
                if i >= Int(kw.b), !descend(kw.a, e) { return false }
                i += 1
            }
            return true
        case .allOf:
            for i in 0..<Int(kw.b) where !eval(t.lists[Int(kw.a) + i], v) { return false }
            return true
        case .anyOf:
            for i in 0..<Int(kw.b) {
                if eval(t.lists[Int(kw.a) + i], v) { return true }
                if unknown { return false }
            }
            return false
        case .oneOf:
            var matched = 0
            for i in 0..<Int(kw.b) {
                if eval(t.lists[Int(kw.a) + i], v) {
                    matched += 1
                    if matched > 1 { return false }
                }
                if unknown { return false }
            }
            return matched == 1
        case .not:
            let r = eval(kw.a, v)
            return !r && !unknown
        case .conditional:
            if kw.b < 0 && kw.c < 0 { return true }
            let cond = eval(kw.a, v)
            if unknown { return false }
            if cond { return kw.b < 0 || eval(kw.b, v) }
            return kw.c < 0 || eval(kw.c, v)
        case .ref:
            return eval(kw.a, v)
        case .dynamicRef:
            // Without a dynamic scope (the caller checked) the target is the static one, as `Evaluator.dynamicTarget`.
            return eval(kw.a, v)
        case .unevaluatedProperties, .unevaluatedItems:
            unknown = true
            return false
        default:
            return holds(kw, v)
        }
    }

    /// `properties` and `additionalProperties`, as `Evaluator.applyMembers`'s fast path.
    mutating func members(_ node: Int32, _ table: Int32, _ v: JSONView) -> Bool {
        let m = t.members[Int(table)]
        if m.patternCount > 0 {
            unknown = true
            return false
        }
        let declares = t.nodes[Int(node)].flags & FNode.declaresProperties != 0
        let slots = t.slots
        let bytes = t.bytes
        for member in v.members {
            let c = m.slotMask >= 0 ? (member.key.withUTF8 { Tables.lookup(m, $0, slots, bytes) } ?? -1) : -1
            if c >= 0, nullMeansAbsent, member.value.isNull { continue }
            let target = c >= 0 ? c : m.additional
            if target >= 0 {
                if !descend(target, member.value) { return false }
            } else if declares {
                allDescribed = false
            }
        }
        return true
    }

    func has(_ v: JSONView, _ name: NameRef) -> Bool {
        for m in v.members where m.key.withUTF8({ t.equals(name, $0) }) == true { return true }
        return false
    }

    func has(_ v: JSONView, _ name: String) -> Bool {
        for m in v.members where m.key.stringEquals(name) { return true }
        return false
    }

    static func typeMatches(_ mask: TypeMask, _ v: JSONView) -> Bool {
        switch v.kind {
        case .null: return mask.contains(.null)
        case .bool: return mask.contains(.boolean)
        case .string: return mask.contains(.string)
        case .object: return mask.contains(.object)
        case .array: return mask.contains(.array)
        case .number:
            if mask.contains(.number) { return true }
            return mask.contains(.integer) && Evaluator.isInteger(v.numberValue ?? .nan)
        }
    }

    /// Code points in valid UTF-8 (the tape holds only valid UTF-8): bytes that do not continue one.
    static func scalarCount(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for x in b where x & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// As `Evaluator.holds`.
    mutating func holds(_ kw: FKeyword, _ v: JSONView) -> Bool {
        switch kw.op {
        case .type:
            return ViewEvaluator.typeMatches(TypeMask(rawValue: UInt8(kw.a)), v)
        case .enumeration:
            if kw.c >= 0 {
                let names = t.keys[Int(kw.c)..<Int(kw.c + kw.b)]
                let bytes = t.bytes
                return v.withUTF8 { p in
                    let w = Tables.words(p)
                    for n in names where Tables.equals(n, p, w, bytes) { return true }
                    return false
                } ?? false
            }
            let value = v.materialize()
            for i in Int(kw.a)..<Int(kw.a + kw.b) where Exact.equal(program.values[i], value) { return true }
            return false
        case .constant:
            return Exact.equal(program.values[Int(kw.a)], v.materialize())
        case .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum:
            guard let n = v.numberValue else { return true }
            return Evaluator.numberHolds(kw, n)
        case .maxLength, .minLength:
            return v.withUTF8 { p in Evaluator.lengthHolds(kw, bytes: p.count) { ViewEvaluator.scalarCount(p) } } ?? true
        case .pattern:
            let re = program.regexes[Int(kw.a)]
            return v.withUTF8 { re.matches(utf8: $0) } ?? true
        case .format:
            let kind = FormatKind(rawValue: UInt8(kw.a))!
            if case .regex = kind {
                guard let s = v.stringValue else { return true }
                return Formats.check(kind, s) == nil
            }
            return v.withUTF8 { Formats.problem(kind, $0) == nil } ?? true
        case .maxItems:
            guard v.kind == .array else { return true }
            return v.count <= Int(kw.a)
        case .minItems:
            guard v.kind == .array else { return true }
            return v.count >= Int(kw.a)
        case .uniqueItems:
            guard v.kind == .array, v.count > 1, case .array(let a) = v.materialize() else { return true }
            return Evaluator.firstDuplicate(a) == nil
        case .maxProperties:
            guard v.kind == .object else { return true }
            return v.count <= Int(kw.a)
        case .minProperties:
            guard v.kind == .object else { return true }
            return v.count >= Int(kw.a)
        case .required:
            guard v.kind == .object else { return true }
            for i in Int(kw.a)..<Int(kw.a + kw.b) where !has(v, t.nameRefs[i]) { return false }
            return true
        case .falseSchema:
            return false
        default:
            // An applicator would not be here; leave it to the tree rather than guess.
            unknown = true
            return false
        }
    }
}
