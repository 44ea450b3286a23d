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
