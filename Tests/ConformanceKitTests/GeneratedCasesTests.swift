import ConformanceKit
import Foundation
import JSONKit
import Testing

/// The cases generated at load time: from the bounds the pages state and,
/// for POST /mvno, negative inputs from the request schema.
@Suite struct GeneratedCasesTests {
    static func suite() throws -> Suite { try SuiteLoader.load(root: Project.cases).suite }

    @Test func everyBoundYieldsACaseOnEachSideOfEachEnd() throws {
        let suite = try Self.suite()
        let ids = Set(suite.cases.map(\.id))
        for id in [
            "deleted-bound-limit-0", "deleted-bound-limit-1", "deleted-bound-limit-500", "deleted-bound-limit-501",
            "create-bound-custom-4000", "create-bound-custom-4001", "create-bound-custom-4096", "create-bound-custom-4097",
            "create-bound-mvno-sim-17", "create-bound-mvno-sim-18", "create-bound-mvno-sim-20", "create-bound-mvno-sim-21",
            "create-bound-data-sharing-sims-3", "create-bound-data-sharing-sims-4",
            "create-bound-start-date-today", "create-bound-start-date-yesterday",
        ] {
            #expect(ids.contains(id), "missing \(id)")
        }
        for b in suite.bounds {
            #expect(b.cases.count >= 2, "\(b.id): \(b.cases)")
            for id in b.cases {
                let c = try #require(suite.cases.first { $0.id == id })
                #expect(c.tags.contains("bound") && c.tags.contains("generated"), "\(id): \(c.tags)")
            }
        }
    }

    @Test func theOutsideSidesExpectTheDocumentedRowOrCiteAReading() throws {
        let suite = try Self.suite()
        func c(_ id: String) throws -> Case { try #require(suite.cases.first { $0.id == id }) }
        #expect(try c("create-bound-custom-4097").covers == "422-custom")
        for id in ["create-bound-custom-4000", "create-bound-custom-4097"] {
            #expect(!(try c(id).steps[0].alternatives.contains { $0.choices.contains { $0.option == "4000-bytes" } }), "\(id)")
        }
        // Between 4000 and 4096 bytes, the 4000-bytes reading expects 422 custom.
        for id in ["create-bound-custom-4001", "create-bound-custom-4096"] {
            let alt = try #require(try c(id).steps[0].alternatives.first { $0.choices.contains { $0.option == "4000-bytes" } })
            #expect(alt.expect.status == 422 && alt.expect.errorMessage == "custom", "\(id): \(alt.expect)")
        }
        #expect(try c("create-bound-mvno-sim-17").covers == "422-mvnoSim")
        #expect(try c("create-bound-mvno-sim-21").covers == "422-mvnoSim")
        #expect(try c("create-bound-start-date-yesterday").covers == "422-startDate")
        let four = try c("create-bound-data-sharing-sims-4").steps[0]
        #expect(four.alternatives.contains { $0.choices.contains { $0.reading == "data-sharing-sims-over-max" } })
        let zero = try c("deleted-bound-limit-0").steps[0]
        #expect(zero.alternatives.contains { $0.choices.contains { $0.reading == "limit-out-of-range" } })
    }

    @Test func theCustomValuesSerializeToTheBytesTheirIdsName() throws {
        let suite = try Self.suite()
        for n in [4000, 4001, 4096, 4097] {
            let c = try #require(suite.cases.first { $0.id == "create-bound-custom-\(n)" })
            let custom = try #require(c.steps[0].request.body?.raw["custom"])
            #expect(JSONWriter().bytes(custom).count == n)
        }
    }

    @Test func everyBoundQuotesThePageLineItNames() throws {
        let suite = try Self.suite()
        #expect(!suite.bounds.isEmpty)
        for b in suite.bounds {
            let page = try String(contentsOfFile: Project.shared + "/api-docs/" + b.page, encoding: .utf8)
            let lines = page.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(b.line <= lines.count, "\(b.id): line \(b.line)")
            if b.line <= lines.count { #expect(lines[b.line - 1].contains(b.quote), "\(b.id): \(b.page):\(b.line) does not say “\(b.quote)”") }
        }
    }

    @Test func negativeInputsAreDeterministicCappedAndBreakOneMember() throws {
        let a = try Self.suite()
        let b = try Self.suite()
        let generated = a.cases.filter { $0.tags.contains("negative") }
        #expect(a.generated?.seed == 13)
        #expect(a.generated?.cases == generated.count)
        #expect((40...80).contains(generated.count), "\(generated.count)")
        #expect(generated.map(\.steps) == b.cases.filter { $0.tags.contains("negative") }.map(\.steps))
        for c in generated {
            let e = c.steps[0].expect
            // A list over its maximum expects what the member's count bound states (one row, its readings).
            let followsBound = a.bounds.contains { b in
                b.kind == .count && c.id.hasSuffix("-" + b.field.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined() + "-max-items")
            }
            #expect(!e.oneOf.isEmpty || followsBound, "\(c.id)")
            #expect(e.oneOf.allSatisfy { (400..<500).contains($0.status) }, "\(c.id): \(e.oneOf)")
            #expect((400..<500).contains(e.status), "\(c.id): \(e.status)")
            #expect(c.tags.contains("generated"))
        }
        // 422 pbx ("outside the valid range") is about a range, not a type: see GeneratedNegativeAnswerTests.
        let pbx = try #require(generated.first { $0.id == "create-gen-pbx-type" })
        #expect(pbx.steps[0].expect.oneOf.map(\.row) == ["400-bad_request"])
        let notes = try #require(generated.first { $0.id == "create-gen-notes-type" })
        #expect(notes.steps[0].expect.oneOf.map(\.row) == ["400-bad_request"], "no row names notes: a bad body")
    }

    /// The bounds' and negative inputs' cases are made on another thread while
    /// the case files are read; their diagnostics still come where they always
    /// came: each bounds list's own, then its cases' (a duplicate id), list by
    /// list in endpoint file order, then the negative inputs', the same on
    /// every load.
    @Test func generatedCasesReportWhereTheyAlwaysDid() throws {
        let generatedID = try #require(try Self.suite().cases.first { $0.id.hasPrefix("deleted-bound-limit") }?.id)
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let root = try tmp.copySuite()
        func edit(_ rel: String, _ from: String, _ to: String) throws {
            let text = try String(contentsOfFile: root + "/" + rel, encoding: .utf8)
            let at = try #require(text.range(of: from), "\(from) in \(rel)")
            try text.replacingCharacters(in: at, with: to).write(toFile: root + "/" + rel, atomically: true, encoding: .utf8)
        }
        try edit("endpoints/mvno-account-create.json", #""id": "create-bound-start-date","#, #""id": 7,"#)
        try edit("endpoints/mvno-account-create.json", #""prefix": "create-gen","#, #""prefix": 7,"#)
        let dupFile = "cases/mvno-deleted-list/zz-duplicate.json"
        try FileManager.default.copyItem(atPath: root + "/cases/mvno-deleted-list/anonymous.json", toPath: root + "/" + dupFile)
        try edit(dupFile, #""id": "deleted-anonymous""#, "\"id\": \"\(generatedID)\"")
        func problems() -> [Diagnostic] {
            do {
                _ = try SuiteLoader.load(root: root)
                return []
            } catch { return error.diagnostics }
        }
        let first = problems()
        #expect(first == problems())
        let create = root + "/endpoints/mvno-account-create.json"
        let bound = first.firstIndex { $0.file == create && $0.keyPath == "bounds[3].id" }
        let duplicate = first.firstIndex {
            $0.file == root + "/endpoints/mvno-deleted-list.json" && $0.keyPath == "bounds"
                && $0.message == "generated case id '\(generatedID)' is also used by \(root)/\(dupFile)"
        }
        let negative = first.firstIndex { $0.file == create && $0.keyPath == "negatives.prefix" }
        let fromCaseFiles = first.lastIndex { $0.file.contains("/cases/") }
        #expect(bound != nil && duplicate != nil && negative != nil, "\(first.map(\.description))")
        if let bound, let duplicate, let negative {
            #expect(bound < duplicate && duplicate < negative)
            #expect(fromCaseFiles.map { $0 < bound } ?? true)
        }
    }
}
