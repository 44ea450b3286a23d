import ConformanceKit
import Foundation
import JSONKit
import Testing

/// Endpoint specs declare their path and query parameters (`parameters`):
/// the loader reads them, paging and query bounds take their defaults and
/// ends from them, and a broken declaration is named by file and key path.
@Suite struct ParameterTests {
    @Test func theSpecsDeclareEveryPlaceholderAndThePagingParameters() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        for ep in suite.endpoints {
            let placeholders = ep.path.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}").first }
            for name in placeholders {
                let p = ep.parameter(String(name), in: .path)
                #expect(p?.required == true, "\(ep.id): {\(name)}")
                #expect(p?.description.isEmpty == false, "\(ep.id): {\(name)}")
            }
        }
        let get = try #require(suite.endpoint("mvno-account-get"))
        #expect(
            get.parameter("ACCOUNT_ID", in: .path)?.description
                == "Id of the MVNO account (24 hex-char string) or E.164 phone number.")
        let list = try #require(suite.endpoint("mvno-deleted-list"))
        #expect(list.parameters.map(\.name) == ["offset", "limit", "filter"])
        let limit = try #require(list.parameter("limit", in: .query))
        let paging = try #require(list.paging)
        // Paging's numbers are the limit parameter's schema, not a copy.
        #expect(paging.limitParam == limit.name)
        #expect(paging.defaultLimit == limit.defaultInt && paging.minLimit == limit.minimum && paging.maxLimit == limit.maximum)
        #expect(paging.defaultOffset == list.parameter("offset", in: .query)?.defaultInt)
        // The query bound on limit takes its ends from the same schema.
        let bound = try #require(suite.bounds.first { $0.endpoint == list.id && $0.field == "limit" })
        #expect(bound.min == limit.minimum && bound.max == limit.maximum)
        #expect(bound.cases.count == 4)
    }

    /// Each parameter's doc quote is the page's line, verbatim.
    @Test func everyParameterQuoteIsOnItsPageLine() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        var checked = 0
        for ep in suite.endpoints {
            let page = try String(contentsOfFile: Project.shared + "/api-docs/" + ep.doc, encoding: .utf8)
            let lines = page.components(separatedBy: "\n")
            for p in ep.parameters {
                let line = try #require(p.docLine, "\(ep.id) \(p.name): no doc line")
                let quote = try #require(p.docQuote)
                #expect(line <= lines.count && lines[line - 1].contains(quote), "\(ep.doc):\(line) \(p.name)")
                #expect(lines[line - 1].contains(p.description), "\(ep.doc):\(line): description of \(p.name) is not verbatim")
                checked += 1
            }
        }
        #expect(checked == 4)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var replace: String
        var with: String
        var expected: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(
            name: "a placeholder without a path parameter", file: "endpoints/mvno-account-get.json",
            replace: #""path": "/mvno/{ACCOUNT_ID}""#, with: #""path": "/mvno/{ACCOUNT_ID}/sims/{SIM_ID}""#,
            expected: "endpoints/mvno-account-get.json: parameters: {SIM_ID} of the path /mvno/{ACCOUNT_ID}/sims/{SIM_ID} has no path parameter"),
        Broken(
            name: "a path parameter the path does not have", file: "endpoints/mvno-account-get.json",
            replace: #""name": "ACCOUNT_ID""#, with: #""name": "ACCOUNT_IDS""#,
            expected: "endpoints/mvno-account-get.json: parameters[0].name: the path /mvno/{ACCOUNT_ID} has no {ACCOUNT_IDS} (did you mean 'ACCOUNT_ID'?)"),
        Broken(
            name: "an optional path parameter", file: "endpoints/mvno-account-get.json",
            replace: #""in": "path",\#n      "required": true"#, with: #""in": "path",\#n      "required": false"#,
            expected: "endpoints/mvno-account-get.json: parameters[0].required: a path parameter is always required"),
        Broken(
            name: "an unknown location", file: "endpoints/mvno-deleted-list.json",
            replace: #""name": "filter",\#n      "in": "query""#, with: #""name": "filter",\#n      "in": "qery""#,
            expected: "endpoints/mvno-deleted-list.json: parameters[2].in: unknown parameter location 'qery' (did you mean 'query'?)"),
        Broken(
            name: "paging names an undeclared parameter", file: "endpoints/mvno-deleted-list.json",
            replace: #""param": "limit""#, with: #""param": "limt""#,
            expected: "endpoints/mvno-deleted-list.json: paging.limit.param: 'limt' is not a declared query parameter (did you mean 'limit'?)"),
        Broken(
            name: "paging restates a bound", file: "endpoints/mvno-deleted-list.json",
            replace: #""param": "limit","#, with: #""param": "limit", "max": 500,"#,
            expected: "endpoints/mvno-deleted-list.json: paging.limit.max: paging.limit takes its max from the query parameter's schema"),
        Broken(
            name: "a schema that does not compile", file: "endpoints/mvno-deleted-list.json",
            replace: #""schema": {\#n        "type": "string"\#n      }"#, with: #""schema": {"type": "string", "pattern": "[unclosed"}"#,
            expected: "endpoints/mvno-deleted-list.json: parameters[2].schema"),
        Broken(
            name: "a schema that is not an object", file: "endpoints/mvno-deleted-list.json",
            replace: #""schema": {\#n        "type": "string"\#n      }"#, with: #""schema": "string""#,
            expected: "endpoints/mvno-deleted-list.json: parameters[2].schema: must be a JSON Schema (an object), found string"),
        Broken(
            name: "a default above the maximum", file: "endpoints/mvno-deleted-list.json",
            replace: #""default": 100"#, with: #""default": 600"#,
            expected: "endpoints/mvno-deleted-list.json: parameters[1].schema.default: the default 600 is above the maximum 500"),
        Broken(
            name: "a default of the wrong type", file: "endpoints/mvno-deleted-list.json",
            replace: #""default": 0"#, with: #""default": "zero""#,
            expected: "endpoints/mvno-deleted-list.json: parameters[0].schema.default: the default \"zero\" does not satisfy the parameter's own schema"),
    ]

    @Test(arguments: broken)
    func aBrokenParameterIsNamedWithItsFileAndKeyPath(_ b: Broken) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        let path = suite + "/" + b.file
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try #require(text.contains(b.replace), "the spec no longer holds \(b.replace)")
        try text.replacingOccurrences(of: b.replace, with: b.with).write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try SuiteLoader.load(root: suite)
            Issue.record("the broken spec loaded")
        } catch {
            #expect(error.description.contains(b.expected), "got:\n\(error.description)")
        }
    }

    @Test func aCaseMaySendOnlyDocumentedQueryParameters() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try tmp.write(
            "Cases/cases/mvno-deleted-list/bad.json",
            #"{"id":"bad","title":"t","endpoint":"mvno-deleted-list","covers":"success","role":"ADMIN","request":{"query":{"limt":5}},"expect":{}}"#)
        do {
            _ = try SuiteLoader.load(root: suite)
            Issue.record("a case with an undocumented query parameter loaded")
        } catch {
            #expect(
                error.description.contains(
                    "cases/mvno-deleted-list/bad.json: request.query.limt: mvno-deleted-list documents no query parameter 'limt' (did you mean 'limit'?)"),
                "\(error.description)")
        }
    }

    @Test func coverageListsEachDocumentedParameterWithTheCasesThatSendIt() throws {
        var (suite, _) = try SuiteLoader.load(root: Project.cases)
        let index = try #require(suite.endpoints.firstIndex { $0.id == "mvno-deleted-list" })
        suite.endpoints[index].parameters.append(
            Parameter(name: "sort", location: .query, required: false, description: "Sort order.", schema: ["type": "string"]))
        let cov = try #require(Coverage.compute(suite).first { $0.endpointID == "mvno-deleted-list" })
        #expect(cov.parameters.map(\.name) == ["offset", "limit", "filter", "sort"])
        let filter = try #require(cov.parameters.first { $0.name == "filter" })
        let sending = suite.cases.filter { c in c.steps.contains { $0.request.query.contains { $0.name == "filter" } } }
        #expect(filter.caseIDs == sending.map(\.id).sorted() && !filter.caseIDs.isEmpty)
        let text = Coverage.render([cov])
        #expect(text.contains { $0.hasPrefix("    sort (query)") && $0.hasSuffix("sent by no case: a documented parameter nothing exercises") })
        #expect(text.contains { $0.hasPrefix("    filter (query)") && $0.contains("\(filter.caseIDs.count) cases: ") })
    }
}
