import ConformanceKit
import Foundation
import JSONKit

/// A certification bundle: the reports of one full run plus a manifest of
/// SHA-256 digests that a third party can recompute (`conformance verify`).
public enum Certification {
    public static let manifestName = "manifest.json"
    /// The reports of a bundle: the certified formats' files.
    public static let reportFiles = ReportFormat.certified.map(\.file)

    /// Every file of the suite that loading it reads (specs, schemas, cases,
    /// fixtures, access, readings, api…: whatever `SuiteLoader` reads, so
    /// whatever can change a verdict), relative to its root, sorted.
    public static func suiteFiles(root: String) -> [String] {
        SuiteLoader.filesRead(root: root)
    }

    /// The files a bundle holds, and nothing else.
    public static let bundleFiles: Set<String> = Set(reportFiles + [manifestName, manifestName + ".sha256", manifestName + Signing.signatureSuffix])

    /// What a verified bundle certifies, for `verify` to print.
    public struct Claim: Sendable {
        public var target: String
        public var baseURL: String
        public var suiteSha256: String
        public var verdict: String
        /// The conformance level the run reached ("required", or "none" when a required case blocks) and its counts.
        public var level: String
    }

    /// The target, suite digest and verdict the bundle's manifest states (nil if it cannot be read).
    public static func claim(dir: String) -> Claim? {
        guard let data = FileManager.default.contents(atPath: dir + "/" + manifestName),
            let m = try? JSONParser.parse([UInt8](data))
        else { return nil }
        return Claim(
            target: m["target"]?["name"]?.stringValue ?? "", baseURL: m["target"]?["baseURL"]?.stringValue ?? "",
            suiteSha256: m["suite"]?["sha256"]?.stringValue ?? "", verdict: m["verdict"]?.stringValue ?? "",
            level: levelText(m["level"]))
    }

    /// `level` of a manifest in one line: "required (R of R required cases passed; O of P optional)".
    static func levelText(_ level: JSON?) -> String {
        guard let level, let name = level["name"]?.stringValue else { return "not stated (a bundle from before levels were recorded)" }
        func n(_ k: String, _ m: String) -> Int { level[k]?[m]?.intValue ?? 0 }
        return "\(name) (\(n("required", "passed")) of \(n("required", "cases")) required cases passed; \(n("optional", "passed")) of \(n("optional", "cases")) optional)"
    }

    /// The level the run reached: "required" when every required case passed
    /// without a retry (the certifiable verdict), else "none"; with how many
    /// cases of each level ran and passed.
    static func level(_ run: RunResult) -> JSON {
        func counts(_ required: Bool) -> JSON {
            let cases = run.results.filter { $0.required == required }
            return ["cases": .number(Double(cases.count)), "passed": .number(Double(cases.count { $0.verdict.conforms && !$0.isFlaky }))]
        }
        return ["name": .string(run.isCertifiable ? "required" : "none"), "required": counts(true), "optional": counts(false)]
    }

    /// Whether `path`, as a manifest names it, stays inside the folder it is relative to.
    static func staysInside(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.contains("\\") && !path.contains("\u{0}")
            && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    /// Problems with the bundle folder itself: an entry that is not one of
    /// `bundleFiles`, or that is not a regular file (a symbolic link, a folder).
    static func layoutProblems(dir: String) -> [Problem] {
        var problems: [Problem] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        for name in names {
            let path = dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            if kind == S_IFLNK {
                problems.append(Problem(file: path, message: "a symbolic link; a bundle holds regular files only (a link could point anywhere)"))
            } else if !bundleFiles.contains(name) {
                problems.append(Problem(
                    file: path,
                    message: "an extra \(kind == S_IFDIR ? "folder" : "file"); a bundle holds only \(bundleFiles.sorted().joined(separator: ", "))"))
            } else if kind != S_IFREG {
                problems.append(Problem(file: path, message: "not a regular file"))
            }
        }
        return problems
    }

    /// Digest of every suite file, and of the suite as a whole: SHA-256 of the
    /// lines "<sha256>  <path>\n" in path order (what `sha256sum` prints). A
    /// run has it from loading (`Suite.digest`); `verify` asks the loader the
    /// same way for the local suite, so the two cannot drift.
    public static func suiteDigest(root: String) -> SuiteDigest {
        SuiteLoader.digestOfFilesRead(root: root)
    }

    public struct Written: Sendable {
        public var manifestPath: String
        public var certifiable: Bool
    }

    /// Writes the bundle to `dir`: the four reports, then the manifest and its own digest.
    public static func writeBundle(
        run: RunResult, context: ReportContext, suite: SuiteDigest, profilePath: String, dir: String
    ) throws -> Written {
        let meta = context.meta
        // The results hold no secret (see `Scrubber`): the reports are written as rendered.
        let reports = try ReportFormat.write(run, context: context, to: dir, formats: ReportFormat.certified)
        let counts: JSON = [
            "total": .number(Double(run.results.count)), "passed": .number(Double(run.passed)),
            "failed": .number(Double(run.failed)), "errors": .number(Double(run.errors)),
            "skipped": .number(Double(run.skipped)), "flaky": .number(Double(run.results.count { $0.isFlaky })),
            "ambiguous": .number(Double(run.ambiguous)),
        ]
        var reportDigests: [JSON] = []
        for (name, _) in reports {
            reportDigests.append(["file": .string(name), "sha256": .string(try SHA256.hexOfFile(path: dir + "/" + name))])
        }
        let manifest: JSON = [
            "format": "telecomx-conformance-certification",
            "formatVersion": "1",
            "tool": ["name": "conformance", "version": .string(meta.toolVersion)],
            "suite": [
                "version": .string(meta.suiteVersion), "sha256": .string(suite.sha256),
                "files": .array(suite.files.map { ["path": .string($0.path), "sha256": .string($0.sha256)] }),
            ],
            "target": [
                "name": .string(run.targetName), "baseURL": .string(run.baseURL), "profile": .string(meta.profileFile),
                "profileSha256": .string((try? SHA256.hexOfFile(path: profilePath)) ?? ""),
            ],
            "startedAt": .string(iso8601(run.startedAt)),
            "finishedAt": .string(iso8601(run.finishedAt)),
            "counts": counts,
            "verdict": .string(run.isCertifiable ? "certifiable" : "not certifiable"),
            "level": level(run),
            "blockingCases": .array(run.blockingCases.map { .string($0.caseID) }),
            "reports": .array(reportDigests),
        ]
        let text = JSONWriter(pretty: true).string(manifest) + "\n"
        let path = dir + "/" + manifestName
        try writeAtomically(text, to: path)
        try writeAtomically("\(SHA256.hex(SHA256.hash(Array(text.utf8))))  \(manifestName)\n", to: path + ".sha256")
        return Written(manifestPath: path, certifiable: run.isCertifiable)
    }

    /// One problem found by `verify`, naming the file.
    public struct Problem: Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
        public init(file: String, message: String) {
            self.file = file
            self.message = message
        }
    }

    /// Recomputes every digest and cross-checks counts and verdict. Empty when all hold.
    public static func verify(dir: String, suiteRoot: String) -> [Problem] {
        var problems = layoutProblems(dir: dir)
        let manifestPath = dir + "/" + manifestName
        if problems.contains(where: { $0.file == manifestPath }) { return problems }  // a link: not read
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            return [Problem(file: manifestPath, message: "missing")]
        }
        // The manifest's own digest.
        if let line = FileManager.default.contents(atPath: manifestPath + ".sha256").map({ String(decoding: $0, as: UTF8.self) }) {
            let recorded = String(line.prefix { $0 != " " })
            let actual = SHA256.hex(SHA256.hash([UInt8](manifestData)))
            if recorded != actual {
                problems.append(Problem(file: manifestPath, message: "SHA-256 \(actual) differs from \(manifestName).sha256 (\(recorded)): the manifest was changed"))
            }
        } else {
            problems.append(Problem(file: manifestPath + ".sha256", message: "missing"))
        }
        guard let manifest = try? JSONParser.parse([UInt8](manifestData)) else {
            problems.append(Problem(file: manifestPath, message: "not valid JSON"))
            return problems
        }
        // Each report's digest: exactly the four reports, each named once, read only inside the bundle.
        var listed: [String] = []
        for entry in manifest["reports"]?.arrayValue ?? [] {
            guard let name = entry["file"]?.stringValue, let recorded = entry["sha256"]?.stringValue else {
                problems.append(Problem(file: manifestPath, message: "a reports entry without a file name and sha256"))
                continue
            }
            guard reportFiles.contains(name), !listed.contains(name) else {
                let why = staysInside(name) ? "is not one of the bundle's reports (\(reportFiles.joined(separator: ", ")))" : "leaves the bundle"
                problems.append(Problem(file: manifestPath, message: "reports names '\(name)', which \(listed.contains(name) ? "is listed twice" : why); not read"))
                continue
            }
            listed.append(name)
            let path = dir + "/" + name
            if problems.contains(where: { $0.file == path }) { continue }  // a link: not read
            guard let actual = try? SHA256.hexOfFile(path: path) else {
                problems.append(Problem(file: path, message: "missing"))
                continue
            }
            if actual != recorded {
                problems.append(Problem(file: path, message: "SHA-256 \(actual) differs from the manifest's \(recorded)"))
            }
        }
        for name in reportFiles where !listed.contains(name) {
            problems.append(Problem(file: manifestPath, message: "reports does not list \(name)"))
        }
        for entry in manifest["suite"]?["files"]?.arrayValue ?? [] {
            if let p = entry["path"]?.stringValue, !staysInside(p) {
                problems.append(Problem(file: manifestPath, message: "suite.files names '\(p)', which leaves the suite folder"))
            }
        }
        // Counts and verdict against results.json and junit.xml.
        let counts = manifest["counts"]
        if let text = FileManager.default.contents(atPath: dir + "/results.json").map({ String(decoding: $0, as: UTF8.self) }),
            let decoded = try? JSONReporter.decode(text)
        {
            for problem in decoded.inconsistencies() {
                problems.append(Problem(file: dir + "/results.json", message: problem))
            }
            let c = decoded.recount
            for (key, value) in [
                ("total", c.total), ("passed", c.passed), ("failed", c.failed), ("errors", c.errors), ("skipped", c.skipped),
                ("ambiguous", c.ambiguous),
            ] where (counts?[key]?.intValue ?? (key == "ambiguous" ? 0 : nil)) != value {
                problems.append(Problem(file: dir + "/results.json", message: "\(key) is \(value), the manifest says \(counts?[key]?.intValue.map(String.init) ?? "nothing")"))
            }
            let verdict = manifest["verdict"]?.stringValue
            // Certifiable follows from the cases themselves: every required one passed, not flaky.
            let cases = (try? JSONParser.parse(text))?["cases"]?.arrayValue ?? []
            let certifiable = cases.allSatisfy { c in
                c["required"] == .bool(false)
                    || ((c["outcome"] == "passed" || c["outcome"] == "ambiguous") && c["flaky"] != .bool(true))
            }
            let expected = certifiable ? "certifiable" : "not certifiable"
            if verdict != expected {
                problems.append(Problem(file: manifestPath, message: "verdict '\(verdict ?? "")' does not follow from results.json ('\(expected)')"))
            }
        } else {
            problems.append(Problem(file: dir + "/results.json", message: "missing or not a results file"))
        }
        if let m = try? JUnitMerge.merge(files: [dir + "/junit.xml"]) {
            let total = counts?["total"]?.intValue, failed = counts?["failed"]?.intValue
            let errors = counts?["errors"]?.intValue, skipped = counts?["skipped"]?.intValue
            if m.tests != total || m.failures != failed || m.errors != errors || m.skipped != skipped {
                problems.append(Problem(file: dir + "/junit.xml", message: "totals (\(m.tests) tests, \(m.failures) failures, \(m.errors) errors, \(m.skipped) skipped) differ from the manifest's counts"))
            }
        } else {
            problems.append(Problem(file: dir + "/junit.xml", message: "missing or not a JUnit report"))
        }
        // The suite the bundle was made with, against the local one.
        let local = suiteDigest(root: suiteRoot)
        if let recorded = manifest["suite"]?["sha256"]?.stringValue,
            local.sha256 != recorded
        {
            let theirs = Dictionary(
                uniqueKeysWithValues: (manifest["suite"]?["files"]?.arrayValue ?? []).compactMap { f -> (String, String)? in
                    guard let p = f["path"]?.stringValue, let h = f["sha256"]?.stringValue else { return nil }
                    return (p, h)
                })
            let mine = Dictionary(uniqueKeysWithValues: local.files.map { ($0.path, $0.sha256) })
            var differing: [String] = []
            for p in Set(theirs.keys).union(mine.keys).sorted() {
                switch (theirs[p], mine[p]) {
                case (nil, _): differing.append("\(p) (only in the local suite)")
                case (_, nil): differing.append("\(p) (missing from the local suite)")
                case let (a?, b?) where a != b: differing.append("\(p) (changed)")
                default: break
                }
            }
            problems.append(Problem(file: suiteRoot, message: "the suite differs from the one certified: \(differing.joined(separator: ", "))"))
        }
        return problems
    }

    static func iso8601(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
}
