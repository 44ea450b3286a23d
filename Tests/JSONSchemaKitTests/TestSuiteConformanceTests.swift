import Foundation
import JSONKit
import JSONSchemaKit
import Testing

/// Runs the official JSON Schema Test Suite (draft 2020-12) against the
/// validator, from `../shared/jsonschema-test-suite` relative to the project
/// root. A missing suite is a failure, never a skip.
enum TestSuite {
    /// The project root: this file is `<root>/Tests/JSONSchemaKitTests/<file>.swift`.
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let suiteRoot: URL = projectRoot.appendingPathComponent("../shared/jsonschema-test-suite")
        .standardizedFileURL
    static let testsDirectory = suiteRoot.appendingPathComponent("tests/draft2020-12")
    static let remotesDirectory = suiteRoot.appendingPathComponent("remotes")

    /// Files the validator claims, run in full: every test must pass.
    /// Files under `optional/format/` run with `assertFormats: true`.
    static let claimedFiles: [String] = [
        "additionalProperties.json",
        "allOf.json",
        "anchor.json",
        "anyOf.json",
        "boolean_schema.json",
        "const.json",
        "contains.json",
        "content.json",
        "default.json",
        "defs.json",
        "dependentRequired.json",
        "dependentSchemas.json",
        "dynamicRef.json",
        "enum.json",
        "exclusiveMaximum.json",
        "exclusiveMinimum.json",
        "format.json",
        "if-then-else.json",
        "infinite-loop-detection.json",
        "items.json",
        "maxContains.json",
        "maxItems.json",
        "maxLength.json",
        "maxProperties.json",
        "maximum.json",
        "minContains.json",
        "minItems.json",
        "minLength.json",
        "minProperties.json",
        "minimum.json",
        "multipleOf.json",
        "not.json",
        "oneOf.json",
        "pattern.json",
        "patternProperties.json",
        "prefixItems.json",
        "properties.json",
        "propertyNames.json",
        "ref.json",
        "refRemote.json",
        "required.json",
        "type.json",
        "unevaluatedItems.json",
        "unevaluatedProperties.json",
        "uniqueItems.json",
        "vocabulary.json",
        "optional/anchor.json",
        "optional/bignum.json",
        "optional/dependencies-compatibility.json",
        "optional/dynamicRef.json",
        "optional/ecmascript-regex.json",
        "optional/float-overflow.json",
        "optional/format-assertion.json",
        "optional/id.json",
        "optional/no-schema.json",
        "optional/non-bmp-regex.json",
        "optional/refOfUnknownKeyword.json",
        "optional/unknownKeyword.json",
        "optional/format/date-time.json",
        "optional/format/date.json",
        "optional/format/duration.json",
        "optional/format/ecmascript-regex.json",
        "optional/format/email.json",
        "optional/format/ipv4.json",
        "optional/format/ipv6.json",
        "optional/format/iri-reference.json",
        "optional/format/iri.json",
        "optional/format/json-pointer.json",
        "optional/format/regex.json",
        "optional/format/relative-json-pointer.json",
        "optional/format/time.json",
        "optional/format/unknown.json",
        "optional/format/uri-reference.json",
        "optional/format/uri-template.json",
        "optional/format/uri.json",
        "optional/format/uuid.json",
    ]

    /// Files deliberately not claimed, each with the reason.
    static let unclaimedFiles: [String: String] = [
        "optional/cross-draft.json": "needs remotes/draft2019-09, which the vendored suite subset does not include",
        "optional/format/hostname.json":
            "RFC 1123 letters-digits-hyphen rules are checked, but A-labels (xn--...) are not Punycode-decoded and checked against IDNA2008 (RFC 5891/5892)",
        "optional/format/idn-hostname.json":
            "idn-hostname is not implemented (needs IDNA2008 tables and Punycode); it always passes",
        "optional/format/idn-email.json":
            "idn-email is not implemented (its domain part needs idn-hostname); it always passes",
    ]

    struct Outcome {
        var tests = 0
        var failures: [String] = []
    }

    /// A registry with every file under `remotes/` registered as
    /// `http://localhost:1234/<relative path>`.
    static let remoteRegistry: Result<SchemaRegistry, SchemaSuiteError> = {
        var registry = SchemaRegistry()
        let fm = FileManager.default
        guard let e = fm.enumerator(at: remotesDirectory, includingPropertiesForKeys: nil) else {
            return .failure(SchemaSuiteError(message: "cannot list \(remotesDirectory.path)"))
        }
        var files: [URL] = []
        for case let url as URL in e where url.pathExtension == "json" { files.append(url) }
        files.sort { $0.path < $1.path }
        let prefix = remotesDirectory.standardizedFileURL.path + "/"
        for url in files {
            let relative = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            do {
                let json = try JSONParser.parse(Array(try Data(contentsOf: url)))
                try registry.register(json, uri: "http://localhost:1234/" + relative)
            } catch {
                return .failure(SchemaSuiteError(message: "remote \(relative): \(error)"))
            }
        }
        return .success(registry)
    }()

    static func run(_ file: String) -> Outcome {
        var outcome = Outcome()
        let url = testsDirectory.appendingPathComponent(file)
        let groups: [JSON]
        do {
            guard case .array(let g) = try JSONParser.parse(Array(try Data(contentsOf: url))) else {
                outcome.failures.append("\(file): not an array of groups")
                return outcome
            }
            groups = g
        } catch {
            outcome.failures.append("\(file): cannot read \(url.path): \(error)")
            return outcome
        }
        let base: SchemaRegistry
        switch remoteRegistry {
        case .success(let r): base = r
        case .failure(let e):
            outcome.failures.append(e.message)
            return outcome
        }
        let options = ValidationOptions(assertFormats: file.hasPrefix("optional/format/"))
        for (gi, group) in groups.enumerated() {
            let groupName = group["description"]?.stringValue ?? "group \(gi)"
            guard let schema = group["schema"], case .array(let tests)? = group["tests"] else {
                outcome.failures.append("\(file) › \(groupName): malformed group")
                continue
            }
            let stem = file.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".json", with: "")
            let uri = "https://test-suite.invalid/draft2020-12/\(stem)/\(gi).json"
            let compiled: CompiledSchema
            do {
                var registry = base
                try registry.register(schema, uri: uri)
                compiled = try registry.compile(uri, options: options)
            } catch {
                outcome.tests += tests.count
                outcome.failures.append("\(file) › \(groupName): schema rejected: \(error)")
                continue
            }
            for test in tests {
                outcome.tests += 1
                let name = test["description"]?.stringValue ?? "?"
                guard let data = test["data"], case .bool(let expected)? = test["valid"] else {
                    outcome.failures.append("\(file) › \(groupName) › \(name): malformed test")
                    continue
                }
                let fast = compiled.isValid(data)
                let full = compiled.validate(data)
                if fast != expected || full.isValid != expected {
                    var detail = "expected \(expected ? "valid" : "invalid"), isValid=\(fast), validate=\(full.isValid)"
                    if let first = full.violations.first { detail += "; first violation: \(first.message)" }
                    outcome.failures.append("\(file) › \(groupName) › \(name): \(detail)")
                } else if !expected && full.violations.isEmpty {
                    outcome.failures.append("\(file) › \(groupName) › \(name): invalid but no violation reported")
                }
            }
        }
        return outcome
    }

    static func allSuiteFiles() throws -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(at: testsDirectory, includingPropertiesForKeys: nil) else {
            throw SchemaSuiteError(message: "cannot list \(testsDirectory.path)")
        }
        let prefix = testsDirectory.standardizedFileURL.path + "/"
        var out: [String] = []
        for case let url as URL in e where url.pathExtension == "json" {
            out.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
        }
        return out.sorted()
    }

    static var isPresent: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: testsDirectory.path, isDirectory: &isDir) && isDir.boolValue
    }
}

struct SchemaSuiteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite("JSON Schema Test Suite (draft 2020-12)")
struct TestSuiteConformanceTests {
    @Test("the suite is present")
    func suiteIsPresent() {
        #expect(
            TestSuite.isPresent,
            "JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path) (expected ../shared/jsonschema-test-suite relative to the project root)"
        )
    }

    @Test("every suite file is claimed or listed as unclaimed with a reason")
    func everyFileAccountedFor() throws {
        try #require(TestSuite.isPresent, "JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
        let all = try TestSuite.allSuiteFiles()
        let claimed = Set(TestSuite.claimedFiles)
        let unclaimed = Set(TestSuite.unclaimedFiles.keys)
        #expect(claimed.count == TestSuite.claimedFiles.count, "a file is claimed twice")
        #expect(
            claimed.isDisjoint(with: unclaimed),
            "files both claimed and unclaimed: \(claimed.intersection(unclaimed).sorted())")
        for file in all {
            #expect(
                claimed.contains(file) || unclaimed.contains(file), "\(file) is neither claimed nor listed as unclaimed"
            )
        }
        for file in claimed.union(unclaimed) {
            #expect(all.contains(file), "\(file) is listed but not in the suite")
        }
        for (file, reason) in TestSuite.unclaimedFiles {
            #expect(!reason.isEmpty, "\(file) needs a reason")
        }
    }

    @Test("claimed file", arguments: TestSuite.claimedFiles)
    func claimedFile(_ file: String) {
        guard TestSuite.isPresent else {
            Issue.record("JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
            return
        }
        let outcome = TestSuite.run(file)
        for failure in outcome.failures {
            Issue.record(Comment(rawValue: failure))
        }
        #expect(outcome.tests > 0, "\(file): no tests ran")
    }

    @Test("summary: all claimed files pass")
    func summary() {
        guard TestSuite.isPresent else {
            Issue.record("JSON-Schema-Test-Suite not found at \(TestSuite.testsDirectory.path)")
            return
        }
        var tests = 0
        var failures = 0
        for file in TestSuite.claimedFiles {
            let o = TestSuite.run(file)
            tests += o.tests
            failures += o.failures.count
        }
        if failures == 0 {
            print("JSON-Schema-Test-Suite: \(tests) tests in \(TestSuite.claimedFiles.count) files, all passed")
        } else {
            print("JSON-Schema-Test-Suite: \(tests) tests in \(TestSuite.claimedFiles.count) files, \(failures) FAILED")
        }
        #expect(failures == 0, "\(failures) of \(tests) suite tests failed")
    }
}
