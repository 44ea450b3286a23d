import Foundation
import Testing

import ConformanceKit

/// Every expectation has a source: a page line that states it or a reading
/// (issue 26, item 1). The loader refuses one without; the audit counts them.
@Suite struct ProvenanceTests {
    static func pages() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for page in ["mvno-account-create.txt", "mvno-account-get.txt", "mvno-deleted-list.txt"] {
            let text = try String(contentsOfFile: Project.shared + "/api-docs/" + page, encoding: .utf8)
            out[page] = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        return out
    }

    @Test func theAuditFindsNoExpectationWithoutASourceGeneratedOnesIncluded() throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let entries = ProvenanceAudit.entries(suite, pages: try Self.pages())
        let none = entries.filter { $0.source == nil }
        #expect(none.isEmpty, "\(none.map { "\($0.caseID): \($0.what)" })")
        // Generated cases are audited too, and cite their reading.
        let generated = Set(suite.cases.filter { $0.tags.contains("generated") }.map(\.id))
        #expect(generated.count > 70)
        let audited = Set(entries.map(\.caseID))
        #expect(generated.isSubset(of: audited))
        #expect(entries.contains { $0.caseID == "create-gen-pbx-type" && $0.source == "reading:generated-negative-answer" })
        // A documented row's status is sourced by its line of the page's error table.
        let row = try #require(entries.first { $0.caseID == "create-customer-unknown" && $0.what.hasPrefix("status") })
        #expect(row.source == "mvno-account-create.txt:209", "\(row)")
        let text = ProvenanceAudit.text(suite, pages: try Self.pages())
        #expect(text[0].hasSuffix(", 0 without a source"), "\(text[0])")
        #expect(text.contains("without a source: 0 expectations, 0 sources"))
    }

    /// Every PAGE:LINE source names a line of the page that is there and holds text.
    /// Schema constraints carry their page line member by member
    /// (`x-doc-line`), and the line is the member's row: it names the member
    /// (its last name; `Purchase Info` for the request's purchaseInfo).
    @Test func everySchemaMemberCarriesTheLineOfItsRow() throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let pages = try Self.pages()
        let members = ProvenanceAudit.schemaMembers(suite)
        #expect(members.count > 300)
        for m in members {
            let source = try #require(m.source, "\(m.schema) \(m.member) has no x-doc-line")
            let parts = source.split(separator: ":")
            let line = try #require(parts.count == 2 ? Int(parts[1]) : nil)
            let text = try #require(pages[String(parts[0])]?[line - 1])
            let last = m.member.split(separator: ".").last.map { $0.replacingOccurrences(of: "[]", with: "") } ?? ""
            let named = text.lowercased().replacingOccurrences(of: " ", with: "").contains(last.lowercased())
            #expect(named, "\(m.schema) \(m.member): \(source) is '\(text.prefix(60))'")
        }
        #expect(ProvenanceAudit.text(suite, pages: pages).contains { $0.hasPrefix("schema members: ") && $0.hasSuffix(", 0 without") })
    }

    @Test func everyStatedSourceNamesALineOfItsPage() throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let pages = try Self.pages()
        for e in ProvenanceAudit.entries(suite, pages: pages) {
            guard let s = e.source, !e.isRead, let colon = s.lastIndex(of: ":"), let n = Int(s[s.index(after: colon)...]) else {
                continue
            }
            let lines = try #require(pages[String(s[..<colon])], "\(e.caseID): \(s)")
            #expect(n >= 1 && n <= lines.count && !lines[n - 1].trimmingCharacters(in: .whitespaces).isEmpty, "\(e.caseID): \(e.what) cites \(s)")
        }
    }

    @Test func anUnsourcedEqualsStopsTheLoadNamingFileAndKeyPath() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let root = try tmp.copySuite()
        let file = "cases/mvno-account-get/get-by-id.json"
        let text = try tmp.read("Cases/" + file)
        let stripped = text.replacingOccurrences(of: ", \"source\": \"mvno-account-get.txt:22\"", with: "")
        #expect(stripped != text)
        try tmp.write("Cases/" + file, stripped)
        let (status, c) = await conformance(["run", "--suite", root])
        #expect(status == 2)
        #expect(c.err.contains("get-by-id.json") && c.err.contains("expect.assert[1]") && c.err.contains("without a source"), "\(c.err)")
        // A source naming an unknown reading or page is refused too.
        try tmp.write("Cases/" + file, text.replacingOccurrences(of: "mvno-account-get.txt:22", with: "reading:no-such-reading"))
        let (status2, c2) = await conformance(["run", "--suite", root])
        #expect(status2 == 2 && c2.err.contains("unknown reading 'no-such-reading'"), "\(c2.err)")
        try tmp.write("Cases/" + file, text.replacingOccurrences(of: "mvno-account-get.txt:22", with: "mvno-account-gte.txt:22"))
        let (status3, c3) = await conformance(["run", "--suite", root])
        #expect(status3 == 2 && c3.err.contains("did you mean 'mvno-account-get.txt'?"), "\(c3.err)")
    }
}
