import JSONKit

/// Finds object members the schemas do not describe ("a field the docs do not
/// mention"). Walks the instance once, location by location, with the set of
/// schema nodes that apply there: in-place applicators (`allOf`, `anyOf`,
/// `oneOf`, `if`/`then`/`else`, `$ref`, `$dynamicRef`, `dependentSchemas`)
/// are expanded and their `properties` united, so a member described by any
/// alternative counts as described. `not` describes nothing.
///
/// Node sets live on one scratch stack (`stack`), so the walk does not
/// allocate per location once the stack has grown.
struct Describer {
    let program: Program
    let t: Tables
    var found: [UndescribedMember] = []
    /// The path to the current location: members by address (valid while the
    /// walk is inside their object's buffer), elements by index.
    var path = Scratch<Step>()
    var stack = Scratch<Int32>()

    struct Step {
        var member: UnsafePointer<JSONObject.Member>?
        var index: Int
    }

    func pointer() -> JSONPointer {
        var tokens: [String] = []
        for i in 0..<path.count {
            let s = path[i]
            tokens.append(s.member.map { $0.pointee.key } ?? String(s.index))
        }
        return JSONPointer(tokens: tokens)
    }

    init(program: Program, tables: Tables) {
        self.program = program
        self.t = tables
    }

    mutating func run(_ instance: JSON) -> [UndescribedMember] {
        defer {
            stack.free()
            path.free()
        }
        stack.append(t.nodes[Int(program.root)].collapsed)
        visit(instance, 0)
        return found
    }

    /// The names the `properties` of the given member tables declare, sorted, without duplicates.
    func names(_ tables: [FMembers]) -> [String] {
        var out = Set<String>()
        for fm in tables where fm.slotMask >= 0 {
            for i in Int(fm.slotStart)...Int(fm.slotStart + fm.slotMask) {
                let slot = t.slots[i]
                guard slot.child >= 0 else { continue }
                out.insert(t.string(NameRef(offset: slot.name.offset, length: slot.name.length)))
            }
        }
        return out.sorted()
    }

    /// The member tables of the nodes in `stack[from..<end]`.
    func memberTables(_ from: Int, _ end: Int) -> [FMembers] {
        var out: [FMembers] = []
        for i in from..<end {
            let n = t.nodes[Int(stack[i])]
            if n.members >= 0 { out.append(t.members[Int(n.members)]) }
        }
        return out
    }

    /// Expands the nodes in `stack[from...]` in place: adds every node reachable
    /// by in-place applicators, without duplicates.
    mutating func expand(_ from: Int, _ inst: JSON) {
        var i = from
        while i < stack.count {
            let n = t.nodes[Int(stack[i])]
            i += 1
            guard n.flags & FNode.hasInPlace != 0 else { continue }
            for k in Int(n.first)..<Int(n.first + n.count) {
                let kw = t.keywords[k]
                switch kw.op {
                case .allOf, .anyOf, .oneOf:
                    for j in Int(kw.a)..<Int(kw.a + kw.b) { add(t.lists[j], from) }
                case .conditional:
                    add(kw.a, from)
                    if kw.b >= 0 { add(kw.b, from) }
                    if kw.c >= 0 { add(kw.c, from) }
                case .ref, .dynamicRef:
                    add(kw.a, from)
                case .dependentSchemas:
                    if case .object(let o) = inst {
                        for d in program.dependentSchemas[Int(kw.a)] where Exact.has(o, d.name) {
                            add(Int32(d.node), from)
                        }
                    }
                default: break
                }
            }
        }
    }

    @inline(__always) mutating func add(_ node: Int32, _ from: Int) {
        // A schema that is only a `$ref` describes what its target describes.
        let n = t.nodes[Int(node)].collapsed
        var i = from
        while i < stack.count {
            if stack[i] == n { return }
            i += 1
        }
        stack.append(n)
    }

    /// The members of an object to which exactly one schema applies, whose
    /// members are described by `properties` (and `additionalProperties`) only.
    mutating func visitSimple(_ members: [JSONObject.Member], _ fm: FMembers, report: Bool) {
        let slots = t.slots
        let bytes = t.bytes
        var siblings: [String]?
        members.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            for index in 0..<buf.count {
                let p = base + index
                var c: Int32 = -1
                if fm.slotMask >= 0 {
                    c =
                        p.pointee.key.utf8.withContiguousStorageIfAvailable { Tables.lookup(fm, $0, slots, bytes) }
                        ?? Tables.property(fm, p.pointee.key, slots, bytes)
                }
                if c < 0 && report {
                    if siblings == nil { siblings = names([fm]) }
                    path.append(Step(member: p, index: index))
                    found.append(UndescribedMember(pointer: pointer(), documentedSiblings: siblings ?? []))
                    path.removeLast()
                    continue
                }
                let target = c >= 0 ? c : fm.additional
                guard target >= 0 else { continue }
                switch p.pointee.value {
                case .object, .array:
                    let childStart = stack.count
                    stack.append(t.nodes[Int(target)].collapsed)
                    path.append(Step(member: p, index: index))
                    visit(p.pointee.value, childStart)
                    path.removeLast()
                    stack.count = childStart
                default:
                    continue
                }
            }
        }
    }

    /// Visits `inst` with the node set `stack[from...]`; the caller removes what it leaves on the stack.
    mutating func visit(_ inst: JSON, _ from: Int) {
        switch inst {
        case .object(let o):
            expand(from, inst)
            let end = stack.count
            var declares = false
            var covered = false
            var anyMembers = false
            for i in from..<end {
                let n = t.nodes[Int(stack[i])]
                if n.flags & FNode.declaresProperties != 0 { declares = true }
                if n.members >= 0 {
                    anyMembers = true
                    if t.members[Int(n.members)].additional >= 0 { covered = true }
                }
                if n.unevaluatedProperties >= 0 {
                    anyMembers = true
                    covered = true
                }
            }
            guard anyMembers || (declares && !covered) else { return }
            let slots = t.slots
            let bytes = t.bytes
            let members = o.members
            if end - from == 1, t.nodes[Int(stack[from])].unevaluatedProperties < 0, t.nodes[Int(stack[from])].members >= 0 {
                // The common case: one schema with properties applies here.
                let fm = t.members[Int(t.nodes[Int(stack[from])].members)]
                if fm.patternCount == 0 {
                    visitSimple(members, fm, report: declares && fm.additional < 0)
                    return
                }
            }
            var siblings: [String]?
            members.withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                for index in 0..<buf.count {
                    let p = base + index
                    let childStart = stack.count
                    // Only objects and arrays have members to describe.
                    let container: Bool
                    switch p.pointee.value {
                    case .object, .array: container = true
                    default: container = false
                    }
                    var described = false
                    for i in from..<end {
                        let n = t.nodes[Int(stack[i])]
                        guard n.members >= 0 else { continue }
                        let fm = t.members[Int(n.members)]
                        var matched = false
                        let c = Tables.property(fm, p.pointee.key, slots, bytes)
                        if c >= 0 {
                            matched = true
                            if container { add(c, childStart) }
                        }
                        if fm.patternCount > 0 {
                            for q in Int(fm.patternStart)..<Int(fm.patternStart + fm.patternCount) {
                                let pat = t.patterns[q]
                                if program.regexes[Int(pat.regex)].matches(p.pointee.key) {
                                    matched = true
                                    if container { add(pat.child, childStart) }
                                }
                            }
                        }
                        if matched {
                            described = true
                        } else if fm.additional >= 0 && container {
                            add(fm.additional, childStart)
                        }
                    }
                    if !described && container {
                        for i in from..<end {
                            let n = t.nodes[Int(stack[i])]
                            if n.unevaluatedProperties >= 0 { add(n.unevaluatedProperties, childStart) }
                        }
                    }
                    let report = declares && !described && !covered
                    if report || stack.count > childStart {
                        path.append(Step(member: p, index: index))
                        if report {
                            if siblings == nil { siblings = names(memberTables(from, end)) }
                            found.append(UndescribedMember(pointer: pointer(), documentedSiblings: siblings ?? []))
                        }
                        if stack.count > childStart {
                            visit(p.pointee.value, childStart)
                            stack.count = childStart
                        }
                        path.removeLast()
                    }
                }
            }
        case .array(let a):
            expand(from, inst)
            let end = stack.count
            var anyItems = false
            for i in from..<end where t.nodes[Int(stack[i])].flags & FNode.hasItems != 0 { anyItems = true }
            guard anyItems else { return }
            for index in a.indices {
                switch a[index] {
                case .object, .array: break
                default: continue
                }
                let childStart = stack.count
                for i in from..<end {
                    let n = t.nodes[Int(stack[i])]
                    guard n.flags & FNode.hasItems != 0 else { continue }
                    for k in Int(n.first)..<Int(n.first + n.count) {
                        let kw = t.keywords[k]
                        switch kw.op {
                        case .prefixItems where index < Int(kw.b): add(t.lists[Int(kw.a) + index], childStart)
                        case .items where index >= Int(kw.b): add(kw.a, childStart)
                        case .contains, .unevaluatedItems: add(kw.a, childStart)
                        default: break
                        }
                    }
                }
                if stack.count > childStart {
                    path.append(Step(member: nil, index: index))
                    visit(a[index], childStart)
                    path.removeLast()
                    stack.count = childStart
                }
            }
        default:
            return
        }
    }
}

/// A growable stack of plain values in manually managed memory: no reference
/// counting or uniqueness checks on push and pop. Call `free()` when done.
struct Scratch<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>? = nil
    private var capacity = 0
    var count = 0

    @inline(__always) subscript(i: Int) -> Element { base![i] }

    @inline(__always) mutating func append(_ e: Element) {
        if count == capacity { grow() }
        base![count] = e
        count += 1
    }

    @inline(__always) mutating func removeLast() { count -= 1 }

    mutating func grow() {
        let newCapacity = max(64, capacity * 2)
        let p = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let base {
            p.initialize(from: base, count: count)
            base.deallocate()
        }
        base = p
        capacity = newCapacity
    }

    mutating func free() {
        base?.deallocate()
        base = nil
        capacity = 0
        count = 0
    }
}
