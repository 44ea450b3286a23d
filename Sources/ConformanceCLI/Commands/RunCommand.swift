import ConformanceKit
import Foundation

extension CLI {
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

    static func exitStatus(_ r: RunResult) -> ExitStatus {
        if r.failed > 0 { return .failed }
        if r.errors > 0 { return .unjudged }
        if r.passed == 0 && !r.results.isEmpty { return .unjudged }
        return .passed
    }
}
