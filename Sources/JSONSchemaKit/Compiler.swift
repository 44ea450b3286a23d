import JSONKit

/// Which vocabularies a schema's dialect (its `$schema`) enables.
struct Vocab: Hashable, Sendable {
    var applicator = true
    var validation = true
    var unevaluated = true
    var formatAssertion = false
    /// Pre-2020-12 dialect: `items` may be an array (then `additionalItems` applies).
    var legacyItems = false

    static let standard = Vocab()

    static let metaSchema2020 = "https://json-schema.org/draft/2020-12/schema"

    static func isLegacy(_ dialect: String) -> Bool {
        let d = dialect.hasSuffix("#") ? String(dialect.dropLast()) : dialect
        return [
            "http://json-schema.org/draft-04/schema", "http://json-schema.org/draft-06/schema",
            "http://json-schema.org/draft-07/schema", "https://json-schema.org/draft/2019-09/schema",
            "https://json-schema.org/draft-04/schema", "https://json-schema.org/draft-06/schema",
            "https://json-schema.org/draft-07/schema",
        ].contains(d)
    }
}

/// Turns schema JSON into `Node`s. Also used at registration, in check-only
/// mode, to report malformed keywords early.
struct Compiler {
    let registry: SchemaRegistry
    let options: ValidationOptions
    var patterns: [String: ECMARegex]
    var checkOnly = false

    var nodes: [Node?] = []
    var memo: [Location: Int] = [:]
    var resourceIndex: [String: Int] = [:]
    var resourceBases: [String] = []
    var resourceAnchors: [[String: Int]] = []
    var processedResources = 0
    var usesDynamicScope = false
    var vocabCache: [String: Vocab] = [:]

    init(registry: SchemaRegistry, options: ValidationOptions) {
        self.registry = registry
        self.options = options
        self.patterns = registry.patterns
    }

    /// Checks the keywords of one schema object (no references are followed).
    static func checkKeywords(
        _ obj: JSONObject, at loc: Location, legacy: Bool, patterns: inout [String: ECMARegex]
    ) throws(SchemaError) {
        var c = Compiler(registry: .empty, options: .init())
        c.checkOnly = true
        swap(&c.patterns, &patterns)
        var vocab = Vocab.standard
        vocab.legacyItems = legacy
        do {
            _ = try c.buildKeywords(obj, at: loc, base: loc.document, vocab: vocab)
        } catch {
            swap(&c.patterns, &patterns)
            throw error
        }
        swap(&c.patterns, &patterns)
    }

    mutating func compileRoot(_ loc: Location) throws(SchemaError) -> Int {
        let root = try compile(loc, value: nil, base: nil, vocab: nil)
        // Every resource the graph touches contributes its $dynamicAnchors to
        // dynamic-scope resolution; compile them too (this may touch more resources).
        while processedResources < resourceBases.count {
            let r = processedResources
            processedResources += 1
            guard let anchors = registry.dynamicAnchors[resourceBases[r]] else { continue }
            for name in anchors.keys.sorted() {
                let n = try compile(anchors[name]!, value: nil, base: nil, vocab: nil)
                resourceAnchors[r][name] = n
            }
        }
        return root
    }

    func finish(root: Int) -> Program {
        Program(
            lowering: nodes.map { $0! }, root: root, dynamicAnchors: resourceAnchors, usesDynamicScope: usesDynamicScope
        )
    }

    mutating func resource(_ base: String) -> Int {
        if let i = resourceIndex[base] { return i }
        let i = resourceBases.count
        resourceBases.append(base)
        resourceAnchors.append([:])
        resourceIndex[base] = i
        return i
    }

    /// Compiles the schema at `loc` (memoised: a location compiles once, so `$ref` cycles terminate).
    /// `base`/`vocab` are those of the parent schema when known.
    mutating func compile(_ loc: Location, value: JSON?, base parentBase: String?, vocab parentVocab: Vocab?)
        throws(SchemaError) -> Int
    {
        if let i = memo[loc] { return i }
        let idx = nodes.count
        nodes.append(nil)
        memo[loc] = idx
        let v: JSON
        if let value {
            v = value
        } else {
            guard let doc = registry.documents[loc.document], let found = loc.pointer.resolve(in: doc.root) else {
                throw SchemaError(uri: loc.document, pointer: loc.pointer, message: "no such location")
            }
            v = found
        }
        var base: String
        if let parentBase {
            base = parentBase
            if case .object(let o) = v, case .string(let id)? = o["$id"] {
                base = URIs.split(URIs.resolve(id, against: parentBase)).base
            }
        } else {
            base = registry.baseURI(of: loc)
        }
        let res = resource(base)
        let location = loc.text
        switch v {
        case .bool(true):
            nodes[idx] = Node(
                keywords: [], location: location, resource: res, isFalse: false, declaresProperties: false)
        case .bool(false):
            nodes[idx] = Node(
                keywords: [Keyword(name: "false", op: .falseSchema)], location: location, resource: res, isFalse: true,
                declaresProperties: false)
        case .object(let obj):
            let vocab: Vocab
            if let parentVocab, obj["$schema"] == nil {
                vocab = parentVocab
            } else {
                vocab = try vocabulary(at: loc)
            }
            let (kws, declares) = try buildKeywords(obj, at: loc, base: base, vocab: vocab)
            nodes[idx] = Node(
                keywords: kws, location: location, resource: res, isFalse: false, declaresProperties: declares)
        default:
            throw SchemaError(
                uri: loc.document, pointer: loc.pointer,
                message: "a schema must be an object or a boolean, not \(v.typeName)")
        }
        return idx
    }

    // MARK: vocabularies

    mutating func vocabulary(at loc: Location) throws(SchemaError) -> Vocab {
        guard let (dialect, at) = registry.dialect(of: loc) else { return .standard }
        if let v = vocabCache[dialect] { return v }
        let v = try computeVocabulary(dialect, declaredAt: Location(document: loc.document, pointer: at))
        vocabCache[dialect] = v
        return v
    }

    func computeVocabulary(_ dialect: String, declaredAt: Location) throws(SchemaError) -> Vocab {
        if dialect == Vocab.metaSchema2020 { return .standard }
        if Vocab.isLegacy(dialect) {
            var v = Vocab.standard
            v.legacyItems = true
            return v
        }
        // An unknown meta-schema is treated as 2020-12.
        guard let metaLoc = registry.resources[dialect], let doc = registry.documents[metaLoc.document],
            case .object(let meta)? = metaLoc.pointer.resolve(in: doc.root),
            case .object(let vocabs)? = meta["$vocabulary"]
        else { return .standard }
        var v = Vocab(applicator: false, validation: false, unevaluated: false, formatAssertion: false)
        let prefix = "https://json-schema.org/draft/2020-12/vocab/"
        for m in vocabs.members {
            switch m.key {
            case prefix + "core", prefix + "meta-data", prefix + "content", prefix + "format-annotation": break
            case prefix + "applicator": v.applicator = true
            case prefix + "unevaluated": v.unevaluated = true
            case prefix + "validation": v.validation = true
            case prefix + "format-assertion": v.formatAssertion = true
            default:
                if m.value == .bool(true) {
                    throw SchemaError(
                        uri: declaredAt.document, pointer: declaredAt.pointer.appending("$schema"),
                        message: "meta-schema \(dialect) requires vocabulary \(m.key), which is not supported")
                }
            }
        }
        return v
    }

    // MARK: keywords

    func nonNegativeInt(_ v: JSON, _ loc: Location, _ key: String) throws(SchemaError) -> Int {
        guard case .number(let n) = v, n >= 0, n.rounded(.towardZero) == n else {
            throw SchemaError(
                uri: loc.document, pointer: loc.pointer.appending(key),
                message: "\(key) must be a non-negative integer, not \(Render.actual(v, limit: 40))")
        }
        return n >= 9.0e15 ? Int(9.0e15) : Int(n)
    }

    func number(_ v: JSON, _ loc: Location, _ key: String) throws(SchemaError) -> Double {
        guard case .number(let n) = v, n.isFinite else {
            throw SchemaError(
                uri: loc.document, pointer: loc.pointer.appending(key),
                message: "\(key) must be a number, not \(Render.actual(v, limit: 40))")
        }
        return n
    }

    func stringArray(_ v: JSON, _ loc: JSONPointer, _ doc: String, _ what: String) throws(SchemaError) -> [String] {
        guard case .array(let a) = v else {
            throw SchemaError(uri: doc, pointer: loc, message: "\(what) must be an array of strings")
        }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for (i, x) in a.enumerated() {
            guard case .string(let s) = x else {
                throw SchemaError(uri: doc, pointer: loc.appending(i), message: "\(what) must contain only strings")
            }
            out.append(s)
        }
        return out
    }

    mutating func regex(_ source: String, _ pointer: JSONPointer, _ doc: String) throws(SchemaError) -> ECMARegex {
        if let r = patterns[source] { return r }
        do {
            let r = try ECMARegex(source)
            patterns[source] = r
            return r
        } catch {
            throw SchemaError(
                uri: doc, pointer: pointer,
                message: "invalid regular expression \(Render.quoted(source)): \(error.message)")
        }
    }

    mutating func child(_ v: JSON, _ pointer: JSONPointer, _ doc: String, base: String, vocab: Vocab)
        throws(SchemaError)
        -> Int
    {
        if checkOnly {
            switch v {
            case .object, .bool: return 0
            default:
                throw SchemaError(
                    uri: doc, pointer: pointer, message: "a schema must be an object or a boolean, not \(v.typeName)")
            }
        }
        return try compile(Location(document: doc, pointer: pointer), value: v, base: base, vocab: vocab)
    }

    mutating func schemaArray(_ v: JSON, _ loc: Location, _ key: String, base: String, vocab: Vocab) throws(SchemaError)
        -> [Int]
    {
        guard case .array(let a) = v, !a.isEmpty else {
            throw SchemaError(
                uri: loc.document, pointer: loc.pointer.appending(key),
                message: "\(key) must be a non-empty array of schemas")
        }
        var out: [Int] = []
        for (i, s) in a.enumerated() {
            out.append(try child(s, loc.pointer.appending(key).appending(i), loc.document, base: base, vocab: vocab))
        }
        return out
    }

    /// Resolves a `$ref`/`$dynamicRef` value at `loc` against `base`.
    func resolveReference(_ ref: String, _ loc: Location, _ key: String, base: String) throws(SchemaError) -> (
        Location, String
    ) {
        let target = URIs.resolve(ref, against: base)
        guard let t = registry.lookup(target) else {
            throw SchemaError(
                uri: loc.document, pointer: loc.pointer.appending(key),
                message: "cannot resolve \(key) \(Render.quoted(ref)) (\(target)): no such schema is registered")
        }
        return (t, target)
    }

    /// Builds the keyword list of a schema object, in schema order with
    /// `unevaluated*` last. Returns whether the schema declares `properties`.
    mutating func buildKeywords(_ obj: JSONObject, at loc: Location, base: String, vocab: Vocab) throws(SchemaError)
        -> (
            [Keyword], Bool
        )
    {
        var kws: [Keyword] = []
        var late: [Keyword] = []
        var membersDone = false
        var declaresProperties = false
        let doc = loc.document
        func err(_ key: String, _ message: String) -> SchemaError {
            SchemaError(uri: doc, pointer: loc.pointer.appending(key), message: message)
        }
        let prefixCount: Int
        if case .array(let a)? = obj["prefixItems"], vocab.applicator {
            prefixCount = a.count
        } else {
            prefixCount = 0
        }

        for m in obj.members {
            let key = m.key
            let v = m.value
            switch key {
            // MARK: core
            case "$ref":
                guard case .string(let ref) = v else { throw err(key, "$ref must be a string") }
                if checkOnly { continue }
                let (target, _) = try resolveReference(ref, loc, key, base: base)
                let n = try compile(target, value: nil, base: nil, vocab: nil)
                kws.append(Keyword(name: key, op: .ref(n)))
            case "$dynamicRef":
                guard case .string(let ref) = v else { throw err(key, "$dynamicRef must be a string") }
                if checkOnly { continue }
                let (target, absolute) = try resolveReference(ref, loc, key, base: base)
                let n = try compile(target, value: nil, base: nil, vocab: nil)
                var anchor: String? = nil
                let (targetBase, fragment) = URIs.split(absolute)
                if let fragment, !fragment.isEmpty, !fragment.hasPrefix("/") {
                    let name = fragment.removingPercentEncodingPortable() ?? fragment
                    // Dynamic only when the initially resolved schema declares a matching $dynamicAnchor.
                    if registry.dynamicAnchors[targetBase]?[name] == target {
                        anchor = name
                        usesDynamicScope = true
                    }
                }
                kws.append(Keyword(name: key, op: .dynamicRef(node: n, anchor: anchor)))

            // MARK: applicator
            case "allOf", "anyOf", "oneOf":
                guard vocab.applicator else { continue }
                let children = try schemaArray(v, loc, key, base: base, vocab: vocab)
                let op: Op = key == "allOf" ? .allOf(children) : key == "anyOf" ? .anyOf(children) : .oneOf(children)
                kws.append(Keyword(name: key, op: op))
            case "not":
                guard vocab.applicator else { continue }
                let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                kws.append(Keyword(name: key, op: .not(c)))
            case "if":
                guard vocab.applicator else { continue }
                let i = try child(v, loc.pointer.appending("if"), doc, base: base, vocab: vocab)
                var t: Int? = nil
                var e: Int? = nil
                if let tv = obj["then"] {
                    t = try child(tv, loc.pointer.appending("then"), doc, base: base, vocab: vocab)
                }
                if let ev = obj["else"] {
                    e = try child(ev, loc.pointer.appending("else"), doc, base: base, vocab: vocab)
                }
                kws.append(Keyword(name: key, op: .conditional(if: i, then: t, else: e)))
            case "then", "else":
                guard vocab.applicator else { continue }
                if obj["if"] == nil {
                    // Without `if` they do nothing, but must still be schemas.
                    _ = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                }
            case "dependentSchemas":
                guard vocab.applicator else { continue }
                guard case .object(let map) = v else { throw err(key, "dependentSchemas must be an object of schemas") }
                var deps: [NamedChild] = []
                for dm in map.members {
                    let c = try child(
                        dm.value, loc.pointer.appending(key).appending(dm.key), doc, base: base, vocab: vocab)
                    deps.append(NamedChild(name: dm.key, node: c))
                }
                if !deps.isEmpty { kws.append(Keyword(name: key, op: .dependentSchemas(deps))) }
            case "dependencies":
                // Compatibility with drafts before 2019-09: arrays are dependentRequired, schemas dependentSchemas.
                guard vocab.applicator, case .object(let map) = v else { continue }
                var schemas: [NamedChild] = []
                var required: [Dependency] = []
                for dm in map.members {
                    if case .array = dm.value {
                        required.append(
                            Dependency(
                                property: dm.key,
                                required: try stringArray(
                                    dm.value, loc.pointer.appending(key).appending(dm.key), doc, key)))
                    } else {
                        let c = try child(
                            dm.value, loc.pointer.appending(key).appending(dm.key), doc, base: base, vocab: vocab)
                        schemas.append(NamedChild(name: dm.key, node: c))
                    }
                }
                if !required.isEmpty { kws.append(Keyword(name: key, op: .dependentRequired(required))) }
                if !schemas.isEmpty { kws.append(Keyword(name: key, op: .dependentSchemas(schemas))) }
            case "properties", "patternProperties", "additionalProperties":
                guard vocab.applicator else { continue }
                if key == "properties" { declaresProperties = true }
                if membersDone { continue }
                membersDone = true
                var props: [String: NamedChild] = [:]
                var hasProps = false
                if let pv = obj["properties"] {
                    guard case .object(let map) = pv else {
                        throw err("properties", "properties must be an object of schemas")
                    }
                    hasProps = !map.isEmpty
                    for pm in map.members {
                        let c = try child(
                            pm.value, loc.pointer.appending("properties").appending(pm.key), doc, base: base,
                            vocab: vocab)
                        props[pm.key] = NamedChild(name: pm.key, node: c)
                    }
                }
                var pats: [PatternChild] = []
                if let pp = obj["patternProperties"] {
                    guard case .object(let map) = pp else {
                        throw err("patternProperties", "patternProperties must be an object of schemas")
                    }
                    for pm in map.members {
                        let p = loc.pointer.appending("patternProperties").appending(pm.key)
                        let r = try regex(pm.key, p, doc)
                        let c = try child(pm.value, p, doc, base: base, vocab: vocab)
                        pats.append(PatternChild(regex: r, node: c))
                    }
                }
                var additional: Int? = nil
                if let av = obj["additionalProperties"] {
                    additional = try child(
                        av, loc.pointer.appending("additionalProperties"), doc, base: base, vocab: vocab)
                }
                if hasProps || !pats.isEmpty || additional != nil {
                    kws.append(
                        Keyword(
                            name: key,
                            op: .members(
                                MembersOp(
                                    properties: props, hasProperties: hasProps, patterns: pats, additional: additional))
                        ))
                }
            case "propertyNames":
                guard vocab.applicator else { continue }
                let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                kws.append(Keyword(name: key, op: .propertyNames(c)))
            case "prefixItems":
                guard vocab.applicator else { continue }
                kws.append(Keyword(name: key, op: .prefixItems(try schemaArray(v, loc, key, base: base, vocab: vocab))))
            case "items":
                guard vocab.applicator else { continue }
                if case .array(let tuple) = v {
                    guard vocab.legacyItems else {
                        throw err(
                            key, "items must be a schema (an array is the pre-2020-12 tuple form; use prefixItems)")
                    }
                    var children: [Int] = []
                    for (i, s) in tuple.enumerated() {
                        children.append(
                            try child(s, loc.pointer.appending(key).appending(i), doc, base: base, vocab: vocab))
                    }
                    kws.append(Keyword(name: key, op: .prefixItems(children)))
                    if let add = obj["additionalItems"] {
                        let c = try child(add, loc.pointer.appending("additionalItems"), doc, base: base, vocab: vocab)
                        kws.append(Keyword(name: "additionalItems", op: .items(node: c, from: tuple.count)))
                    }
                } else {
                    let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                    kws.append(Keyword(name: key, op: .items(node: c, from: prefixCount)))
                }
            case "contains":
                guard vocab.applicator else { continue }
                let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                var lo = 1
                var hi: Int? = nil
                if vocab.validation {
                    if let mv = obj["minContains"] { lo = try nonNegativeInt(mv, loc, "minContains") }
                    if let mv = obj["maxContains"] { hi = try nonNegativeInt(mv, loc, "maxContains") }
                }
                kws.append(Keyword(name: key, op: .contains(node: c, min: lo, max: hi)))
            case "unevaluatedProperties":
                guard vocab.unevaluated else { continue }
                let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                late.append(Keyword(name: key, op: .unevaluatedProperties(c)))
            case "unevaluatedItems":
                guard vocab.unevaluated else { continue }
                let c = try child(v, loc.pointer.appending(key), doc, base: base, vocab: vocab)
                late.append(Keyword(name: key, op: .unevaluatedItems(c)))
            case "$defs", "definitions":
                // Compiled when referenced; the scan at registration checked them.
                guard case .object = v else { throw err(key, "\(key) must be an object of schemas") }

            // MARK: validation
            case "type":
                guard vocab.validation else { continue }
                var mask = TypeMask()
                func one(_ t: JSON, _ p: JSONPointer) throws(SchemaError) {
                    guard case .string(let s) = t, let m = TypeMask.names.first(where: { $0.0 == s })?.1 else {
                        throw SchemaError(
                            uri: doc, pointer: p,
                            message:
                                "type must be one of null, boolean, object, array, number, string, integer (or an array of them)"
                        )
                    }
                    mask.insert(m)
                }
                if case .array(let a) = v {
                    guard !a.isEmpty else { throw err(key, "type must not be an empty array") }
                    for (i, t) in a.enumerated() { try one(t, loc.pointer.appending(key).appending(i)) }
                } else {
                    try one(v, loc.pointer.appending(key))
                }
                kws.append(Keyword(name: key, op: .type(mask)))
            case "enum":
                guard vocab.validation else { continue }
                guard case .array(let values) = v else { throw err(key, "enum must be an array") }
                var strings: [String]? = []
                for x in values {
                    if case .string(let s) = x { strings?.append(s) } else { strings = nil }
                }
                kws.append(Keyword(name: key, op: .enumeration(values, strings: strings)))
            case "const":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .constant(v)))
            case "multipleOf":
                guard vocab.validation else { continue }
                let n = try number(v, loc, key)
                guard n > 0 else { throw err(key, "multipleOf must be greater than 0") }
                kws.append(Keyword(name: key, op: .multipleOf(n)))
            case "maximum":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .maximum(try number(v, loc, key))))
            case "exclusiveMaximum":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .exclusiveMaximum(try number(v, loc, key))))
            case "minimum":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .minimum(try number(v, loc, key))))
            case "exclusiveMinimum":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .exclusiveMinimum(try number(v, loc, key))))
            case "maxLength":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .maxLength(try nonNegativeInt(v, loc, key))))
            case "minLength":
                guard vocab.validation else { continue }
                let n = try nonNegativeInt(v, loc, key)
                if n > 0 { kws.append(Keyword(name: key, op: .minLength(n))) }
            case "pattern":
                guard vocab.validation else { continue }
                guard case .string(let s) = v else { throw err(key, "pattern must be a string") }
                kws.append(Keyword(name: key, op: .pattern(try regex(s, loc.pointer.appending(key), doc))))
            case "maxItems":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .maxItems(try nonNegativeInt(v, loc, key))))
            case "minItems":
                guard vocab.validation else { continue }
                let n = try nonNegativeInt(v, loc, key)
                if n > 0 { kws.append(Keyword(name: key, op: .minItems(n))) }
            case "uniqueItems":
                guard vocab.validation else { continue }
                guard case .bool(let b) = v else { throw err(key, "uniqueItems must be a boolean") }
                if b { kws.append(Keyword(name: key, op: .uniqueItems)) }
            case "minContains", "maxContains":
                guard vocab.validation else { continue }
                _ = try nonNegativeInt(v, loc, key)  // applied with `contains`
            case "maxProperties":
                guard vocab.validation else { continue }
                kws.append(Keyword(name: key, op: .maxProperties(try nonNegativeInt(v, loc, key))))
            case "minProperties":
                guard vocab.validation else { continue }
                let n = try nonNegativeInt(v, loc, key)
                if n > 0 { kws.append(Keyword(name: key, op: .minProperties(n))) }
            case "required":
                guard vocab.validation else { continue }
                let names = try stringArray(v, loc.pointer.appending(key), doc, key)
                if !names.isEmpty { kws.append(Keyword(name: key, op: .required(names))) }
            case "dependentRequired":
                guard vocab.validation else { continue }
                guard case .object(let map) = v else {
                    throw err(key, "dependentRequired must be an object of string arrays")
                }
                var deps: [Dependency] = []
                for dm in map.members {
                    deps.append(
                        Dependency(
                            property: dm.key,
                            required: try stringArray(dm.value, loc.pointer.appending(key).appending(dm.key), doc, key)
                        ))
                }
                if !deps.isEmpty { kws.append(Keyword(name: key, op: .dependentRequired(deps))) }

            // MARK: format
            case "format":
                guard case .string(let name) = v else { throw err(key, "format must be a string") }
                if options.assertFormats || vocab.formatAssertion, let kind = FormatKind(name: name) {
                    kws.append(Keyword(name: key, op: .format(kind)))
                }

            // MARK: core keywords checked at registration, annotations, unknown keywords
            default:
                continue
            }
        }
        return (kws + late, declaresProperties)
    }
}

extension Compiler {
    /// A chain of schemas that apply one another in place (`$ref`, `allOf`,
    /// `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`) and
    /// come back to where they started without descending into the instance:
    /// evaluating it never ends, whatever the instance. The locations of the
    /// chain, first repeated at the end; nil when there is none reachable from `root`.
    func inPlaceCycle(from root: Int) -> [String]? {
        func inPlace(_ n: Node) -> [Int] {
            n.keywords.flatMap { k -> [Int] in
                switch k.op {
                case .ref(let t): return [t]
                case .allOf(let l), .anyOf(let l), .oneOf(let l): return l
                case .not(let t): return [t]
                case .conditional(let i, let t, let e): return [i] + [t, e].compactMap { $0 }
                case .dependentSchemas(let l): return l.map(\.node)
                default: return []
                }
            }
        }
        // Iterative depth-first search; 0 unvisited, 1 on the path, 2 done.
        var state = [UInt8](repeating: 0, count: nodes.count)
        var path: [Int] = []
        var stack: [(node: Int, next: [Int], i: Int)] = []
        func push(_ n: Int) {
            state[n] = 1
            path.append(n)
            stack.append((n, nodes[n].map(inPlace) ?? [], 0))
        }
        var starts = [root]
        // Every node, not only the root: a cycle below a property loops as soon as an instance reaches it.
        starts += Array(nodes.indices)
        for s in starts where state[s] == 0 {
            push(s)
            while let top = stack.last {
                if top.i < top.next.count {
                    stack[stack.count - 1].i += 1
                    let t = top.next[top.i]
                    guard t >= 0, t < nodes.count else { continue }
                    if state[t] == 1, let from = path.firstIndex(of: t) {
                        return (path[from...] + [t]).map { nodes[$0]?.location ?? "?" }
                    }
                    if state[t] == 0 { push(t) }
                } else {
                    state[top.node] = 2
                    path.removeLast()
                    stack.removeLast()
                }
            }
        }
        return nil
    }
}
