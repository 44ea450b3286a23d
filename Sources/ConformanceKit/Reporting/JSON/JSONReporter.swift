import Foundation
import JSONKit

/// # Results file (`results.json`), format `telecomx-conformance-results`, version 1
///
/// One JSON object, UTF-8, pretty-printed, keys always in the order below and
/// always present (`null` when there is no value). Everything is already
/// redacted: no credential, password or token appears, sensitive response
/// fields are masked, and the target's base URL carries no user information.
///
/// ```text
/// format           "telecomx-conformance-results"
/// formatVersion    "1"    (a string; a reader rejects versions it does not know)
/// tool             {name: "conformance", version}
/// suite            {version, endpoints: [{id, title, method, path}]}
/// target           {name, baseURL, profile}          profile = the target profile file
/// startedAt        ISO 8601 UTC with milliseconds, e.g. "2026-11-23T09:15:02.125Z"
/// finishedAt       idem
/// durationSeconds  number, millisecond precision
/// counts           {total, passed, failed, errors, skipped, flaky, warnings}
///                  flaky: passed only after a transport retry (also counted in passed);
///                  warnings: warning findings over all cases
/// verdict          "passed"   every case that ran passed (exit status 0)
///                  "failed"   the target failed at least one case (exit status 1)
///                  "unjudged" no failure, but errors, or nothing ran (exit status 3)
/// certifiable      true when every required case passed, without retry and without skip
/// cases            one object a case, in plan order (seq):
///   seq, id, title, file, endpoint, covers (documented row id), role,
///   required       bool: whether the case blocks certification
///   outcome        "passed" | "failed" | "error" | "skipped"
///   reason         why, for error and skipped; otherwise null
///   flaky          bool
///   findings       [{check, severity ("failure"|"warning"), pointer, keyword,
///                    expected, actual, message}]   pointer/keyword may be null
///   request        {method, url, curl} or null (nothing was sent)
///   status         HTTP status of the last answer, or null
///   responseExcerpt  masked excerpt of the last answer's body (its first 4000 bytes, 1000 if the case passed), or null
///   durationSeconds
///   attempts       [string]: earlier attempts that failed in transport, oldest first
///   requests       HTTP exchanges the case made
/// coverage         one object an endpoint: {endpoint, method, path, file,
///                  rows: [{row, status, message, description,
///                          state ("covered"|"explained"|"uncovered"),
///                          notProvokable (reason or null),
///                          cases: [{id, outcome ("passed"|"failed"|"error"|"skipped"|"not-run")}]}],
///                  covered, explained, uncovered,
///                  bounds: [{id, field, kind, bound, page, line, quote, cases: [{id, outcome}]}]}
/// problems         failing findings grouped by cause (same check, endpoint, normalized
///                  pointer, rule and expected value), most cases first:
///                  [{number, check ("status", "schema", … or "error"), endpoint,
///                    pointer (array indices as *, or null), keyword (or null),
///                    expected, message (the first finding's), cases: [id]}]
/// values           one object a documented enum of an endpoint's answer:
///                  [{endpoint, pointer (array indices as *), values: [{value, seen,
///                    seenIn: [id], aimedBy: [id]}], others (undocumented values answered)}]
/// ```
///
/// Version 1 only ever gains keys; a key changing meaning or disappearing
/// means a new `formatVersion`.
public enum JSONReporter {
    public static let format = "telecomx-conformance-results"
    public static let formatVersion = "2"
    /// Versions `decode` reads: 2 added the `ambiguous` outcome, its count and the readings register.
    static let readableVersions: Set<String> = ["1", "2"]

    public static func render(_ run: RunResult, meta: RunMetadata) -> String {
        let sink = ReportSink()
        write(run, meta: meta, to: sink)
        return sink.text
    }

    /// `render`, streamed, without a JSON tree of the whole run: the document
    /// is written with placeholders for its four arrays that grow with the
    /// cases (`cases`, `coverage`, `problems`, `values`), and each element (a case, an
    /// endpoint's coverage, a problem, a documented enum) is built and written in its
    /// place as it is reached, indented as the pretty-printed whole would
    /// indent it (the bytes are the same as `JSONWriter(pretty: true)` writing
    /// `document`, then a newline).
    public static func write(_ run: RunResult, meta: RunMetadata, to sink: ReportSink) {
        let token = UInt64.random(in: 0 ... .max)
        // In the order the document holds them.
        let placeholders = ["cases", "coverage", "problems", "values"].map { "\u{1}\($0) \(token)\u{1}" }
        let around = JSONWriter(pretty: true).bytes(
            document(
                run, meta: meta, cases: .string(placeholders[0]), coverage: .string(placeholders[1]),
                problems: .string(placeholders[2]), values: .string(placeholders[3])))
        // Where each placeholder is, in order, before anything is written.
        var cuts: [Range<Int>] = []
        var from = 0
        for p in placeholders {
            var marker: [UInt8] = []
            JSONWriter.writeString(p, into: &marker)
            guard let at = around[from...].firstRange(of: marker) else { break }
            cuts.append(at)
            from = at.upperBound
        }
        guard cuts.count == placeholders.count else {
            // Cannot happen (each placeholder is a member's value); the tree is then written whole.
            sink.write(JSONWriter(pretty: true).bytes(document(run, meta: meta)))
            sink.write("\n")
            return
        }
        let byID = ReportFormats.resultsByID(run)
        from = 0
        for (k, cut) in cuts.enumerated() {
            sink.write(Array(around[from..<cut.lowerBound]))
            switch k {
            case 0: writeArray(run.results.lazy.map { (caseObject($0), Holes()) }, level: 1, to: sink)
            case 1: writeArray(run.coverage.lazy.map { streamedCoverageObject($0, byID: byID) }, level: 1, to: sink)
            case 2:
                // Each problem's cases written id by id, read back by seq.
                let caseID = Problems.caseIDBySeq(run.results)
                writeArray(
                    Problems.group(run.results).lazy.map { p in
                        var holes = Holes()
                        let o = problemObject(p, cases: holes.add(p.caseSeqs.lazy.map { .string(caseID($0)) }))
                        return (o, holes)
                    }, level: 1, to: sink)
            default: writeArray(run.values.lazy.map(streamedValueObject), level: 1, to: sink)
            }
            from = cut.upperBound
        }
        sink.write(Array(around[from...]))
        sink.write("\n")
    }

    /// Lists of case ids inside an element (a row's cases, an enum value's
    /// `seenIn`), written id by id where the element holds a placeholder
    /// string instead of building them: placeholder → the list's elements,
    /// made one at a time as they are written.
    struct Holes {
        var token: UInt64 = 0
        var lists: [(placeholder: String, elements: AnySequence<JSON>)] = []

        /// A placeholder for `elements`, to put where the array goes.
        mutating func add(_ elements: some Sequence<JSON>) -> JSON {
            if lists.isEmpty { token = .random(in: 0 ... .max) }
            let p = "\u{1}\(lists.count) \(token)\u{1}"
            lists.append((p, AnySequence(elements)))
            return .string(p)
        }
    }

    /// An array at nesting `level` (its `[` where the writer is): each element
    /// written alone, as `JSONWriter(pretty: true)` writes the array whole.
    static func writeArray(_ elements: some Sequence<(JSON, Holes)>, level: Int, to sink: ReportSink) {
        let inner = [UInt8](("\n" + String(repeating: "  ", count: level + 1)).utf8)
        var first = true
        for (element, holes) in elements {
            sink.write(first ? "[" : ",")
            sink.write(inner)
            first = false
            writeValue(element, level: level + 1, holes: holes, to: sink)
        }
        sink.write(first ? "[]" : "\n" + String(repeating: "  ", count: level) + "]")
    }

    /// `value` at nesting `level` (its first line where the writer is, the
    /// others indented by `level`; `JSONWriter` escapes every newline inside
    /// a string, so each raw newline is the layout's), each placeholder of
    /// `holes` replaced by its list, written element by element.
    static func writeValue(_ value: JSON, level: Int, holes: Holes, to sink: ReportSink) {
        let bytes = JSONWriter(pretty: true).bytes(value)
        let pad = [UInt8](repeating: 0x20, count: 2 * level)
        var markers: [[UInt8]] = []
        for h in holes.lists {
            var m: [UInt8] = []
            JSONWriter.writeString(h.placeholder, into: &m)
            markers.append(m)
        }
        var lead: [UInt8] = []  // what every placeholder starts with: the quote and the escaped \u{1}
        if !markers.isEmpty {
            JSONWriter.writeString("\u{1}", into: &lead)
            lead.removeLast()
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                out.append(b)
                out.append(contentsOf: pad)
                lineStart = i + 1
                i += 1
                continue
            }
            if b == 0x22, !markers.isEmpty, bytes[i...].starts(with: lead),
                let k = markers.firstIndex(where: { bytes[i...].starts(with: $0) })
            {
                sink.write(out)
                out.removeAll(keepingCapacity: true)
                // The placeholder is a member's value: the list is at that member's level.
                var spaces = 0
                while lineStart + spaces < i, bytes[lineStart + spaces] == 0x20 { spaces += 1 }
                writeArray(holes.lists[k].elements.lazy.map { ($0, Holes()) }, level: level + spaces / 2, to: sink)
                i += markers[k].count
                continue
            }
            out.append(b)
            i += 1
        }
        sink.write(out)
    }

    /// The results as a JSON value (what `render` writes).
    public static func document(_ run: RunResult, meta: RunMetadata) -> JSON {
        let byID = ReportFormats.resultsByID(run)
        let caseID = Problems.caseIDBySeq(run.results)
        return document(
            run, meta: meta, cases: .array(run.results.map(caseObject)),
            coverage: .array(run.coverage.map { coverageObject($0, byID: byID) }),
            problems: .array(Problems.group(run.results).map { problemObject($0, cases: .array($0.caseSeqs.map { .string(caseID($0)) })) }),
            values: .array(run.values.map(valueObject)))
    }

    /// The document with these values of its `cases`, `coverage` and `values` members.
    static func document(_ run: RunResult, meta: RunMetadata, cases: JSON, coverage: JSON, problems: JSON, values: JSON) -> JSON {
        let counts = ReportFormats.Counts(run)
        var top = JSONObject()
        top["format"] = .string(format)
        top["formatVersion"] = .string(formatVersion)
        top["tool"] = ["name": "conformance", "version": .string(meta.toolVersion)]
        top["suite"] = [
            "version": .string(meta.suiteVersion),
            "endpoints": .array(
                run.endpoints.map { ep in
                    ["id": .string(ep.id), "title": .string(ep.title), "method": .string(ep.method), "path": .string(ep.path)]
                }),
        ]
        top["target"] = [
            "name": .string(meta.targetName),
            "baseURL": .string(ReportFormats.withoutUserInfo(meta.baseURL)),
            "profile": .string(meta.profileFile),
        ]
        top["startedAt"] = .string(ReportFormats.iso8601(run.startedAt))
        top["finishedAt"] = .string(ReportFormats.iso8601(run.finishedAt))
        top["durationSeconds"] = .number(ReportFormats.milliseconds(run.durationSeconds))
        top["counts"] = [
            "total": .number(Double(counts.total)), "passed": .number(Double(counts.passed)),
            "failed": .number(Double(counts.failed)), "errors": .number(Double(counts.errors)),
            "skipped": .number(Double(counts.skipped)), "flaky": .number(Double(counts.flaky)),
            "warnings": .number(Double(counts.warnings)), "ambiguous": .number(Double(counts.ambiguous)),
        ]
        // counts.passed excludes the ambiguous cases; the verdict and JUnit count them as passed.
        top["ambiguousCountedAs"] = .string(ReportFormats.ambiguousCountedAs)
        top["verdict"] = .string(ReportFormats.runVerdict(run))
        top["certifiable"] = .bool(run.isCertifiable)
        top["cases"] = cases
        top["preflight"] = .array(
            run.preflight.map { p in
                [
                    "fixtures": .array(p.fixtures.map(JSON.string)), "request": .string(p.request),
                    "state": .string(p.state.rawValue), "detail": .string(p.detail),
                ]
            })
        top["readings"] = .array(
            run.readings.map { r in
                [
                    "id": .string(r.id), "page": .string(r.page), "line": .number(Double(r.line)),
                    "quote": .string(r.quote), "question": .string(r.question),
                    "ours": ["id": .string(r.ours.id), "says": .string(r.ours.says)],
                    "alternatives": .array(r.alternatives.map { ["id": .string($0.id), "says": .string($0.says)] }),
                    "pinned": string(run.pinnedReadings[r.id]),
                ]
            })
        top["coverage"] = coverage
        top["problems"] = problems
        top["generated"] = [
            "seed": run.generatedSeed.map { .number(Double($0)) } ?? .null,
            "cases": .number(Double(run.generatedCases)),
        ]
        top["values"] = values
        return .object(top)
    }

    /// One endpoint's documented rows and bounds, each with its cases' outcomes.
    static func coverageObject(_ ep: EndpointCoverage, byID: (String) -> CaseGlance?) -> JSON {
        coverageObject(ep) { ids in .array(ids.map { caseOutcome($0, byID: byID) }) }
    }

    /// `coverageObject` with each list of cases (a row's, a bound's) a placeholder, written case by case.
    static func streamedCoverageObject(_ ep: EndpointCoverage, byID: @escaping (String) -> CaseGlance?) -> (JSON, Holes) {
        var holes = Holes()
        let o = coverageObject(ep) { ids in holes.add(ids.lazy.map { caseOutcome($0, byID: byID) }) }
        return (o, holes)
    }

    static func caseOutcome(_ id: String, byID: (String) -> CaseGlance?) -> JSON {
        ["id": .string(id), "outcome": .string(byID(id)?.label ?? "not-run")]
    }

    /// The coverage object, with `cases` making each list of case ids' value.
    static func coverageObject(_ ep: EndpointCoverage, cases: (_ ids: [String]) -> JSON) -> JSON {
        [
            "endpoint": .string(ep.endpointID), "method": .string(ep.method), "path": .string(ep.path),
            "file": .string(ep.file),
            "rows": .array(
                ep.rows.map { row in
                    [
                        "row": .string(row.rowID), "status": .number(Double(row.status)),
                        "message": .string(row.message), "description": .string(row.description),
                        "state": .string(ReportFormats.rowState(row)),
                        "notProvokable": string(row.notProvokable),
                        "cases": cases(row.caseIDs),
                    ]
                }),
            "covered": .number(Double(ep.covered)), "explained": .number(Double(ep.explained)),
            "uncovered": .number(Double(ep.uncovered.count)),
            "bounds": .array(
                ep.bounds.map { b in
                    [
                        "id": .string(b.id), "field": .string(b.field), "kind": .string(b.kind.rawValue),
                        "bound": .string(b.summary), "page": .string(b.page), "line": .number(Double(b.line)),
                        "quote": .string(b.quote),
                        "cases": cases(b.cases),
                    ]
                }),
        ]
    }

    /// One documented enum: its values, each with the cases aimed at it and those whose answers held it.
    static func valueObject(_ v: ValueCoverage) -> JSON {
        valueObject(v) { ids in .array(ids.map { .string($0) }) }
    }

    /// `valueObject` with each list of case ids a placeholder, written id by id.
    static func streamedValueObject(_ v: ValueCoverage) -> (JSON, Holes) {
        var holes = Holes()
        let o = valueObject(v) { ids in holes.add(ids.lazy.map { .string($0) }) }
        return (o, holes)
    }

    /// The value object, with `ids` making each list of case ids' value.
    static func valueObject(_ v: ValueCoverage, ids: (_ ids: [String]) -> JSON) -> JSON {
        var o = JSONObject()
        o["endpoint"] = .string(v.endpointID)
        o["pointer"] = .string(v.pointer)
        o["values"] = .array(
            v.values.map { x in
                var e = JSONObject()
                e["value"] = .string(x.value)
                e["seen"] = .bool(!x.seenIn.isEmpty)
                e["seenIn"] = ids(x.seenIn)
                e["aimedBy"] = ids(x.aimedBy)
                return .object(e)
            })
        o["others"] = .number(Double(v.others))
        return .object(o)
    }

    static func caseObject(_ r: CaseResult) -> JSON {
        var o = JSONObject()
        o["seq"] = .number(Double(r.seq))
        o["id"] = .string(r.caseID)
        o["title"] = .string(r.title)
        o["file"] = .string(r.file)
        o["endpoint"] = .string(r.endpointID)
        o["covers"] = .string(r.covers)
        o["role"] = .string(r.role.rawValue)
        o["required"] = .bool(r.required)
        o["outcome"] = .string(ReportFormats.outcome(r.verdict))
        o["reason"] = string(ReportFormats.reason(r.verdict))
        o["flaky"] = .bool(r.isFlaky)
        o["findings"] = .array(
            r.findings.map { f in
                [
                    "check": .string(f.check.rawValue), "severity": .string(f.severity.rawValue), "pointer": string(f.pointer?.description),
                    "keyword": string(f.keyword), "expected": .string(f.expected), "actual": .string(f.actual),
                    "message": .string(f.message), "reading": string(f.reading),
                ]
            })
        o["request"] = r.request.map { req in
            ["method": .string(req.method), "url": .string(req.url), "curl": string(req.curl)]
        } ?? .null
        o["status"] = r.status.map { .number(Double($0)) } ?? .null
        o["responseExcerpt"] = string(r.responseExcerpt)
        o["durationSeconds"] = .number(ReportFormats.milliseconds(r.durationSeconds))
        o["attempts"] = .array(r.attempts.map(JSON.string))
        o["requests"] = .number(Double(r.requests))
        return .object(o)
    }

    /// A problem, with `cases` the value of its `cases` member (its case ids).
    static func problemObject(_ p: Problem, cases: JSON) -> JSON {
        var o = JSONObject()
        o["number"] = .number(Double(p.number))
        o["check"] = .string(p.check)
        o["endpoint"] = .string(p.endpointID)
        o["pointer"] = string(p.pointer)
        o["keyword"] = string(p.keyword)
        o["expected"] = .string(p.expected)
        o["message"] = .string(p.message)
        o["cases"] = cases
        return .object(o)
    }

    private static func string(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }

    // MARK: reading

    /// A results file that cannot be read as format version 1.
    package struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { "results file: \(message)" }
    }

    /// Reads back what `render` wrote: the counts, the verdict, and each case's
    /// id, outcome and findings. Throws `DecodeError` for anything that is not
    /// a version-1 results document.
    public static func decode(_ text: String) throws -> DecodedResults {
        let doc: JSON
        do { doc = try JSONParser.parse(text) } catch { throw DecodeError("not JSON: \(error)") }
        guard doc.objectValue != nil else { throw DecodeError("the top level is not an object") }
        guard doc["format"]?.stringValue == format else {
            throw DecodeError("'format' is not \"\(format)\"")
        }
        guard let version = doc["formatVersion"]?.stringValue else { throw DecodeError("'formatVersion' is missing") }
        guard readableVersions.contains(version) else {
            throw DecodeError("formatVersion \"\(version)\" is not supported (this reader knows \"\(formatVersion)\")")
        }
        func int(_ v: JSON?, _ what: String) throws -> Int {
            guard let n = v?.intValue else { throw DecodeError("\(what) is not a whole number") }
            return n
        }
        func str(_ v: JSON?, _ what: String) throws -> String {
            guard let s = v?.stringValue else { throw DecodeError("\(what) is not a string") }
            return s
        }
        guard let c = doc["counts"], c.objectValue != nil else { throw DecodeError("'counts' is missing") }
        let counts = DecodedResults.Counts(
            total: try int(c["total"], "counts.total"), passed: try int(c["passed"], "counts.passed"),
            failed: try int(c["failed"], "counts.failed"), errors: try int(c["errors"], "counts.errors"),
            skipped: try int(c["skipped"], "counts.skipped"), flaky: try int(c["flaky"], "counts.flaky"),
            warnings: try int(c["warnings"], "counts.warnings"),
            ambiguous: c["ambiguous"] == nil ? 0 : try int(c["ambiguous"], "counts.ambiguous"))
        guard let list = doc["cases"]?.arrayValue else { throw DecodeError("'cases' is not an array") }
        var cases: [DecodedResults.Case] = []
        for (i, item) in list.enumerated() {
            let at = "cases[\(i)]"
            let outcomeText = try str(item["outcome"], "\(at).outcome")
            guard let outcome = DecodedResults.Outcome(rawValue: outcomeText) else {
                throw DecodeError("\(at).outcome \"\(outcomeText)\" is not passed, ambiguous, failed, error or skipped")
            }
            guard let findings = item["findings"]?.arrayValue else { throw DecodeError("\(at).findings is not an array") }
            var failures = 0, warnings = 0
            for (j, f) in findings.enumerated() {
                switch try str(f["severity"], "\(at).findings[\(j)].severity") {
                case "failure": failures += 1
                case "warning": warnings += 1
                case "ambiguous": break
                case let other: throw DecodeError("\(at).findings[\(j)].severity \"\(other)\" is not failure, warning or ambiguous")
                }
            }
            cases.append(
                DecodedResults.Case(
                    seq: try int(item["seq"], "\(at).seq"), id: try str(item["id"], "\(at).id"),
                    endpoint: try str(item["endpoint"], "\(at).endpoint"), outcome: outcome,
                    reason: item["reason"]?.stringValue, findings: findings.count, failures: failures, warnings: warnings,
                    flaky: item["flaky"]?.boolValue ?? false))
        }
        return DecodedResults(
            formatVersion: version, toolVersion: doc["tool"]?["version"]?.stringValue ?? "",
            suiteVersion: doc["suite"]?["version"]?.stringValue ?? "",
            targetName: doc["target"]?["name"]?.stringValue ?? "", verdict: try str(doc["verdict"], "verdict"),
            counts: counts, cases: cases)
    }
}

/// What a results file says about the run, besides the results themselves.
/// Nothing here may be secret: the CLI fills it from the profile and the suite.
public struct RunMetadata: Sendable, Hashable {
    public var toolVersion: String
    public var suiteVersion: String
    public var targetName: String
    public var baseURL: String
    /// The target profile file the run used (a path, e.g. `Cases/targets/staging.json`).
    public var profileFile: String

    public init(toolVersion: String, suiteVersion: String, targetName: String, baseURL: String, profileFile: String) {
        self.toolVersion = toolVersion
        self.suiteVersion = suiteVersion
        self.targetName = targetName
        self.baseURL = baseURL
        self.profileFile = profileFile
    }
}

/// A results file read back by `JSONReporter.decode`.
public struct DecodedResults: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable { case passed, ambiguous, failed, error, skipped }

    public struct Counts: Sendable, Hashable {
        public var total, passed, failed, errors, skipped, flaky, warnings: Int
        /// Format 2 on; 0 when a version-1 file is read.
        public var ambiguous: Int
        public init(
            total: Int, passed: Int, failed: Int, errors: Int, skipped: Int, flaky: Int, warnings: Int, ambiguous: Int = 0
        ) {
            self.ambiguous = ambiguous
            self.total = total
            self.passed = passed
            self.failed = failed
            self.errors = errors
            self.skipped = skipped
            self.flaky = flaky
            self.warnings = warnings
        }
    }

    public struct Case: Sendable, Hashable {
        package var seq: Int
        public var id: String
        public var endpoint: String
        public var outcome: Outcome
        public var reason: String?
        /// All findings, failures and warnings.
        public var findings: Int
        public var failures: Int
        public var warnings: Int
        public var flaky: Bool
    }

    public var formatVersion: String
    public var toolVersion: String
    public var suiteVersion: String
    public var targetName: String
    public var verdict: String
    public var counts: Counts
    public var cases: [Case]

    /// The counts recomputed from the cases.
    public var recount: Counts {
        Counts(
            total: cases.count, passed: cases.count { $0.outcome == .passed }, failed: cases.count { $0.outcome == .failed },
            errors: cases.count { $0.outcome == .error }, skipped: cases.count { $0.outcome == .skipped },
            flaky: cases.count { $0.flaky }, warnings: cases.reduce(0) { $0 + $1.warnings },
            ambiguous: cases.count { $0.outcome == .ambiguous })
    }

    /// Where the file contradicts itself (stated counts against the cases,
    /// duplicate ids, a verdict the counts do not give); empty when consistent.
    public func inconsistencies() -> [String] {
        var out: [String] = []
        let r = recount
        for (name, stated, actual) in [
            ("total", counts.total, r.total), ("passed", counts.passed, r.passed), ("failed", counts.failed, r.failed),
            ("errors", counts.errors, r.errors), ("skipped", counts.skipped, r.skipped), ("flaky", counts.flaky, r.flaky),
            ("warnings", counts.warnings, r.warnings), ("ambiguous", counts.ambiguous, r.ambiguous),
        ] where stated != actual {
            out.append("counts.\(name) is \(stated) but the cases give \(actual)")
        }
        var seen = Set<String>()
        for c in cases where !seen.insert(c.id).inserted { out.append("case id '\(c.id)' appears more than once") }
        let expected =
            r.failed > 0 ? "failed" : (r.errors > 0 || (r.passed + r.ambiguous == 0 && r.total > 0)) ? "unjudged" : "passed"
        if verdict != expected { out.append("verdict is '\(verdict)' but the cases give '\(expected)'") }
        return out
    }
}

/// What the JSON, Markdown and HTML reports share.
enum ReportFormats {
    /// What every output says about `ambiguous`: the five numbers add up to
    /// the cases, and the exit status and JUnit count ambiguous as passed.
    static let ambiguousCountedAs = "passed"
    static let ambiguousNote =
        "ambiguous cases conform (the target took a documented alternative reading): the exit status and JUnit count them as passed"

    /// `260 cases: 244 passed, 2 ambiguous, 12 failed, 2 errors, 0 skipped`, the same five numbers in every output.
    static func totals(_ run: RunResult) -> String {
        let c = Counts(run)
        return "\(c.total) case\(c.total == 1 ? "" : "s"): \(c.passed) passed, \(c.ambiguous) ambiguous, \(c.failed) failed, \(c.errors) error\(c.errors == 1 ? "" : "s"), \(c.skipped) skipped"
    }

    struct Counts {
        var total = 0, passed = 0, failed = 0, errors = 0, skipped = 0, flaky = 0, warnings = 0, ambiguous = 0
        var ran: Int { total - skipped }

        init(_ run: RunResult) {
            total = run.results.count
            for g in run.results.glances {
                switch g.kind {
                case .passed: passed += 1
                case .ambiguous: ambiguous += 1
                case .failed: failed += 1
                case .error: errors += 1
                case .skipped: skipped += 1
                }
                if g.isFlaky { flaky += 1 }
            }
            // Only the results with warnings are read back.
            for r in run.results.matching(\.hasWarnings) { warnings += r.warnings.count }
        }
    }

    static func outcome(_ v: Verdict) -> String { v.label }

    static func reason(_ v: Verdict) -> String? {
        switch v {
        case .error(let why), .skipped(let why): return why
        case .passed, .failed, .ambiguous: return nil
        }
    }

    /// Mirrors the exit status: passed (0), failed (1), unjudged (3).
    static func runVerdict(_ run: RunResult) -> String {
        let c = Counts(run)
        if c.failed > 0 { return "failed" }
        if c.errors > 0 || (c.passed + c.ambiguous == 0 && c.total > 0) { return "unjudged" }
        return "passed"
    }

    /// The verdict as a headline: symbol and words, e.g. ("❌", "3 of 35 cases failed").
    static func headline(_ run: RunResult) -> (symbol: String, text: String) {
        let c = Counts(run)
        func cases(_ n: Int) -> String { n == 1 ? "case" : "cases" }
        if c.total == 0 { return ("⚠️", "no cases ran") }
        if c.failed > 0 {
            var text = "\(c.failed) of \(c.total) \(cases(c.total)) failed"
            if c.errors > 0 { text += ", \(c.errors) errored" }
            return ("❌", text)
        }
        if c.errors > 0 { return ("⚠️", "\(c.errors) of \(c.total) \(cases(c.total)) errored (not judged)") }
        if c.passed + c.ambiguous == 0 { return ("⚠️", "no case was judged: all \(c.total) skipped") }
        // A run that skipped part of the suite does not look green: it says how much was judged.
        var text = c.skipped == 0 ? "all \(c.total) \(cases(c.total)) passed" : "\(c.ran) of \(c.total) \(cases(c.total)) judged, all passed; \(Judged.skipSummary(run))"
        if c.ambiguous > 0 { text += " (\(c.ambiguous) ambiguous: a documented alternative reading)" }
        if c.flaky > 0 { text += " (\(c.flaky) flaky)" }
        return (c.skipped == 0 ? "✅" : "⚠️", text)
    }

    static func rowState(_ row: RowCoverage) -> String {
        row.isCovered ? "covered" : row.isExplained ? "explained" : "uncovered"
    }

    /// Results by case id (the first, should an id repeat).
    /// Case id → what is known of its (first) result, without holding the results.
    static func resultsByID(_ run: RunResult) -> (String) -> CaseGlance? {
        run.results.lookupByCaseID()
    }

    /// `https://user:pass@host/x` → `https://host/x`.
    static func withoutUserInfo(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.user != nil || c.password != nil else { return url }
        c.user = nil
        c.password = nil
        return c.string ?? url
    }

    static func milliseconds(_ t: Double) -> Double {
        guard t.isFinite else { return 0 }
        return (max(0, t) * 1000).rounded() / 1000
    }

    /// `2026-11-23T09:15:02.125Z`, whatever the locale and calendar.
    static func iso8601(_ d: Date) -> String {
        let totalMS = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        var days = totalMS / 86_400_000
        var msOfDay = totalMS % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        func p(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms = msOfDay % 1000
        return "\(CivilDate(daysSince1970: Int(days)).text)T\(p(h, 2)):\(p(m, 2)):\(p(s, 2)).\(p(ms, 3))Z"
    }

    /// `850 ms`, `1.235 s`, `2 min 5 s`.
    static func duration(_ t: Double) -> String {
        let t = milliseconds(t)
        if t < 1 { return "\(Int((t * 1000).rounded())) ms" }
        if t < 120 {
            let ms = Int((t * 1000).rounded())
            let frac = String(ms % 1000)
            return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac) s"
        }
        let s = Int(t.rounded())
        return "\(s / 60) min \(s % 60) s"
    }

    /// Median (mean of the middle two for an even count) and 95th percentile
    /// (nearest rank) of the durations; nil for none.
    static func latency(_ values: [Double]) -> (median: Double, p95: Double, max: Double)? {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        let n = v.count
        let median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        let rank = Int((0.95 * Double(n)).rounded(.up))
        return (median, v[min(n, max(1, rank)) - 1], v[n - 1])
    }

    /// An access-matrix cell: a case whose id ends in `-<role>-<relation>`
    /// (the ids the matrix expansion gives), split into the matrix id and the relation.
    static func accessCell(_ r: CaseResult) -> (matrix: String, relation: String)? {
        let role = r.role.rawValue.lowercased().replacingOccurrences(of: "_", with: "-")
        for relation in relations {
            let suffix = "-\(role)-\(relation)"
            if r.caseID.hasSuffix(suffix), r.caseID.count > suffix.count {
                return (String(r.caseID.dropLast(suffix.count)), relation)
            }
        }
        return nil
    }

    static let relations = ["own", "same-reseller", "other-reseller"]
}

extension ReportFormat {
    /// `results.json`: every result in full, for tools (format `telecomx-conformance-results`).
    public static let results = ReportFormat(name: "results (JSON)", file: "results.json", certified: true) { run, context, sink in
        JSONReporter.write(run, meta: context.meta, to: sink)
    }
}
