import ConformanceKit
import Foundation

extension CLI {
    static let readingsHelp = """
        conformance readings — what the suite reads into the docs where they are silent

        USAGE
          conformance readings [--suite DIR] [--markdown]
          conformance readings --audit [--suite DIR] [--docs DIR]

        Each reading quotes the page text it interprets, the option the suite takes and
        the alternatives a conforming server may take instead (Cases/readings.json). A
        target that takes an alternative gets the outcome 'ambiguous': not a failure,
        not blocking certification. A profile pins a reading to be held to it:
          "readings": {"create-success-status": "201"}

        --markdown   the table the Readings article (ConformanceKit.docc) holds
        --audit      every expectation of every case (generated ones too), grouped by
                     where it comes from: a page line that states it, or a reading;
                     exit 1 if any has no source
        --docs DIR   the doc pages, to name the lines of documented rows
                     (default: ../shared/api-docs)
        """

    static func readings(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "markdown", "audit"], options: ["suite", "docs"])
        guard let p = try parseArguments(args, spec: spec, help: readingsHelp, console: console) else { return .passed }
        guard let suite = loadSuite(root: p.suiteRoot, console: console) else { return .usage }
        if p.has("audit") {
            var pages: [String: [String]] = [:]
            let docs = p.value("docs") ?? "../shared/api-docs"
            for page in Set(suite.endpoints.map(\.doc)) {
                if let data = FileManager.default.contents(atPath: docs + "/" + page) {
                    pages[page] = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                }
            }
            for line in ProvenanceAudit.text(suite, pages: pages) { console.out(line) }
            return ProvenanceAudit.entries(suite, pages: pages).contains { $0.source == nil } ? .failed : .passed
        }
        if p.has("markdown") {
            console.out(ReadingsReport.markdown(suite))
        } else {
            for line in ReadingsReport.text(suite) { console.out(line) }
        }
        return .passed
    }
}
