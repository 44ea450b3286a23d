/// One self-contained HTML5 page: inline CSS, no script, no external asset,
/// readable offline and without JavaScript. In order: the verdict (in words:
/// no emoji, which shows as a missing-glyph box without an emoji font), the
/// problems (findings grouped by cause, each with its cases), the totals, a
/// compact table of the failing cases, then each in full (every finding, the
/// request, the masked response excerpt, the curl line), each endpoint's documented rows × outcome and
/// access matrices (level × ownership relation × outcome), latency per
/// endpoint, then the flaky, skipped and warned cases.
///
/// Every text that comes from the target or the suite goes through `escape`
/// (`& < > " '`); the page is also well-formed XML, so a test can check its
/// structure with an XML parser.
public enum HTMLReporter {
    public static func render(_ run: RunResult) -> String {
        let sink = ReportSink()
        write(run, to: sink)
        return sink.text
    }

    /// `render`, streamed: each section and each case is written as it is reached.
    public static func write(_ run: RunResult, to sink: ReportSink) {
        let c = ReportFormats.Counts(run)
        let (_, headline) = ReportFormats.headline(run)
        let problems = Problems.group(run.results)
        let verdict = ReportFormats.runVerdict(run)
        let byID = ReportFormats.resultsByID(run)
        sink.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
        sink.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
        sink.write("<title>TelecomX conformance: \(e(headline)) — \(e(run.targetName))</title>\n")
        sink.write("<style>\n\(css)</style>\n</head>\n<body>\n")

        // The verdict first.
        // Passed with cases skipped: not green, and says so.
        let partial = verdict == "passed" && c.skipped > 0
        sink.write("<header class=\"verdict \(partial ? "unjudged" : verdict)\">\n")
        sink.write("<h1><span class=\"verdict-word\">\(partial ? "PARTIAL" : verdict.uppercased())</span> TelecomX conformance: \(e(headline))</h1>\n")
        sink.write("<p>Target <strong>\(e(run.targetName))</strong> at <code>\(e(ReportFormats.withoutUserInfo(run.baseURL)))</code>")
        sink.write(" · started \(e(ReportFormats.iso8601(run.startedAt))) · finished \(e(ReportFormats.iso8601(run.finishedAt)))")
        sink.write(" · \(e(ReportFormats.duration(run.durationSeconds)))</p>\n")
        let blocking = run.blockingCount
        sink.write(
            run.isCertifiable
                ? "<p>Certifiable: <strong>yes</strong>, every required case passed.</p>\n"
                : "<p>Certifiable: <strong>no</strong>, \(blocking) required case\(blocking == 1 ? "" : "s") did not pass cleanly (failed, errored, skipped or flaky).</p>\n")
        sink.write("</header>\n")
        writeProblemsSection(problems, caseID: Problems.caseIDBySeq(run.results), to: sink)

        // Totals.
        sink.write("<section id=\"totals\">\n<h2>Totals</h2>\n<table class=\"totals\">\n<tr>")
        for name in ["cases", "passed", "ambiguous", "failed", "errors", "skipped", "flaky", "warnings", "duration"] { sink.write("<th>\(name)</th>") }
        sink.write("</tr>\n<tr>")
        for v in [c.total, c.passed, c.ambiguous, c.failed, c.errors, c.skipped, c.flaky, c.warnings] { sink.write("<td class=\"num\">\(v)</td>") }
        sink.write("<td class=\"num\">\(e(ReportFormats.duration(run.durationSeconds)))</td></tr>\n</table>\n")
        sink.write("<p><small>passed, ambiguous, failed, errors and skipped add up to the cases; \(e(ReportFormats.ambiguousNote)).</small></p>\n")
        sink.write("<p>\(problems.isEmpty ? "" : "<a href=\"#problems\">Problems</a> · ")<a href=\"#failures\">Failures and errors</a> · <a href=\"#endpoints\">Endpoints</a> · <a href=\"#latency\">Latency</a></p>\n")
        sink.write("</section>\n")

        // Failures and errors, in full.
        // Read back as they are written (twice: the table, then the cards), not held.
        let bad = run.results.matching(\.isBad)
        let badCount = run.results.glances.filter(\.isBad).count  // counted from the index, not read back
        sink.write("<section id=\"failures\">\n<h2>Failures and errors (\(badCount))</h2>\n")
        if badCount == 0 { sink.write("<p>None.</p>\n") } else { writeFailingTable(bad, problems: problems, to: sink) }
        for r in bad { sink.write(caseDetails(r)) }
        sink.write("</section>\n")

        // Where the target took a documented alternative reading.
        let ambiguous = run.results.matching { $0.kind == .ambiguous }
        if !ambiguous.isEmpty {
            sink.write("<section id=\"ambiguous\">\n<h2>Ambiguous (\(ambiguous.count)): a documented alternative reading</h2>\n")
            sink.write("<p>These cases conform and block nothing: where the docs are silent, the target took an alternative ")
            sink.write("the suite lists (Cases/readings.json). A profile can pin a reading to be held to it.</p>\n")
            sink.write("<table><tr><th>case</th><th>reading</th><th>the docs</th><th>we read</th><th>the target took</th></tr>\n")
            for r in ambiguous {
                for f in r.ambiguities {
                    let reading = run.readings.first { $0.id == f.reading }
                    let doc = reading.map { "\($0.page):\($0.line) “\($0.quote)”" } ?? ""
                    sink.write("<tr><td>\(e(r.caseID))</td><td><code>\(e(f.reading ?? ""))</code></td><td>\(e(doc))</td>")
                    sink.write("<td>\(e(f.expected))</td><td>\(e(f.actual))</td></tr>\n")
                }
            }
            sink.write("</table>\n</section>\n")
        }

        // Per endpoint: documented rows × outcome, then access matrices.
        sink.write("<section id=\"endpoints\">\n<h2>Endpoints</h2>\n")
        var endpointIDs = run.endpoints.map(\.id)
        for ep in run.coverage where !endpointIDs.contains(ep.endpointID) { endpointIDs.append(ep.endpointID) }
        for g in run.results.glances where !endpointIDs.contains(g.endpointID) { endpointIDs.append(g.endpointID) }
        for (index, id) in endpointIDs.enumerated() {
            let info = run.endpoints.first { $0.id == id }
            let coverage = run.coverage.first { $0.endpointID == id }
            let results = run.results.matching { $0.endpointID == id }
            sink.write("<section class=\"endpoint\" id=\"endpoint-\(index)\">\n")
            sink.write("<h3>\(e(id))")
            if let info { sink.write(" <code>\(e(info.method)) \(e(info.path))</code>") } else if let coverage {
                sink.write(" <code>\(e(coverage.method)) \(e(coverage.path))</code>")
            }
            sink.write("</h3>\n")
            if let info, !info.title.isEmpty { sink.write("<p>\(e(info.title))</p>\n") }
            let ec = run.results.glances.filter { $0.endpointID == id }.reduce(into: [0, 0, 0, 0]) { acc, r in
                switch r.kind {
                case .passed, .ambiguous: acc[0] += 1
                case .failed: acc[1] += 1
                case .error: acc[2] += 1
                case .skipped: acc[3] += 1
                }
            }
            sink.write("<p>\(results.count) case\(results.count == 1 ? "" : "s"): \(ec[0]) passed, \(ec[1]) failed, \(ec[2]) errors, \(ec[3]) skipped</p>\n")
            if let coverage { writeRowsMatrix(coverage, byID: byID, to: sink) }
            sink.write(accessMatrices(results, roleOrder: run.roles))
            sink.write("</section>\n")
        }
        sink.write("</section>\n")

        // Latency per endpoint.
        sink.write("<section id=\"latency\">\n<h2>Latency per endpoint</h2>\n")
        sink.write("<p>Duration of each case that ran (every request it made); median, 95th percentile (nearest rank) and maximum.</p>\n")
        sink.write("<table>\n<tr><th>endpoint</th><th>cases that ran</th><th>median</th><th>p95</th><th>max</th></tr>\n")
        for id in endpointIDs {
            // Durations from the glances: nothing is read back.
            let ran = Array(run.results.glances.filter { $0.endpointID == id && $0.kind != .skipped }.map(\.durationSeconds))
            sink.write("<tr><td>\(e(id))</td><td class=\"num\">\(ran.count)</td>")
            if let l = ReportFormats.latency(ran) {
                for v in [l.median, l.p95, l.max] { sink.write("<td class=\"num\">\(e(ReportFormats.duration(v)))</td>") }
            } else {
                sink.write("<td class=\"num\">—</td><td class=\"num\">—</td><td class=\"num\">—</td>")
            }
            sink.write("</tr>\n")
        }
        sink.write("</table>\n</section>\n")

        // Flaky, skipped, warnings.
        let flaky = run.results.matching(\.isFlaky)
        if !flaky.isEmpty {
            sink.write("<section id=\"flaky\">\n<h2>Flaky (\(flaky.count)): passed only after a transport retry</h2>\n<ul>\n")
            for r in flaky {
                sink.write("<li><strong>\(e(r.caseID))</strong> (\(e(r.endpointID))): \(r.attempts.map(e).joined(separator: "; "))</li>\n")
            }
            sink.write("</ul>\n</section>\n")
        }
        let skipped = run.results.matching { $0.kind == .skipped }
        if !skipped.isEmpty {
            sink.write("<section id=\"skipped\">\n<h2>Skipped (\(skipped.count))</h2>\n<details>\n<summary>\(skipped.count) case\(skipped.count == 1 ? "" : "s") not run, with the reason</summary>\n")
            sink.write("<table>\n<tr><th>case</th><th>endpoint</th><th>role</th><th>reason</th></tr>\n")
            for r in skipped {
                sink.write("<tr><td>\(e(r.caseID))</td><td>\(e(r.endpointID))</td><td>\(e(r.role.rawValue))</td><td>\(e(ReportFormats.reason(r.verdict) ?? ""))</td></tr>\n")
            }
            sink.write("</table>\n</details>\n</section>\n")
        }
        let warned = run.results.matching(\.hasWarnings)
        if !warned.isEmpty {
            sink.write("<section id=\"warnings\">\n<h2>Warnings (\(c.warnings))</h2>\n<details>\n<summary>Undocumented fields and the like, in \(warned.count) case\(warned.count == 1 ? "" : "s")</summary>\n")
            sink.write("<table class=\"warning-groups\">\n<caption>Grouped by cause (check, endpoint, pointer with array indices as *)</caption>\n")
            sink.write("<tr><th>warnings</th><th>check</th><th>pointer</th><th>endpoint</th><th>cases</th><th>e.g.</th></tr>\n")
            for g in WarningGroup.group(run.results) {
                sink.write("<tr><td class=\"num\">\(g.findings)</td><td>\(e(g.check))</td><td><code>\(e(g.pointer ?? ""))</code></td><td>\(e(g.endpointID))</td>")
                sink.write("<td class=\"num\">\(g.cases)</td><td>\(e(g.message))</td></tr>\n")
            }
            sink.write("</table>\n")
            sink.write("<table>\n<tr><th>case</th><th>check</th><th>pointer</th><th>message</th></tr>\n")
            for r in warned {
                for f in r.warnings {
                    sink.write("<tr><td>\(e(r.caseID))</td><td>\(e(f.check.rawValue))</td><td><code>\(e(pointer(f)))</code></td><td>\(e(f.message))</td></tr>\n")
                }
            }
            sink.write("</table>\n</details>\n</section>\n")
        }
        sink.write("<footer><p>Generated by conformance. Self-contained: no script, no external resource.</p></footer>\n")
        sink.write("</body>\n</html>\n")
    }

    /// Problems first: "3 problems in 41 failing cases", one row per problem
    /// with links to its cases (every one, its id read back by seq as it is
    /// written). Nothing when every case passed.
    static func writeProblemsSection(_ problems: [Problem], caseID: (Int) -> String, to sink: ReportSink) {
        guard !problems.isEmpty else { return }
        sink.write("<section id=\"problems\">\n<h2>\(e(Problems.headline(problems)))</h2>\n")
        sink.write("<p>Findings that share a cause (check, endpoint, place, rule and expected value) are one problem; most cases first.</p>\n")
        sink.write("<table class=\"problems\">\n<tr><th>#</th><th>problem</th><th>expected</th><th>example</th><th>cases</th></tr>\n")
        for p in problems {
            var h = "<tr id=\"problem-\(p.number)\"><td class=\"num\">\(p.number)</td>"
            h += "<td><strong>\(e(p.check))</strong>"
            if let pointer = p.pointer { h += " <code>\(e(pointer.isEmpty ? "(root)" : pointer))</code>" }
            if let keyword = p.keyword, !keyword.isEmpty { h += " <small>rule <code>\(e(keyword))</code></small>" }
            h += "<br /><small>\(e(p.endpointID))</small></td>"
            h += "<td>\(p.check == "error" ? "" : long(p.expected))</td><td>\(long(p.message))</td>"
            h += "<td><strong>\(p.caseCount)</strong>: "
            sink.write(h)
            for (k, seq) in p.caseSeqs.enumerated() { sink.write("\(k == 0 ? "" : ", ")<a href=\"#case-\(seq)\">\(e(caseID(seq)))</a>") }
            sink.write("</td></tr>\n")
        }
        sink.write("</table>\n</section>\n")
    }

    /// One row per failing or erroring case, before their cards, each written as it is read.
    static func writeFailingTable(_ bad: some Sequence<CaseResult>, problems: [Problem], to sink: ReportSink) {
        var numbers = Problems.NumbersBySeq(problems)
        sink.write("<table class=\"failing\">\n<tr><th>case</th><th>endpoint</th><th>role</th><th>outcome</th><th>problems</th><th>first finding</th></tr>\n")
        for r in bad {
            let first: String
            if case .error(let why) = r.verdict { first = why } else { first = r.failures.first?.message ?? "" }
            let links = numbers.next(r.seq).map { "<a href=\"#problem-\($0)\">#\($0)</a>" }.joined(separator: " ")
            var h = "<tr><td><a href=\"#case-\(r.seq)\">\(e(r.caseID))</a></td><td>\(e(r.endpointID))</td><td>\(e(r.role.rawValue))</td>"
            h += "<td>\(badge(r.verdict))</td><td>\(links)</td><td>\(long(first))</td></tr>\n"
            sink.write(h)
        }
        sink.write("</table>\n")
    }

    /// One failing or erroring case, with everything needed to reproduce it.
    static func caseDetails(_ r: CaseResult) -> String {
        var h = "<article class=\"case\" id=\"case-\(r.seq)\">\n"
        h += "<h3>\(badge(r.verdict)) \(e(r.caseID))</h3>\n"
        h += "<p>\(e(r.title))</p>\n<dl>\n"
        var facts: [(String, String)] = [
            ("endpoint", r.endpointID), ("covers", r.covers), ("role", r.role.rawValue), ("file", r.file),
        ]
        if let status = r.status { facts.append(("status", String(status))) }
        facts.append(("duration", ReportFormats.duration(r.durationSeconds)))
        facts.append(("requests", String(r.requests)))
        if !r.required { facts.append(("required", "no (optional case)")) }
        if case .error(let why) = r.verdict { facts.append(("error", why)) }
        for (k, v) in facts { h += "<dt>\(e(k))</dt><dd>\(e(v))</dd>\n" }
        h += "</dl>\n"
        if let req = r.request { h += "<p class=\"request\"><code>\(e(req.line))</code></p>\n" }
        if !r.findings.isEmpty {
            h += "<table class=\"findings\">\n<tr><th>check</th><th>severity</th><th>pointer</th><th>keyword</th><th>expected</th><th>actual</th><th>message</th></tr>\n"
            for f in r.findings {
                h += "<tr class=\"\(f.severity.rawValue)\"><td>\(e(f.check.rawValue))</td><td>\(e(f.severity.rawValue))</td>"
                h += "<td><code>\(e(pointer(f)))</code></td><td><code>\(e(f.keyword ?? ""))</code></td>"
                h += "<td>\(long(f.expected))</td><td>\(long(f.actual))</td><td>\(e(f.message))</td></tr>\n"
            }
            h += "</table>\n"
        }
        if !r.attempts.isEmpty {
            h += "<p>Earlier attempts:</p>\n<ol>\n" + r.attempts.map { "<li>\(e($0))</li>\n" }.joined() + "</ol>\n"
        }
        if let curl = r.request?.curl {
            h += "<details><summary>curl (credentials as environment variable references)</summary>\n<pre>\(e(curl))</pre>\n</details>\n"
        }
        if let excerpt = r.responseExcerpt {
            h += "<details><summary>response excerpt (\(excerpt.utf8.count) bytes, sensitive fields masked)</summary>\n<pre>\(e(excerpt))</pre>\n</details>\n"
        }
        h += "</article>\n"
        return h
    }

    /// Documented rows × outcome: for each row, the cases covering it, by
    /// outcome. A row's cases are looked up once (a byte a case kept, its
    /// outcome: no list of their glances or links), and each cell is written
    /// link by link as it is reached; a failing or erroring case, whose link
    /// needs its number, is looked up again.
    static func writeRowsMatrix(_ ep: EndpointCoverage, byID: (String) -> CaseGlance?, to sink: ReportSink) {
        let columns = ["passed", "ambiguous", "failed", "error", "skipped", "not run"]
        sink.write("<table class=\"matrix rows\">\n<caption>Documented rows × outcome (\(ep.rows.count) rows: \(ep.covered) covered, \(ep.explained) explained, \(ep.uncovered.count) uncovered)</caption>\n")
        sink.write("<tr><th>row</th><th>status</th><th>message</th>" + columns.map { "<th>\($0)</th>" }.joined() + "</tr>\n")
        for row in ep.rows {
            let state = ReportFormats.rowState(row)
            sink.write("<tr class=\"\(state)\"><td>\(e(row.rowID))</td><td class=\"num\">\(row.status)</td><td>\(e(row.message))</td>")
            if row.caseIDs.isEmpty {
                let why = row.notProvokable.map { "not provokable: " + $0 } ?? "UNCOVERED: no case, no reason"
                sink.write("<td colspan=\"\(columns.count)\" class=\"\(state)\">\(e(why))</td>")
            } else {
                // The column of each case: its kind's raw value (the columns' order), or that of "not run".
                let notRun = UInt8(columns.count - 1)
                var column = [UInt8]()
                column.reserveCapacity(row.caseIDs.count)
                for id in row.caseIDs { column.append(byID(id)?.kind.rawValue ?? notRun) }
                for col in columns.indices {
                    sink.write("<td>")
                    var first = true
                    for (id, c) in zip(row.caseIDs, column) where Int(c) == col {
                        let kind = CaseGlance.Kind(rawValue: c)
                        let link: String
                        switch kind {
                        case .failed?, .error?: link = caseLink(id, byID(id))
                        default: link = caseLink(id, kind: kind, seq: nil)
                        }
                        sink.write((first ? "" : " ") + link)
                        first = false
                    }
                    sink.write("</td>")
                }
            }
            sink.write("</tr>\n")
        }
        sink.write("</table>\n")
    }

    /// Access level × ownership relation × outcome, one table per matrix of
    /// the endpoint (cases whose ids end in `-<role>-own|-same-reseller|-other-reseller`).
    /// Rows follow `roleOrder` (the suite's declared roles); others come last, by name.
    static func accessMatrices(_ results: some Sequence<CaseResult>, roleOrder: [Role] = []) -> String {
        var order: [String] = []
        var cells: [String: [CaseResult]] = [:]
        for r in results {
            guard let cell = ReportFormats.accessCell(r) else { continue }
            if cells[cell.matrix] == nil { order.append(cell.matrix) }
            cells[cell.matrix, default: []].append(r)
        }
        var h = ""
        for matrix in order {
            let cases = cells[matrix] ?? []
            let relations = ReportFormats.relations.filter { rel in cases.contains { ReportFormats.accessCell($0)?.relation == rel } }
            var roles: [Role] = []
            for r in cases where !roles.contains(r.role) { roles.append(r.role) }
            roles.sort { a, b in
                let ia = roleOrder.firstIndex(of: a) ?? Int.max, ib = roleOrder.firstIndex(of: b) ?? Int.max
                return ia != ib ? ia < ib : a.rawValue < b.rawValue
            }
            h += "<table class=\"matrix access\">\n<caption>Access matrix \(e(matrix)): access level × ownership relation × outcome</caption>\n"
            h += "<tr><th>role</th>" + relations.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
            for role in roles {
                h += "<tr><th>\(e(role.rawValue))</th>"
                for rel in relations {
                    let here = cases.filter { $0.role == role && ReportFormats.accessCell($0)?.relation == rel }
                    if here.isEmpty {
                        h += "<td>—</td>"
                        continue
                    }
                    h += "<td>"
                    h += here.map { r in
                        let expects =
                            r.covers == "success" ? "allowed" : r.covers == "unauthenticated" ? "unauthenticated" : "denied (\(r.covers))"
                        return "\(caseLink(r.caseID, CaseGlance(r), text: ReportFormats.outcome(r.verdict))) <small>expects \(e(expects))</small>"
                    }.joined(separator: "<br />")
                    h += "</td>"
                }
                h += "</tr>\n"
            }
            h += "</table>\n"
        }
        return h
    }

    /// A case id as a badge; failing and erroring cases link to their details.
    static func caseLink(_ id: String, _ r: CaseGlance?, text: String? = nil) -> String {
        caseLink(id, kind: r?.kind, seq: r?.seq, text: text)
    }

    /// `caseLink` from the case's outcome (nil: not run) and number (needed for a failing or erroring case).
    static func caseLink(_ id: String, kind: CaseGlance.Kind?, seq: Int?, text: String? = nil) -> String {
        let cls = kind.map { cssClass($0) } ?? "notrun"
        let label = e(text ?? id)
        let tip = "title=\"\(e(id))\(kind.map { ": " + e(CaseGlance.label($0)) } ?? ": not run")\""
        switch kind {
        case .failed?, .error?:
            return "<a class=\"badge \(cls)\" href=\"#case-\(seq ?? 0)\" \(tip)>\(label)</a>"
        default:
            return "<span class=\"badge \(cls)\" \(tip)>\(label)</span>"
        }
    }

    static func badge(_ v: Verdict) -> String { "<span class=\"badge \(cssClass(v))\">\(e(v.label))</span>" }

    static func cssClass(_ k: CaseGlance.Kind) -> String {
        switch k {
        case .passed: return "pass"
        case .ambiguous: return "ambig"
        case .failed: return "fail"
        case .error: return "err"
        case .skipped: return "skip"
        }
    }

    static func cssClass(_ v: Verdict) -> String {
        switch v {
        case .passed: return "pass"
        case .ambiguous: return "ambig"
        case .failed: return "fail"
        case .error: return "err"
        case .skipped: return "skip"
        }
    }

    static func pointer(_ f: Finding) -> String { f.pointer.map { $0.tokens.isEmpty ? "(root)" : $0.description } ?? "" }

    /// Long values fold into a `<details>`.
    static func long(_ s: String) -> String {
        guard s.count > 160 || s.contains("\n") else { return e(s) }
        let head = s.split(whereSeparator: \.isNewline).first.map { String($0.prefix(80)) } ?? ""
        return "<details><summary>\(e(head))…</summary><pre>\(e(s))</pre></details>"
    }

    /// HTML-escapes text for element content and quoted attribute values:
    /// `& < > " '`; characters HTML and XML do not allow (NUL, other C0
    /// controls but tab, LF and CR, DEL and C1 controls, U+FFFE/U+FFFF) are dropped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    private static func e(_ s: String) -> String { escape(s) }

    static let css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 80rem; padding: 1rem 1.5rem; color: #1b1f24; }
        h1 { font-size: 1.5rem; margin: 0 0 .4rem; }
        h2 { font-size: 1.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
        h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
        header.verdict { padding: .8rem 1rem; border-radius: 6px; border: 1px solid; }
        header.passed { background: #dafbe1; border-color: #4ac26b; }
        header.failed { background: #ffebe9; border-color: #ff8182; }
        header.unjudged { background: #fff8c5; border-color: #d4a72c; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding: .2rem 0; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
        pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        .badge { display: inline-block; padding: 0 .4rem; border-radius: 1rem; font-size: 12px; border: 1px solid; text-decoration: none; color: inherit; margin: 1px 0; }
        .pass { background: #dafbe1; border-color: #4ac26b; }
        .ambig { background: #fff8c5; border-color: #d4a72c; }
        .fail { background: #ffebe9; border-color: #ff8182; }
        .err { background: #fff8c5; border-color: #d4a72c; }
        .skip, .notrun { background: #f6f8fa; border-color: #afb8c1; }
        tr.uncovered td { background: #ffebe9; }
        tr.explained td { color: #57606a; }
        tr.warning td { color: #57606a; }
        article.case { border: 1px solid #d0d7de; border-radius: 6px; padding: 0 1rem .5rem; margin: 1rem 0; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; }
        dt { color: #57606a; }
        dd { margin: 0; }
        small { color: #57606a; }
        summary { cursor: pointer; }
        *, *::before, *::after { box-sizing: border-box; }
        body { overflow-wrap: anywhere; }
        table { max-width: 100%; }
        table.problems, table.failing { width: 100%; table-layout: fixed; }
        table.problems th:nth-child(1) { width: 2.5rem; }
        table.problems th:nth-child(2) { width: 22%; }
        table.problems th:nth-child(3) { width: 16%; }
        table.problems th:nth-child(4) { width: 24%; }
        table.failing th:nth-child(1) { width: 22%; }
        table.failing th:nth-child(2) { width: 15%; }
        table.failing th:nth-child(3) { width: 9%; }
        table.failing th:nth-child(4) { width: 6.5rem; }
        table.failing th:nth-child(5) { width: 11%; }
        dl { grid-template-columns: max-content minmax(0, 1fr); }
        table.matrix th { white-space: nowrap; overflow-wrap: normal; }
        .verdict-word { display: inline-block; padding: .05rem .5rem; border-radius: 4px; font-size: .9rem; letter-spacing: .04em; vertical-align: middle; color: #fff; background: #57606a; }
        header.passed .verdict-word { background: #1a7f37; }
        header.failed .verdict-word { background: #cf222e; }
        header.unjudged .verdict-word { background: #9a6700; }

        """
}

extension ReportFormat {
    /// `report.html`: one self-contained page.
    package static let html = ReportFormat(name: "HTML report", file: "report.html", certified: true) { run, _, sink in
        HTMLReporter.write(run, to: sink)
    }
}
