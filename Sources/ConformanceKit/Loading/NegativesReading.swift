import JSONKit

/// Generates negative inputs for an endpoint with a request body from its
/// request schema (the spec's `negatives`): one case per documented member and
/// kind of constraint (a wrong type; an unknown enum value; a malformed id,
/// number, ICC, date or e-mail; a documented maximum of items crossed), each
/// breaking that one member in an otherwise valid request. The answer must be
/// one of the endpoint's documented rows for that member where the error
/// table names it (`422 number`, `404 customer`…), and otherwise any documented
/// 4xx row: never a 5xx, a success or an undocumented status.
///
/// Which wrong value is sent is drawn from the spec's `seed` (SplitMix64), so
/// the same seed gives the same cases; ids name the member and the kind
/// (`create-gen-pbx-type`), not the value, so they stay stable.
func readNegatives(
    _ node: Node, endpoint: Endpoint, schemas: [String: JSON], endpoints: [Endpoint], fixtures: [String: String],
    readings: [Reading], access: AccessModel, overMax: [String: JSON] = [:]
) -> (seed: UInt64, cases: [Case])? {
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
        let (file, fragment) = SuiteLoader.splitReference(r)
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
    var cases: [Case] = []
    for b in breaks.prefix(cap) {
        let field = b.path.joined(separator: ".")
        var rows = clientErrors.filter { $0.message == field }.map(\.id)
        for extra in extraRows[field]?.arrayValue ?? [] {
            if let s = extra.stringValue, !rows.contains(s) { rows.append(s) }
        }
        let unnamed = rows.isEmpty
        if rows.isEmpty { rows = clientErrors.map(\.id) }
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
        var c = JSONObject()
        c["id"] = .string("\(prefix)-\(field.split(separator: ".").map { kebab(String($0)) }.joined(separator: "-"))-\(b.kind)")
        c["title"] = .string(
            "\(field) \(what) (\(JSONWriter().string(b.value).prefix(40))): one of \(rows.count == clientErrors.count ? "the documented 4xx rows" : rows.joined(separator: ", "))")
        c["endpoint"] = .string(endpoint.id)
        c["covers"] = .string(rows[0])
        c["role"] = role.value
        c["tags"] = ["generated", "negative"]
        c["request"] = .object(request)
        var expect = JSONObject(pairs: [("oneOf", .array(rows.map(JSON.string)))])
        // No row names this member: that a bad value is refused at all is a
        // reading (the docs give the type, not what a server does with another).
        if unnamed, readings.contains(where: { $0.id == unnamedMemberReading }) {
            expect["readings"] = [unnamedMemberReading: ["accepted": ["covers": "success"]]]
        }
        // A member over its maximum of items: the endpoint's count bound for it says what that
        // answers (covered row and readings), so the generated case expects the same.
        if b.kind == "max-items", let outside = overMax[field]?.objectValue, let covers = outside["covers"] {
            c["covers"] = covers
            expect = JSONObject()
            if let r = outside["readings"] { expect["readings"] = r }
            c["title"] = .string("\(field) over the documented maximum of items: as the count bound of \(field) says")
        }
        c["expect"] = .object(expect)
        let generated = Node(value: .object(c), path: node.path, file: node.file, sink: node.sink)
        cases += readCases(generated, endpoints: endpoints, fixtures: fixtures, readings: readings, access: access)
    }
    return (UInt64(bitPattern: Int64(seed)), cases)
}

/// The reading a negative case about a member no error row names cites.
let unnamedMemberReading = "unnamed-member-bad-value"

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and the same on every machine.
struct SplitMix64 {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
