/// What a report format may read besides the results: facts about the run
/// that the results do not hold.
public struct ReportContext: Sendable {
    /// Tool and suite versions, the target (results.json).
    public var meta: RunMetadata
    /// The machine's name (junit.xml's `hostname`).
    public var hostname: String
    /// `--junit-file`: each JUnit testcase's `file` attribute.
    public var junitFileAttributes: Bool

    public init(meta: RunMetadata, hostname: String = "localhost", junitFileAttributes: Bool = false) {
        self.meta = meta
        self.hostname = hostname
        self.junitFileAttributes = junitFileAttributes
    }
}

/// One report format: its name, the file it writes and how it writes the
/// results to a sink (streamed: see `ReportSink`). `ReportFormat.all` lists
/// them; `run` writes each, `certify` bundles those marked `certified`,
/// `verify` checks their digests, and the
/// help names them. A new format is one file (a `static let` in an
/// extension) and one line in `all`.
public struct ReportFormat: Sendable {
    /// What the help calls it.
    public var name: String
    /// The file it writes in the reports folder.
    public var file: String
    /// Part of a certification bundle (its digest is in the manifest).
    public var certified: Bool
    /// Writes the file's text to the sink, in order (never built whole first).
    public var stream: @Sendable (RunResult, ReportContext, ReportSink) -> Void

    public init(
        name: String, file: String, certified: Bool, stream: @escaping @Sendable (RunResult, ReportContext, ReportSink) -> Void
    ) {
        self.name = name
        self.file = file
        self.certified = certified
        self.stream = stream
    }

    /// The file's text, in memory (tests, and small texts a caller keeps).
    public func render(_ run: RunResult, _ context: ReportContext) -> String {
        let sink = ReportSink()
        stream(run, context, sink)
        return sink.text
    }

    /// Every report `run` writes, in the order it names them.
    public static let all: [ReportFormat] = [.junit, .results, .summary, .html, .coverage]

    /// The formats of a certification bundle, in the manifest's order.
    public static var certified: [ReportFormat] { all.filter(\.certified) }

    /// Writes each of `formats` to `dir`, in order, each streamed to its file
    /// (atomically: a temporary file, then a rename); returns each file's name
    /// and the SHA-256 of its bytes.
    @discardableResult
    public static func write(
        _ run: RunResult, context: ReportContext, to dir: String, formats: [ReportFormat] = all
    ) throws -> [(file: String, sha256: String)] {
        var written: [(file: String, sha256: String)] = []
        for format in formats {
            let digest = try ReportSink.writeAtomically(to: dir + "/" + format.file) { format.stream(run, context, $0) }
            written.append((format.file, digest))
        }
        return written
    }

    /// "junit.xml, results.json, …": the files of `formats`, for a message.
    public static func fileList(_ formats: [ReportFormat] = all) -> String {
        formats.map(\.file).joined(separator: ", ")
    }
}
