import ConformanceKit
import Foundation

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
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help"], options: ["o", "output", "suite", "target"]))
        if p.has("help") {
            console.out(openapiHelp)
            return .passed
        }
        let suiteRoot = p.value("suite") ?? "Cases"
        let suite: Suite
        var targets: [TargetProfile] = []
        var target: TargetProfile?
        do {
            suite = try SuiteLoader.load(root: suiteRoot).suite
            if let file = p.value("target") {
                target = try TargetLoader.load(path: file, suite: suite).profile
            } else {
                for f in SuiteFiles.listTargets(suiteRoot) {
                    targets.append(try TargetLoader.load(path: f, suite: suite).profile)
                }
            }
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        let text = OpenAPIExport.render(suite: suite, targets: targets, target: target)
        if let out = p.value("o") ?? p.value("output") {
            try writeAtomically(text, to: out)
            console.out("wrote \(out)")
        } else {
            console.out(text)
        }
        return .passed
    }
}
