import JSONKit
import JSONSchemaKit
import Testing

@Suite("Undescribed properties")
struct UndescribedTests {
    @Test("members no schema describes are reported in document order")
    func reported() throws {
        let schema = try Fixtures.accountSchema(undescribed: true)
        var instance = Fixtures.setting("/extraTop", to: 1, in: Fixtures.validAccount)
        instance = Fixtures.setting("/mvnoSim/eid", to: "x", in: instance)
        instance = Fixtures.setting("/feature/fiveG", to: true, in: instance)
        // "custom" has additionalProperties: true, so anything inside it is covered.
        instance = Fixtures.setting("/custom", to: ["anything": ["nested": 1]], in: instance)
        let result = schema.validate(instance)
        #expect(result.isValid)
        // Document order: feature (4th member) before mvnoSim (5th) before extraTop (appended last).
        #expect(result.undescribed == ["/feature/fiveG", "/mvnoSim/eid", "/extraTop"])
    }

    @Test("nothing is reported unless asked")
    func offByDefault() throws {
        let schema = try Fixtures.accountSchema(undescribed: false)
        #expect(schema.validate(Fixtures.setting("/extra", to: 1, in: Fixtures.validAccount)).undescribed.isEmpty)
    }

    @Test("only objects whose schema declares properties count; composition unites descriptions")
    func composition() throws {
        var registry = SchemaRegistry()
        let doc = Fixtures.json(
            """
            {
              "$defs": {
                "base": { "properties": { "id": { "type": "string" }, "meta": { "type": "object", "properties": { "v": {} } } } }
              },
              "type": "object",
              "allOf": [
                { "$ref": "#/$defs/base" },
                { "properties": { "name": { "type": "string" }, "meta": { "properties": { "w": {} } } } }
              ],
              "properties": {
                "free": { "type": "object" },
                "items": { "type": "array", "items": { "properties": { "k": {} } } },
                "kind": {}
              },
              "patternProperties": { "^x-": {} },
              "oneOf": [ { "properties": { "car": {} } }, { "properties": { "bike": {} } } ]
            }
            """)
        try registry.register(doc, uri: "file:///t/compose.json")
        let s = try registry.compile(
            "file:///t/compose.json", options: ValidationOptions(reportUndescribedProperties: true))
        let instance = Fixtures.json(
            """
            {
              "id": "1", "name": "n", "kind": 1, "x-trace": "t", "car": true,
              "meta": { "v": 1, "w": 2, "u": 3 },
              "free": { "whatever": 1 },
              "items": [ { "k": 1 }, { "k": 2, "q": 3 } ],
              "stray": 0
            }
            """)
        let result = s.validate(instance)
        #expect(result.undescribed == ["/meta/u", "/items/1/q", "/stray"])
    }
}
