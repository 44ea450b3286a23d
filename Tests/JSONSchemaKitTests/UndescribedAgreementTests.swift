import Foundation
import JSONKit
import Testing

@testable import JSONSchemaKit

/// `validate` finds out during evaluation whether any member is undescribed
/// and runs the `Describer` only when it cannot tell (see
/// `Evaluator.allDescribed`). These tests hold `validate` to the answer of
/// the `Describer` itself.
@Suite("Undescribed properties: validate agrees with the Describer")
struct UndescribedAgreementTests {
    static func describerAnswer(_ schema: CompiledSchema, _ instance: JSON) -> [JSONPointer] {
        schema.program.withTables { t in
            var d = Describer(program: schema.program, tables: t)
            return d.run(instance).map(\.pointer)
        }
    }

    static func compile(_ schema: JSON, _ uri: String, base: SchemaRegistry = SchemaRegistry(), assertFormats: Bool)
        throws -> (reporting: CompiledSchema, plain: CompiledSchema)
    {
        var registry = base
        try registry.register(schema, uri: uri)
        return (
            try registry.compile(
                uri, options: ValidationOptions(assertFormats: assertFormats, reportUndescribedProperties: true)),
            try registry.compile(uri, options: ValidationOptions(assertFormats: assertFormats))
        )
    }

    @Test("every schema and instance of the official suite")
    func officialSuite() throws {
        try #require(TestSuite.isPresent, "JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
        let base = try TestSuite.remoteRegistry.get()
        var instances = 0
        var reported = 0
        for file in TestSuite.claimedFiles {
            let data = try Data(contentsOf: TestSuite.testsDirectory.appendingPathComponent(file))
            guard case .array(let groups) = try JSONParser.parse(Array(data)) else { continue }
            for (gi, group) in groups.enumerated() {
                guard let schema = group["schema"], case .array(let tests)? = group["tests"] else { continue }
                let uri = "https://test-suite.invalid/agreement/\(file.replacingOccurrences(of: "/", with: "-"))/\(gi)"
                let compiled = try Self.compile(
                    schema, uri, base: base, assertFormats: file.hasPrefix("optional/format/"))
                for test in tests {
                    guard let instance = test["data"] else { continue }
                    let result = compiled.reporting.validate(instance)
                    let expected = Self.describerAnswer(compiled.reporting, instance)
                    #expect(result.undescribed == expected, "\(file) › \(gi) › \(test["description"] ?? "?")")
                    #expect(result.violations == compiled.plain.validate(instance).violations)
                    instances += 1
                    reported += expected.count
                }
            }
        }
        #expect(instances > 1_500)
        #expect(reported > 0)
    }

    static let cases: [(schema: String, instance: String, undescribed: [JSONPointer])] = [
        // One schema describes each object: decided during evaluation.
        (#"{"type": "array", "items": {"properties": {"a": {}}}}"#, #"[{"a": 1}, {"a": 1, "b": 2}]"#, ["/1/b"]),
        (#"{"properties": {"x": {"properties": {"y": {}}}}}"#, #"{"x": {"y": 1, "z": 2}, "w": 3}"#, ["/x/z", "/w"]),
        (#"{"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}"#, #"{"a": 1, "b": 2}"#, []),
        (#"{"additionalProperties": {"properties": {"x": {}}}}"#, #"{"k": {"x": 1, "y": 2}}"#, ["/k/y"]),
        (#"{"prefixItems": [{"properties": {"a": {}}}], "items": {"properties": {"b": {}}}}"#,
         #"[{"a": 1, "x": 1}, {"b": 1, "y": 2}]"#, ["/0/x", "/1/y"]),
        (#"{"type": "object"}"#, #"{"a": {"b": 1}}"#, []),
        (#"{"properties": {"a": {"type": "string"}}}"#, #"{"a": 1, "b": 2}"#, ["/b"]),
        (#"{"properties": {"a": {}}}"#, #"{"a": 1, "a": 2, "b": 3}"#, ["/b"]),
        // Several schemas, or keywords the evaluation does not follow: the Describer decides.
        (#"{"properties": {}}"#, #"{"a": 1}"#, ["/a"]),
        (#"{"anyOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}]}"#, #"{"a": 1, "b": 2, "c": 3}"#, ["/c"]),
        (#"{"properties": {"a": {}}, "not": {"properties": {"a": {}, "c": {}}, "required": ["z"]}}"#,
         #"{"a": 1, "c": 2}"#, ["/c"]),
        (#"{"properties": {"a": {}}, "unevaluatedProperties": true}"#, #"{"a": 1, "b": 2}"#, []),
        (#"{"properties": {"a": {}}, "patternProperties": {"^x": {}}}"#, #"{"a": 1, "x1": 2, "y": 3}"#, ["/y"]),
        (##"{"$defs": {"b": {"properties": {"a": {}}}}, "$ref": "#/$defs/b", "properties": {"c": {}}}"##,
         #"{"a": 1, "c": 2, "d": 3}"#, ["/d"]),
        (#"{"contains": {"properties": {"a": {}}}}"#, #"[{"a": 1, "b": 2}]"#, ["/0/b"]),
        (##"{"items": {"$ref": "#/$defs/n"}, "$defs": {"n": {"properties": {"a": {}}}}}"##, #"[{"a": 1, "b": 2}]"#,
         ["/0/b"]),
        (#"{"properties": {"o": {"allOf": [{"properties": {"a": {}}}]}}}"#, #"{"o": {"a": 1, "b": 2}}"#, ["/o/b"]),
    ]

    @Test("reports match the Describer's", arguments: 0..<cases.count)
    func handWritten(_ i: Int) throws {
        let c = Self.cases[i]
        let compiled = try Self.compile(Fixtures.json(c.schema), "file:///t/agreement-\(i).json", assertFormats: true)
        let instance = Fixtures.json(c.instance)
        let result = compiled.reporting.validate(instance)
        #expect(result.undescribed == c.undescribed)
        #expect(result.undescribed == Self.describerAnswer(compiled.reporting, instance))
        #expect(result.violations == compiled.plain.validate(instance).violations)
    }
}

/// `SiblingSlots` answers a member's property from the previous sibling's key
/// at the same position when the key strings are the same bits (perf, issue
/// 24). The reference is the hashed look-up it replaces on that path
/// (`Tables.property`), asked for every member of seeded sibling objects:
/// parsed (the parser shares keys between siblings), built with fresh strings
/// of the same text, shuffled, with members missing, undeclared, long, inline,
/// non-ASCII and canonically equivalent but different bytes.
@Suite("Sibling key cache agrees with the look-up")
struct SiblingSlotsTests {
    static let declared = [
        "id", "state", "a", "customerName", "preterminateUntil", "aVeryLongPropertyNameIndeed", "bø", "caf\u{E9}",
    ]
    static let undeclared = ["x", "cafe\u{301}", "anotherUndeclaredLongName", "b\u{F8}x", "ID"]

    static func schema() throws -> CompiledSchema {
        var props: [(String, JSON)] = []
        for (k, name) in declared.enumerated() { props.append((name, k % 2 == 0 ? ["type": "string"] : [:])) }
        var registry = SchemaRegistry()
        let doc: JSON = ["type": "object", "properties": .object(JSONObject(pairs: props)), "additionalProperties": ["type": "number"]]
        try registry.register(doc, uri: "file:///t/siblings.json")
        return try registry.compile("file:///t/siblings.json")
    }

    /// Seeded objects: each a random selection of keys, mostly in the order of
    /// the one before (siblings), sometimes shuffled.
    static func objects(seed: UInt64, count: Int) -> [[(String, JSON)]] {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((rng >> 33) % UInt64(n))
        }
        let names = declared + undeclared
        var out: [[(String, JSON)]] = []
        var keys = Array(names.prefix(6))
        for _ in 0..<count {
            switch next(6) {
            case 0:
                var g = SeededGenerator(state: rng)
                keys.shuffle(using: &g)
            case 1: if !keys.isEmpty { keys.remove(at: next(keys.count)) }
            case 2: keys.insert(names[next(names.count)], at: next(keys.count + 1))
            default: break
            }
            out.append(keys.map { k in (k, next(4) == 0 ? .number(Double(next(9))) : .string("v\(next(9))")) })
        }
        return out
    }

    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    @Test("every member of seeded siblings, parsed and built")
    func agreesWithLookup() throws {
        let schema = try Self.schema()
        let seeded = Self.objects(seed: 24, count: 400)
        // Parsed: the parser shares key strings between siblings, as in a page.
        let text = "[" + seeded.map { o in "{" + o.map { "\"\($0.0)\": 0" }.joined(separator: ",") + "}" }.joined(separator: ",") + "]"
        let parsed = try #require(JSONParser.parse(text).arrayValue).compactMap(\.objectValue)
        // Built: a fresh string for every key (equal text, other storage).
        let built = seeded.map { o in JSONObject(pairs: o.map { (String(decoding: Array($0.0.utf8), as: UTF8.self), $0.1) }) }
        try #require(parsed.count == seeded.count)
        var compared = 0
        var hits = 0
        schema.program.withTables { t in
            guard let table = t.members.firstIndex(where: { $0.slotMask >= 0 }) else { return }
            let m = t.members[table]
            for objects in [parsed, built, parsed + built] {
                guard let cache = SiblingSlots(tables: t.members.count) else {
                    Issue.record("no sibling cache on this platform")
                    return
                }
                defer { cache.release() }
                for o in objects {
                    o.members.withUnsafeBufferPointer { buf in
                        for i in buf.indices {
                            let old = Tables.property(m, buf[i].key, t.slots, t.bytes)
                            if cache.remembers(Int32(table), i, buf.baseAddress! + i) { hits += 1 }
                            let new = cache.child(Int32(table), m, i, buf.baseAddress! + i, t.slots, t.bytes)
                            #expect(new == old, "\(buf[i].key) at \(i)")
                            compared += 1
                        }
                    }
                }
            }
        }
        // Both paths reached: most members answered from the cache, and the
        // look-up for the rest (keys moved, inserted, or fresh strings).
        #expect(compared > 4_000)
        #expect(hits > compared / 3)
        #expect(hits < compared)
        // And the fast path's verdicts (cache on) agree with the full evaluation's (cache off).
        for o in parsed + built {
            let v = JSON.object(o)
            #expect(schema.isValid(v) == schema.validate(v).violations.isEmpty)
        }
    }
}
