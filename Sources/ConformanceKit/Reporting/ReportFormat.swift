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

/// One report format: its name, the file it writes and how it renders the
/// results. `ReportFormat.all` lists them; `run` writes each, `certify`
/// bundles those marked `certified`, `verify` checks their digests, and the
/// help names them. A new format is one file (a `static let` in an
/// extension) and one line in `all`.
public struct ReportFormat: Sendable {
    /// What the help calls it.
    public var name: String
    /// The file it writes in the reports folder.
    public var file: String
    /// Part of a certification bundle (its digest is in the manifest).
    public var certified: Bool
    /// The file's text.
    public var render: @Sendable (RunResult, ReportContext) -> String

    public init(
        name: String, file: String, certified: Bool, render: @escaping @Sendable (RunResult, ReportContext) -> String
    ) {
        self.name = name
        self.file = file
        self.certified = certified
        self.render = render
    }

    /// Every report `run` writes, in the order it names them.
    public static let all: [ReportFormat] = [.junit, .results, .summary, .html, .coverage]

    /// The formats of a certification bundle, in the manifest's order.
    public static var certified: [ReportFormat] { all.filter(\.certified) }

    /// Renders each of `formats` and writes it to `dir`, in order; returns
    /// each file's name and text (the job summary is summary.md's).
    @discardableResult
    public static func write(
        _ run: RunResult, context: ReportContext, to dir: String, formats: [ReportFormat] = all
    ) throws -> [(file: String, text: String)] {
        var written: [(file: String, text: String)] = []
        for format in formats {
            let text = format.render(run, context)
            try writeAtomically(text, to: dir + "/" + format.file)
            written.append((format.file, text))
        }
        return written
    }

    /// "junit.xml, results.json, …": the files of `formats`, for a message.
    public static func fileList(_ formats: [ReportFormat] = all) -> String {
        formats.map(\.file).joined(separator: ", ")
    }
}
