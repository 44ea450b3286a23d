import Foundation
import Testing

@testable import ConformanceKit

/// Report formats are values in one list: a format added to the list is
/// written, named and (when certified) bundled with no other change.
@Suite struct ReportFormatTests {
    func run() -> RunResult {
        RunResult(
            targetName: "t", baseURL: "http://127.0.0.1:1", startedAt: Date(timeIntervalSince1970: 1_700_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_001), endpoints: [],
            results: [
                CaseResult(
                    seq: 0, caseID: "c1", title: "c1", file: "Cases/cases/c1.json", endpointID: "ep", covers: "success",
                    role: "OWNER", verdict: .passed, findings: [],
                    request: RequestSummary(method: "GET", url: "http://127.0.0.1:1/x"), status: 200, responseExcerpt: nil,
                    durationSeconds: 0.01)
            ])
    }

    let context = ReportContext(
        meta: RunMetadata(toolVersion: "0", suiteVersion: "s", targetName: "t", baseURL: "http://127.0.0.1:1", profileFile: "p.json"))

    @Test func aRegisteredFormatIsWrittenAndNamedWithTheOthers() throws {
        // A throwaway format: one value, added to the list.
        let tsv = ReportFormat(name: "TSV", file: "results.tsv", certified: false) { run, _, sink in
            for r in run.results { sink.write("\(r.caseID)\t\(r.verdict == .passed ? "passed" : "other")\n") }
        }
        let formats = ReportFormat.all + [tsv]
        let dir = TempDir()
        defer { dir.cleanup() }
        let written = try ReportFormat.write(run(), context: context, to: dir.path, formats: formats)
        #expect(written.map(\.file) == ["junit.xml", "results.json", "summary.md", "report.html", "coverage.txt", "results.tsv"])
        #expect(try dir.read("results.tsv") == "c1\tpassed\n")
        for (f, format) in zip(written, formats) {
            // Streamed to the file, the same bytes as rendered in memory, and the digest is the file's.
            #expect(try dir.read(f.file) == format.render(run(), context), "\(f.file)")
            #expect(f.sha256 == (try SHA256.hexOfFile(path: dir.path + "/" + f.file)), "\(f.file)")
        }
        // Nothing left beside the reports: each temporary file was renamed over its report.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == written.map(\.file).sorted())
        #expect(ReportFormat.fileList(formats) == "junit.xml, results.json, summary.md, report.html, coverage.txt, results.tsv")
        // Not certified: a bundle's reports stay the four it had.
        #expect(formats.filter(\.certified).map(\.file) == ReportFormat.certified.map(\.file))
    }

    @Test func theListNamesEachFileOnceAndCertifiesAllButCoverage() {
        let files = ReportFormat.all.map(\.file)
        #expect(Set(files).count == files.count)
        #expect(ReportFormat.certified.map(\.file) == ["junit.xml", "results.json", "summary.md", "report.html"])
    }
}
