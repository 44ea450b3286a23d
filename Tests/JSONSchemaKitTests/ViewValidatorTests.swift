import Foundation
import JSONKit
import Testing

@testable import JSONSchemaKit

/// Validating a tape (`validate(_: JSONTape)`) against validating the tree of
/// the same bytes: the same result, and a fast pass whose verdict, where it
/// gives one, is the tree's.
@Suite("Validating a tape agrees with validating the tree")
struct ViewValidatorTests {
    struct Tally {
        var instances = 0
        var told = 0
        var vouched = 0
    }

    /// Every claimed file of the official suite under `options`; returns how
    /// often the fast pass gave a verdict and vouched for an instance.
    static func officialSuite(_ options: ValidationOptions) throws -> Tally {
        let base = try TestSuite.remoteRegistry.get()
        var tally = Tally()
        for file in TestSuite.claimedFiles {
            let data = try Data(contentsOf: TestSuite.testsDirectory.appendingPathComponent(file))
            guard case .array(let groups) = try JSONParser.parse(Array(data)) else { continue }
            var fileOptions = options
            fileOptions.assertFormats = file.hasPrefix("optional/format/")
            for (gi, group) in groups.enumerated() {
                guard let schema = group["schema"], case .array(let tests)? = group["tests"] else { continue }
                var registry = base
                let uri = "https://test-suite.invalid/tape/\(file.replacingOccurrences(of: "/", with: "-"))/\(gi)"
                try registry.register(schema, uri: uri)
                let compiled = try registry.compile(uri, options: fileOptions)
                for test in tests {
                    guard let instance = test["data"] else { continue }
                    let where_ = "\(file) › \(gi) › \(test["description"]?.stringValue ?? "?")"
                    let bytes = JSONWriter().bytes(instance)
                    let tree = try JSONParser.parse(bytes)
                    let tape = try JSONTape.parse(bytes)
                    tally.instances += 1
                    #expect(compiled.validate(tape) == compiled.validate(tree), "\(where_)")
                    #expect(compiled.isValid(tape) == compiled.isValid(tree), "\(where_)")
                    if let verdict = compiled.fastVerdict(tape, describing: false) {
                        tally.told += 1
                        #expect(verdict == compiled.isValid(tree), "fast verdict, \(where_)")
                    }
                    // Vouching is sound: a document the fast pass vouches for is valid and has
                    // nothing to describe. (It may decline one that has nothing to describe:
                    // like `Evaluator.allDescribed`, it gives up on undescribed members early.)
                    if compiled.fastVerdict(tape) == true {
                        let result = compiled.validate(tree)
                        #expect(result.isValid && result.undescribedMembers.isEmpty, "vouched for, \(where_)")
                        tally.vouched += 1
                    }
                }
            }
        }
        return tally
    }

    @Test("the official suite, plain")
    func plain() throws {
        try #require(TestSuite.isPresent, "JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
        let tally = try Self.officialSuite(ValidationOptions())
        #expect(tally.instances > 1_500)
        // Not vacuous: the fast pass tells most instances, and vouches for many.
        #expect(tally.told * 10 > tally.instances * 7, "told \(tally.told) of \(tally.instances)")
        #expect(tally.vouched * 10 > tally.instances * 3, "vouched for \(tally.vouched) of \(tally.instances)")
    }

    @Test("the official suite, reporting undescribed members, null as absent")
    func describing() throws {
        try #require(TestSuite.isPresent, "JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
        let tally = try Self.officialSuite(ValidationOptions(reportUndescribedProperties: true, nullMeansAbsent: true))
        #expect(tally.instances > 1_500)
        #expect(tally.vouched * 10 > tally.instances * 2, "vouched for \(tally.vouched) of \(tally.instances)")
    }

    @Test("an API-like schema: vouched for when valid, the tree's findings when not")
    func apiLikeSchema() throws {
        let schema = try JSONParser.parse(
            #"""
            {"type":"object","required":["id","state","items"],"additionalProperties":false,
             "properties":{"id":{"type":"string","pattern":"^[0-9a-f]{6}$"},
                           "state":{"enum":["active","suspended"]},
                           "msisdn":{"type":["string","null"],"format":"e164"},
                           "since":{"type":"string","format":"date-time"},
                           "items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer","minimum":0}}}}}}
            """#)
        var registry = SchemaRegistry()
        try registry.register(schema, uri: "https://example.invalid/api.json")
        let compiled = try registry.compile(
            "https://example.invalid/api.json",
            options: ValidationOptions(assertFormats: true, reportUndescribedProperties: true, nullMeansAbsent: true))
        let good = #"{"id":"0a1b2c","state":"active","msisdn":"+447700900123","since":"2026-12-07T07:00:00Z","items":[{"n":1},{"n":0}]}"#
        let goodTape = try JSONTape.parse(Array(good.utf8))
        #expect(compiled.fastVerdict(goodTape) == true)
        #expect(compiled.validate(goodTape).violations.isEmpty)
        for bad in [
            #"{"id":"0a1b2c","state":"gone","items":[]}"#, #"{"id":"0A1B2C","state":"active","items":[]}"#,
            #"{"id":"0a1b2c","state":"active","items":[{"n":-1}]}"#, #"{"id":"0a1b2c","state":"active","items":[{"n":1.5}]}"#,
            #"{"id":"0a1b2c","state":"active","items":[],"extra":1}"#, #"{"id":"0a1b2c","items":[]}"#,
            #"{"id":"0a1b2c","state":"active","since":"2026-13-07T07:00:00Z","items":[]}"#,
            #"{"id":"0a1b2c","state":"active","msisdn":"07700","items":[]}"#,
            #"{"id":"0a1b2c","state":"active","items":[{"n":1,"m":2}]}"#,
        ] {
            let tape = try JSONTape.parse(Array(bad.utf8))
            let tree = try JSONParser.parse(bad)
            #expect(compiled.fastVerdict(tape) == false, "\(bad)")
            let result = compiled.validate(tape)
            #expect(result == compiled.validate(tree), "\(bad)")
            #expect(!result.violations.isEmpty || !result.undescribedMembers.isEmpty, "\(bad)")
        }
        // A declared member holding null is absent, as the tree reads it.
        let nulled = try JSONTape.parse(Array(#"{"id":"0a1b2c","state":"active","msisdn":null,"items":[]}"#.utf8))
        #expect(compiled.fastVerdict(nulled) == true)
    }
}
