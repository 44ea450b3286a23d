import ConformanceKit

extension CLI {
    static func openapi(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help"], options: ["o", "output", "suite"]))
        if p.has("help") {
            console.out("""
                conformance openapi — an OpenAPI 3.1 document of the documented API

                USAGE
                  conformance openapi [-o FILE] [--suite DIR]

                Built from the suite's endpoint specs and schemas: paths and parameters, the create
                request body, success responses with the documented schemas, every documented error
                status with its messages, and the security schemes the target profiles describe.
                Deterministic output. Without -o it is printed.
                """)
            return .passed
        }
        let suiteRoot = p.value("suite") ?? "Cases"
        let suite: Suite
        var targets: [TargetProfile] = []
        do {
            suite = try SuiteLoader.load(root: suiteRoot).suite
            for f in SuiteFiles.listTargets(suiteRoot) {
                targets.append(try TargetLoader.load(path: f, suite: suite).profile)
            }
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        let text = OpenAPIExport.render(suite: suite, targets: targets)
        if let out = p.value("o") ?? p.value("output") {
            try writeAtomically(text, to: out)
            console.out("wrote \(out)")
        } else {
            console.out(text)
        }
        return .passed
    }
}
