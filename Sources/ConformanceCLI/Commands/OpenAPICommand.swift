import ConformanceKit

extension CLI {
    static let openapiHelp = """
        conformance openapi — an OpenAPI 3.1 document of the documented API

        USAGE
          conformance openapi [-o FILE] [--suite DIR]

        Built from the suite's endpoint specs and schemas: paths and parameters, the create
        request body, success responses with the documented schemas, every documented error
        status with its messages, and the security schemes the target profiles describe.
        Deterministic output. Without -o it is printed.
        """

    static func openapi(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"], options: ["o", "output", "suite"])
        guard let p = try parseArguments(args, spec: spec, help: openapiHelp, console: console) else { return .passed }
        // Every profile of the suite: their auth makes the security schemes.
        let documents = reportingProblems(console: console) { () throws(SuiteLoadError) in
            let suite = try SuiteLoader.load(root: p.suiteRoot).suite
            let targets = try SuiteFiles.listTargets(p.suiteRoot).map { f throws(SuiteLoadError) in
                try TargetLoader.load(path: f, suite: suite).profile
            }
            return (suite: suite, targets: targets)
        }
        guard let documents else { return .usage }
        let text = OpenAPIExport.render(suite: documents.suite, targets: documents.targets)
        if let out = p.value("o") ?? p.value("output") {
            try writeAtomically(text, to: out)
            console.out("wrote \(out)")
        } else {
            console.out(text)
        }
        return .passed
    }
}
