import Foundation
import JSONKit
import Testing

@testable import ConformanceKit

@Suite struct ReportFormatTests {
    static let hostileScript = "<script>alert(1)</script>"
    static let hostileAttr = "\"><img src=x onerror=alert(1)>"

    // MARK: building runs by hand

    static func result(
        _ id: String, _ verdict: Verdict, endpoint: String = "mvno-account-get", covers: String = "success",
        role: Role = "OWNER", findings: [Finding] = [], seconds: Double = 0.05, seq: Int = 0, attempts: [String] = [],
        excerpt: String? = nil, title: String? = nil
    ) -> CaseResult {
        CaseResult(
            seq: seq, caseID: id, title: title ?? "title of \(id)", file: "Cases/cases/\(endpoint)/\(id).json",
            endpointID: endpoint, covers: covers, role: role, verdict: verdict, findings: findings,
            request: RequestSummary(
                method: "GET", url: "http://127.0.0.1:1/mvno/1?token=***",
                curl: "curl -sS -X GET \"http://127.0.0.1:1/mvno/1?token=${TELECOMX_OWNER_TOKEN}\""),
            status: verdict == .passed ? 200 : 500, responseExcerpt: excerpt, durationSeconds: seconds,
            attempts: attempts, requests: 1)
    }

    static func run(_ results: [CaseResult], coverage: [EndpointCoverage] = [], baseURL: String = "http://127.0.0.1:1")
        -> RunResult
    {
        var numbered = results
        for i in numbered.indices { numbered[i].seq = i }
        return RunResult(
            targetName: "simulator", baseURL: baseURL, startedAt: Date(timeIntervalSince1970: 1_700_000_000.5),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_003.75),
            endpoints: [
                EndpointInfo(id: "mvno-account-get", title: "Get an account", method: "GET", path: "/mvno/{ACCOUNT_ID}"),
                EndpointInfo(id: "mvno-account-create", title: "Create an account", method: "POST", path: "/mvno"),
            ],
            results: numbered, coverage: coverage)
    }

    static let schemaFinding = Finding(
        check: .schema, pointer: "/msisdn", keyword: "/properties/msisdn/pattern", expected: "a string matching ^45",
        actual: "\"123\"", message: "/msisdn: \"123\" does not match ^45")
    static let warning = Finding(
        check: .undocumentedField, severity: .warning, pointer: "/extra", expected: "absent", actual: "1",
        message: "/extra is not documented")

    /// A varied run: every outcome, a flaky case, warnings, an access matrix and coverage.
    static func mixedRun(baseURL: String = "http://127.0.0.1:1") -> RunResult {
        var results: [CaseResult] = [
            result("get-by-id", .passed, seconds: 0.1),
            result("get-by-number", .failed, findings: [schemaFinding, warning], seconds: 0.2),
            result("get-unknown-id", .error("timed out after 30 s"), covers: "404-mvnoAccount", seconds: 30),
            result("get-as-viewer", .skipped("no credential for VIEWER (TELECOMX_VIEWER_TOKEN)"), role: "VIEWER"),
            result("get-as-admin", .passed, role: "ADMIN", seconds: 0.3, attempts: ["connection reset"]),
            result("create-ok", .passed, endpoint: "mvno-account-create", findings: [warning], seconds: 0.4),
        ]
        for role in [Role("VIEWER"), "ADMIN", "ANONYMOUS"] {
            for relation in ["own", "same-reseller", "other-reseller"] {
                let id = "get-access-\(role.rawValue.lowercased())-\(relation)"
                let covers =
                    role == "ANONYMOUS" ? "unauthenticated" : (role == "ADMIN" || relation == "own") ? "success" : "403-access_denied"
                let failed = role == "VIEWER" && relation == "other-reseller"
                results.append(
                    result(
                        id, failed ? .failed : .passed, covers: covers, role: role,
                        findings: failed ? [Finding(check: .status, expected: "403", actual: "200", message: "expected status 403, got 200")] : []))
            }
        }
        let coverage = [
            EndpointCoverage(
                endpointID: "mvno-account-get", method: "GET", path: "/mvno/{ACCOUNT_ID}", file: "Cases/endpoints/mvno-account-get.json",
                rows: [
                    RowCoverage(rowID: "success", status: 200, message: "", description: "documented response",
                        caseIDs: ["get-access-admin-own", "get-by-id", "get-by-number"], notProvokable: nil),
                    RowCoverage(rowID: "404-mvnoAccount", status: 404, message: "mvnoAccount", description: "no such account",
                        caseIDs: ["get-unknown-id", "get-unknown-number"], notProvokable: nil),
                    RowCoverage(rowID: "403-access_denied", status: 403, message: "access_denied", description: "denied",
                        caseIDs: ["get-access-viewer-other-reseller"], notProvokable: nil),
                    RowCoverage(rowID: "500-internal", status: 500, message: "internal", description: "server fault",
                        caseIDs: [], notProvokable: "cannot be caused from outside"),
                    RowCoverage(rowID: "409-conflict", status: 409, message: "conflict", description: "never tested",
                        caseIDs: [], notProvokable: nil),
                ]),
            EndpointCoverage(
                endpointID: "mvno-account-create", method: "POST", path: "/mvno", file: "Cases/endpoints/mvno-account-create.json",
                rows: [RowCoverage(rowID: "success", status: 201, message: "", description: "created", caseIDs: ["create-ok"], notProvokable: nil)]),
        ]
        return run(results, coverage: coverage, baseURL: baseURL)
    }

    // MARK: JSON

    /// results.json is streamed case by case (no tree of the whole run), and
    /// each list of case ids inside coverage and values id by id; its bytes
    /// are those of the tree pretty-printed whole, for a varied run (newlines,
    /// quotes and control characters inside strings, nested findings; rows,
    /// bounds and enum values with no, one and several cases, a case id that
    /// looks like a placeholder) and for a run without cases.
    @Test func jsonStreamedIsTheTreePrettyPrintedWhole() {
        let meta = RunMetadata(toolVersion: "0", suiteVersion: "s", targetName: "t", baseURL: "http://127.0.0.1:1", profileFile: "p.json")
        var mixed = Self.mixedRun()
        mixed.results[1].responseExcerpt = "{\n  \"a\": \"line\\nbreak \u{1} \\\"q\\\"\"\n}"
        mixed.results[1].findings[0].message = "two\nlines\t\u{2028}"
        mixed.coverage[0].rows[0].caseIDs.append("\u{1}0 1\u{1}")
        mixed.coverage[0].bounds = [
            Bound(
                id: "get-bound", endpoint: "mvno-account-get", field: "name", kind: .length, min: 1, max: 3, page: "p.txt", line: 4,
                quote: "1 to 3 \"characters\"", cases: ["get-bound-below", "get-by-id"]),
            Bound(
                id: "get-empty", endpoint: "mvno-account-get", field: "n", kind: .range, min: nil, max: 9, page: "p.txt", line: 5,
                quote: "at most 9", cases: []),
        ]
        mixed.values = [
            ValueCoverage(
                endpointID: "mvno-account-get", pointer: "/state",
                values: [
                    .init(value: "ACTIVE", aimedBy: ["get-by-id", "get-by-number"], seenIn: ["get-by-id", "get-as-admin", "create-ok"]),
                    .init(value: "CLOSED", aimedBy: ["get-unknown-id"], seenIn: []),
                    .init(value: "NEW", aimedBy: [], seenIn: ["get-by-number"]),
                ], others: 2),
            ValueCoverage(endpointID: "mvno-account-create", pointer: "/items/*/type", values: [], others: 0),
        ]
        for run in [mixed, Self.run([])] {
            let whole = JSONWriter(pretty: true).string(JSONReporter.document(run, meta: meta)) + "\n"
            #expect(JSONReporter.render(run, meta: meta) == whole)
        }
    }

    @Test func jsonRoundTripKeepsCountsIdsOutcomesAndFindings() throws {
        let r = Self.mixedRun(baseURL: "https://user:s3cret@staging.example/api")
        let meta = RunMetadata(
            toolVersion: "0.1.0", suiteVersion: "2026.11", targetName: "staging",
            baseURL: "https://user:s3cret@staging.example/api", profileFile: "Cases/targets/staging.json")
        let text = JSONReporter.render(r, meta: meta)
        #expect(text == JSONReporter.render(r, meta: meta), "deterministic")
        #expect(!text.contains("s3cret"), "no user information from the base URL")

        let decoded = try JSONReporter.decode(text)
        #expect(decoded.formatVersion == "2")
        #expect(decoded.toolVersion == "0.1.0")
        #expect(decoded.suiteVersion == "2026.11")
        #expect(decoded.targetName == "staging")
        #expect(decoded.verdict == "failed")
        #expect(
            decoded.counts
                == DecodedResults.Counts(
                    total: r.results.count, passed: r.passed, failed: r.failed, errors: r.errors, skipped: r.skipped,
                    flaky: 1, warnings: 2))
        #expect(decoded.inconsistencies().isEmpty, "\(decoded.inconsistencies())")
        #expect(decoded.cases.map(\.id) == r.results.map(\.caseID))
        #expect(decoded.cases.map(\.seq) == r.results.map(\.seq))
        #expect(decoded.cases.map(\.outcome.rawValue) == r.results.map(\.verdict.label))
        #expect(decoded.cases.map(\.findings) == r.results.map(\.findings.count))
        #expect(decoded.cases.map(\.warnings) == r.results.map(\.warnings.count))
        #expect(decoded.cases.map(\.flaky) == r.results.map(\.isFlaky))
        #expect(decoded.cases.first { $0.id == "get-unknown-id" }?.reason == "timed out after 30 s")

        // The documented shape: top-level keys in order, a case's keys in order, UTC timestamps.
        let doc = try JSONParser.parse(text)
        #expect(
            doc.objectValue?.keys == [
                "format", "formatVersion", "tool", "suite", "target", "startedAt", "finishedAt", "durationSeconds", "counts",
                "ambiguousCountedAs", "verdict", "certifiable", "cases", "preflight", "readings", "coverage", "problems", "generated", "values",
            ])
        #expect(doc["format"] == "telecomx-conformance-results")
        #expect(doc["target"] == ["name": "staging", "baseURL": "https://staging.example/api", "profile": "Cases/targets/staging.json"])
        #expect(doc["startedAt"] == "2023-11-14T22:13:20.500Z")
        #expect(doc["finishedAt"] == "2023-11-14T22:13:23.750Z")
        #expect(doc["durationSeconds"] == 3.25)
        #expect(
            doc["counts"]?.objectValue?.keys == ["total", "passed", "failed", "errors", "skipped", "flaky", "warnings", "ambiguous"])
        #expect(
            doc["cases"]?[0]?.objectValue?.keys == [
                "seq", "id", "title", "file", "endpoint", "covers", "role", "required", "outcome", "reason", "flaky", "findings",
                "request", "status", "responseExcerpt", "durationSeconds", "attempts", "requests",
            ])
        let failing = doc["cases"]?[1]
        #expect(
            failing?["findings"]?[0]?.objectValue?.keys == [
                "check", "severity", "pointer", "keyword", "expected", "actual", "message", "reading",
            ])
        #expect(failing?["findings"]?[0]?["keyword"] == "/properties/msisdn/pattern")
        #expect(failing?["findings"]?[1]?["keyword"] == .null)
        #expect(failing?["request"]?.objectValue?.keys == ["method", "url", "curl"])
        // Coverage rows joined with outcomes; a case the run lacks is "not-run".
        let row404 = doc["coverage"]?[0]?["rows"]?[1]
        #expect(row404?["cases"] == [["id": "get-unknown-id", "outcome": "error"], ["id": "get-unknown-number", "outcome": "not-run"]])
        #expect(doc["coverage"]?[0]?["rows"]?[3]?["state"] == "explained")
        #expect(doc["coverage"]?[0]?["rows"]?[4]?["state"] == "uncovered")
        #expect(doc["coverage"]?[0]?["uncovered"] == 1)
    }

    @Test func jsonDecodeRejectsOtherFormatsAndVersions() throws {
        let text = JSONReporter.render(
            Self.mixedRun(),
            meta: RunMetadata(toolVersion: "0.1.0", suiteVersion: "1", targetName: "t", baseURL: "http://x", profileFile: "p.json"))
        #expect(throws: JSONReporter.DecodeError.self) { try JSONReporter.decode("not json") }
        #expect(throws: JSONReporter.DecodeError.self) { try JSONReporter.decode("[]") }
        #expect(throws: JSONReporter.DecodeError.self) {
            try JSONReporter.decode(text.replacingOccurrences(of: "\"formatVersion\": \"2\"", with: "\"formatVersion\": \"3\""))
        }
        #expect(throws: JSONReporter.DecodeError.self) {
            try JSONReporter.decode(text.replacingOccurrences(of: "telecomx-conformance-results", with: "something-else"))
        }
        #expect(throws: JSONReporter.DecodeError.self) {
            try JSONReporter.decode(text.replacingOccurrences(of: "\"outcome\": \"skipped\"", with: "\"outcome\": \"maybe\""))
        }
        // A tampered count is reported as an inconsistency.
        let tampered = try JSONReporter.decode(text.replacingOccurrences(of: "\"passed\": 11", with: "\"passed\": 12"))
        #expect(tampered.inconsistencies() == ["counts.passed is 12 but the cases give 11"])
    }

    // MARK: HTML

    @Test func htmlEscapesAHostileResponse() {
        let hostile = Finding(
            check: .errorMessage, pointer: "/message", expected: "mvnoAccount", actual: Self.hostileScript,
            message: "error message is \(Self.hostileAttr) not mvnoAccount")
        var r = Self.result(
            "hostile-case", .failed, findings: [hostile], excerpt: "{\"message\": \"\(Self.hostileScript)\", \"x\": \"\(Self.hostileAttr)\"}",
            title: "it's <b>bold</b> & \"quoted\"")
        r.request?.curl = "curl '\(Self.hostileAttr)'"
        let e = Self.result("erroring", .error("unreadable body: \(Self.hostileScript)"))
        let html = HTMLReporter.render(Self.run([r, e]))
        #expect(!html.contains(Self.hostileScript))
        #expect(!html.contains(Self.hostileAttr))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>bold"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("it&#39;s &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
        #expect(HTMLReporter.escape("a\u{0}b\u{1B}c\u{85}d") == "abcd")
        #expect(HTMLReporter.escape("& < > \" '") == "&amp; &lt; &gt; &quot; &#39;")
    }

    @Test func htmlIsOneSelfContainedWellFormedPage() throws {
        let html = HTMLReporter.render(Self.mixedRun(baseURL: "https://staging.example/api"))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.components(separatedBy: "<html").count == 2, "a single <html")
        #expect(html.contains("<meta charset=\"utf-8\" />"))
        #expect(html.contains("<title>TelecomX conformance: "))
        #expect(!html.lowercased().contains("<script"))
        // No tag refers to anything outside the page (URLs appear only in text).
        for tag in Self.tags(html) {
            let t = tag.lowercased()
            #expect(!t.contains("http://") && !t.contains("https://"), "\(tag)")
            #expect(!t.contains(" src=") && !t.hasPrefix("<link") && !t.hasPrefix("<img") && !t.hasPrefix("<iframe"), "\(tag)")
            #expect(!t.contains(" on"), "no event handler attribute: \(tag)")
        }
        #expect(!html.contains("url(") && !html.contains("@import"))
        #expect(html.contains("https://staging.example/api"), "the base URL is shown as text")

        // Well-formed (as XML, which the page also is): balanced, properly nested tags.
        let xmllint = try #require(Self.executable("xmllint"), "xmllint is required (apt-get install -y libxml2-utils)")
        let dir = NSTemporaryDirectory() + "report-format-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(html.utf8).write(to: URL(fileURLWithPath: dir + "/report.html"))
        let lint = try runProcess(xmllint, ["--noout", "--nonet", dir + "/report.html"])
        #expect(lint.status == 0, "\(lint.output)")
    }

    @Test func htmlShowsVerdictMatricesFailuresAndLatency() throws {
        let html = HTMLReporter.render(Self.mixedRun())
        let h1 = try #require(html.range(of: "<h1>"))
        #expect(html[h1.upperBound...].hasPrefix("<span class=\"verdict-word\">FAILED</span> TelecomX conformance: 2 of 15 cases failed, 1 errored</h1>"))
        #expect(h1.lowerBound < html.range(of: "Totals")!.lowerBound, "the verdict comes first")
        // Every finding of a failed case, its request line, curl and excerpt.
        #expect(html.contains("/msisdn: &quot;123&quot; does not match ^45"))
        #expect(html.contains("/extra is not documented"))
        #expect(html.contains("<code>GET http://127.0.0.1:1/mvno/1?token=***</code>"))
        #expect(html.contains("<summary>curl (credentials as environment variable references)</summary>"))
        #expect(html.contains("${TELECOMX_OWNER_TOKEN}"))
        // Documented rows × outcome, joined by case id.
        #expect(html.contains("<td>404-mvnoAccount</td>"))
        #expect(html.contains("title=\"get-unknown-number: not run\""))
        #expect(html.contains("not provokable: cannot be caused from outside"))
        #expect(html.contains("UNCOVERED: no case, no reason"))
        // The access matrix: roles × relations, each cell with its outcome.
        #expect(html.contains("<caption>Access matrix get-access: access level × ownership relation × outcome</caption>"))
        #expect(html.contains("<tr><th>role</th><th>own</th><th>same-reseller</th><th>other-reseller</th></tr>"))
        for role in ["VIEWER", "ADMIN", "ANONYMOUS"] { #expect(html.contains("<tr><th>\(role)</th>")) }
        #expect(html.contains("title=\"get-access-viewer-other-reseller: failed\">failed</a> <small>expects denied (403-access_denied)</small>"))
        #expect(html.contains("title=\"get-access-anonymous-own: passed\">passed</span> <small>expects unauthenticated</small>"))
        // Latency: mvno-account-get ran 13 cases (one skipped).
        #expect(html.contains("<tr><td>mvno-account-get</td><td class=\"num\">13</td><td class=\"num\">50 ms</td><td class=\"num\">30.000 s</td><td class=\"num\">30.000 s</td></tr>"))
        #expect(html.contains("<tr><td>mvno-account-create</td><td class=\"num\">1</td><td class=\"num\">400 ms</td>"))
    }

    @Test func latencyIsMedianAndNearestRankP95() throws {
        let l = try #require(ReportFormats.latency([0.4, 0.1, 0.3, 0.2]))
        #expect(l.median == 0.25 && l.p95 == 0.4 && l.max == 0.4)
        let hundred = try #require(ReportFormats.latency((1...100).map(Double.init)))
        #expect(hundred.median == 50.5 && hundred.p95 == 95)
        #expect(ReportFormats.latency([]) == nil)
    }

    // MARK: Markdown

    @Test func markdownTablesKeepTheirShapeAndEscapePipes() {
        let piped = Finding(
            check: .assertion, pointer: "/a|b", expected: "x", actual: "y",
            message: "value | with pipes\nand a second line \\| and a backslash-pipe `code` [link](x) <b>")
        var results = [Self.result("pipe|case", .failed, findings: [piped])]
        results += Self.mixedRun().results
        let md = MarkdownReporter.render(Self.run(results, coverage: Self.mixedRun().coverage))
        let tables = Self.tables(md)
        #expect(tables.count == 4, "totals, failures, warnings (grouped), coverage")
        for table in tables {
            let columns = Self.unescapedPipes(table[0])
            #expect(table[1].allSatisfy { "|-:".contains($0) }, "delimiter row: \(table[1])")
            for row in table { #expect(Self.unescapedPipes(row) == columns, "\(row)") }
        }
        #expect(md.contains("pipe\\|case"))
        #expect(md.contains("value \\| with pipes and a second line \\\\\\| and a backslash-pipe \\`code\\` \\[link\\](x) \\<b\\>"))
        #expect(!md.contains("<b>"))
        // Everything after the title line: no raw newline inside a cell (each table row is one line).
        #expect(md.contains("| pipe\\|case | mvno-account-get | failed | assertion | /a\\|b |"))
    }

    @Test func markdownCapsBigRuns() {
        var results: [CaseResult] = []
        for i in 0..<400 {
            results.append(Self.result("case-\(i)", i % 3 == 0 ? .failed : .passed, findings: i % 3 == 0 ? [Self.schemaFinding] : []))
        }
        let coverage = (0..<80).map { i in
            EndpointCoverage(endpointID: "ep-\(i)", method: "GET", path: "/x/\(i)", file: "f", rows: [
                RowCoverage(rowID: "success", status: 200, message: "", description: "", caseIDs: [], notProvokable: nil)
            ])
        }
        let md = MarkdownReporter.render(Self.run(results, coverage: coverage))
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 200, "\(lines.count) lines")
        #expect(md.contains("\n\n… and 84 more\n"), "134 failures, 50 shown")
        #expect(md.contains("\n\n… and 31 more"), "81 coverage rows (with the total), 50 shown")
        #expect(md.contains("| **total** |  | 80 | 0 | 0 | 80 |  |  |"))
        for table in Self.tables(md) { #expect(table.count <= 52) }
    }

    @Test func verdictWording() {
        let allPassed = Self.run((0..<35).map { Self.result("c\($0)", .passed) })
        #expect(MarkdownReporter.render(allPassed).hasPrefix("## TelecomX conformance: ✅ all 35 cases passed\n"))
        #expect(HTMLReporter.render(allPassed).contains("<h1><span class=\"verdict-word\">PASSED</span> TelecomX conformance: all 35 cases passed</h1>"))
        #expect(HTMLReporter.render(allPassed).contains("<header class=\"verdict passed\">"))

        let threeFailed = Self.run(
            (0..<35).map { i in i < 3 ? Self.result("c\(i)", .failed, findings: [Self.schemaFinding]) : Self.result("c\(i)", .passed) })
        #expect(MarkdownReporter.render(threeFailed).hasPrefix("## TelecomX conformance: ❌ 3 of 35 cases failed\n"))
        #expect(HTMLReporter.render(threeFailed).contains("<header class=\"verdict failed\">"))

        let someSkipped = Self.run([Self.result("a", .passed), Self.result("b", .skipped("no fixture"))])
        // A run that skipped part of the suite does not look green: it says how much was judged.
        #expect(MarkdownReporter.render(someSkipped).hasPrefix("## TelecomX conformance: ⚠️ 1 of 2 cases judged, all passed; 1 skipped for other reasons\n"))
        #expect(HTMLReporter.render(someSkipped).contains("<header class=\"verdict unjudged\">"))
        #expect(HTMLReporter.render(someSkipped).contains("<span class=\"verdict-word\">PARTIAL</span>"))

        let errored = Self.run([Self.result("a", .passed), Self.result("b", .error("connection refused"))])
        #expect(MarkdownReporter.render(errored).hasPrefix("## TelecomX conformance: ⚠️ 1 of 2 cases errored (not judged)\n"))
        #expect(HTMLReporter.render(errored).contains("<header class=\"verdict unjudged\">"))
        #expect(HTMLReporter.render(errored).contains("<h1><span class=\"verdict-word\">UNJUDGED</span> TelecomX conformance: 1 of 2 cases errored (not judged)</h1>"))

        #expect(MarkdownReporter.render(Self.run([])).hasPrefix("## TelecomX conformance: ⚠️ no cases ran\n"))
    }

    // MARK: helpers

    /// The tags of a page (text is escaped, so every `<` opens a tag).
    static func tags(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            out.append(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// Runs of consecutive lines starting with `|`.
    static func tables(_ md: String) -> [[String]] {
        var out: [[String]] = []
        var current: [String] = []
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                current.append(String(line))
            } else if !current.isEmpty {
                out.append(current)
                current = []
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Pipes not escaped by a backslash (a pipe after an odd number of backslashes is text).
    static func unescapedPipes(_ line: String) -> Int {
        var n = 0, backslashes = 0
        for ch in line {
            if ch == "|" && backslashes % 2 == 0 { n += 1 }
            backslashes = ch == "\\" ? backslashes + 1 : 0
        }
        return n
    }

    static func executable(_ name: String) -> String? { executablePath(name) }
}
