import ConformanceKit
import Dispatch
import Foundation
import HTTPServer
import JSONKit
import TelecomXSimulator

/// Where the commands write: standard output and standard error, or a capture in tests.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    /// Writes without a line break (prompts).
    func out(_ s: String, terminator: Bool) {
        if terminator { out(s) } else { FileHandle.standardOutput.write(Data(s.utf8)) }
    }
    public var err: @Sendable (String) -> Void
    /// Colour the verdict words (only on a terminal, never with NO_COLOR).
    public var colour: Bool
    /// Rewrites one live progress line (only when standard error is a terminal).
    public var progress: (@Sendable (String) -> Void)?

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, colour: Bool = false,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.out = out
        self.err = err
        self.colour = colour
        self.progress = progress
    }

    /// Standard output and error; colour and a progress line only on a
    /// terminal, plain lines in CI and pipes, and `NO_COLOR` honoured.
    public static func standard(environment: [String: String]) -> Console {
        let dumb = environment["TERM"] == "dumb"
        let colour = isatty(1) == 1 && environment["NO_COLOR"] == nil && !dumb
        let live = isatty(2) == 1 && !dumb && environment["CI"] == nil
        var progress: (@Sendable (String) -> Void)?
        if live {
            progress = { @Sendable line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
        }
        return Console(
            out: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
            err: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) },
            colour: colour, progress: progress)
    }

    static let standard = Console.standard(environment: ProcessInfo.processInfo.environment)

    /// `line` with its leading verdict word coloured, when colour is on.
    public func painted(_ line: String) -> String {
        guard colour else { return line }
        for (word, code) in [("FAIL", "31"), ("ERROR", "35"), ("FLAKY", "33")] where line.hasPrefix(word) {
            return "\u{1B}[\(code);1m\(word)\u{1B}[0m" + line.dropFirst(word.count)
        }
        if line.hasSuffix(" skipped"), line.contains(" passed, ") {
            return (line.contains(" 0 failed") ? "\u{1B}[32m" : "\u{1B}[31m") + line + "\u{1B}[0m"
        }
        return line
    }
}

/// Exit statuses, documented in README and `--help`.
public enum ExitStatus: Int32, Sendable {
    /// Every case that ran passed.
    case passed = 0
    /// The target failed at least one case.
    case failed = 1
    /// Usage error or a problem in the suite or the target profile.
    case usage = 2
    /// The target could not be judged (unreachable, every case errored or was skipped).
    case unjudged = 3
}

public enum CLI {
    public static let version = "0.1.0"

    public static let mainHelp = """
        conformance — TelecomX MVNO API conformance harness

        USAGE
          conformance                     run the whole suite against the built-in simulator
          conformance init [options]      scaffold a target profile for a new server (see init --help)
          conformance fixtures --target F each fixture with the cases it unlocks and whether the profile has it
          conformance run [options]       run the suite against a target (see run --help)
          conformance serve [options]     run the simulator alone (see serve --help)
          conformance certify --target F --out DIR   certification run: the whole suite, a bundle with digests
          conformance verify DIR          check a certification bundle's digests, counts and verdict
          conformance merge A.xml … -o F  merge shard reports (run --shard I/N) into one
          conformance openapi [-o FILE]   an OpenAPI 3.1 document of the documented API, from the suite
          conformance coverage [--suite DIR]  each documented row with the cases covering it; exit 1 if any is uncovered;
                                              the documented values with the cases aimed at each (--target F: seen or not)
          conformance faults [--detect]   list the simulator's faults; --detect runs the suite against each
          conformance variants            list the simulator's variants (behaviour the docs allow)
          conformance lint-docs [options] report the vendor docs' own defects (see lint-docs --help)
          conformance import-docs PAGE... write endpoint specs, schemas and skeleton cases from doc pages
          conformance docs-diff [options] what the doc pages say now that the suite does not (drift)
          conformance readings          what the suite reads into the docs where they are silent, and the alternatives
          conformance --version

        EXIT STATUS
          0  every case that ran passed
          1  the target failed at least one case
          2  usage error, or a problem in the suite or the target profile
          3  the target could not be judged (unreachable, every case errored or was skipped)
        """

    public static let runHelp = """
        conformance run — run the suite against a server and write Reports/

        USAGE
          conformance run [--target FILE] [--base-url URL] [options]

        Without --target, the built-in simulator is started on an ephemeral
        loopback port and judged with Cases/targets/simulator.json.

        OPTIONS
          --target FILE      target profile (e.g. Cases/targets/staging.json)
          --simulator        judge the built-in simulator with the --target profile (e.g. simulator-login.json)
          --base-url URL     override the profile's baseURL
          --suite DIR        the suite folder (default: Cases)
          --reports DIR      where reports go (default: Reports)
          --jobs N           requests in flight at once (default: 8)
          --timeout SECONDS  per-request timeout (default: 30)
          --max-body-mb N    read at most N MB of a response body (default: 10); more is an error
          --deadline SECONDS overall deadline; cases not finished by then are errors naming it
          --retries N        retry transport failures (refused, reset, timeout) up to N times; never
                             a wrong answer; a case that passes only after a retry is reported flaky
          --strict           response fields no page documents for that object fail instead of warn
                             (a renamed documented field fails with or without it)
          --allow-insecure-http  send credentials over plain http:// to a host that is not loopback
          --fault NAME       (built-in simulator only) inject a fault; repeatable
          --variant NAME     (built-in simulator only) behave in a way the docs allow; repeatable, 'all' for every one
          --endpoint ID      only cases of this endpoint; repeatable
          --tag TAG          only cases with this tag; repeatable
          --case GLOB        only cases whose id matches (* and ?); repeatable
          --shard I/N        only the I-th of N stable shards (same case → same shard everywhere; chains never split)
          --shard auto       the shard GitLab (CI_NODE_INDEX/CI_NODE_TOTAL) or Buildkite
                             (BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT) names
          --list             print the plan, one line per case, and send nothing
          --dry-run          print every planned request (secrets redacted) and send nothing
          -h, --help         this help

        Credentials come only from the environment variables the profile names
        under "credentials"; they never appear in any output.

        EXIT STATUS
          0 all passed · 1 the target failed a case · 2 usage or suite error · 3 could not judge
        """

    public static let certifyHelp = """
        conformance certify — a certification run and a bundle a third party can verify

        USAGE
          conformance certify --target FILE --out DIR [--sign-key KEY] [--simulator] [--base-url URL] [--jobs N] [--timeout S] [--retries N]

        Runs the whole suite (no selection allowed) and writes DIR/junit.xml, results.json,
        report.html, summary.md and manifest.json (tool and suite versions, SHA-256 of every
        spec, schema and case file and of the suite, target, times, counts, verdict, and the
        SHA-256 of each report). Certifiable only if every required case passed: a pass after
        a retry, or a skipped required case, is not certifiable.

        --sign-key KEY signs manifest.json with the SSH private key KEY (no passphrase, or held
        by ssh-agent): ssh-keygen -Y sign, namespace telecomx-conformance, writing
        manifest.json.sig. `verify --allowed-signers FILE` checks it. Needs ssh-keygen
        (package openssh-client).

        EXIT STATUS
          0 certifiable · 1 not certifiable · 2 usage or suite error (or signing failed)
        """

    public static let serveHelp = """
        conformance serve — run the TelecomX simulator as a mock server

        USAGE
          conformance serve [--host 127.0.0.1] [--port 8080] [--latency 50ms] [--fault NAME]... [--variant NAME]...

        Prints the URL and the demo tokens of the seeded users, then serves
        until interrupted (Ctrl-C or SIGTERM).

        OPTIONS
          --host ADDRESS   address to bind (default: 127.0.0.1, loopback only)
          --port N         port (default: 8080; 0 picks a free one)
          --fault NAME     deviate from the docs in one named way; repeatable (see `conformance faults`)
          --variant NAME   behave in a way the docs allow; repeatable, 'all' for every one (see `conformance variants`)
          --latency TIME   answer every request this late (e.g. 50ms), like a remote server
          -h, --help       this help
        """

    public static let lintDocsHelp = """
        conformance lint-docs — report the vendor documentation's own defects

        USAGE
          conformance lint-docs [--docs DIR] [--suite DIR] [--fail-on-findings]

        Validates every example object in the doc pages against the schemas
        transcribed from their tables, and lists example keys the tables do not
        have, rows whose place in the nesting is ambiguous, typos and
        contradictions — each with the page and the field.

        OPTIONS
          --docs DIR            the doc pages (default: ../shared/api-docs)
          --suite DIR           the suite whose schemas describe the tables (default: Cases)
          --fail-on-findings    exit 1 when anything is found (for CI)
          -h, --help            this help

        EXIT STATUS
          0 it ran (whatever it found, unless --fail-on-findings) · 1 findings with --fail-on-findings · 2 usage error
        """

    /// Runs a command line (without the program name) and returns the exit status.
    public static func main(_ args: [String], environment: [String: String], console: Console) async -> Int32 {
        var args = args
        let command = args.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
        if command != nil { args.removeFirst() }
        do {
            switch command {
            case nil:
                if args == ["--version"] {
                    console.out("conformance \(version)")
                    return ExitStatus.passed.rawValue
                }
                if args.contains("--help") || args.contains("-h") {
                    console.out(mainHelp)
                    return ExitStatus.passed.rawValue
                }
                return try await run(args, environment: environment, console: console).rawValue
            case "run":
                return try await run(args, environment: environment, console: console).rawValue
            case "serve":
                return try await serve(args, console: console).rawValue
            case "openapi":
                return try openapi(args, console: console).rawValue
            case "init":
                return try initProfile(args, environment: environment, console: console).rawValue
            case "certify":
                return try await run(args, environment: environment, console: console, certify: true).rawValue
            case "verify":
                return try verify(args, environment: environment, console: console).rawValue
            case "merge":
                return try merge(args, console: console).rawValue
            case "coverage":
                return try await coverage(args, environment: environment, console: console).rawValue
            case "lint-docs":
                return try lintDocs(args, console: console).rawValue
            case "import-docs":
                return try importDocs(args, console: console).rawValue
            case "docs-diff":
                return try docsDiff(args, console: console).rawValue
            case "faults":
                return try await faults(args, console: console).rawValue
            case "readings":
                return try readings(args, console: console).rawValue
            case "fixtures":
                return try await fixtures(args, environment: environment, console: console).rawValue
            case "variants":
                return try variants(args, console: console).rawValue
            case "help":
                console.out(mainHelp)
                return ExitStatus.passed.rawValue
            default:
                let guess = closestMatch(
                    to: command!,
                    in: [
                        "run", "init", "fixtures", "openapi", "certify", "verify", "serve", "merge", "coverage", "faults",
                        "variants", "lint-docs", "import-docs", "docs-diff", "readings", "help",
                    ])
                throw UsageError("unknown command '\(command!)'" + (guess.map { " (did you mean '\($0)'?)" } ?? ""))
            }
        } catch let e as UsageError {
            console.err("error: \(e.message)")
            console.err("run 'conformance --help' for usage")
            return ExitStatus.usage.rawValue
        } catch {
            console.err("error: \(error)")
            return ExitStatus.usage.rawValue
        }
    }

    // MARK: run

    static func run(
        _ args: [String], environment: [String: String], console: Console, certify: Bool = false
    ) async throws -> ExitStatus {
        let p = try parseArguments(
            args,
            spec: ArgumentSpec(
                flags: ["help", "strict", "list", "dry-run", "allow-insecure-http", "simulator", "insecure"],
                options: [
                    "target", "base-url", "suite", "reports", "jobs", "timeout", "deadline", "retries", "shard", "max-body-mb",
                    "out", "sign-key",
                ],
                repeatable: ["fault", "variant", "endpoint", "tag", "case"]))
        if p.has("help") {
            console.out(certify ? certifyHelp : runHelp)
            return .passed
        }
        if certify {
            for k in ["endpoint", "tag", "case", "shard", "reports"] where p.options[k] != nil {
                throw UsageError("certify runs the whole suite: --\(k) is not allowed")
            }
            for k in ["list", "dry-run"] where p.has(k) { throw UsageError("certify runs the whole suite: --\(k) is not allowed") }
            guard p.value("out") != nil else { throw UsageError("certify needs --out DIR for the bundle") }
        } else if p.value("out") != nil {
            throw UsageError("--out is for certify; run writes to --reports DIR")
        } else if p.value("sign-key") != nil {
            throw UsageError("--sign-key is for certify")
        }
        // Signing needs ssh-keygen and a readable key: known before anything runs.
        var signer: (sshKeygen: String, key: String)?
        if let key = p.value("sign-key") {
            do {
                signer = (try Signing.sshKeygen(environment: environment), key)
            } catch {
                throw UsageError(error.message)
            }
            guard FileManager.default.isReadableFile(atPath: key) else { throw UsageError("--sign-key: cannot read the private key \(key)") }
        }
        if p.has("insecure") {
            throw UsageError(
                "--insecure is not available: FoundationNetworking on Linux cannot skip TLS certificate verification; "
                    + "add the target's CA certificate to the system trust store (update-ca-certificates) instead")
        }
        let suiteRoot = p.value("suite") ?? "Cases"
        let reportsDir = p.value("out") ?? p.value("reports") ?? "Reports"
        let jobs = try positiveInt(p.value("jobs"), "--jobs", default: 8)
        let timeout = try positiveDouble(p.value("timeout"), "--timeout", default: 30)
        let maxBodyMB = try positiveInt(p.value("max-body-mb"), "--max-body-mb", default: 10)
        let deadline = try p.value("deadline").map { try positiveDouble($0, "--deadline", default: 0) }
        let retries = try p.value("retries").map { s throws(UsageError) -> Int in
            guard let v = Int(s), v >= 0, v <= 10 else { throw UsageError("--retries must be 0…10, got '\(s)'") }
            return v
        } ?? 0
        if let u = p.value("base-url"), let problem = TargetLoader.baseURLProblem(u) {
            throw UsageError("--base-url: \(problem)")
        }
        var selection = Selection(endpoints: p.values("endpoint"), tags: p.values("tag"), caseGlobs: p.values("case"))
        if let sh = p.value("shard") {
            if sh == "auto" {
                let shard: Selection.Shard
                do { shard = try Selection.Shard.auto(environment: environment) } catch { throw UsageError(error.message) }
                selection.shard = shard
                console.err("--shard auto: shard \(shard.index)/\(shard.count)")
            } else {
                guard let shard = Selection.Shard(parsing: sh) else {
                    throw UsageError("--shard must be I/N with 1 ≤ I ≤ N, or auto, got '\(sh)'")
                }
                selection.shard = shard
            }
        }
        // The built-in simulator is the target unless --target names another
        // server; --simulator keeps it with the given profile (e.g. one that logs in).
        let embedded = p.value("target") == nil || p.has("simulator")
        let faults = try namedFaults(p.values("fault"))
        let variants = try namedVariants(p.values("variant"))
        if !embedded && !faults.isEmpty {
            throw UsageError("--fault applies to the built-in simulator only (drop --target, or add --simulator)")
        }
        if !embedded && !variants.isEmpty {
            throw UsageError("--variant applies to the built-in simulator only (drop --target, or add --simulator)")
        }

        // Load everything before anything runs.
        let fullSuite: Suite
        let profile: TargetProfile
        var warnings: [Diagnostic] = []
        do {
            let loaded = try SuiteLoader.load(root: suiteRoot)
            fullSuite = loaded.suite
            warnings += loaded.warnings
            let targetPath = p.value("target") ?? suiteRoot + "/targets/simulator.json"
            let t = try TargetLoader.load(path: targetPath, suite: fullSuite)
            profile = t.profile
            warnings += t.warnings
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            let n = error.diagnostics.filter { $0.severity == .error }.count
            console.err("\(n) problem\(n == 1 ? "" : "s") in the suite or target profile; nothing was run.")
            return .usage
        }
        for w in warnings { console.err(w.description) }

        for e in selection.endpoints where fullSuite.endpoint(e) == nil {
            throw UsageError("--endpoint: unknown endpoint '\(e)'" + (closestMatch(to: e, in: fullSuite.endpoints.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        let suite = selection.apply(to: fullSuite)
        if suite.cases.isEmpty {
            var what: [String] = []
            if !selection.endpoints.isEmpty { what.append("--endpoint \(selection.endpoints.joined(separator: ","))") }
            if !selection.tags.isEmpty { what.append("--tag \(selection.tags.joined(separator: ","))") }
            if !selection.caseGlobs.isEmpty { what.append("--case \(selection.caseGlobs.joined(separator: ","))") }
            if let sh = selection.shard { what.append("--shard \(sh.index)/\(sh.count)") }
            console.err("error: the selection (\(what.joined(separator: " "))) matches none of the \(fullSuite.cases.count) cases; nothing was run")
            return .usage
        }

        if p.has("list") {
            let credentials = Credentials(profile: profile, environment: environment)
            let plan = Planner.plan(suite: suite, target: profile, credentials: credentials)
            for job in plan {
                let c = job.testCase
                var line = "\(c.endpoint)/\(c.id)  \(c.role)  covers \(c.covers)"
                if c.steps.count > 1 { line += "  (\(c.steps.count) steps)" }
                if !c.tags.isEmpty { line += "  [\(c.tags.joined(separator: ","))]" }
                console.out(line)
            }
            console.out("\(plan.count) cases")
            return .passed
        }

        var target = profile
        var env = environment
        var simulator: EmbeddedSimulator?
        if embedded {
            let sim = try EmbeddedSimulator(faults: faults, variants: variants)
            simulator = sim
            target.baseURL = sim.baseURL
            // The simulator's demo tokens stand in for the environment.
            env = sim.environment(for: profile, base: env)
            if !faults.isEmpty { console.out("simulator faults: \(faults.map(\.name).joined(separator: ", "))") }
            if !variants.isEmpty { console.out("simulator variants: \(variants.map(\.name).joined(separator: ", "))") }
        }
        defer { simulator?.stop() }
        if let u = p.value("base-url") { target.baseURL = u }
        if let problem = TargetLoader.insecureCredentialsProblem(baseURL: target.baseURL), !p.has("allow-insecure-http"),
            !target.credentialVariables.isEmpty
        {
            console.err("error: \(problem); use https, or pass --allow-insecure-http if you accept that")
            return .usage
        }

        let credentials = Credentials(profile: target, environment: env)
        let plan = Planner.plan(suite: suite, target: target, credentials: credentials)
        if p.has("dry-run") {
            let runner = Runner(
                suite: suite, target: target, credentials: credentials, transport: URLSessionTransport(maxConnections: 1),
                options: RunOptions())
            for job in plan {
                console.out("# \(job.testCase.endpoint)/\(job.testCase.id) as \(job.testCase.role)")
                if let why = job.skipReason {
                    console.out("  skipped: \(why)")
                    continue
                }
                for r in runner.describe(job) {
                    console.out("  \(r.method) \(r.url)")
                    for h in r.headers { console.out("  \(h)") }
                    if let b = r.body { console.out("  \(b)") }
                }
            }
            console.out("\(plan.count) cases planned; nothing was sent")
            return .passed
        }
        console.out("conformance \(version): \(plan.count) cases, \(suite.endpoints.count) endpoint\(suite.endpoints.count == 1 ? "" : "s"), target \(target.name) at \(target.baseURL)")
        if let g = suite.generated { console.out("generated \(g.cases) cases from seed \(g.seed) (negative inputs; --tag generated selects them with the bound cases)") }
        let stop = StopFlag()
        var onProgress: (@Sendable (Int, Int, CaseResult) -> Void)?
        if let show = console.progress {
            onProgress = { done, total, last in
                show("[\(done)/\(total)] \(last.endpointID)/\(last.caseID): \(last.verdict.label)")
            }
        }
        let runner = Runner(
            suite: suite, target: target, credentials: credentials,
            transport: URLSessionTransport(maxConnections: jobs, maxBodyBytes: maxBodyMB << 20),
            options: RunOptions(
                jobs: jobs, timeout: timeout, deadline: deadline, retries: retries,
                check: CheckOptions(strict: p.has("strict")), stop: stop, progress: onProgress))
        // Ctrl-C / SIGTERM: stop sending, give requests in flight a moment, then
        // cancel them; the report is written either way.
        let running = Task { await runner.run(plan) }
        let watcher = SignalWatcher { name in
            stop.stop(name)
            console.err("\(name): stopping; waiting up to 2 s for requests in flight, then writing the report")
            Task {
                try? await Task.sleep(for: .seconds(2))
                running.cancel()
            }
        }
        let result = await running.value
        watcher.cancel()
        console.progress?("")

        let targetPath = p.value("target") ?? suiteRoot + "/targets/simulator.json"
        let suiteDigest = (try? Certification.suiteDigest(root: suiteRoot).sha256) ?? ""
        let meta = RunMetadata(
            toolVersion: version, suiteVersion: String(suiteDigest.prefix(12)), targetName: target.name,
            baseURL: target.baseURL, profileFile: SuiteLoader.displayPath(targetPath))
        // The results hold no secret: requests were recorded with a
        // placeholder, and what the target sent was scrubbed before it was
        // kept. Reports and console lines are written from them as they are.
        let junit = JUnitReporter.render(result, hostname: ProcessInfo.processInfo.hostName)
        do {
            if certify {
                let w = try Certification.writeBundle(
                    run: result, meta: meta, suiteRoot: suiteRoot, profilePath: targetPath, dir: reportsDir, junit: junit)
                for line in ConsoleReporter.lines(result) { console.out(console.painted(line)) }
                console.out("bundle: \(reportsDir) (junit.xml, results.json, report.html, summary.md, manifest.json)")
                if let signer {
                    do {
                        try Signing.sign(manifest: w.manifestPath, keyPath: signer.key, sshKeygen: signer.sshKeygen)
                    } catch {
                        console.err("error: the bundle was written but not signed: \(error.message)")
                        return .usage
                    }
                    console.out("signature: \(w.manifestPath)\(Signing.signatureSuffix) (ssh-keygen -Y sign, namespace \(Signing.namespace))")
                }
                if w.certifiable {
                    console.out("verdict: CERTIFIABLE — every required case passed")
                    return .passed
                }
                console.out("verdict: NOT CERTIFIABLE — required cases that did not pass cleanly:")
                for r in result.blockingCases {
                    let why: String
                    switch r.verdict {
                    case .passed, .ambiguous: why = "passed only after a retry (flaky)"
                    case .failed: why = "failed: " + (r.failures.first?.message ?? "")
                    case .error(let m): why = "error: " + m
                    case .skipped(let m): why = "skipped: " + m
                    }
                    console.out("  \(r.endpointID)/\(r.caseID): \(why)")
                }
                return .failed
            }
            try writeAtomically(junit, to: reportsDir + "/junit.xml")
            try writeAtomically(JSONReporter.render(result, meta: meta), to: reportsDir + "/results.json")
            let summary = MarkdownReporter.render(result)
            try writeAtomically(summary, to: reportsDir + "/summary.md")
            try writeAtomically(HTMLReporter.render(result), to: reportsDir + "/report.html")
            let coverageText = Coverage.render(result.coverage) + [""] + ValueCoverage.render(result.values, observed: true)
            try writeAtomically(coverageText.joined(separator: "\n") + "\n", to: reportsDir + "/coverage.txt")
            if let stepSummary = environment["GITHUB_STEP_SUMMARY"], !stepSummary.isEmpty {
                appendToFile(summary, path: stepSummary)
            }
        } catch {
            console.err("error: could not write the reports to \(reportsDir): \(error.localizedDescription)")
            for line in ConsoleReporter.lines(result) { console.out(console.painted(line)) }
            return .usage
        }
        for line in ConsoleReporter.lines(result) { console.out(console.painted(line)) }
        console.out("reports: \(reportsDir)/junit.xml, results.json, summary.md, report.html, coverage.txt")
        return exitStatus(result)
    }

    static func appendToFile(_ text: String, path: String) {
        if let h = FileHandle(forWritingAtPath: path) {
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            try? h.close()
        } else {
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        }
    }

    // MARK: openapi

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

    // MARK: init

    static let initHelp = """
        conformance init — scaffold a target profile for a new server

        USAGE
          conformance init --name NAME --base-url URL [--auth query|header|cookie|login] [--out FILE] [--force]

        Writes Cases/targets/NAME.json (or --out FILE) with the base URL, how credentials travel,
        one environment variable per role, and an empty fixtures section; then lists the fixtures
        the suite needs and the variables to export. Missing values are asked for only when
        standard input is a terminal; otherwise they must be given as flags.

        --auth query   ?token=… (the vendor docs' style)      header  Authorization: Bearer …
               cookie  Cookie: token=…                        login   POST /auth/login per role
        """

    static func initProfile(_ args: [String], environment: [String: String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help", "force"], options: ["name", "base-url", "auth", "out", "suite"]))
        if p.has("help") {
            console.out(initHelp)
            return .passed
        }
        let interactive = isatty(0) == 1
        func value(_ key: String, _ question: String, default d: String? = nil) throws(UsageError) -> String {
            if let v = p.value(key), !v.isEmpty { return v }
            if interactive {
                console.out(question + (d.map { " [\($0)]" } ?? "") + ": ", terminator: false)
                if let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    return line.trimmingCharacters(in: .whitespaces)
                }
            }
            if let d { return d }
            throw UsageError("init needs --\(key) (standard input is not a terminal, so nothing is asked)")
        }
        let name = try value("name", "Profile name (e.g. staging)")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw UsageError("--name may hold letters, digits, '-' and '_' only")
        }
        let baseURL = try value("base-url", "Base URL of the server (e.g. https://staging.api.example)")
        if let problem = TargetLoader.baseURLProblem(baseURL) { throw UsageError("--base-url: \(problem)") }
        let auth = try value("auth", "How credentials travel: query, header, cookie or login", default: "header")
        let suiteRoot = p.value("suite") ?? "Cases"
        let out = p.value("out") ?? suiteRoot + "/targets/\(name).json"
        if FileManager.default.fileExists(atPath: out), !p.has("force") {
            throw UsageError("\(out) exists; pass --force to overwrite it")
        }
        let prefix = "TELECOMX_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
        var profile = JSONObject()
        profile["$schema"] = .string(relativePath(from: (out as NSString).deletingLastPathComponent, to: suiteRoot + "/meta/target.schema.json"))
        profile["name"] = .string(name)
        profile["description"] = .string("Target profile for \(name), scaffolded by conformance init.")
        profile["baseURL"] = .string(baseURL)
        var credentials = JSONObject()
        var exports: [String] = []
        let roles = Role.authenticated
        switch auth {
        case "query": profile["auth"] = ["in": "query", "name": "token"]
        case "header", "login": profile["auth"] = ["in": "header", "name": "Authorization", "prefix": "Bearer "]
        case "cookie": profile["auth"] = ["in": "cookie", "name": "token"]
        default: throw UsageError("--auth must be query, header, cookie or login, got '\(auth)'")
        }
        if auth == "login" {
            profile["login"] = ["path": "/auth/login", "tokenPointer": "/token", "expiresPointer": "/expiresInMinutes"]
            for r in roles {
                let u = prefix + r.rawValue + "_USER", pw = prefix + r.rawValue + "_PASSWORD"
                credentials[r.rawValue] = ["username": .string(u), "password": .string(pw)]
                exports.append("export \(u)=…  \(pw)=…")
            }
        } else {
            for r in roles {
                let v = prefix + r.rawValue + "_TOKEN"
                credentials[r.rawValue] = .string(v)
                exports.append("export \(v)=…")
            }
        }
        profile["credentials"] = .object(credentials)
        profile["fixtures"] = .object(JSONObject())
        profile["errorMessagePointer"] = "/message"
        profile["allowMutations"] = false
        try writeAtomically(JSONWriter(pretty: true).string(.object(profile)) + "\n", to: out)
        console.out("wrote \(out)")
        console.out("")
        console.out("1. Export one credential per role (never put them in the file):")
        for e in exports { console.out("   " + e) }
        console.out("2. Add the fixtures that exist on \(name) under \"fixtures\" in \(out). They are listed by how many cases each")
        console.out("   unlocks, most first: a case runs only when every fixture it uses is set (the others are skipped with the reason).")
        if let suite = try? SuiteLoader.load(root: suiteRoot).suite {
            for u in FixtureUsage.compute(suite) {
                console.out("   \(u.name) (\(u.caseIDs.count) case\(u.caseIDs.count == 1 ? "" : "s")): \(u.description)")
            }
        }
        console.out("   'conformance fixtures --target \(out)' shows which are set and the cases each unlocks.")
        console.out("3. Set \"allowMutations\": true only on a server where creating accounts is acceptable.")
        console.out("4. Run: swift run conformance run --target \(out)")
        return .passed
    }

    /// `to` as a path relative to the folder `from` (both may be relative to the working directory).
    static func relativePath(from dir: String, to file: String) -> String {
        func parts(_ p: String) -> [String] {
            let abs = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
            return (abs as NSString).standardizingPath.split(separator: "/").map(String.init)
        }
        let a = parts(dir.isEmpty ? "." : dir), b = parts(file)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
    }

    // MARK: fixtures

    static let fixturesHelp = """
        conformance fixtures — each fixture the suite uses, the cases it unlocks, and whether a profile has it

        USAGE
          conformance fixtures [--target FILE] [--suite DIR] [--preflight [--simulator]]

        Lists every fixture of Cases/fixtures.json, most cases first: a case runs only when the
        target profile has every fixture it uses, so fill in the top of the list first. For each:
        how many cases use it, whether the profile (default Cases/targets/simulator.json) sets it,
        and the first cases. Nothing is sent, unless:

        --preflight   also send the read-only preflight requests of Cases/fixtures.json to the
                      target (credentials from the environment, as for run) and show whether the
                      target confirms each fixture: confirmed, REFUTED (its cases would be errors
                      naming it), unconfirmed (no answer that settles it) or - (no request checks it)
        --simulator   with --preflight: ask the built-in simulator instead of the profile's baseURL

        EXIT STATUS
          0 listed · 2 usage error, or a problem in the suite or the profile
        """

    static func fixtures(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help", "preflight", "simulator"], options: ["target", "suite"]))
        if p.has("help") {
            console.out(fixturesHelp)
            return .passed
        }
        let suiteRoot = p.value("suite") ?? "Cases"
        let targetPath = p.value("target") ?? suiteRoot + "/targets/simulator.json"
        let suite: Suite
        let profile: TargetProfile
        do {
            suite = try SuiteLoader.load(root: suiteRoot).suite
            profile = try TargetLoader.load(path: targetPath, suite: suite).profile
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        let usage = FixtureUsage.compute(suite)
        let present = Set(profile.fixtures.keys)
        let width = max(7, usage.map(\.name.count).max() ?? 0)
        // The read-only preflight, when asked for: what the target says of each fixture.
        var checked: [String: PreflightOutcome.State]?
        if p.has("preflight") {
            var target = profile
            var env = environment
            var sim: EmbeddedSimulator?
            if p.has("simulator") {
                let s = try EmbeddedSimulator()
                target.baseURL = s.baseURL
                env = s.environment(for: profile, base: environment)
                sim = s
            }
            defer { sim?.stop() }
            let runner = Runner(
                suite: suite, target: target, credentials: Credentials(profile: target, environment: env),
                transport: URLSessionTransport(maxConnections: 2), options: RunOptions(jobs: 2, timeout: 10))
            var states: [String: PreflightOutcome.State] = [:]
            for o in await runner.preflight() {
                for f in o.fixtures where states[f] != .refuted {
                    states[f] = o.state == .refuted ? .refuted : (states[f] == .confirmed ? .confirmed : o.state)
                }
            }
            checked = states
        }
        console.out("fixtures for \(SuiteLoader.displayPath(targetPath)), most cases first (a case runs only when the profile has every fixture it uses):")
        console.out(
            "fixture".padding(toLength: width, withPad: " ", startingAt: 0) + "  cases  profile  "
                + (checked == nil ? "" : "preflight    ") + "cases that use it")
        for u in usage {
            let n = String(u.caseIDs.count)
            var line = u.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            line += String(repeating: " ", count: max(0, 5 - n.count)) + n + "  "
            line += (present.contains(u.name) ? "yes" : "no").padding(toLength: 7, withPad: " ", startingAt: 0) + "  "
            if let checked {
                let state = checked[u.name].map { $0 == .refuted ? "REFUTED" : $0.rawValue } ?? "-"
                line += state.padding(toLength: 11, withPad: " ", startingAt: 0) + "  "
            }
            line += u.caseIDs.prefix(3).joined(separator: ", ") + (u.caseIDs.count > 3 ? ", … (+\(u.caseIDs.count - 3))" : "")
            console.out(line)
        }
        let set = usage.count { present.contains($0.name) }
        let runnable = FixtureUsage.runnable(suite, present: present).count
        console.out("\(set) of \(usage.count) fixtures set; \(runnable) of \(suite.cases.count) cases have every fixture they need")
        return .passed
    }

    // MARK: verify

    static func verify(_ args: [String], environment: [String: String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help"], options: ["suite", "allowed-signers"], positionals: 1))
        if p.has("help") {
            console.out("""
                conformance verify — check a certification bundle

                USAGE
                  conformance verify DIR [--suite Cases] [--allowed-signers FILE]

                Recomputes the SHA-256 of every report in the bundle and of the manifest, checks the
                manifest's counts and verdict against results.json and junit.xml, and compares the suite
                digest with the local suite (naming the files that differ).

                Digests prove a bundle intact, not who made it: anyone can edit a report and recompute
                them. --allowed-signers FILE (OpenSSH allowed_signers: `identity namespaces="telecomx-conformance"
                ssh-ed25519 AAAA…`) also checks manifest.json.sig with ssh-keygen -Y verify: the bundle must
                be signed by one of those keys and unchanged since. Needs ssh-keygen (package openssh-client).

                EXIT STATUS
                  0 everything holds · 1 something does not (each problem names its file) · 2 usage error
                """)
            return .passed
        }
        guard let dir = p.positionals.first else { throw UsageError("verify needs the bundle folder") }
        var problems = Certification.verify(dir: dir, suiteRoot: p.value("suite") ?? "Cases")
        var signedBy: String?
        if let allowed = p.value("allowed-signers") {
            let sshKeygen: String
            do { sshKeygen = try Signing.sshKeygen(environment: environment) } catch { throw UsageError(error.message) }
            let manifest = dir + "/" + Certification.manifestName
            switch Signing.verify(manifest: manifest, allowedSigners: allowed, sshKeygen: sshKeygen) {
            case .success(let who): signedBy = who
            case .failure(let f): problems.append(Certification.Problem(file: f.file ?? allowed, message: f.message))
            }
        }
        if problems.isEmpty {
            console.out("\(dir): every digest, count and the verdict hold; the suite matches")
            if let signedBy {
                console.out("\(dir): signed by \(signedBy) (namespace \(Signing.namespace)), unchanged since")
            } else if FileManager.default.fileExists(atPath: dir + "/" + Certification.manifestName + Signing.signatureSuffix) {
                console.out("note: the bundle is signed; pass --allowed-signers FILE to check who signed it")
            }
            return .passed
        }
        for pr in problems { console.out("FAIL  \(pr)") }
        console.out("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(dir)")
        return .failed
    }

    static func exitStatus(_ r: RunResult) -> ExitStatus {
        if r.failed > 0 { return .failed }
        if r.errors > 0 { return .unjudged }
        if r.passed == 0 && !r.results.isEmpty { return .unjudged }
        return .passed
    }

    static func positiveInt(_ s: String?, _ name: String, default d: Int) throws(UsageError) -> Int {
        guard let s else { return d }
        guard let v = Int(s), v > 0 else { throw UsageError("\(name) must be a positive whole number, got '\(s)'") }
        return v
    }

    static func positiveDouble(_ s: String?, _ name: String, default d: Double) throws(UsageError) -> Double {
        guard let s else { return d }
        guard let v = Double(s), v > 0, v.isFinite else { throw UsageError("\(name) must be a positive number of seconds, got '\(s)'") }
        return v
    }

    // MARK: faults

    static func faults(_ args: [String], console: Console) async throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help", "detect"], options: ["suite", "target"], repeatable: ["variant"]))
        if p.has("help") {
            console.out("""
                conformance faults — the simulator's named deviations from the docs

                USAGE
                  conformance faults              list them
                  conformance faults --detect [--variant NAME]... [--target PROFILE]
                                                  run the suite against each fault and show which cases fail

                With --variant (repeatable, 'all' for every one; see `conformance variants`) every run has
                those variants on, and a fault counts as caught only by a case that passes with the
                variants alone. --target names the simulator profile to judge with (default
                Cases/targets/simulator.json; simulator-all.json for --variant all).

                EXIT STATUS (--detect)
                  0 every fault is caught by a case of its endpoint and the simulator without faults fails nothing · 1 otherwise
                """)
            return .passed
        }
        guard p.has("detect") else {
            // Columns as wide as their longest entry: a name must paste back whole.
            let nameWidth = Fault.catalogue.map(\.name.count).max() ?? 0
            let endpointWidth = Fault.catalogue.map(\.endpoint.count).max() ?? 0
            for f in Fault.catalogue {
                console.out("\(f.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(f.endpoint.padding(toLength: endpointWidth, withPad: " ", startingAt: 0))  \(f.summary)")
            }
            return .passed
        }
        let suiteRoot = p.value("suite") ?? "Cases"
        let variants = try namedVariants(p.values("variant"))
        let suite: Suite
        let profile: TargetProfile
        do {
            suite = try SuiteLoader.load(root: suiteRoot).suite
            profile = try TargetLoader.load(path: p.value("target") ?? suiteRoot + "/targets/simulator.json", suite: suite).profile
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        let options = RunOptions(jobs: 8, timeout: 10)
        var ok = true
        let clean = try await EmbeddedSimulator.run(suite: suite, profile: profile, faults: [], variants: variants, options: options)
        let cleanFailures = clean.results.filter { !$0.verdict.conforms }.map(\.caseID)
        let passedClean = Set(clean.results.filter { $0.verdict.conforms }.map(\.caseID))
        if !variants.isEmpty { console.out("variants: \(variants.map(\.name).joined(separator: ", "))") }
        console.out("| fault | endpoint | what it does | failing cases (first finding) |")
        console.out("|---|---|---|---|")
        let cleanText = variants.isEmpty ? "the documented behaviour" : "the variants alone"
        console.out("| (none) | | \(cleanText) | \(cleanFailures.isEmpty ? "none" : "NOT CLEAN: " + cleanFailures.joined(separator: ", ")) |")
        if !cleanFailures.isEmpty { ok = false }
        for f in Fault.catalogue {
            let r = try await EmbeddedSimulator.run(suite: suite, profile: profile, faults: [f], variants: variants, options: options)
            // Caught: a case of the fault's endpoint fails that passes without the fault.
            let aimed = r.results.filter {
                $0.verdict == .failed && passedClean.contains($0.caseID) && (f.endpoint == "*" || $0.endpointID == f.endpoint)
            }
            if aimed.isEmpty { ok = false }
            let shown = aimed.prefix(3).map { r in
                let f = r.failures.first
                return "`\(r.caseID)` (\([f?.check.rawValue, f?.pointer].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")))"
            }
            let more = aimed.count > 3 ? " +\(aimed.count - 3) more" : ""
            console.out("| `\(f.name)` | \(f.endpoint) | \(f.summary) | \(aimed.isEmpty ? "NOT DETECTED" : shown.joined(separator: ", ") + more) |")
        }
        return ok ? .passed : .failed
    }

    // MARK: merge

    static func merge(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help"], options: ["o", "output"], positionals: 1000))
        if p.has("help") {
            console.out("""
                conformance merge — merge the JUnit reports of shards (run --shard I/N) into one

                USAGE
                  conformance merge A.xml B.xml … -o junit.xml

                Test suites of the same endpoint are joined; counts and times are recomputed.
                EXIT STATUS
                  0 merged · 2 usage error or an unreadable report
                """)
            return .passed
        }
        guard let output = p.value("o") ?? p.value("output") else { throw UsageError("merge needs -o FILE") }
        guard !p.positionals.isEmpty else { throw UsageError("merge needs at least one report to read") }
        do {
            let m = try JUnitMerge.merge(files: p.positionals)
            try writeAtomically(m.xml, to: output)
            console.out("merged \(p.positionals.count) report(s) into \(output): \(m.tests) tests, \(m.failures) failures, \(m.errors) errors, \(m.skipped) skipped")
            return .passed
        } catch let e as JUnitMerge.MergeError {
            console.err("error: \(e)")
            return .usage
        }
    }

    // MARK: coverage

    static func coverage(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        let p = try parseArguments(
            args,
            spec: ArgumentSpec(
                flags: ["help", "simulator"], options: ["suite", "target", "reports"], repeatable: ["variant", "fault"]))
        if p.has("help") {
            console.out("""
                conformance coverage — each documented row of each endpoint, with the cases that provoke it
                or the reason it cannot be provoked from outside

                USAGE
                  conformance coverage [--suite DIR]
                  conformance coverage --target F [--simulator] [--variant NAME] [--fault NAME] [--reports DIR]

                Without a target: the rows, then every documented value of the answers (the enums of the
                response schemas) with the cases aimed at it (an equals assertion of that value).
                With --target F (or --simulator, the built-in simulator with profile F or simulator.json):
                runs the suite as `run` does (reports in --reports DIR, default Reports), then prints
                coverage.txt: the rows, and which documented values were seen on the target in answers
                that conformed and which were never seen.

                EXIT STATUS
                  0 every row is covered or explained · 1 a row has neither · 2 usage or suite error
                  with a target, otherwise the run's status (1 failed, 3 not judged)
                """)
            return .passed
        }
        let suite: Suite
        do {
            suite = try SuiteLoader.load(root: p.value("suite") ?? "Cases").suite
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        let cov = Coverage.compute(suite)
        let rowsOK = cov.allSatisfy { $0.uncovered.isEmpty }
        if p.value("target") != nil || p.has("simulator") {
            let reports = p.value("reports") ?? "Reports"
            var runArgs = ["--suite", p.value("suite") ?? "Cases", "--reports", reports]
            if let t = p.value("target") { runArgs += ["--target", t] }
            if p.has("simulator") { runArgs.append("--simulator") }
            for v in p.values("variant") { runArgs += ["--variant", v] }
            for f in p.values("fault") { runArgs += ["--fault", f] }
            let status = try await run(runArgs, environment: environment, console: console)
            guard status != .usage, let text = try? String(contentsOfFile: reports + "/coverage.txt", encoding: .utf8) else {
                return status
            }
            console.out("")
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { console.out(String(line)) }
            return rowsOK ? status : .failed
        }
        for line in Coverage.render(cov) { console.out(line) }
        console.out("")
        for line in ValueCoverage.render(ValueCoverage.compute(suite), observed: false) { console.out(line) }
        return rowsOK ? .passed : .failed
    }

    // MARK: lint-docs

    static func lintDocs(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help", "fail-on-findings"], options: ["docs", "suite"]))
        if p.has("help") {
            console.out(lintDocsHelp)
            return .passed
        }
        let findings: [DocFinding]
        do {
            findings = try DocLint.lint(docsDirectory: p.value("docs") ?? "../shared/api-docs", suiteRoot: p.value("suite") ?? "Cases")
        } catch {
            console.err("error: \(error)")
            return .usage
        }
        for line in DocLint.render(findings) { console.out(line) }
        return p.has("fail-on-findings") && !findings.isEmpty ? .failed : .passed
    }

    // MARK: serve

    static func serve(_ args: [String], console: Console) async throws -> ExitStatus {
        let p = try parseArguments(
            args, spec: ArgumentSpec(flags: ["help"], options: ["host", "port", "latency"], repeatable: ["fault", "variant"]))
        if p.has("help") {
            console.out(serveHelp)
            return .passed
        }
        let port = try p.value("port").map { s throws(UsageError) -> Int in
            guard let v = Int(s), (0...65535).contains(v) else { throw UsageError("--port must be 0…65535, got '\(s)'") }
            return v
        } ?? 8080
        let faults = try namedFaults(p.values("fault"))
        let variants = try namedVariants(p.values("variant"))
        let latency = try p.value("latency").map { s throws(UsageError) -> Double in
            guard let v = parseDuration(s) else { throw UsageError("--latency must be like 50ms or 0.05s, got '\(s)'") }
            return v
        } ?? 0
        let simulator = TelecomXSimulator(faults: faults, variants: variants)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: p.value("host") ?? "127.0.0.1", port: port),
            handler: withLatency(latency, simulator.handler))
        let bound = try server.start()
        console.out("TelecomX simulator listening on http://\(p.value("host") ?? "127.0.0.1"):\(bound)")
        if !faults.isEmpty { console.out("faults: \(faults.map(\.name).joined(separator: ", "))") }
        if !variants.isEmpty { console.out("variants: \(variants.map(\.name).joined(separator: ", "))") }
        console.out("demo tokens (pass as ?token=…, Authorization: Bearer … or the cookie token=…):")
        for (role, token) in simulator.tokensByRole {
            console.out("  export TELECOMX_\(role)_TOKEN=\(token)")
        }
        console.out("demo logins for POST /auth/login (Cases/targets/simulator-login.json):")
        for (role, e) in Seed.standard.employeesByRole {
            console.out("  export TELECOMX_\(role)_USER=\(e.email) TELECOMX_\(role)_PASSWORD=\(e.password)")
        }
        console.out("press Ctrl-C to stop")
        await waitForTermination()
        server.shutdown()
        console.out("stopped")
        return .passed
    }

    /// Calls `handler` with the signal's name on SIGINT or SIGTERM until cancelled.
    final class SignalWatcher {
        var sources: [any DispatchSourceSignal] = []
        init(_ handler: @escaping @Sendable (String) -> Void) {
            for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { handler(name) }
                src.resume()
                sources.append(src)
            }
        }
        func cancel() {
            for s in sources { s.cancel() }
            for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
        }
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForTermination() async {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { continuation.yield(sig) }
            src.resume()
            sources.append(src)
        }
        for await _ in signals { break }
        // Using the sources here also keeps them alive while we wait.
        for src in sources { src.cancel() }
    }
}
