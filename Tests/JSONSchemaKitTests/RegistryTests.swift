import JSONKit
@testable import JSONSchemaKit
import Testing

@Suite("Registry, references and schema errors")
struct RegistryTests {
    @Test("a $ref across two registered documents, by relative URI and by $id")
    func refAcrossDocuments() throws {
        let registry = try Fixtures.registry()
        let byURI = try registry.compile(Fixtures.accountURI)
        #expect(byURI.validate(Fixtures.validAccount).isValid)
        // A fragment into the other document, by its registration URI.
        let network = try registry.compile(Fixtures.commonURI + "#/$defs/Network")
        #expect(network.isValid("TDC"))
        #expect(!network.isValid("TELIA"))
        // By absolute $id: both documents declare relative $ids, resolved against their URIs.
        let objectid = try registry.compile(
            "file:///Cases/schemas/common.schema.json#/$defs/objectid", options: ValidationOptions(assertFormats: true))
        #expect(objectid.isValid("5f1e0b9c2a4d3e6f7a8b9c0d"))
        #expect(!objectid.isValid("5f1e0b9c2a4d3e6f7a8b9c0"))
    }

    @Test("documents with absolute $ids refer to each other by $id")
    func absoluteIDs() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["$id": "https://schemas.example/common.json", "$defs": ["id": ["type": "string", "minLength": 3]]],
            uri: "file:///x/common.json")
        try registry.register(
            ["$id": "https://schemas.example/account.json", "properties": ["id": ["$ref": "common.json#/$defs/id"]]],
            uri: "file:///x/account.json")
        for uri in ["https://schemas.example/account.json", "file:///x/account.json"] {
            let s = try registry.compile(uri)
            #expect(s.isValid(["id": "abc"]))
            let r = s.validate(["id": "ab"])
            #expect(r.violations.map(\.keywordLocation) == ["/properties/id/$ref/minLength"])
            #expect(r.violations.map(\.absoluteKeywordLocation) == ["file:///x/common.json#/$defs/id/minLength"])
        }
    }

    @Test("$anchor and escaped JSON-pointer fragments")
    func anchorsAndPointers() throws {
        var registry = SchemaRegistry()
        let doc = Fixtures.json(
            """
            {
              "$defs": {
                "a/b": { "type": "integer" },
                "c~d": { "type": "string" },
                "e%f": { "type": "boolean" },
                "named": { "$anchor": "Named", "type": "null" }
              },
              "properties": {
                "slash": { "$ref": "#/$defs/a~1b" },
                "tilde": { "$ref": "#/$defs/c~0d" },
                "percent": { "$ref": "#/$defs/e%25f" },
                "anchor": { "$ref": "#Named" }
              }
            }
            """)
        try registry.register(doc, uri: "file:///t/anchors.json")
        let s = try registry.compile("file:///t/anchors.json")
        #expect(s.isValid(["slash": 1, "tilde": "x", "percent": true, "anchor": nil]))
        #expect(s.validate(["slash": "1", "tilde": 1, "percent": 0, "anchor": 0]).violations.count == 4)
        #expect(try registry.compile("file:///t/anchors.json#Named").isValid(nil))
    }

    @Test("a cyclic $ref compiles and validates")
    func cyclicReference() throws {
        var registry = SchemaRegistry()
        let tree = Fixtures.json(
            """
            {
              "type": "object",
              "required": ["name"],
              "properties": {
                "name": { "type": "string" },
                "children": { "type": "array", "items": { "$ref": "#" } }
              }
            }
            """)
        try registry.register(tree, uri: "file:///t/tree.json")
        let s = try registry.compile("file:///t/tree.json")
        let ok: JSON = ["name": "a", "children": [["name": "b", "children": [["name": "c"]]]]]
        #expect(s.validate(ok).isValid)
        let bad: JSON = ["name": "a", "children": [["name": "b", "children": [["name": 3]]]]]
        let r = s.validate(bad)
        #expect(r.violations.map(\.instanceLocation) == ["/children/0/children/0/name"])
        #expect(
            r.violations.map(\.keywordLocation) == [
                "/properties/children/items/$ref/properties/children/items/$ref/properties/name/type"
            ])
    }

    @Test("deep recursion through the instance is fine")
    func deepRecursion() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["properties": ["name": ["type": "string"], "children": ["items": ["$ref": "#"]]]],
            uri: "file:///t/deep.json")
        let s = try registry.compile("file:///t/deep.json")
        var node: JSON = ["name": "leaf"]
        var bad: JSON = ["name": 0]
        for _ in 0..<250 {
            node = ["name": "n", "children": [node]]
            bad = ["name": "n", "children": [bad]]
        }
        #expect(s.isValid(node))
        #expect(s.validate(node).isValid)
        let describing = try registry.compile(
            "file:///t/deep.json", options: ValidationOptions(reportUndescribedProperties: true))
        let extra = Fixtures.setting("/children", to: [Fixtures.setting("/extra", to: 1, in: node)], in: node)
        #expect(describing.validate(extra).undescribed == ["/children/0/extra"])
        let r = s.validate(bad)
        #expect(r.violations.count == 1)
        #expect(r.violations.first?.keyword == "type")
        #expect(r.violations.first?.instanceLocation.tokens.count == 501)
    }

    @Test("a reference cycle that never reaches a keyword compiles, and fails instead of looping")
    func degenerateCycle() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["$defs": ["a": ["$ref": "#/$defs/b"], "b": ["$ref": "#/$defs/a"]], "$ref": "#/$defs/a"],
            uri: "file:///t/loop.json")
        let s = try registry.compile("file:///t/loop.json")
        #expect(!s.isValid(1))
        let r = s.validate(1)
        #expect(!r.isValid)
        #expect(r.violations.first?.message.contains("recursion") == true)
    }

    @Test("the 2020-12 meta-schema is built in")
    func metaSchema() throws {
        let registry = SchemaRegistry()
        let meta = try registry.compile("https://json-schema.org/draft/2020-12/schema")
        #expect(meta.isValid(Fixtures.account))
        #expect(!meta.isValid(["minLength": -1]))
        #expect(!meta.isValid(["type": "strin"]))
    }

    @Test("unknown keywords and annotations are ignored")
    func unknownKeywords() throws {
        var registry = SchemaRegistry()
        try registry.register(
            [
                "x-visibility": ["ADMIN"], "x-sensitive": true, "description": "d", "title": "t", "examples": [1],
                "type": "integer",
            ],
            uri: "file:///t/x.json")
        let s = try registry.compile("file:///t/x.json")
        #expect(s.isValid(1))
        #expect(!s.isValid("1"))
    }

    // MARK: schema errors

    func registrationError(_ schema: JSON) -> SchemaError? {
        var registry = SchemaRegistry()
        do {
            try registry.register(schema, uri: "file:///t/bad.json")
            return nil
        } catch {
            return error
        }
    }

    @Test("malformed keywords are rejected at registration with a pointer")
    func malformedKeywords() throws {
        let cases: [(JSON, JSONPointer, String)] = [
            (
                ["properties": ["name": ["minLength": "x"]]], "/properties/name/minLength",
                "minLength must be a non-negative integer"
            ),
            (["properties": ["name": ["pattern": "^(abc"]]], "/properties/name/pattern", "invalid regular expression"),
            (["patternProperties": ["[": true]], "/patternProperties/[", "invalid regular expression"),
            (["type": "strin"], "/type", "type must be one of"),
            (["items": [["type": "string"]]], "/items", "items must be a schema"),
            (["properties": ["a": 5]], "/properties/a", "a schema must be an object or a boolean"),
            (["allOf": []], "/allOf", "allOf must be a non-empty array of schemas"),
            (["$defs": ["x": ["maxItems": -1]]], "/$defs/x/maxItems", "maxItems must be a non-negative integer"),
            (["required": ["a", 1]], "/required/1", "required must contain only strings"),
            (["multipleOf": 0], "/multipleOf", "multipleOf must be greater than 0"),
            (["$anchor": "1bad"], "/$anchor", "$anchor must be a name"),
            (["$ref": 5], "/$ref", "$ref must be a string"),
        ]
        for (schema, pointer, message) in cases {
            let error = try #require(registrationError(schema), "\(schema) should be rejected")
            #expect(error.uri == "file:///t/bad.json")
            #expect(error.pointer == pointer, "\(schema): \(error)")
            #expect(error.message.hasPrefix(message), "\(schema): \(error.message)")
            #expect(error.description.hasPrefix("file:///t/bad.json#\(pointer): "))
        }
    }

    @Test("an unresolvable $ref is a compile error naming the document and the $ref's pointer")
    func unresolvableReference() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["properties": ["a": ["$ref": "common.schema.json#/$defs/nope"]]],
            uri: "file:///Cases/schemas/x.schema.json")
        try registry.register(["$defs": [:]], uri: "file:///Cases/schemas/common.schema.json")
        #expect {
            try registry.compile("file:///Cases/schemas/x.schema.json")
        } throws: { error in
            guard let e = error as? SchemaError else { return false }
            return e.uri == "file:///Cases/schemas/x.schema.json" && e.pointer == "/properties/a/$ref"
                && e.message.contains("common.schema.json#/$defs/nope")
        }
        // Only reachable references count: $defs nobody uses are not resolved.
        try registry.register(
            ["$defs": ["unused": ["$ref": "missing.json"]], "type": "string"], uri: "file:///t/lazy.json")
        #expect(try registry.compile("file:///t/lazy.json").isValid("x"))
    }

    @Test("compiling an unregistered URI is an error")
    func unknownDocument() {
        #expect(throws: SchemaError.self) { try SchemaRegistry().compile("file:///nowhere.json") }
    }

    @Test("registering twice: the same document is fine, a different one is an error; a duplicate $id is an error")
    func duplicates() throws {
        var registry = SchemaRegistry()
        try registry.register(["type": "string"], uri: "file:///t/a.json")
        try registry.register(["type": "string"], uri: "file:///t/a.json")
        #expect(throws: SchemaError.self) { try registry.register(["type": "number"], uri: "file:///t/a.json") }
        try registry.register(["$id": "https://x.example/s.json"], uri: "file:///t/b.json")
        #expect(throws: SchemaError.self) {
            try registry.register(["$id": "https://x.example/s.json"], uri: "file:///t/c.json")
        }
        // A failed registration leaves the registry unchanged.
        #expect(registry.document("file:///t/c.json") == nil)
    }

    @Test("resolution's short cuts (a fragment alone, an absolute URI without dot segments) give what RFC 3986's steps give")
    func resolutionShortCuts() {
        let bases = [
            "file:///suite/schemas/mvno-account.schema.json", "file:///suite/schemas/a.json#/$defs/x",
            "https://example.com/a/b.json?q=1#frag", "urn:example:thing", "file:///t/./x/../y.json",
        ]
        let references = [
            "#/$defs/x", "#", "#anchor", "file:///suite/schemas/common.schema.json#/$defs/id",
            "https://json-schema.org/draft/2020-12/meta/core", "file:///a/./b/../c.json#/x", "http://h/a/..",
            "other.json", "../up.json#/y", "//host/p.json",
        ]
        for base in bases {
            for ref in references {
                let steps = URIReference(parsing: ref).resolved(against: URIReference(parsing: base)).string
                #expect(URIs.resolve(ref, against: base) == steps, "\(ref) against \(base)")
            }
        }
        #expect(URIs.absolute("file:///suite/schemas/a.schema.json#/x") == "file:///suite/schemas/a.schema.json#/x")
        #expect(URIs.absolute("file:///suite/./a/../b.json") == "file:///suite/b.json")
        for (path, dotted) in [
            ("/a/./b", true), ("/a/../b", true), (".", true), ("..", true), ("/a/.", true), ("/a/..", true), ("./a", true),
            ("../a", true), ("/a.b/c.json", false), ("/.../x", false), ("/.a/b.", false), ("", false), ("//", false),
        ] {
            #expect(URIReference.hasDotSegment(path) == dotted, "\(path)")
            if !dotted { #expect(URIReference.removeDotSegments(path) == path) }
        }
        #expect(URIReference.removeDotSegments("/a/b/../c/./d.json") == "/a/c/d.json")
    }
}
