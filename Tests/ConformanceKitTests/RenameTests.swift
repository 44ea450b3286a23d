import ConformanceKit
import JSONKit
import JSONSchemaKit
import Testing

/// An undocumented member close in name to a documented member its object
/// lacks is a rename (a failure); any other undocumented member is an extra
/// (a warning, a failure under --strict).
struct RenameTests {
    struct Pair: Sendable, CustomTestStringConvertible {
        var key: String
        var candidates: [String]
        var meant: String?
        var testDescription: String { "\(key) → \(meant ?? "none")" }
    }

    static let pairs: [Pair] = [
        // The pages' own examples: contained words, shared words with the last one, reordered words.
        .init(key: "restOfWorld", candidates: ["restOfWorldRoaming", "name"], meant: "restOfWorldRoaming"),
        .init(key: "sendTopUpSms", candidates: ["dataTopUpSms", "mms", "smartWatchSim"], meant: "dataTopUpSms"),
        .init(key: "mvnoSimChangeNetworkTo", candidates: ["mvnoSim", "mvnoSimNetworkChangeTo"], meant: "mvnoSimNetworkChangeTo"),
        // A close spelling.
        .init(key: "notes2", candidates: ["notes", "name"], meant: "notes"),
        .init(key: "Number", candidates: ["number"], meant: "number"),
        // A prefix dropped.
        .init(key: "name", candidates: ["productName", "isOverride"], meant: "productName"),
        // Not renames: nothing close.
        .init(key: "notes2", candidates: ["name", "custom"], meant: nil),
        .init(key: "zzTop", candidates: ["topUp", "type"], meant: nil),
        .init(key: "simNumber", candidates: ["socs", "pbx"], meant: nil),
        .init(key: "extra", candidates: [], meant: nil),
    ]

    @Test(arguments: pairs)
    func theClosenessRule(_ p: Pair) {
        #expect(Rename.intended(by: p.key, among: p.candidates) == p.meant)
    }

    /// Judges every undescribed member of `body` against the get page's schema.
    func findings(_ body: JSON, strict: Bool = false) throws -> [Finding] {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let ref = "schemas/mvno-account.schema.json"
        let schema = try #require(suite.compiledSchemas[ref])
        return schema.validate(body).undescribedMembers.map { Checker.undocumented($0, in: body, schema: ref, strict: strict) }
    }

    @Test func aMemberNamedLikeAnAbsentDocumentedOneIsRenamed() throws {
        let f = try findings(["_id": "5a1000000000000000000001", "restOfWorld": ["productId": "5a1000000000000000000002"]])
        #expect(f.map(\.check) == [.renamed])
        #expect(f.first?.severity == .failure)
        #expect(f.first?.pointer == "/restOfWorld")
        #expect(f.first?.message.hasSuffix("did you mean 'restOfWorldRoaming'?") == true, "\(f)")
    }

    @Test func aNestedRenameIsFound() throws {
        let f = try findings(["feature": ["data": true, "sendTopUpSms": true]])
        #expect(f.map(\.check) == [.renamed])
        #expect(f.first?.pointer == "/feature/sendTopUpSms")
        #expect(f.first?.expected == "dataTopUpSms")
    }

    /// A documented member that is there was not renamed: the look-alike is an extra.
    @Test func aLookAlikeBesideItsDocumentedMemberIsAnExtraWarning() throws {
        let f = try findings(["notes": "n", "notes2": "m", "restOfWorldRoaming": ["productId": "5a1000000000000000000002"], "restOfWorld": 1])
        #expect(f.map(\.check) == [.undocumentedField, .undocumentedField])
        #expect(f.allSatisfy { $0.severity == .warning })
        let strict = try findings(["notes": "n", "notes2": "m"], strict: true)
        #expect(strict.map(\.severity) == [.failure])
        #expect(strict.map(\.check) == [.undocumentedField])
    }

    /// null holds no value: a documented member sent as null beside its look-alike is still lacking.
    @Test func aDocumentedMemberHoldingNullIsStillACandidate() throws {
        let f = try findings(["restOfWorldRoaming": .null, "restOfWorld": ["productId": "5a1000000000000000000002"]])
        #expect(f.map(\.check) == [.renamed])
    }

    @Test func anUnrelatedExtraStaysAWarning() throws {
        let f = try findings(["_id": "5a1000000000000000000001", "zzTop": 1])
        #expect(f.map(\.check) == [.undocumentedField])
        #expect(f.map(\.severity) == [.warning])
    }
}
