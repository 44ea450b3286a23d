import JSONKit

/// Generates negative inputs for an endpoint with a request body from its
/// request schema (the spec's `negatives`): one case per documented member and
/// kind of constraint (a wrong type; an unknown enum value; a malformed id,
/// number, ICC, date or e-mail; a documented maximum of items crossed), each
/// breaking that one member in an otherwise valid request.
///
/// The answer follows from the rows' own texts (`NegativeRules`, reading
/// `generated-negative-answer`): the rows of the member whose text covers the
/// kind of break ("is invalid", "not valid"; a "not found" row is about a
/// well-formed id nobody has, "outside the valid range" about a range), else
/// 400 bad_request. The reading's alternatives: 400 bad_request, a 4xx whose
/// message is the member's dotted name, any other documented 4xx, and, where
/// no row names the member or a condition of the tables is not met in the
/// request ("only if pbx>0", "requires porting", "(OWNER only)"), the member
/// ignored (the account created, what was sent echoed). Never a 5xx.
///
/// Which wrong value is sent is drawn from the spec's `seed` (SplitMix64), so
/// the same seed gives the same cases; ids name the member and the kind
/// (`create-gen-pbx-type`), not the value, so they stay stable.
func readNegatives(
    _ node: Node, endpoint: Endpoint, schemas: [String: JSON], endpoints: [Endpoint], fixtures: [String: String],
    readings: [Reading], access: AccessModel, overMax: [String: JSON] = [:], sources: CitableSources? = nil
) -> (seed: UInt64, cases: [Case])? {
    // Made once here, not once per generated case.
    let sources = sources ?? CitableSources(endpoints: endpoints, readings: readings)
    guard let o = node.object(keys: ["seed", "role", "request", "replaces", "rows", "max", "prefix"]),
        let seedNode = o.required("seed"), let seed = seedNode.int, let role = o.required("role"),
        let prefix = o.required("prefix")?.nonEmptyString
    else { return nil }
    guard let ref = endpoint.requestSchema, let root = schemas[ref] else {
        node.error("\(endpoint.id) has no request schema to generate negative inputs from")
        return nil
    }
    let cap = o.optional("max")?.int ?? 80
    let base = o.optional("request")?.value.objectValue ?? JSONObject()
    let replaces = o.optional("replaces")?.value.objectValue ?? JSONObject()
    let extraRows = o.optional("rows")?.value.objectValue ?? JSONObject()
    var rng = SplitMix64(UInt64(bitPattern: Int64(seed)))

    /// A `$ref` into another schema file, resolved one level (`common.schema.json#/$defs/Id`).
    func resolve(_ s: JSON) -> JSON {
        guard let r = s["$ref"]?.stringValue else { return s }
        let (file, fragment) = SchemaWalk.splitReference(r)
        let doc = file.isEmpty ? root : schemas["schemas/" + file] ?? .null
        guard let fragment, let p = try? JSONPointer(parsing: fragment) else { return doc }
        return p.resolve(in: doc) ?? .null
    }

    struct Break {
        var path: [String]
        var kind: String
        var value: JSON
    }
    func wrongType(for type: String) -> [JSON] {
        switch type {
        case "boolean": return [.string("maybe"), .number(42), .array([.bool(true)])]
        case "number", "integer": return [.string("one"), .bool(true), .array([.number(1)])]
        case "object": return [.string("x"), .number(1), .array([])]
        case "array": return [.string("x"), .number(1), .object(JSONObject())]
        default: return [.bool(true), .array([.string("x")]), .object(JSONObject(pairs: [("value", .string("x"))]))]
        }
    }
    let malformed: [String: [JSON]] = [
        "objectid": ["12345", "zzzzzzzzzzzzzzzzzzzzzzzz", "5a10000000000000000000001"],
        "e164": ["4571919998", "+45 7191 9998", "+45abcdefgh"],
        "icc": ["8945ABCDEF01234567", "89450", "894501000000000000000000"],
        "date-time": ["2026-20-20T00:00:00Z", "tomorrow", "2027-02-30T00:00:00Z"],
        "email": ["not-an-email", "@example.com", "donald@"],
    ]
    func pick(_ list: [JSON]) -> JSON { list[Int(rng.next() % UInt64(list.count))] }

    var breaks: [Break] = []
    func visit(_ schema: JSON, path: [String], depth: Int) {
        guard let props = schema["properties"]?.objectValue else { return }
        for m in props {
            let s = resolve(m.value)
            let here = path + [m.key]
            let type = s["type"]?.stringValue ?? (s["enum"] != nil ? "string" : "string")
            breaks.append(Break(path: here, kind: "type", value: pick(wrongType(for: type))))
            if s["enum"] != nil { breaks.append(Break(path: here, kind: "enum", value: "NOT_A_DOCUMENTED_VALUE")) }
            if let f = s["format"]?.stringValue, let list = malformed[f] {
                breaks.append(Break(path: here, kind: "format", value: pick(list)))
            }
            if let maxItems = s["maxItems"]?.intValue {
                breaks.append(
                    Break(path: here, kind: "max-items", value: .array(Array(repeating: .object(JSONObject()), count: maxItems + 1))))
            }
            if depth == 0, type == "object" { visit(s, path: here, depth: 1) }
        }
    }
    visit(root, path: [], depth: 0)

    let clientErrors = endpoint.errors.filter { (400..<500).contains($0.status) }
    let badRequest = clientErrors.filter { $0.status == 400 }
    let responseMembers = Set(
        (endpoint.responseSchema.flatMap { schemas[$0] }?["properties"]?.objectValue).map { $0.map(\.key) } ?? [])
    let level = role.string.flatMap { access.level(of: Role($0)) }
    var cases: [Case] = []
    for b in breaks.prefix(cap) {
        let field = b.path.joined(separator: ".")
        // The rows that speak of the member: those naming it, and those the
        // spec says speak of it under another name (`rows`: 422 mvnoSim's
        // "MVNO SIM data" for esim).
        var named = clientErrors.filter { $0.message == field }
        for extra in extraRows[field]?.arrayValue ?? [] {
            if let s = extra.stringValue, let r = clientErrors.first(where: { $0.id == s }), !named.contains(r) { named.append(r) }
        }
        // Conditions: in the member's text (and its parent's), and in its rows' texts.
        var texts = [memberDescription(root, path: b.path, resolve: resolve)]
        if b.path.count > 1 { texts.append(memberDescription(root, path: [b.path[0]], resolve: resolve)) }
        let unmet = texts.compactMap { NegativeRules.unmetCondition(in: $0, level: level) }
            + named.compactMap { NegativeRules.unmetCondition(in: $0.description, level: level) }
        let covering = named.filter {
            NegativeRules.covers($0.description, kind: b.kind) && NegativeRules.unmetCondition(in: $0.description, level: level) == nil
        }
        let stated = !covering.isEmpty ? covering : !badRequest.isEmpty ? badRequest : clientErrors
        var body = base["body"]?.objectValue ?? JSONObject()
        for r in replaces[b.path[0]]?.arrayValue ?? [] {
            if let k = r.stringValue { body[k] = nil }
        }
        if b.path.count == 1 {
            body[b.path[0]] = b.value
        } else {
            body[b.path[0]] = .object(JSONObject(pairs: [(b.path[1], b.value)]))
        }
        var request = base
        request["body"] = .object(body)
        let what: String
        switch b.kind {
        case "type": what = "of the wrong type"
        case "enum": what = "not one of the documented values"
        case "format": what = "malformed"
        default: what = "over the documented maximum of items"
        }
        let ignorable = named.isEmpty || !unmet.isEmpty
        var c = JSONObject()
        c["id"] = .string("\(prefix)-\(field.split(separator: ".").map { kebab(String($0)) }.joined(separator: "-"))-\(b.kind)")
        c["title"] = .string(
            "\(field) \(what) (\(JSONWriter().string(b.value).prefix(40))): \(stated.map { "\($0.status) \($0.message)" }.uniqued().joined(separator: " or "))"
                + (unmet.isEmpty ? "" : " (\(unmet[0]), not met: may be ignored)"))
        c["endpoint"] = .string(endpoint.id)
        c["covers"] = .string(stated[0].id)
        c["role"] = role.value
        c["tags"] = ["generated", "negative"]
        c["request"] = .object(request)
        var expect = JSONObject(pairs: [("oneOf", .array(stated.map { .string($0.id) }))])
        // A member over its maximum of items: the endpoint's count bound for it says what that
        // answers (covered row and readings, with their sources), so the generated case expects the same.
        var fromBound = false
        if b.kind == "max-items", let outside = overMax[field]?.objectValue, let covers = outside["covers"] {
            c["covers"] = covers
            expect = JSONObject()
            if let r = outside["readings"] { expect["readings"] = r }
            c["title"] = .string("\(field) over the documented maximum of items: as the count bound of \(field) says")
            fromBound = true
        }
        c["expect"] = .object(expect)
        let generated = Node(value: .object(c), path: node.path, file: node.file, sink: node.sink)
        for var made in readCases(generated, endpoints: endpoints, fixtures: fixtures, readings: readings, access: access, sources: sources) {
            if fromBound {
                cases.append(made)
                continue
            }
            guard readings.contains(where: { $0.id == negativeAnswerReading }) else {
                node.error(
                    "generated negative inputs cite reading '\(negativeAnswerReading)', which readings.json does not declare",
                    hint: "declare it in Cases/readings.json")
                continue
            }
            func rows(_ list: [DocumentedError]) -> [ExpectedRow] {
                list.map { ExpectedRow(row: $0.id, status: $0.status, message: $0.message) }
            }
            var effects: [String: ReadingEffect] = [:]
            var e = ReadingEffect()
            e.oneOf = rows(badRequest)
            if !badRequest.isEmpty { effects["bad-request"] = e }
            // A 4xx naming the member: its own rows, and each documented 4xx status with its dotted name.
            var statuses: [Int] = []
            for r in clientErrors where !statuses.contains(r.status) { statuses.append(r.status) }
            e.oneOf = rows(named) + statuses.filter { s in !named.contains { $0.status == s && $0.message == field } }
                .map { ExpectedRow(row: "\($0)-\(field) (the member's name)", status: $0, message: field) }
            effects["member-named"] = e
            e.oneOf = rows(clientErrors)
            effects["other-4xx"] = e
            if ignorable {
                // Ignored: the account is created, and what was sent is echoed.
                var accepted = ReadingEffect()
                accepted.covers = "success"
                accepted.assertions = body.compactMap { m in
                    guard m.key != b.path[0], responseMembers.contains(m.key), case .string = m.value,
                        let pointer = try? JSONPointer(parsing: "/" + m.key)
                    else { return nil }
                    return Assertion(pointer: pointer, kind: .equals(Template(m.value)), source: "reading:" + negativeAnswerReading)
                }
                effects["ignored"] = accepted
            }
            made.steps[0].citations.append(
                ReadingCitation(
                    reading: negativeAnswerReading, effects: effects, file: node.file, keyPath: node.keyPath + "." + made.id))
            cases.append(made)
        }
    }
    return (UInt64(bitPattern: Int64(seed)), cases)
}

/// The member's description in the request schema (`path` from the root), or "".
func memberDescription(_ root: JSON, path: [String], resolve: (JSON) -> JSON) -> String {
    var s = root
    var description = ""
    for k in path {
        guard let next = s["properties"]?[k] else { return "" }
        s = resolve(next)
        // The member's own words, not those of the definition it refers to.
        description = next["description"]?.stringValue ?? s["description"]?.stringValue ?? ""
    }
    return description
}

/// The rules by which a generated negative input's answer follows from the
/// rows' own texts (reading `generated-negative-answer`).
enum NegativeRules {
    /// Phrases of a row's description and the kinds of break they answer.
    /// "not found" is about a well-formed id that does not exist, whatever
    /// else the row says ("Rate plan not found or not valid").
    static let phrases: [(phrase: String, kinds: Set<String>)] = [
        ("not found", ["not-found"]),
        ("outside the valid range", ["range"]),
        ("too large", ["size"]),
        ("is invalid", ["type", "enum", "format"]),
        ("not valid", ["type", "enum", "format"]),
    ]

    /// Whether a row with this description answers a break of `kind`.
    static func covers(_ description: String, kind: String) -> Bool {
        let d = description.lowercased()
        let said = phrases.filter { d.containsBytes($0.phrase) }
        if said.contains(where: { $0.phrase == "not found" }) { return kind == "not-found" }
        return said.contains { $0.kinds.contains(kind) }
    }

    /// Phrases that make reading a member depend on something a generated
    /// request does not set up (another member, a porting, an enabled feature).
    static let conditions = ["only if", "if enabled", "requires porting", "when formfactor is"]

    /// The condition a text states that the generated request does not meet,
    /// if any: one of `conditions`, or "(LEVEL only)" / "(LEVEL/LEVEL only)"
    /// naming levels other than the one the request runs as.
    static func unmetCondition(in text: String, level: String?) -> String? {
        let t = text.lowercased()
        // The phrases are ASCII: a byte scan finds them where Foundation's search would, without it.
        if let c = conditions.first(where: { t.containsBytes($0) }), let r = t.range(of: c) {
            // The clause as the page words it, up to the end of its parenthesis or sentence.
            let from = text.index(text.startIndex, offsetBy: t.distance(from: t.startIndex, to: r.lowerBound))
            var clause = text[from...]
            if let end = clause.firstIndex(of: ")") { clause = clause[..<end] }
            if let end = clause.range(of: ". ") { clause = clause[..<end.lowerBound] }
            return String(clause.hasSuffix(".") ? clause.dropLast() : clause)
        }
        guard text.containsBytes(" only)") else { return nil }
        var rest = Substring(text)
        while let close = rest.range(of: " only)") {
            let before = rest[..<close.lowerBound]
            if let open = before.lastIndex(of: "(") {
                let levels = before[before.index(after: open)...].split(separator: "/").map { $0.trimmingSpaces() }
                if !levels.isEmpty, levels.allSatisfy({ $0.allSatisfy { $0.isUppercase || $0 == "_" } }),
                    !levels.contains(level ?? "")
                {
                    return "(\(levels.joined(separator: "/")) only)"
                }
            }
            rest = rest[close.upperBound...]
        }
        return nil
    }
}

/// The reading every generated negative input cites.
let negativeAnswerReading = "generated-negative-answer"

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and the same on every
/// machine. Also the benchmark's (`conformance-bench rate` samples and
/// shuffles the requests wrk replays with it).
package struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    package init(_ seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
