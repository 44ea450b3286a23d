import Foundation
import JSONKit
import Testing

@testable import ConformanceKit

@Suite struct JUnitReporterTests {
    func run(_ results: [CaseResult]) -> RunResult {
        RunResult(
            targetName: "t", baseURL: "http://127.0.0.1:1", startedAt: Date(timeIntervalSince1970: 1_700_000_000.5),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_001),
            endpoints: [EndpointInfo(id: "ep", title: "Endpoint", method: "GET", path: "/x/{ID}")], results: results)
    }

    func result(_ id: String, _ verdict: Verdict, findings: [Finding] = [], seconds: Double = 0.0123) -> CaseResult {
        CaseResult(
            seq: 0, caseID: id, title: "title of \(id)", file: "Cases/cases/\(id).json", endpointID: "ep", covers: "success",
            role: "OWNER", verdict: verdict, findings: findings,
            request: RequestSummary(method: "GET", url: "http://127.0.0.1:1/x/1?token=***"), status: 200,
            responseExcerpt: nil, durationSeconds: seconds)
    }

    @Test func hostileTextIsEscapedAndIllegalCharactersRemoved() {
        let f = Finding(
            check: .schema, pointer: "/a", keyword: "/properties/a/enum", expected: "one of \"X\"",
            actual: "\"<script>alert(1)</script>\u{0}\u{1B}&\"", message: "/a: \"<b>\" is not one of \"X\"\nsecond line")
        let xml = JUnitReporter.render(run([result("c1", .failed, findings: [f])]))
        #expect(!xml.contains("<script>"))
        #expect(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"))
        #expect(!xml.contains("\u{0}"))
        #expect(!xml.contains("\u{1B}"))
        // The message attribute is one line.
        #expect(xml.contains("message=\"/a: &quot;&lt;b&gt;&quot; is not one of &quot;X&quot; second line\""))
    }

    @Test func timesUseADecimalPointAndTimestampsAreUTC() {
        let xml = JUnitReporter.render(run([result("c1", .passed, seconds: 1.23456)]))
        #expect(xml.contains("time=\"1.235\""))
        #expect(xml.contains("timestamp=\"2023-11-14T22:13:20\""))
    }

    @Test func verdictsMapToFailureErrorAndSkipped() {
        let xml = JUnitReporter.render(
            run([
                result("p", .passed), result("f", .failed, findings: [Finding(check: .status, expected: "200", actual: "500", message: "expected status 200, got 500")]),
                result("e", .error("connection refused")), result("s", .skipped("no fixture 'x'")),
            ]))
        #expect(xml.contains("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""))
        #expect(xml.contains("<failure type=\"status\" message=\"expected status 200, got 500\">"))
        #expect(xml.contains("<error type=\"error\" message=\"connection refused\">"))
        #expect(xml.contains("<skipped message=\"no fixture &apos;x&apos;\"/>") || xml.contains("<skipped message=\"no fixture 'x'\"/>"))
        #expect(xml.contains("request: GET http://127.0.0.1:1/x/1?token=***"))
    }

    /// A hostile answer quoted in a FAIL line cannot drive the terminal: ESC
    /// (cursor moves, OSC 52 clipboard writes), CR, other C0/C1 controls and
    /// bidi overrides are printed as visible escapes. Same in `::error` lines.
    @Test func consoleAndAnnotationLinesShowAnswerControlCharactersAsEscapes() throws {
        let hostile = "got \"\u{1B}]52;c;ZWNobyBoaQ==\u{7}\u{1B}[2K\r272 passed\u{202E}\u{9B}x\""
        let f = Finding(check: .errorMessage, expected: "\"not found\"", actual: hostile, message: "message: \(hostile)")
        let r = run([result("c1", .failed, findings: [f])])
        let lines = ConsoleReporter.lines(r)
        let fail = try #require(lines.first { $0.hasPrefix("FAIL  ep/c1: ") })
        #expect(fail == "FAIL  ep/c1: message: got \"\\u{1B}]52;c;ZWNobyBoaQ==\\u{7}\\u{1B}[2K\\u{D}272 passed\\u{202E}\\u{9B}x\"")
        for line in lines {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" }, "\(line)")
        }
        let annotations = GitHubAnnotations.lines(r, directory: "")
        #expect(!annotations.isEmpty)
        for line in annotations {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "\(line)")
        }
        // Plain text is left exactly as it was.
        #expect(TerminalText.escapingControls("tab\there, ünïcode, 🚀") == "tab\there, ünïcode, 🚀")
    }

    /// Past `detailedCasesShown` failed or errored cases the console counts
    /// the rest in one line (at the cap, the output is as it always was); the
    /// reports still list every case, and a problem keeps its count, not every id.
    @Test func consoleDetailsTheFirstBadCasesAndCountsTheRestWhileReportsListEveryOne() throws {
        let n = ConsoleReporter.detailedCasesShown
        let status = Finding(check: .status, expected: "404", actual: "400", message: "expected status 404, got 400")
        var results = (0..<(n + 12)).map { i in
            i % 5 == 4 ? result("c\(i)", .error("timeout")) : result("c\(i)", .failed, findings: [status])
        }
        results.append(result("p", .passed))
        for i in results.indices { results[i].seq = i }
        let lines = ConsoleReporter.lines(run(results))
        let detailed = lines.filter { $0.hasPrefix("FAIL  ") || $0.hasPrefix("ERROR ") }
        #expect(detailed.count == n)
        #expect(detailed.last?.contains(" ep/c\(n - 1): ") == true, "the first \(n), in order")
        #expect(!lines.contains { $0.contains("ep/c\(n):") })
        #expect(lines.filter { $0.hasPrefix("… ") } == [ConsoleReporter.moreCasesLine(12)])
        #expect(ConsoleReporter.moreCasesLine(12) == "… 12 more failed or errored cases not shown here: junit.xml, results.json and report.html list every one")
        #expect(lines.last == "1 passed, \(n + 12) failed, 0 skipped")
        #expect(lines.contains("  1. status on ep, expected 404: \(n + 12 - (n + 12) / 5) cases"))
        let atCap = ConsoleReporter.lines(run(Array(results.prefix(n))))
        #expect(atCap.filter { $0.hasPrefix("FAIL  ") || $0.hasPrefix("ERROR ") }.count == n)
        #expect(!atCap.contains { $0.hasPrefix("… ") })

        let problems = Problems.group(run(results).results)
        #expect(problems.map(\.caseCount) == [n + 12 - (n + 12) / 5, (n + 12) / 5])
        #expect(problems[0].firstCaseIDs.count == Problems.caseIDsKept)
        let meta = RunMetadata(toolVersion: "0", suiteVersion: "s", targetName: "t", baseURL: "http://127.0.0.1:1", profileFile: "p.json")
        let json = try JSONParser.parse(JSONReporter.render(run(results), meta: meta))
        let listed = json["problems"]?.arrayValue?.flatMap { $0["cases"]?.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
        #expect(listed.sorted() == results.dropLast().map(\.caseID).sorted(), "every failed or errored case, each in its problem")
        let xml = JUnitReporter.render(run(results))
        let html = HTMLReporter.render(run(results))
        for r in results.dropLast() {
            #expect(xml.contains("<testcase name=\"\(r.caseID): "), "\(r.caseID) in junit.xml")
            #expect(html.contains(">\(r.caseID)</a></td>"), "\(r.caseID) in report.html's failing table")
        }
    }

    @Test func consoleShowsTheFirstFlakyCasesAndCountsTheRest() {
        let n = ConsoleReporter.detailedCasesShown
        var results = (0..<(n + 7)).map { i in
            var r = result("f\(i)", .passed)
            r.attempts = ["connection reset"]
            return r
        }
        results.append(result("x", .failed, findings: [Finding(check: .status, expected: "200", actual: "500", message: "expected status 200, got 500")]))
        for i in results.indices { results[i].seq = i }
        let lines = ConsoleReporter.lines(run(results))
        let flaky = lines.filter { $0.hasPrefix("FLAKY ") }
        #expect(flaky.count == n)
        #expect(flaky.first == "FLAKY ep/f0: passed after 1 retry (connection reset)")
        #expect(!lines.contains { $0.hasPrefix("FLAKY ep/f\(n):") })
        #expect(lines.filter { $0.hasPrefix("… ") } == [ConsoleReporter.moreFlakyLine(7)])
        #expect(lines.contains("FAIL  ep/x: expected status 200, got 500"), "a failure after the flaky cases is still shown")
        #expect(lines.contains("\(n + 7) flaky case(s): passed only after a transport retry"))
        let atCap = ConsoleReporter.lines(run(Array(results.prefix(n))))
        #expect(atCap.filter { $0.hasPrefix("FLAKY ") }.count == n)
        #expect(!atCap.contains { $0.hasPrefix("… ") })
    }

    @Test func consoleClosingLineCountsErrorsAsFailed() {
        let r = run([result("p", .passed), result("e", .error("timeout")), result("s", .skipped("x"))])
        #expect(ConsoleReporter.lines(r).last == "1 passed, 1 failed, 1 skipped")
        #expect(ConsoleReporter.lines(r).contains("ERROR ep/e: timeout"))
    }

    @Test func sensitiveFieldsComeFromTheSchemas() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let names = SensitiveFields.names(in: suite.schemas)
        #expect(names.isSuperset(of: ["pin1", "pin2", "puk1", "puk2", "pin", "activationCode"]), "\(names.sorted())")
        #expect(!names.contains("imsi") && !names.contains("simNumber"))
        let own: [String: JSON] = ["x": ["properties": ["secretCode": ["type": "string", "x-sensitive": true], "name": ["type": "string"]]]]
        #expect(SensitiveFields.names(in: own) == ["secretCode"])
    }

    @Test func sensitiveFieldsAreMaskedAtAnyDepth() {
        let names: Set<String> = ["pin1", "pin", "puk1"]
        let masked = SensitiveFields.mask(
            ["mvnoSim": ["pin1": "1234", "imsi": "2380"], "voicemail": ["pin": "99"], "list": [["puk1": "1"]]], names: names)
        #expect(masked["mvnoSim"]?["pin1"] == "***")
        #expect(masked["mvnoSim"]?["imsi"] == "2380")
        #expect(masked["voicemail"]?["pin"] == "***")
        #expect(masked["list"]?[0]?["puk1"] == "***")
    }
}

/// The reader `conformance merge` uses instead of FoundationXML (issue 24: libxml2 at every start).
@Suite struct XMLReaderTests {
    @Test func readsElementsAttributesTextAndWhereEachElementWasWritten() throws {
        let doc = """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment --><testsuites>
              <testsuite name="a &amp; b" note='it&apos;s &#10;two&#x20;lines'>
                <testcase name="x &lt;1&gt;" time="0.5"><failure message="m">why <![CDATA[<raw> & more]]> ok</failure></testcase>
                <testcase name="y"/>
                <?pi ignored?>
                <system-out>out &quot;text&quot;</system-out>
              </testsuite>
            </testsuites>
            """
        let bytes = Array(doc.utf8)
        let root = try XMLReader.parse(bytes)
        #expect(root.name == "testsuites")
        let ts = try #require(root.elements(named: "testsuite").first)
        #expect(ts.attribute("name") == "a & b")
        #expect(ts.attribute("note") == "it's \ntwo lines")
        let cases = ts.elements(named: "testcase")
        #expect(cases.map { $0.attribute("name") } == ["x <1>", "y"])
        #expect(cases[0].elements(named: "failure").first?.text == "why <raw> & more ok")
        #expect(ts.elements(named: "system-out").first?.text == "out \"text\"")
        // Each element's bytes, as written: what merge copies.
        #expect(String(decoding: bytes[cases[1].start..<cases[1].end], as: UTF8.self) == #"<testcase name="y"/>"#)
        #expect(String(decoding: bytes[cases[0].start..<cases[0].end], as: UTF8.self).hasSuffix("ok</failure></testcase>"))
    }

    @Test func refusesWhatIsNotAWellFormedUTF8DocumentWithoutCrashing() {
        let refused: [(String, String)] = [
            ("<a><b></a>", "closes no open"),
            ("<a>", "unterminated"),
            ("<a x=1/>", "quoted value"),
            ("<a x='1' x='2'/>", "given twice"),
            ("<a>&nope;</a>", "unknown entity"),
            ("<a>&#xD800;</a>", "no character"),
            ("<a>fish & chips</a>", "starts no reference"),
            ("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "DOCTYPE"),
            ("<a/><b/>", "after the root"),
            ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "UTF-8 only"),
            ("", "no root"),
            ("<nope", "unterminated start tag"),
            (String(repeating: "<a>", count: 100_000), "nested deeper"),
        ]
        for (doc, why) in refused {
            #expect(throws: XMLReader.ParseError.self, "\(doc.prefix(40))") { try XMLReader.parse(Array(doc.utf8)) }
            do {
                _ = try XMLReader.parse(Array(doc.utf8))
            } catch {
                #expect(error.message.contains(why), "\(doc.prefix(40)): \(error)")
            }
        }
        #expect(throws: XMLReader.ParseError.self) { try XMLReader.parse([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E]) }
    }
}
