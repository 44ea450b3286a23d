import Foundation
import JSONKit
import Testing

import ConformanceKit

/// report.html as a browser lays it out: headless Chromium loads a copy of the
/// page with a probe script added (the report itself has none), and the probe
/// writes what it measured into the DOM that `--dump-dom` prints. Chromium is
/// required: `bash .ci/test` and `.ci/run` install it; without it this fails.
@Suite struct ReportLayoutTests {
    struct Measured {
        var scrollWidth: Int
        var clientWidth: Int
        var innerWidth: Int
        var h1: String
        var problemsTop: Int
        var failingTableTop: Int
        var firstCardTop: Int
        var verdictWordWidth: Int
        /// Headers of the matrices laid out on more than one line (a narrow column wrapped them).
        var wrappedMatrixHeaders: Int
    }

    static let probe = """
        <script>
        window.addEventListener("load", function () {
          function top(sel) { var e = document.querySelector(sel); return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : -1; }
          var d = document.documentElement, w = document.querySelector("h1 .verdict-word");
          var m = { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, innerWidth: window.innerWidth,
                    h1: document.querySelector("h1").innerText, problemsTop: top("#problems"),
                    failingTableTop: top("table.failing"), firstCardTop: top("article.case"),
                    verdictWordWidth: w ? Math.round(w.getBoundingClientRect().width) : -1, wrappedMatrixHeaders: 0 };
          document.querySelectorAll("table.matrix th").forEach(function (th) {
            var r = document.createRange(); r.selectNodeContents(th);
            if (th.textContent.trim() && r.getClientRects().length > 1) m.wrappedMatrixHeaders++;
          });
          var p = document.createElement("pre"); p.id = "layout-probe"; p.textContent = JSON.stringify(m);
          document.body.appendChild(p);
        });
        </script>
        """

    /// Lays `html` out in a 1280 × 900 window and returns what the probe measured.
    static func measure(_ html: String) throws -> Measured {
        let chromium = try #require(
            executablePath("chromium") ?? executablePath("chromium-browser"),
            "chromium is required (bash .ci/test installs it: apt-get install -y chromium)")
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write("page.html", html.replacingOccurrences(of: "</body>", with: probe + "\n</body>"))
        let run = try runProcess(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(tmp.path)/profile", "--window-size=1280,900", "--dump-dom",
                "file://\(tmp.path)/page.html",
            ], timeoutSeconds: 90)
        #expect(!run.timedOut, "chromium did not finish within 90 s")
        let dom = run.output
        let start = try #require(dom.range(of: "<pre id=\"layout-probe\">"), "the probe ran (chromium exit \(run.status)):\n\(dom.suffix(2000))")
        let end = try #require(dom[start.upperBound...].range(of: "</pre>"))
        let text = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        let m = try JSONParser.parse(text)
        func int(_ k: String) throws -> Int { try #require(m[k]?.intValue, "\(k) in \(text)") }
        return Measured(
            scrollWidth: try int("scrollWidth"), clientWidth: try int("clientWidth"), innerWidth: try int("innerWidth"),
            h1: try #require(m["h1"]?.stringValue), problemsTop: try int("problemsTop"),
            failingTableTop: try int("failingTableTop"), firstCardTop: try int("firstCardTop"),
            verdictWordWidth: try int("verdictWordWidth"), wrappedMatrixHeaders: try int("wrappedMatrixHeaders"))
    }

    @Test func aRunWithDozensOfFailuresFitsAt1280AndShowsItsProblemsOnTheFirstScreen() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, _) = await conformance(["--suite", Project.cases, "--reports", tmp.path, "--fault", "get-leak-restricted"])
        #expect(status == 1)
        let html = try tmp.read("report.html")
        let m = try Self.measure(html)
        #expect(m.innerWidth == 1280, "the window is 1280 px wide")
        #expect(m.scrollWidth <= m.clientWidth, "no horizontal scroll: the page is \(m.scrollWidth) px wide in \(m.clientWidth) px")
        #expect(m.h1.hasPrefix("FAILED TelecomX conformance: "), "the verdict as a word: \(m.h1)")
        #expect(m.verdictWordWidth > 20, "the verdict word is laid out (\(m.verdictWordWidth) px)")
        #expect(m.problemsTop > 0 && m.problemsTop < 900, "the problems start on the first screen (at \(m.problemsTop) px)")
        #expect(m.problemsTop < m.failingTableTop && m.failingTableTop < m.firstCardTop)
        #expect(html.contains("<table class=\"matrix rows\">"), "the page has the rows × outcome matrices the next line measures")
        #expect(m.wrappedMatrixHeaders == 0, "\(m.wrappedMatrixHeaders) matrix headers wrap (one letter a line in a narrow column)")
    }

    @Test func longUnbrokenValuesWrapInsteadOfWideningThePage() throws {
        let token = String(repeating: "x", count: 600)
        let long = Finding(
            check: .schema, pointer: JSONPointer(tokens: [token]), keyword: "/properties/" + token, expected: token, actual: "\"\(token)\"",
            message: "/\(token) is wrong")
        var results = Array(ReportFormatTests.mixedRun().results)
        results.append(ReportFormatTests.result("case-" + token, .failed, findings: [long], excerpt: "{\"a\": \"\(token)\"}"))
        let m = try Self.measure(HTMLReporter.render(ReportFormatTests.run(results, coverage: ReportFormatTests.mixedRun().coverage)))
        #expect(m.scrollWidth <= m.clientWidth, "no horizontal scroll: the page is \(m.scrollWidth) px wide in \(m.clientWidth) px")
        #expect(m.h1 == "FAILED TelecomX conformance: 3 of 16 cases failed, 1 errored")
    }
}
