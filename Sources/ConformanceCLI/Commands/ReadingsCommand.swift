import ConformanceKit

extension CLI {
    static let readingsHelp = """
        conformance readings — what the suite reads into the docs where they are silent

        USAGE
          conformance readings [--suite DIR] [--markdown]

        Each reading quotes the page text it interprets, the option the suite takes and
        the alternatives a conforming server may take instead (Cases/readings.json). A
        target that takes an alternative gets the outcome 'ambiguous': not a failure,
        not blocking certification. A profile pins a reading to be held to it:
          "readings": {"create-success-status": "201"}

        --markdown   the table README's "How the harness reads the docs" holds
        """

    static func readings(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help", "markdown"], options: ["suite"]))
        if p.has("help") {
            console.out(readingsHelp)
            return .passed
        }
        let suite: Suite
        do {
            suite = try SuiteLoader.load(root: p.value("suite") ?? "Cases").suite
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        if p.has("markdown") {
            console.out(ReadingsReport.markdown(suite))
        } else {
            for line in ReadingsReport.text(suite) { console.out(line) }
        }
        return .passed
    }
}
