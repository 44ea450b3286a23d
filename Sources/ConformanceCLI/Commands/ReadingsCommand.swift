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
        let spec = ArgumentSpec(flags: ["help", "markdown"], options: ["suite"])
        guard let p = try parseArguments(args, spec: spec, help: readingsHelp, console: console) else { return .passed }
        guard let suite = loadSuite(root: p.suiteRoot, console: console) else { return .usage }
        if p.has("markdown") {
            console.out(ReadingsReport.markdown(suite))
        } else {
            for line in ReadingsReport.text(suite) { console.out(line) }
        }
        return .passed
    }
}
