import ConformanceKit
import Foundation
import Testing

/// Problems in the suite stop the run before anything is sent, and each one
/// names the file and the key path.
@Suite struct LoaderTests {
    @Test func theProjectSuiteLoadsWithoutProblems() throws {
        let (suite, warnings) = try SuiteLoader.load(root: Project.cases)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(suite.endpoint("mvno-account-get") != nil)
        #expect(suite.cases.count >= 10)
        #expect(suite.compiledSchemas["schemas/mvno-account.schema.json"] != nil)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var text: String
        var expected: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(
            name: "misspelled key", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"{{account.id}}"}},"expect":{"statsu":200}}"#,
            expected: "cases/mvno-account-get/bad.json: expect.statsu: unknown key 'statsu' (did you mean 'status'?)"),
        Broken(
            name: "bad JSON", file: "cases/mvno-account-get/bad.json",
            text: "{\"id\": \"bad\",\n \"expect\": {\"status\": 200,, }}",
            expected: "cases/mvno-account-get/bad.json: expect: unexpected ',', expected a key at line 2, column 27"),
        Broken(
            name: "unknown endpoint", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-acount-get","covers":"success","role":"OWNER","expect":{}}"#,
            expected: "cases/mvno-account-get/bad.json: endpoint: unknown endpoint 'mvno-acount-get' (did you mean 'mvno-account-get'?)"),
        Broken(
            name: "unknown variable", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"{{acount.id}}"}},"expect":{}}"#,
            expected: "cases/mvno-account-get/bad.json: request: unknown variable '{{acount.id}}' (did you mean '{{account.id}}'?)"),
        Broken(
            name: "unknown role", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNR","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{}}"#,
            expected: "cases/mvno-account-get/bad.json: role: unknown role 'OWNR' (did you mean 'OWNER'?)"),
        Broken(
            name: "undocumented row", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"404-mvnoAcount","role":"OWNER","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{}}"#,
            expected: "cases/mvno-account-get/bad.json: covers: '404-mvnoAcount' is not a documented row of mvno-account-get (did you mean '404-mvnoAccount'?)"),
        Broken(
            name: "status contradicts the row", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"404-mvnoAccount","role":"OWNER","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{"status":400}}"#,
            expected: "cases/mvno-account-get/bad.json: expect.status: 400 contradicts the documented row '404-mvnoAccount' (404 mvnoAccount)"),
        Broken(
            name: "schema that does not resolve", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{"schema":"schemas/mvno-acount.schema.json"}}"#,
            expected: "cases/mvno-account-get/bad.json: expect.schema: schema 'schemas/mvno-acount.schema.json' does not exist"),
        Broken(
            name: "duplicate case id", file: "cases/mvno-account-get/zz-dup.json",
            text: #"{"id":"get-by-id","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{}}"#,
            expected: "cases/mvno-account-get/zz-dup.json: id: case id 'get-by-id' is also used by"),
        Broken(
            name: "capture used before it is made", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","steps":[{"request":{"params":{"ACCOUNT_ID":"{{captured.numbr}}"}},"expect":{}}]}"#,
            expected: "cases/mvno-account-get/bad.json: steps[0].request: '{{captured.numbr}}' is not captured by an earlier step"),
        Broken(
            name: "matrix with a fixed role", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","role":"OWNER","matrix":{"relations":{"own":"{{account.id}}"}},"request":{"params":{"ACCOUNT_ID":"{{relation}}"}}}"#,
            expected: "cases/mvno-account-get/bad.json: role: a matrix case derives 'role' from the endpoint's access rule; remove it"),
        Broken(
            name: "unknown relation", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","matrix":{"relations":{"owm":"{{account.id}}"}},"request":{"params":{"ACCOUNT_ID":"{{relation}}"}}}"#,
            expected: "cases/mvno-account-get/bad.json: matrix.relations.owm: unknown relation 'owm' (did you mean 'own'?)"),
        Broken(
            name: "invariants on an endpoint without paging", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"x"}},"expect":{"invariants":[{"page":true}]}}"#,
            expected: "cases/mvno-account-get/bad.json: expect.invariants: invariants apply to list endpoints; mvno-account-get declares no paging"),
        Broken(
            name: "missing path parameter", file: "cases/mvno-account-get/bad.json",
            text: #"{"id":"bad","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","expect":{}}"#,
            expected: "cases/mvno-account-get/bad.json: missing request.params.ACCOUNT_ID"),
    ]

    @Test(arguments: broken)
    func aBrokenCaseFileIsNamedWithItsKeyPath(_ b: Broken) async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try tmp.write("Cases/" + b.file, b.text)
        let (status, c) = await conformance(["--suite", suite, "--reports", tmp.path + "/Reports"])
        #expect(status == 2)
        #expect(c.err.contains(b.expected), "stderr was:\n\(c.err)")
        #expect(c.err.contains("nothing was run"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/Reports/junit.xml"))
    }

    @Test func theAccessMatrixIsDerivedFromTheAccessRule() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let cells = suite.cases.filter { $0.id.hasPrefix("get-access-") }
        #expect(cells.count == 7 * 3)
        func covers(_ id: String) -> String? { cells.first { $0.id == id }?.covers }
        #expect(covers("get-access-owner-own") == "success")
        #expect(covers("get-access-owner-same-reseller") == "403-access_denied")
        #expect(covers("get-access-reseller-same-reseller") == "success")
        #expect(covers("get-access-reseller-other-reseller") == "403-access_denied")
        #expect(covers("get-access-reseller-admin-own") == "403-access_denied")
        #expect(covers("get-access-admin-other-reseller") == "success")
        #expect(covers("get-access-anonymous-own") == "unauthenticated")
        #expect(cells.first { $0.id == "get-access-anonymous-own" }?.steps[0].expect.status == 401)
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try tmp.write("Cases/cases/mvno-account-get/a.json", #"{"id":"a","titel":"t","endpoint":"x","covers":"success","role":"OWNER","expect":{}}"#)
        try tmp.write("Cases/cases/mvno-account-get/b.json", "{ not json")
        do {
            _ = try SuiteLoader.load(root: suite)
            Issue.record("expected load to fail")
        } catch {
            let text = error.description
            #expect(text.contains("a.json: titel: unknown key 'titel' (did you mean 'title'?)"))
            #expect(text.contains("a.json: endpoint: unknown endpoint 'x'"))
            #expect(text.contains("b.json: "))
        }
    }

    /// Case files are read on every core (`SuiteLoader.readCaseFiles`), and
    /// still taken in file order: the cases, the diagnostics and which of two
    /// files a duplicate id is blamed on do not depend on which thread
    /// finished first.
    @Test func caseFilesReadInParallelComeInFileOrder() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        let good = #"{"id":"ID","title":"t","endpoint":"mvno-account-get","covers":"success","role":"OWNER","request":{"params":{"ACCOUNT_ID":"{{account.id}}"}},"expect":{}}"#
        // 150 files (several workers' shares), every tenth misspelt, and two ids used twice.
        let ids: [Int: String] = [7: "p-dup-a", 120: "p-dup-a", 77: "p-dup-b", 140: "p-dup-b"]
        for i in 0..<150 {
            let text = good.replacingOccurrences(of: "\"ID\"", with: "\"\(ids[i] ?? "p\(i)")\"")
            try tmp.write(
                String(format: "Cases/cases/mvno-account-get/p%03d.json", i),
                i % 10 == 3 ? text.replacingOccurrences(of: "\"expect\"", with: "\"expcet\"") : text)
        }
        func problems() -> [String] {
            do {
                _ = try SuiteLoader.load(root: suite)
                Issue.record("expected the load to fail")
                return []
            } catch {
                return error.diagnostics.map(\.description).filter { $0.contains("mvno-account-get/p") }
            }
        }
        let first = problems()
        for i in stride(from: 3, to: 150, by: 10) {
            #expect(first.contains { $0.hasSuffix(String(format: "/p%03d.json: expcet: unknown key 'expcet' (did you mean 'expect'?)", i)) }, "\(first)")
        }
        #expect(first.contains { $0.contains("/p120.json: id: case id 'p-dup-a' is also used by") && $0.hasSuffix("/p007.json") }, "\(first)")
        #expect(first.contains { $0.contains("/p140.json: id: case id 'p-dup-b' is also used by") && $0.hasSuffix("/p077.json") }, "\(first)")
        // In file order, and the same every time.
        let files = first.map { $0.components(separatedBy: "mvno-account-get/p")[1].prefix(3) }
        #expect(files == files.sorted(), "\(first)")
        for _ in 0..<3 { #expect(problems() == first) }
    }

    @Test func targetProfilesRefuseInlineCredentials() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write(
            "t.json",
            #"{"name":"x","baseURL":"https://example.test","auth":{"in":"header","name":"Authorization","prefix":"Bearer "},"credentials":{"OWNER":"eyJhbGciOi.secret-token"}}"#)
        #expect(throws: SuiteLoadError.self) { try TargetLoader.load(path: tmp.path + "/t.json", fixtureCatalogue: [:]) }
        do {
            _ = try TargetLoader.load(path: tmp.path + "/t.json", fixtureCatalogue: [:])
        } catch {
            #expect(error.description.contains("credentials.OWNER: must name an environment variable"))
            #expect(!error.description.contains("eyJhbGciOi"))
        }
    }

    @Test func aBaseURLWithUserInformationIsRefusedWithoutRepeatingIt() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write(
            "t.json",
            #"{"name":"x","baseURL":"https://alice:pa55word@example.test","auth":{"in":"query","name":"token"},"credentials":{"OWNER":"TELECOMX_OWNER_TOKEN"}}"#)
        do {
            _ = try TargetLoader.load(path: tmp.path + "/t.json", fixtureCatalogue: [:])
            Issue.record("a base URL with user information was accepted")
        } catch {
            #expect(error.description.contains("baseURL: the base URL https://example.test carries user information"), "\(error)")
            #expect(error.description.contains("environment variables"))
            #expect(!error.description.contains("pa55word") && !error.description.contains("alice"))
        }
        let (status, c) = await conformance(["run", "--suite", Project.cases, "--base-url", "http://bob:hunter22@127.0.0.1:9"])
        #expect(status == 2)
        #expect(c.err.contains("--base-url: the base URL http://127.0.0.1:9 carries user information"), "\(c.err)")
        #expect(!(c.out + c.err).contains("hunter22") && !(c.out + c.err).contains("bob"))
    }

    @Test func unknownCommandLineOptionsAreUsageErrors() async {
        let (status, c) = await conformance(["run", "--jbos", "4"])
        #expect(status == 2)
        #expect(c.err.contains("unknown option '--jbos' (did you mean '--jobs'?)"))
    }

    /// A cap that would overflow when turned into bytes (MB << 20) is refused,
    /// not wrapped into a negative or tiny cap.
    @Test func aMaxBodyBeyondSixtyFourGiBIsAUsageError() async {
        let (status, c) = await conformance(["run", "--suite", Project.cases, "--max-body-mb", "9223372036854775807", "--list"])
        #expect(status == 2)
        #expect(c.err.contains("--max-body-mb must be at most 65536, got '9223372036854775807'"), "\(c.err)")
    }
}
