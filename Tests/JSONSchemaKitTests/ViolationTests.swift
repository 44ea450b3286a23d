import JSONKit
import JSONSchemaKit
import Testing

/// Every field of a violation, for the mistakes an API typically makes.
@Suite("Violations explain themselves")
struct ViolationTests {
    func only(_ instance: JSON, assertFormats: Bool = true) throws -> SchemaViolation {
        let schema = try Fixtures.accountSchema(assertFormats: assertFormats)
        let result = schema.validate(instance)
        try #require(result.violations.count == 1, "\(result.violations.map(\.message))")
        #expect(!schema.isValid(instance))
        return result.violations[0]
    }

    @Test("wrong enum value, through a $ref into another document")
    func wrongEnumValue() throws {
        let v = try only(Fixtures.setting("/mvnoSim/network", to: "TELIA", in: Fixtures.validAccount))
        #expect(v.instanceLocation == "/mvnoSim/network")
        #expect(v.keywordLocation == "/properties/mvnoSim/properties/network/$ref/enum")
        #expect(v.absoluteKeywordLocation == "file:///Cases/schemas/common.schema.json#/$defs/Network/enum")
        #expect(v.keyword == "enum")
        #expect(v.expected == #"one of "TELENOR", "TDC""#)
        #expect(v.actual == #""TELIA""#)
        #expect(v.message == #"/mvnoSim/network: "TELIA" is not one of "TELENOR", "TDC""#)
    }

    @Test("a number where a boolean belongs")
    func numberForBoolean() throws {
        let v = try only(Fixtures.setting("/feature/roaming", to: 1, in: Fixtures.validAccount))
        #expect(v.instanceLocation == "/feature/roaming")
        #expect(v.keywordLocation == "/properties/feature/properties/roaming/type")
        #expect(
            v.absoluteKeywordLocation
                == "file:///Cases/schemas/account.schema.json#/properties/feature/properties/roaming/type")
        #expect(v.keyword == "type")
        #expect(v.expected == "type boolean")
        #expect(v.actual == "1")
        #expect(v.message == "/feature/roaming: 1 is not of type boolean (it is an integer)")
    }

    @Test("a 23-character objectid, with formats asserted")
    func shortObjectID() throws {
        let v = try only(Fixtures.setting("/_id", to: "5f1e0b9c2a4d3e6f7a8b9c0", in: Fixtures.validAccount))
        #expect(v.instanceLocation == "/_id")
        #expect(v.keywordLocation == "/properties/_id/$ref/format")
        #expect(v.absoluteKeywordLocation == "file:///Cases/schemas/common.schema.json#/$defs/objectid/format")
        #expect(v.keyword == "format")
        #expect(v.expected == "format objectid")
        #expect(v.actual == #""5f1e0b9c2a4d3e6f7a8b9c0""#)
        #expect(
            v.message
                == #"/_id: "5f1e0b9c2a4d3e6f7a8b9c0" is not a valid objectid (expected 24 hexadecimal characters, got 23)"#
        )
    }

    @Test("formats are annotations unless asserted")
    func formatsOffByDefault() throws {
        let schema = try Fixtures.accountSchema(assertFormats: false)
        let bad = Fixtures.setting("/_id", to: "not-an-id", in: Fixtures.validAccount)
        #expect(schema.validate(bad).isValid)
        #expect(schema.isValid(bad))
    }

    @Test("an impossible date-time from the vendor's docs")
    func badDateTime() throws {
        let v = try only(Fixtures.setting("/startDate", to: "2020-20-20T00:00:00Z", in: Fixtures.validAccount))
        #expect(v.instanceLocation == "/startDate")
        #expect(v.keywordLocation == "/properties/startDate/$ref/format")
        #expect(v.absoluteKeywordLocation == "file:///Cases/schemas/common.schema.json#/$defs/Date/format")
        #expect(v.keyword == "format")
        #expect(v.expected == "format date-time")
        #expect(v.actual == #""2020-20-20T00:00:00Z""#)
        #expect(v.message == #"/startDate: "2020-20-20T00:00:00Z" is not a valid date-time (month 20 is out of range)"#)
    }

    @Test(
        "malformed date-times are rejected",
        arguments: [
            "2020-20-20T00:00:00Z", "2023-12-02T05:00:000Z", "2023-03-04T22:00.000Z", "2021-02-29T00:00:00Z",
            "2023-12-02T24:00:00Z", "2023-12-02T05:00:00", "2023-12-02 05:00:00Z", "2023-12-02T05:00:00+0100",
            "2023-12-02T23:59:60+01:00",
        ])
    func malformedDateTimes(_ text: String) throws {
        let v = try only(Fixtures.setting("/startDate", to: .string(text), in: Fixtures.validAccount))
        #expect(v.keyword == "format")
    }

    @Test(
        "well-formed date-times pass",
        arguments: [
            "2023-12-02T05:00:00Z", "2023-12-02T05:00:00.123Z", "2024-02-29T00:00:00+01:00", "1998-12-31T23:59:60Z",
            "2023-12-02t05:00:00z",
        ])
    func wellFormedDateTimes(_ text: String) throws {
        let schema = try Fixtures.accountSchema()
        #expect(schema.validate(Fixtures.setting("/startDate", to: .string(text), in: Fixtures.validAccount)).isValid)
    }

    @Test("a missing required property is reported at the object")
    func missingRequired() throws {
        let v = try only(Fixtures.setting("/mvnoSim/simNumber", to: nil, in: Fixtures.validAccount))
        #expect(v.instanceLocation == "/mvnoSim")
        #expect(v.keywordLocation == "/properties/mvnoSim/required")
        #expect(v.absoluteKeywordLocation == "file:///Cases/schemas/account.schema.json#/properties/mvnoSim/required")
        #expect(v.keyword == "required")
        #expect(v.expected == #"property "simNumber""#)
        #expect(v.actual == "missing")
        #expect(v.message == #"/mvnoSim: required property "simNumber" is missing"#)
    }

    @Test("a missing required property at the root")
    func missingRequiredAtRoot() throws {
        let v = try only(Fixtures.setting("/number", to: nil, in: Fixtures.validAccount))
        #expect(v.instanceLocation == .root)
        #expect(v.keywordLocation == "/required")
        #expect(v.message == #"(root): required property "number" is missing"#)
    }

    @Test("the other API formats: e164 and icc")
    func apiFormats() throws {
        let e164 = try only(Fixtures.setting("/number", to: "+0512345678", in: Fixtures.validAccount))
        #expect(e164.expected == "format e164")
        let icc = try only(Fixtures.setting("/mvnoSim/simNumber", to: "89450200123", in: Fixtures.validAccount))
        #expect(icc.expected == "format icc")
        let schema = try Fixtures.accountSchema()
        for number in ["+4512345678", "+123456789012345", "+12345678"] {
            #expect(
                schema.isValid(Fixtures.setting("/number", to: .string(number), in: Fixtures.validAccount)), "\(number)"
            )
        }
        for number in ["4512345678", "+1234567", "+1234567890123456", "+45 12345678"] {
            #expect(
                !schema.isValid(Fixtures.setting("/number", to: .string(number), in: Fixtures.validAccount)),
                "\(number)")
        }
    }

    @Test("actual values are shortened to 80 characters")
    func longActualIsShortened() throws {
        let long = String(repeating: "x", count: 200)
        let v = try only(Fixtures.setting("/state", to: .string(long), in: Fixtures.validAccount))
        #expect(v.actual.count == 80)
        #expect(v.actual.hasSuffix("…"))
        #expect(v.actual.hasPrefix("\"xxxx"))
        let big = Fixtures.setting(
            "/feature", to: .array(Array(repeating: .string("value"), count: 50)), in: Fixtures.validAccount)
        let w = try only(big)
        #expect(w.actual.count <= 80)
        #expect(w.actual.hasSuffix("…"))
    }

    @Test("violations come in document order of the instance, parents first")
    func documentOrder() throws {
        // Schema order: required, then properties (_id, number, state, ..., feature, mvnoSim).
        // Instance order below: mvnoSim first, then feature, then state, then socs.
        let instance = Fixtures.json(
            """
            {
              "mvnoSim": { "network": "TELIA" },
              "feature": { "data": "yes", "roaming": 0 },
              "state": "GONE",
              "socs": [1]
            }
            """)
        let schema = try Fixtures.accountSchema()
        let result = schema.validate(instance)
        #expect(
            result.violations.map(\.instanceLocation.description) == [
                "", "", "/mvnoSim", "/mvnoSim/network", "/feature/data", "/feature/roaming", "/state", "/socs/0",
            ])
        // At one location, schema order: both `required` violations in the order the schema lists them.
        #expect(result.violations[0].expected == #"property "_id""#)
        #expect(result.violations[1].expected == #"property "number""#)
        #expect(result.violations[2].keyword == "required")
        #expect(result.violations[7].keyword == "type")
    }

    @Test("anyOf gives one violation with the closest alternative as detail")
    func anyOfReporting() throws {
        var registry = SchemaRegistry()
        let schema = Fixtures.json(
            """
            {
              "properties": {
                "deleteDate": { "anyOf": [ { "type": "string", "format": "date-time" }, { "type": "null" } ] }
              }
            }
            """)
        try registry.register(schema, uri: "file:///t/anyof.json")
        let compiled = try registry.compile("file:///t/anyof.json", options: ValidationOptions(assertFormats: true))
        let result = compiled.validate(["deleteDate": "2020-20-20T00:00:00Z"])
        try #require(result.violations.count == 1)
        let v = result.violations[0]
        #expect(v.keyword == "anyOf")
        #expect(v.instanceLocation == "/deleteDate")
        #expect(v.keywordLocation == "/properties/deleteDate/anyOf")
        #expect(v.expected == "at least one of 2 subschemas to match (none did)")
        #expect(v.details.map(\.keyword) == ["format"])
        #expect(v.details.first?.keywordLocation == "/properties/deleteDate/anyOf/0/format")
        #expect(
            v.message.hasPrefix(
                #"/deleteDate: "2020-20-20T00:00:00Z" matches none of the 2 anyOf subschemas; closest: "#))
        #expect(compiled.validate(["deleteDate": nil]).isValid)
        #expect(compiled.validate(["deleteDate": "2023-01-01T00:00:00Z"]).isValid)
    }

    @Test("oneOf says how many alternatives matched")
    func oneOfReporting() throws {
        var registry = SchemaRegistry()
        try registry.register(["oneOf": [["type": "integer"], ["minimum": 0]]], uri: "file:///t/oneof.json")
        let compiled = try registry.compile("file:///t/oneof.json")
        let two = compiled.validate(5)
        try #require(two.violations.count == 1)
        #expect(two.violations[0].keyword == "oneOf")
        #expect(two.violations[0].expected == "exactly one of 2 subschemas to match (#0, #1 matched)")
        let none = compiled.validate(-1.5)
        #expect(none.violations.map(\.expected) == ["exactly one of 2 subschemas to match (none did)"])
        #expect(compiled.validate(-3).isValid)
        #expect(compiled.validate(2.5).isValid)
    }

    @Test("additionalProperties false names the property at its own location")
    func additionalPropertiesFalse() throws {
        var registry = SchemaRegistry()
        try registry.register(["properties": ["a": true], "additionalProperties": false], uri: "file:///t/closed.json")
        let result = try registry.compile("file:///t/closed.json").validate(["a": 1, "zz": 2])
        try #require(result.violations.count == 1)
        let v = result.violations[0]
        #expect(v.instanceLocation == "/zz")
        #expect(v.keyword == "additionalProperties")
        #expect(v.keywordLocation == "/additionalProperties")
        #expect(v.absoluteKeywordLocation == "file:///t/closed.json#/additionalProperties")
        #expect(v.message == #"/zz: property "zz" is not allowed (additionalProperties is false)"#)
    }

    @Test("lengths count code points; multipleOf is exact for decimals")
    func lengthsAndMultiples() throws {
        var registry = SchemaRegistry()
        try registry.register(["maxLength": 2, "minLength": 2], uri: "file:///t/len.json")
        try registry.register(["multipleOf": 0.0001], uri: "file:///t/mul.json")
        let len = try registry.compile("file:///t/len.json")
        #expect(len.isValid("é😀"))  // 2 code points, 6 UTF-8 bytes
        #expect(!len.isValid("é😀x"))
        #expect(!len.isValid("é"))
        let mul = try registry.compile("file:///t/mul.json")
        #expect(mul.isValid(0.0075))
        #expect(mul.isValid(19.99))
        #expect(!mul.isValid(0.00751))
    }

    @Test("validate and isValid agree")
    func fastAndFullAgree() throws {
        let schema = try Fixtures.accountSchema()
        let instances: [JSON] = [
            Fixtures.validAccount,
            Fixtures.setting("/mvnoSim/network", to: "TELIA", in: Fixtures.validAccount),
            Fixtures.setting("/socs", to: [1, "x"], in: Fixtures.validAccount),
            [:], "text", nil,
        ]
        for i in instances {
            #expect(schema.isValid(i) == schema.validate(i).isValid, "\(i)")
        }
    }
}
