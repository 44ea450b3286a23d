import ConformanceKit
import DocTools
import Foundation
import JSONKit
import Testing

/// Where the project and the vendor's documentation are, from this file's location.
private enum DocLintPaths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var suite: String { root + "/Cases" }
    static var docs: String { (root as NSString).deletingLastPathComponent + "/shared/api-docs" }

    /// The docs folder, failing the test loudly when it is missing.
    static func requireDocs() throws -> String {
        var isDir: ObjCBool = false
        let present = FileManager.default.fileExists(atPath: docs, isDirectory: &isDir) && isDir.boolValue
        try #require(present, "the vendor documentation is missing: expected the pages in \(docs)")
        return docs
    }
}

/// A scratch folder for made-up pages and suites.
private struct DocLintScratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "doclint-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ rel: String, _ text: String) throws {
        let full = path + "/" + rel
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Doc lint")
struct DocLintTests {
    static let get = "mvno-account-get.txt"
    static let create = "mvno-account-create.txt"
    static let deleted = "mvno-deleted-list.txt"

    func realFindings() throws -> [DocFinding] {
        try DocLint.lint(docsDirectory: try DocLintPaths.requireDocs(), suiteRoot: DocLintPaths.suite)
    }

    /// The one finding of this kind for this page and field, failing when there is none.
    func finding(
        _ all: [DocFinding], _ page: String, _ field: String, _ kind: DocFinding.Kind,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> DocFinding {
        let hit = all.first { $0.page == page && $0.field == field && $0.kind == kind }
        return try #require(
            hit,
            "no \(kind) finding for \(page): \(field); got:\n\(DocLint.render(all).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    }

    // MARK: the acceptance list on the real pages

    @Test func invalidDatesInExamples() throws {
        let all = try realFindings()
        for field in ["purchaseInfo.date", "smartWatch.createdAt", "smartWatch.invoicedUntil"] {
            let f = try finding(all, Self.get, field, .invalidExample)
            #expect(f.message.contains("'2020-20-20T00:00:00Z' is not a valid date-time"))
            #expect(f.message.contains("month 20"))
        }
        let start = try finding(all, Self.create, "startDate", .invalidExample)
        #expect(start.message.contains("'2020-01-01T00:00.000Z' is not a valid date-time"))
        _ = try finding(all, Self.create, "purchaseInfo.date", .invalidExample)
        let deleted = try finding(all, Self.deleted, "mvnoAccounts[0].deleted", .invalidExample)
        #expect(deleted.message.contains("'2023-12-02T05:00:000Z'"))
        _ = try finding(all, Self.deleted, "mvnoAccounts[0].startDate", .invalidExample)
    }

    @Test func idsThatAreNot24HexCharacters() throws {
        let all = try realFindings()
        let sip = try finding(all, Self.get, "sipAccount", .invalidExample)
        #expect(sip.message.contains("'124567890ABCDEF12345678'"))
        #expect(sip.message.contains("23 characters"))
        _ = try finding(all, Self.get, "employee", .invalidExample)
        _ = try finding(all, Self.create, "ratePlan", .invalidExample)
        _ = try finding(all, Self.create, "sipAccount", .invalidExample)
        _ = try finding(all, Self.deleted, "mvnoAccounts[0].ratePlan", .invalidExample)
        // A valid 24-hex id is not reported.
        #expect(!all.contains { $0.page == Self.get && $0.field == "customer" })
    }

    @Test func exampleKeysTheTableDoesNotHave() throws {
        let all = try realFindings()
        let expected: [(String, String, String)] = [
            (Self.get, "restOfWorld", "restOfWorldRoaming"),
            (Self.get, "feature.sendTopUpSms", "dataTopUpSms"),
            (Self.create, "active", "state"),
            (Self.create, "mvnoSimChangeNetworkTo", "mvnoSimNetworkChangeTo"),
            (Self.create, "restOfWorldRoaming.product", "productId"),
        ]
        for (page, field, meant) in expected {
            let f = try finding(all, page, field, .undocumentedExampleKey)
            #expect(f.message.contains("did you mean '\(meant)'"), "\(f)")
        }
        // Read as restOfWorldRoaming, restOfWorld's members are checked too.
        let name = try finding(all, Self.get, "restOfWorld.name", .undocumentedExampleKey)
        #expect(name.message.contains("productName"))
        // A key the table has elsewhere says where.
        let device = try finding(all, Self.get, "info.deviceType", .undocumentedExampleKey)
        #expect(device.message.contains("top level"))
        _ = try finding(all, Self.deleted, "mvnoAccounts[0].topUp", .undocumentedExampleKey)
    }

    @Test func ambiguousNestingInTables() throws {
        let all = try realFindings()
        for field in ["topUp.data", "socLimit.data", "socLimit.minutes", "smartWatch.invoicedUntil", "info.deviceType"]
        {
            _ = try finding(all, Self.get, field, .ambiguousNesting)
        }
        _ = try finding(all, Self.create, "topUp.data", .ambiguousNesting)
        _ = try finding(all, Self.create, "purchaseInfo.orderId", .ambiguousNesting)
        _ = try finding(all, Self.deleted, "socLimit.data", .ambiguousNesting)
        _ = try finding(all, Self.deleted, "socLimit.minutes", .ambiguousNesting)
        // An Object row followed by an unrelated top-level row is not ambiguous.
        #expect(!all.contains { $0.field == "custom.billingCustomer" })
    }

    @Test func typosContradictionsAndTheMissingComma() throws {
        let all = try realFindings()
        _ = try finding(all, Self.get, "Voicemail", .tableTypo)
        _ = try finding(all, Self.create, "Voicemail", .tableTypo)
        let objec = try finding(all, Self.create, "mitId", .tableTypo)
        #expect(objec.message.contains("'Objec'") && objec.message.contains("'Object'"))
        let auto = try finding(all, Self.create, "autoAssignSim", .contradiction)
        #expect(auto.message.contains("TDC or TELENOR"))
        let pre = try finding(all, Self.deleted, "mvnoAccounts[0].preterminateUntil", .contradiction)
        #expect(pre.message.contains("30 days after"))
        let comma = try finding(all, Self.get, "restOfWorld.name", .malformedExample)
        #expect(comma.message.contains("missing comma before 'name'"))
        // "only if feature.voicemail is active and sipAccount and pbx is not": the examples show voicemail beside a sipAccount.
        for page in [Self.get, Self.create] {
            let vm = try finding(all, page, "voicemail", .contradiction)
            #expect(vm.message.contains("feature.voicemail false") && vm.message.contains("the table wins"), "\(vm.message)")
        }
        // dnd false beside pbx 0 is the alternative the suite's reading allows, not a contradiction.
        #expect(!all.contains { $0.field == "dnd" && $0.kind == .contradiction })
    }

    @Test func orderIsPageThenDocumentOrderAndDeterministic() throws {
        let a = try realFindings()
        let b = try realFindings()
        #expect(a == b)
        let pages = a.map(\.page)
        #expect(pages == pages.sorted())
        for (x, y) in zip(a, a.dropFirst()) where x.page == y.page {
            #expect((x.line, x.column) <= (y.line, y.column), "\(x) / \(y)")
        }
    }

    @Test func renderedLines() throws {
        let all = try realFindings()
        let lines = DocLint.render(all)
        #expect(lines.count == all.count + 3 + 1)
        #expect(
            lines.contains(
                "mvno-account-get.txt: purchaseInfo.date: invalid example value: "
                    + "'2020-20-20T00:00:00Z' is not a valid date-time: month 20 is out of range"
            ))
        let perPage = lines.dropFirst(all.count).dropLast()
        #expect(perPage.map { String($0.prefix { $0 != ":" }) } == [Self.get, Self.create, Self.deleted].sorted())
        #expect(lines.last == "total: \(all.count) findings on 3 pages")
        #expect(DocLint.render([]) == ["total: 0 findings on 0 pages"])
    }

    // MARK: the pieces

    @Test func tolerantPrepass() throws {
        let source = """
            { socs: [ 'SOC1','SOC2',... ], list: [ {...}, ... ], over: [ { soc: 'A' }, ... ],
              rest: { productId: '12' name: 'x', n: 1 }, arr: [ 1 2 ] }
            """
        let p = DocLint.prepareExample(source)
        let json = try JSONParser.parse(p.text, dialect: .json5)
        #expect(json["socs"] == ["SOC1", "SOC2"])
        #expect(json["list"] == [])
        #expect(json["over"]?.arrayValue?.count == 1)
        #expect(json["rest"]?["name"] == "x")
        #expect(json["arr"] == [1, 2])

        #expect(p.repairs.filter { $0.kind == .elision }.count == 4)
        let defects = p.defects
        #expect(defects.count == 2)
        #expect(defects.first?.message == "missing comma before 'name' (after 'productId')")
        #expect(defects.first.map { JSONPathSegment.render($0.path) } == "rest.name")
        let nameAt = try #require(source.range(of: "name:"))
        #expect(defects.first?.offset == source.utf8.distance(from: source.utf8.startIndex, to: nameAt.lowerBound))
        #expect(defects.last.map { JSONPathSegment.render($0.path) } == "arr[1]")
        // Offsets of keys and elements are recorded for positions.
        #expect(p.offsets[[.key("rest"), .key("n")]] != nil)
        #expect(p.offsets[[.key("socs"), .index(1)]] != nil)

        // Well-formed JSON5 passes through without repairs.
        let clean = DocLint.prepareExample("{ a: 'x', b: [1, 2], c: { d: null } }")
        #expect(clean.repairs.isEmpty)
        #expect(try JSONParser.parse(clean.text, dialect: .json5) == ["a": "x", "b": [1, 2], "c": ["d": nil]])
    }

    @Test func cleanExampleHasNoExampleFindings() throws {
        let docs = try DocLintPaths.requireDocs()
        let page = try String(contentsOfFile: docs + "/" + Self.get, encoding: .utf8)
        let start = try #require(page.range(of: "\nExample\n"))
        let end = try #require(page.range(of: "\nErrors\n"))
        let clean = """
            { _id: '1234567890ABCDEF12345678', customer: '1234567890ABCDEF12345678', state: 'ACTIVE', type: 'MVNO',
              number: '+4512345678', feature: { highRate: true, dataTopUpSms: true, smartWatchSim: false },
              mvnoSim: { simNumber: '8945020184621234567', network: 'TELENOR', formFactor: 'MINI_MICRO' },
              dataSharingSims: [], voicemail: { notify: 'BOTH', email: 'donald@duck.com' }, pbx: 0,
              socs: [ 'SOC1','SOC2',... ], socsOverride: [ { soc: 'BADSOC', newSoc: 'GOODSOC', expireEOM: true }, ... ],
              invoicedUntil: '2015-01-01T00:00:00.000Z', info: { updating: false, imei: '1234567890123' },
              deviceType: 'Apple iPhone 6', numberState: 'IN_USE',
              purchaseInfo: { orderId: '1238', date: '2020-12-20T00:00:00Z', paymentOption: 'RENTED' },
              topUp: { data: 1073741824 },
              smartWatch: { eid: '12121212121212121212121212121212', model: 'ios', state: 'ACTIVE',
                orderState: 'Success',
                createdAt: '2020-12-20T00:00:00Z', smartWatchSim: { network: 'TDC', formFactor: 'eSIM' } },
              restOfWorldRoaming: { productId: '1234567890ABCD1234567890', productName: 'Verdenspakke 1 Gb',
                productPrice: 50, isOverride: false, keepAfterExpire: true } }
            """
        let fixed = String(page[..<start.upperBound]) + clean + String(page[end.lowerBound...])
        let scratch = try DocLintScratch()
        defer { scratch.remove() }
        try scratch.write(Self.get, fixed)
        let all = try DocLint.lint(docsDirectory: scratch.path, suiteRoot: DocLintPaths.suite)
        let exampleKinds: Set<DocFinding.Kind> = [.invalidExample, .undocumentedExampleKey, .malformedExample]
        let fromExample = all.filter { exampleKinds.contains($0.kind) }
        #expect(fromExample.isEmpty, "\(DocLint.render(fromExample))")
        // The table's own defects are still there.
        _ = try finding(all, Self.get, "Voicemail", .tableTypo)
        _ = try finding(all, Self.get, "topUp.data", .ambiguousNesting)
    }

    /// The table rules follow the structure, not a list of known field names.
    @Test func tableRulesOnAMadeUpPage() throws {
        let scratch = try DocLintScratch()
        defer { scratch.remove() }
        try scratch.write(
            "docs/widget.txt",
            """
            Response
            | Json object | ||
            |---|---|---|
            | _id | Id | The id. |
            | gadget | Object | A gadget. |
            | size | Number | Its size. |
            | colour | String | Its colour. |
            | Options | Object | Options. |
            | options.fast | Boolean | Go fast. |
            | options.mode | Strng | The mode. |
            | part | Object | A part. |
            | part.a | String | A. |
            | weight | Number | Heavy? |
            | part.b | String | B. |
            | flag | Boolean | Set this either RED or BLUE. |
            | note | String | |
            Example
            { _id: '0123456789abcdef0123456', gadget: { size: 3 }, colour: 'red' options: { fast: true, mode: 'x' },
              part: { a: 'x', b: 'y', weight: 2 }, flagg: true, deliveryDateTime: '2020-02-30T00:00:00Z' }
            """)
        try scratch.write(
            "Cases/schemas/widget.schema.json",
            """
            { "$schema": "https://json-schema.org/draft/2020-12/schema", "x-doc": "widget.txt", "type": "object",
              "properties": {
                "_id": { "type": "string", "format": "objectid" },
                "gadget": { "type": "object", "properties": { "size": { "type": "number" } } },
                "colour": { "enum": ["RED", "BLUE"] },
                "options": { "type": "object",
                  "properties": { "fast": { "type": "boolean" }, "mode": { "type": "string" } } },
                "part": { "type": "object", "properties": { "a": { "type": "string" }, "b": { "type": "string" } } },
                "weight": { "type": "number" },
                "flag": { "type": "boolean" },
                "note": { "type": "string", "x-doc-ambiguous": "free text or a code?" }
              } }
            """)
        let all = try DocLint.lint(docsDirectory: scratch.path + "/docs", suiteRoot: scratch.path + "/Cases")
        let page = "widget.txt"
        _ = try finding(all, page, "gadget.size", .ambiguousNesting)
        #expect(!all.contains { $0.field == "gadget.colour" })
        _ = try finding(all, page, "Options", .tableTypo)
        _ = try finding(all, page, "options.mode", .tableTypo)
        _ = try finding(all, page, "part.weight", .ambiguousNesting)
        _ = try finding(all, page, "flag", .contradiction)
        _ = try finding(all, page, "note", .missingDescription)
        // A transcription note that no table rule covers is passed on.
        let noted = try finding(all, page, "note", .ambiguousNesting)
        #expect(noted.message.contains("free text or a code?"))
        let id = try finding(all, page, "_id", .invalidExample)
        #expect(id.message.contains("23 characters"))
        let colour = try finding(all, page, "colour", .invalidExample)
        #expect(colour.message.contains("'red' is not one of 'RED', 'BLUE'"))
        _ = try finding(all, page, "options", .malformedExample)
        let flagg = try finding(all, page, "flagg", .undocumentedExampleKey)
        #expect(flagg.message.contains("did you mean 'flag'"))
        _ = try finding(all, page, "part.weight", .undocumentedExampleKey)
        _ = try finding(all, page, "deliveryDateTime", .undocumentedExampleKey)
    }

    @Test func missingFoldersAreErrors() throws {
        #expect(throws: DocLintError.self) {
            try DocLint.lint(docsDirectory: "/nonexistent-doclint-docs", suiteRoot: DocLintPaths.suite)
        }
        let docs = try DocLintPaths.requireDocs()
        #expect(throws: DocLintError.self) {
            try DocLint.lint(docsDirectory: docs, suiteRoot: "/nonexistent-doclint-suite")
        }
    }
}
