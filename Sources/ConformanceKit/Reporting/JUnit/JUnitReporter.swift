import Foundation

/// Writes a JUnit XML report that validates against both the strict Ant
/// schema (windyroad) and the Jenkins xUnit junit-10 schema: one `testsuite`
/// per endpoint, one `testcase` per case.
public enum JUnitReporter {
    /// `fileAttributes`: each testcase names its case file (`file="…"`), as GitLab
    /// and GitHub's JUnit actions read it; neither the strict Ant schema nor
    /// Jenkins xUnit's allows the attribute, so it is asked for (`--junit-file`).
    public static func render(_ run: RunResult, hostname: String = "localhost", fileAttributes: Bool = false) -> String {
        let sink = ReportSink()
        write(run, to: sink, hostname: hostname, fileAttributes: fileAttributes)
        return sink.text
    }

    /// `render`, streamed: each testcase is written as it is reached.
    public static func write(_ run: RunResult, to sink: ReportSink, hostname: String = "localhost", fileAttributes: Bool = false) {
        sink.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n")
        let timestamp = utcTimestamp(run.startedAt)
        let host = hostname.isEmpty ? "localhost" : hostname
        for (index, ep) in run.endpoints.enumerated() {
            // Counted from the glances (in plan order, as the time adds up); each
            // case is read back when its testcase is written, and again only
            // for system-out when it has warnings or ambiguities.
            var (tests, failures, errors, skipped, ambiguous, time) = (0, 0, 0, 0, 0, 0.0)
            for g in run.results.glances where g.endpointID == ep.id {
                tests += 1
                switch g.kind {
                case .failed: failures += 1
                case .error: errors += 1
                case .skipped: skipped += 1
                case .ambiguous: ambiguous += 1
                case .passed: break
                }
                time += g.durationSeconds
            }
            let cases = run.results.matching { $0.endpointID == ep.id }
            sink.write("  <testsuite name=\"\(attr(ep.id))\" package=\"telecomx\" id=\"\(index)\"")
            sink.write(" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\"")
            sink.write(" time=\"\(seconds(time))\" timestamp=\"\(timestamp)\" hostname=\"\(attr(host))\">\n")
            sink.write("    <properties>\n")
            for (k, v) in [
                ("endpoint", "\(ep.method) \(ep.path)"), ("title", ep.title), ("target", run.targetName),
                ("baseURL", run.baseURL), ("ambiguous", "\(ambiguous)"),
                ("ambiguousCountedAs", ReportFormats.ambiguousCountedAs),
            ] {
                sink.write("      <property name=\"\(attr(k))\" value=\"\(attr(v))\"/>\n")
            }
            sink.write("    </properties>\n")
            for r in cases {
                sink.write("    <testcase name=\"\(attr("\(r.caseID): \(r.title)"))\" classname=\"\(attr(ep.id))\" time=\"\(seconds(r.durationSeconds))\"")
                if fileAttributes, !r.file.isEmpty { sink.write(" file=\"\(attr(r.file))\"") }
                switch r.verdict {
                case .passed where r.isFlaky, .ambiguous where r.isFlaky:
                    // Surefire/Jenkins rerun elements: one per earlier failed attempt.
                    sink.write(">\n")
                    for a in r.attempts {
                        sink.write("      <flakyError type=\"transport\" message=\"\(attr(oneLine(a)))\"/>\n")
                    }
                    sink.write("    </testcase>\n")
                case .passed, .ambiguous:
                    sink.write("/>\n")
                case .failed:
                    let failing = r.failures
                    let type = Array(NSOrderedSet(array: failing.map(\.check.rawValue))).compactMap { $0 as? String }
                        .joined(separator: ",")
                    var message = failing.first?.message ?? "failed"
                    if failing.count > 1 { message += " (and \(failing.count - 1) more)" }
                    sink.write(">\n      <failure type=\"\(attr(type))\" message=\"\(attr(oneLine(message)))\">")
                    sink.write(text(details(r)))
                    sink.write("</failure>\n    </testcase>\n")
                case .error(let why):
                    sink.write(">\n      <error type=\"error\" message=\"\(attr(oneLine(why)))\">")
                    sink.write(text(details(r)))
                    sink.write("</error>\n    </testcase>\n")
                case .skipped(let why):
                    sink.write(">\n      <skipped message=\"\(attr(oneLine(why)))\"/>\n    </testcase>\n")
                }
            }
            // Escaped piece by piece (XML.escape works character by character).
            sink.write("    <system-out>")
            if let cov = run.coverage.first(where: { $0.endpointID == ep.id }) {
                sink.write(text("documented-row coverage:\n" + Coverage.render([cov]).dropLast().joined(separator: "\n") + "\n"))
            }
            for r in run.results.matching({ $0.endpointID == ep.id && ($0.hasAmbiguities || $0.hasWarnings) }) {
                if !r.ambiguities.isEmpty {
                    sink.write(
                        text(
                            "\(r.caseID): ambiguous (conforms; the target took a documented alternative reading):\n"
                                + r.ambiguities.map { "  reading \($0.reading ?? "") \($0.message)\n" }.joined()))
                }
                if !r.warnings.isEmpty {
                    sink.write(text("\(r.caseID):\n" + r.warnings.map { "  warning [\($0.check.rawValue)] \($0.message)\n" }.joined()))
                }
            }
            sink.write("</system-out>\n")
            sink.write("    <system-err></system-err>\n")
            sink.write("  </testsuite>\n")
        }
        sink.write("</testsuites>\n")
    }

    /// The text body of a failure or error: the request, the status, every finding.
    static func details(_ r: CaseResult) -> String {
        var s = ""
        if let req = r.request { s += "request: \(req.line)\n" }
        if let curl = r.request?.curl { s += "reproduce: \(curl)\n" }
        if let st = r.status { s += "status: \(st)\n" }
        if case .error(let why) = r.verdict { s += "error: \(why)\n" }
        for f in r.findings {
            s += "- [\(f.check.rawValue)\(f.severity == .warning ? ", warning" : "")]"
            if let p = f.pointer { s += " at \(p.tokens.isEmpty ? "(root)" : p.description)" }
            if let k = f.keyword { s += " (schema \(k))" }
            s += "\n    expected: \(f.expected)\n    actual:   \(f.actual)\n    \(f.message)\n"
        }
        s += "file: \(r.file)\n"
        return s
    }

    static func attr(_ s: String) -> String { XML.escape(s, attribute: true) }
    static func text(_ s: String) -> String { XML.escape(s) }
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Seconds with a '.' decimal point and three decimals, whatever the locale.
    static func seconds(_ t: Double) -> String {
        let ms = Int((max(0, t) * 1000).rounded())
        return "\(ms / 1000).\(String(ms % 1000).leftPadded(3))"
    }

    /// `2026-11-23T09:15:02`, UTC (the strict schema allows no zone designator).
    static func utcTimestamp(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        func p(_ v: Int?, _ n: Int) -> String { String(v ?? 0).leftPadded(n) }
        return "\(p(c.year, 4))-\(p(c.month, 2))-\(p(c.day, 2))T\(p(c.hour, 2)):\(p(c.minute, 2)):\(p(c.second, 2))"
    }
}

/// Writes a file atomically: a temporary file beside it, then a rename.
public func writeAtomically(_ contents: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(contents.utf8).write(to: url, options: .atomic)
}

extension ReportFormat {
    /// `junit.xml`: one testsuite per endpoint, one testcase per case.
    public static let junit = ReportFormat(name: "JUnit XML", file: "junit.xml", certified: true) { run, context, sink in
        JUnitReporter.write(run, to: sink, hostname: context.hostname, fileAttributes: context.junitFileAttributes)
    }
}
