import ConformanceKit
import DocTools

extension CLI {
    static let openapiHelp = """
        conformance openapi — an OpenAPI 3.1 document of the documented API

        USAGE
          conformance openapi [-o FILE] [--suite DIR] [--target FILE]

        Built from the suite's endpoint specs and schemas: paths and the documented path and
        query parameters (their page text, type, default and bounds), request bodies, success
        responses with the documented schemas, every documented error status with its messages,
        and the security schemes the target profiles describe. Deterministic output. Without -o
        it is printed.

        --target FILE  a document to test that server with (e.g. with Schemathesis): the profile's
                       base URL and credential placement; the error body holds the message at the
                       profile's errorMessagePointer (required), and each operation's error status
                       allows only its documented messages (an enum); the profile's fixtures are
                       parameter and request body examples, taken from the endpoint's success cases.
        """

    static func openapi(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"], options: ["o", "output", "suite", "target"])
        guard let p = try parseArguments(args, spec: spec, help: openapiHelp, console: console) else { return .passed }
        // With --target, that profile; otherwise every profile of the suite
        // (their auth makes the security schemes).
        let documents = reportingProblems(console: console) { () throws(SuiteLoadError) in
            let suite = try SuiteLoader.load(root: p.suiteRoot).suite
            if let file = p.value("target") {
                return (suite: suite, targets: [TargetProfile](), target: Optional(try TargetLoader.load(path: file, suite: suite).profile))
            }
            let targets = try SuiteFiles.listTargets(p.suiteRoot).map { f throws(SuiteLoadError) in
                try TargetLoader.load(path: f, suite: suite).profile
            }
            return (suite: suite, targets: targets, target: TargetProfile?.none)
        }
        guard let documents else { return .usage }
        let text = OpenAPIExport.render(suite: documents.suite, targets: documents.targets, target: documents.target)
        if let out = p.value("o") ?? p.value("output") {
            try writeAtomically(text, to: out)
            console.out("wrote \(out)")
        } else {
            console.out(text)
        }
        return .passed
    }
}
