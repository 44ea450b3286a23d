import ConformanceKit
import Certification
import Foundation
import Synchronization
import TelecomXSimulator

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
          --reports DIR      where reports go (default: Reports): \(ReportFormat.fileList())
          --jobs N           requests in flight at once (default: 8)
          --timeout SECONDS  per-request timeout (default: 30)
          --max-body-mb N    read at most N MB of a response body (default: 10); more is an error
          --deadline SECONDS overall deadline; cases not finished by then are errors naming it
          --retries N        retry transport failures (refused, reset, timeout) up to N times; never
                             a wrong answer; a case that passes only after a retry is reported flaky
          --min-judged N%    exit 4 when fewer than N% of the planned cases were judged (passed or
                             failed; skipped and errored cases are not judged); the profile's
                             "minJudged": N sets it for a target, the option wins
          --reset-pools      forget the pool entries earlier runs against this target took (the
                             ledger REPORTS/.pools/<digest of the base URL>.json; see fixtures)
          --strict           response fields no page documents for that object fail instead of warn
                             (a renamed documented field fails with or without it)
          --allow-insecure-http  send credentials over plain http:// to a host that is not loopback
          --fault NAME       (built-in simulator only) inject a fault; repeatable
          --variant NAME     (built-in simulator only) behave in a way the docs allow; repeatable, 'all' for every one
          --endpoint ID      only cases of this endpoint; repeatable
          --tag TAG          only cases with this tag; repeatable
          --case GLOB        only cases whose id matches (* and ?); repeatable
          --exclude X        leave out the cases whose id matches X (* and ?) or that have tag X;
                             repeatable; applied after the options above; an X matching no case
                             id and no tag is a usage error
          --shard I/N        only the I-th of N stable shards (same case → same shard everywhere; chains never split)
          --shard auto       the shard GitLab (CI_NODE_INDEX/CI_NODE_TOTAL) or Buildkite
                             (BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT) names
          --max-failures N   stop sending once N cases failed or errored (1: fail fast); the
                             cases not run are skipped with the reason
          --rate N           at most N requests a second over the whole run (preflight, cases,
                             retries), for a shared server; --jobs still bounds those in flight
          --quiet            no progress (by default a live line on a terminal, else a line on
                             standard error every 10 s or 10% of the cases)
          --list             print the plan, one line per case, and send nothing
          --dry-run          print every planned request (secrets redacted) and send nothing
          --junit-file       give each JUnit testcase a file attribute (its case file), as GitLab
                             and GitHub JUnit actions read it; the strict Ant and Jenkins xUnit
                             schemas have no such attribute, so such a report validates against neither

        With GITHUB_ACTIONS=true (set by GitHub Actions) a run also prints one ::error
        workflow command per problem (at most 10), at its first case's file.
          -h, --help         this help

        A run whose first 5 cases that sent a request all got no answer (refused, reset, timed
        out) stops there with one error naming the first failure; the rest are skipped.

        Credentials come only from the environment variables the profile names
        under "credentials"; they never appear in any output.

        EXIT STATUS
          0 all passed · 1 the target failed a case · 2 usage or suite error
          3 nothing failed, but a case errored (could not be judged) or none was judged (all skipped)
          4 nothing failed, but less was judged than --min-judged asks
        """

    /// `conformance run` (and `certify`): the pipeline, one named step a line.
    static func run(
        _ args: [String], environment: [String: String], console: Console, certify: Bool = false
    ) async throws -> ExitStatus {
        guard var settings = try RunSettings.parse(args, certify: certify, environment: environment, console: console) else {
            return .passed
        }
        guard let loaded = load(settings, console: console) else { return .usage }
        settings.suiteDigest = loaded.suite.digest
        guard let suite = try select(settings.selection, from: loaded.suite, console: console) else { return .usage }
        if settings.list {
            list(Planner.listing(suite), console: console)
            return .passed
        }
        guard let target = try startTarget(loaded.profile, settings, environment: environment, console: console) else {
            return .usage
        }
        defer { target.simulator?.stop() }
        if !settings.dryRun {
            let profile = target.profile
            let plural = suite.endpoints.count == 1 ? "" : "s"
            console.out("conformance \(version): \(suite.cases.count) cases, \(suite.endpoints.count) endpoint\(plural), target \(profile.name) at \(profile.baseURL)")
            if let tls = URLSessionTransport.tlsLine(
                baseURL: profile.baseURL, environment: environment, inProcess: URLSessionTransport.tlsInProcess, openssl: URLSessionTransport.opensslCommand)
            {
                console.out(tls)
            }
            if let g = suite.generated { console.out("generated \(g.cases) cases from seed \(g.seed) (negative inputs; --tag generated selects them with the bound cases)") }
        }
        // Taken before the pool ledger under the reports folder is read: two runs into one folder would share it.
        var lock: ReportsLock?
        if !settings.dryRun {
            switch ReportsLock.acquire(settings.reportsDir) {
            case .success(let l): lock = l
            case .failure(let e):
                console.err("error: \(e.message)")
                return .usage
            }
        }
        defer { lock?.release() }
        // Ctrl-C or SIGTERM from here on (the pool and profile checks send requests too)
        // stops sending and still writes the report.
        let interruption = Interruption()
        let watcher = SignalWatcher { name in
            interruption.stop.stop(name)
            console.err("\(name): stopping; waiting up to 2 s for requests in flight, then writing the report")
            Task {
                try? await Task.sleep(for: .seconds(2))
                interruption.cancelCurrent()
            }
        }
        defer { watcher.cancel() }
        guard var pools = pools(target, settings, console: console) else { return .usage }
        // Progress from the first request on: the pool preflight and the profile check send too.
        let progress = RunProgress(mode: settings.progressMode(console), total: suite.cases.count, console: console)
        defer { progress.end() }
        if target.simulator == nil, target.profile.allowMutations { progress.enter("checking the pools' entries on the target") }
        let free = await interruption.run { [pools, settings] in
            var ledger = pools.ledger
            let free = await freePoolEntries(
                suite: suite, target: target, settings, ledger: &ledger, stop: interruption.stop, console: console)
            return (free, ledger)
        }
        pools.ledger = free.1
        let plan = Planner.plan(
            suite: suite, target: target.profile, credentials: target.credentials, used: pools.ledger, ledger: pools.path)
        if settings.dryRun {
            dryRun(plan, suite: suite, target: target, console: console)
            return .passed
        }
        progress.enter("checking the profile against the target")
        if plan.hasJobsToRun, interruption.stop.reason == nil,
            !(await interruption.run { [settings] in await profileMeetsTarget(suite: suite, target: target, settings, stop: interruption.stop, console: console) }),
            interruption.stop.reason == nil
        {
            return .usage
        }
        let result = await execute(
            plan, suite: suite, target: target, settings, confirmedFree: free.0, interruption: interruption, progress: progress,
            console: console)
        progress.end()
        if let path = pools.path {
            pools.ledger.record(plan, result.results)
            if !pools.ledger.used.isEmpty {
                do {
                    try writeAtomically(pools.ledger.text(target: target.profile.name, baseURL: target.profile.baseURL), to: path)
                } catch {
                    console.err("error: could not record the pool entries this run took in \(path): \(error.localizedDescription)")
                }
            }
        }
        if settings.certify { return bundle(result, target: target.profile, settings, console: console) }
        return report(result, target: target.profile, settings, environment: environment, console: console)
    }

    /// What `run` and `certify` were asked to do, every option checked before anything loads.
    struct RunSettings {
        var certify: Bool
        var suiteRoot: String
        var targetPath: String
        var reportsDir: String
        var baseURL: String?
        var jobs: Int
        var timeout: Double
        var maxBodyMB: Int
        var deadline: Double?
        var retries: Int
        /// --min-judged: the least percentage of planned cases that must be judged.
        var minJudged: Double?
        /// --reset-pools: forget the pool entries earlier runs against this target took.
        var resetPools: Bool
        var strict: Bool
        var allowInsecureHTTP: Bool
        var list: Bool
        var dryRun: Bool
        /// --junit-file: testcase `file` attributes (outside both JUnit schemas).
        var junitFileAttributes: Bool = false
        /// --max-failures: stop after this many failed or errored cases.
        var maxFailures: Int? = nil
        /// --rate: one pacer for every request of the run.
        var pacer: RequestPacer? = nil
        /// --quiet: no progress.
        var quiet = false
        var selection: Selection
        /// The built-in simulator is the target, with these faults and variants.
        var embedded: Bool
        var faults: [Fault]
        var variants: [Variant]
        /// certify --sign-key: the ssh-keygen to sign with and the key.
        var signer: (sshKeygen: String, key: String)?
        /// The digest of the suite's files as loading read them (set once it is loaded): the reports' suite version.
        var suiteDigest = SuiteDigest(files: [], sha256: "")

        /// `options` with this run's pacer (`--rate`).
        func paced(_ options: RunOptions) -> RunOptions {
            var o = options
            o.pacer = pacer
            return o
        }

        /// Live on a terminal, periodic lines without one, none with --quiet.
        func progressMode(_ console: Console) -> ProgressState.Mode {
            if quiet { return .quiet }
            if console.progress != nil { return .live }
            if let every = console.progressEvery { return .periodic(interval: every) }
            return .quiet
        }

        /// The settings, or nil once the help is printed.
        static func parse(
            _ args: [String], certify: Bool, environment: [String: String], console: Console
        ) throws(UsageError) -> RunSettings? {
            let spec = ArgumentSpec(
                flags: ["help", "strict", "list", "dry-run", "allow-insecure-http", "simulator", "insecure", "reset-pools", "junit-file", "quiet"],
                options: [
                    "target", "base-url", "suite", "reports", "jobs", "timeout", "deadline", "retries", "shard", "max-body-mb",
                    "out", "sign-key", "min-judged", "max-failures", "rate",
                ],
                repeatable: ["fault", "variant", "endpoint", "tag", "case", "exclude"])
            let help = certify ? CLI.certifyHelp : CLI.runHelp
            guard let p = try parseArguments(args, spec: spec, help: help, console: console) else { return nil }
            if certify {
                for k in ["endpoint", "tag", "case", "shard", "reports", "exclude"] where p.options[k] != nil {
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
                    "--insecure is not available: a verdict over a connection nobody verified certifies nothing; "
                        + "name the target's CA bundle in SSL_CERT_FILE (OpenSSL reads it) or add it to the system trust store (update-ca-certificates)")
            }
            let reportsDir = p.value("out") ?? p.value("reports") ?? "Reports"
            let jobs = try CLI.positiveInt(p.value("jobs"), "--jobs", default: 8)
            let timeout = try CLI.positiveDouble(p.value("timeout"), "--timeout", default: 30)
            // At most 64 GiB: the cap bounds memory (jobs × cap), and a larger
            // number would overflow when turned into bytes.
            let maxBodyMB = try CLI.positiveInt(p.value("max-body-mb"), "--max-body-mb", default: 10, max: 65_536)
            let deadline = try p.value("deadline").map { s throws(UsageError) in try CLI.positiveDouble(s, "--deadline", default: 0) }
            let retries = try p.value("retries").map { s throws(UsageError) -> Int in
                guard let v = Int(s), v >= 0, v <= 10 else { throw UsageError("--retries must be 0…10, got '\(s)'") }
                return v
            } ?? 0
            let minJudged = try p.value("min-judged").map { s throws(UsageError) -> Double in
                let digits = s.hasSuffix("%") ? String(s.dropLast()) : s
                guard let v = Double(digits), v >= 0, v <= 100 else { throw UsageError("--min-judged must be a percentage 0…100 (e.g. 80%), got '\(s)'") }
                return v
            }
            if let u = p.value("base-url"), let problem = TargetLoader.baseURLProblem(u) {
                throw UsageError("--base-url: \(problem)")
            }
            var selection = Selection(endpoints: p.values("endpoint"), tags: p.values("tag"), caseGlobs: p.values("case"))
            selection.excludes = p.values("exclude")
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
            let faults = try CLI.namedFaults(p.values("fault"))
            let variants = try CLI.namedVariants(p.values("variant"))
            if !embedded && !faults.isEmpty {
                throw UsageError("--fault applies to the built-in simulator only (drop --target, or add --simulator)")
            }
            if !embedded && !variants.isEmpty {
                throw UsageError("--variant applies to the built-in simulator only (drop --target, or add --simulator)")
            }
            var settings = RunSettings(
                certify: certify, suiteRoot: p.suiteRoot, targetPath: p.targetPath, reportsDir: reportsDir,
                baseURL: p.value("base-url"), jobs: jobs, timeout: timeout, maxBodyMB: maxBodyMB, deadline: deadline,
                retries: retries, minJudged: minJudged, resetPools: p.has("reset-pools"), strict: p.has("strict"), allowInsecureHTTP: p.has("allow-insecure-http"), list: p.has("list"),
                dryRun: p.has("dry-run"), selection: selection, embedded: embedded, faults: faults, variants: variants,
                signer: signer)
            settings.junitFileAttributes = p.has("junit-file")
            settings.quiet = p.has("quiet")
            if let m = p.value("max-failures") {
                if certify { throw UsageError("certify runs the whole suite: --max-failures is not allowed") }
                settings.maxFailures = try CLI.positiveInt(m, "--max-failures", default: 1)
            }
            if let r = p.value("rate") {
                let rate = try CLI.positiveDouble(r, "--rate", default: 1)
                settings.pacer = RequestPacer(perSecond: rate)
            }
            return settings
        }
    }

    /// Load: the whole suite and the profile, every problem reported before anything runs.
    static func load(_ s: RunSettings, console: Console) -> Loaded? {
        do {
            // --list reports nothing about the suite's files: no digest to compute.
            let loaded = try load(suiteRoot: s.suiteRoot, targetPath: s.targetPath, digest: !s.list)
            for w in loaded.warnings { console.err(w.description) }
            return loaded
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            let n = error.diagnostics.filter { $0.severity == .error }.count
            console.err("\(n) problem\(n == 1 ? "" : "s") in the suite or target profile; nothing was run.")
            return nil
        }
    }

    /// Select: the cases `--endpoint`, `--tag`, `--case` and `--shard` pick; nil (after saying so) when none.
    static func select(_ selection: Selection, from fullSuite: Suite, console: Console) throws(UsageError) -> Suite? {
        for e in selection.endpoints where fullSuite.endpoint(e) == nil {
            throw UsageError("--endpoint: unknown endpoint '\(e)'" + (closestMatch(to: e, in: fullSuite.endpoints.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        let tags = Set(fullSuite.cases.flatMap(\.tags))
        for x in selection.excludes where !tags.contains(x) && !fullSuite.cases.contains(where: { globMatch(x, $0.id) }) {
            let near = closestMatch(to: x, in: Array(tags).sorted() + fullSuite.cases.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("--exclude: '\(x)' matches no case id and no tag of the suite\(near)")
        }
        let suite = selection.apply(to: fullSuite)
        if suite.cases.isEmpty {
            var what: [String] = []
            if !selection.endpoints.isEmpty { what.append("--endpoint \(selection.endpoints.joined(separator: ","))") }
            if !selection.tags.isEmpty { what.append("--tag \(selection.tags.joined(separator: ","))") }
            if !selection.caseGlobs.isEmpty { what.append("--case \(selection.caseGlobs.joined(separator: ","))") }
            if let sh = selection.shard { what.append("--shard \(sh.index)/\(sh.count)") }
            if !selection.excludes.isEmpty { what.append("--exclude \(selection.excludes.joined(separator: ","))") }
            console.err("error: the selection (\(what.joined(separator: " "))) matches none of the \(fullSuite.cases.count) cases; nothing was run")
            return nil
        }
        return suite
    }

    /// `--list`: the plan's cases (`Planner.listing`), one line a case; nothing is sent.
    /// Written at once: a write (and a `Data`) per line was a few percent of `run --list`.
    static func list(_ cases: [Case], console: Console) {
        var text = ""
        for c in cases {
            text += "\(c.endpoint)/\(c.id)  \(c.role)  covers \(c.covers)"
            if c.steps.count > 1 { text += "  (\(c.steps.count) steps)" }
            if !c.tags.isEmpty { text += "  [\(c.tags.joined(separator: ","))]" }
            text += "\n"
        }
        console.out(text + "\(cases.count) cases")
    }

    /// The server the cases go to: the profile with its base URL and the credentials to send.
    struct RunTarget {
        var profile: TargetProfile
        var credentials: Credentials
        /// The built-in simulator, when it is the target; stopped by the caller.
        var simulator: EmbeddedSimulator?
    }

    /// The target: the built-in simulator started (its demo tokens standing in for the
    /// environment) or the profile's server; nil (after saying why) when credentials would
    /// travel in the clear.
    static func startTarget(
        _ profile: TargetProfile, _ s: RunSettings, environment: [String: String], console: Console
    ) throws -> RunTarget? {
        var target = profile
        var env = environment
        var simulator: EmbeddedSimulator?
        if s.embedded {
            let sim = try EmbeddedSimulator(faults: s.faults, variants: s.variants)
            simulator = sim
            target.baseURL = sim.baseURL
            env = sim.environment(for: profile, base: env)
            if !s.faults.isEmpty { console.out("simulator faults: \(s.faults.map(\.name).joined(separator: ", "))") }
            if !s.variants.isEmpty { console.out("simulator variants: \(s.variants.map(\.name).joined(separator: ", "))") }
        }
        if let u = s.baseURL { target.baseURL = u }
        if let problem = TargetLoader.insecureCredentialsProblem(baseURL: target.baseURL), !s.allowInsecureHTTP,
            !target.credentialVariables.isEmpty
        {
            simulator?.stop()
            console.err("error: \(problem); use https, or pass --allow-insecure-http if you accept that")
            return nil
        }
        if refusesUnsafeCredentials(target, environment: env, console: console) {
            simulator?.stop()
            return nil
        }
        return RunTarget(profile: target, credentials: Credentials(profile: target, environment: env), simulator: simulator)
    }

    /// Whether a credential variable holds what cannot travel byte for byte
    /// where the profile puts it (a control character anywhere; a `;` and the
    /// like in a cookie): each is named on stderr, never its value, and
    /// nothing is sent.
    static func refusesUnsafeCredentials(_ target: TargetProfile, environment: [String: String], console: Console) -> Bool {
        let refused = Credentials.refusedVariables(profile: target, environment: environment)
        for (variable, reason) in refused {
            console.err("error: environment variable \(variable) \(reason); nothing was sent. Set it to the credential alone")
        }
        return !refused.isEmpty
    }

    /// `--dry-run`: every planned request, secrets redacted; nothing is sent.
    static func dryRun(_ plan: Plan, suite: Suite, target: RunTarget, console: Console) {
        let runner = Conformance.engine(
            suite: suite, target: target.profile, credentials: target.credentials,
            transport: Network.transport(maxConnections: 1), options: RunOptions())
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
    }

    /// The pool entries earlier runs against this target took (see
    /// `PoolLedger`): none for the built-in simulator, which starts fresh.
    /// Nil (after saying why) when the ledger cannot be read.
    static func pools(_ target: RunTarget, _ s: RunSettings, console: Console) -> (ledger: PoolLedger, path: String?)? {
        guard target.simulator == nil else {
            if s.resetPools { console.out("pools: nothing to forget: the built-in simulator starts with every pool entry free") }
            return (PoolLedger(), nil)
        }
        let path = PoolLedger.path(dir: s.reportsDir, baseURL: target.profile.baseURL)
        if s.resetPools, s.dryRun {
            // A dry run changes nothing: the ledger stays, and the plan shown is the one a reset run would make.
            if FileManager.default.fileExists(atPath: path) {
                console.out("pools: --dry-run: would forget the entries earlier runs against this target took (\(path) is kept); the plan below forgets them")
            }
            return (PoolLedger(), path)
        }
        if s.resetPools, FileManager.default.fileExists(atPath: path) {
            do { try FileManager.default.removeItem(atPath: path) } catch {
                console.err("error: --reset-pools: could not remove \(path): \(error.localizedDescription)")
                return nil
            }
            console.out("pools: forgot the entries earlier runs against this target took (removed \(path))")
        }
        let ledger: PoolLedger
        do { ledger = try PoolLedger.load(path: path).pruned(to: target.profile.fixtures) } catch {
            console.err("error: " + error.message)
            return nil
        }
        for r in ledger.remaining(in: target.profile.fixtures) {
            console.out(
                "pools: \(r.pool): \(r.left) of \(r.total) entries left; earlier runs against this target took the others (\(path); --reset-pools forgets them)")
        }
        return (ledger, path)
    }

    /// The pool entries known free on the target before any case: every
    /// entry of the built-in simulator (it starts fresh), and on another
    /// server those the preflight of the pools finds free (read-only, only
    /// when mutating cases may run). Entries it finds in use join the ledger,
    /// so the plan skips them.
    static func freePoolEntries(
        suite: Suite, target: RunTarget, _ s: RunSettings, ledger: inout PoolLedger, stop: StopFlag? = nil,
        console: Console
    ) async -> Set<String> {
        if target.simulator != nil {
            var all = Set<String>()
            for case (let pool, .array(let entries)) in target.profile.fixtures {
                for e in entries { all.insert(pool + "\u{0}" + PoolLedger.key(e)) }
            }
            return all
        }
        guard target.profile.allowMutations, !s.dryRun, !s.list else { return [] }
        let runner = Conformance.engine(
            suite: suite, target: target.profile, credentials: target.credentials,
            transport: Network.transport(maxConnections: s.jobs, maxBodyBytes: s.maxBodyMB << 20),
            options: s.paced(RunOptions(jobs: s.jobs, timeout: s.timeout, deadline: s.deadline, retries: s.retries, stop: stop)))
        let found = await runner.preflightPools(skipping: ledger.used.mapValues(Set.init))
        for n in found.notes { console.out("pools: " + n) }
        for (pool, keys) in found.inUse {
            for k in keys where !(ledger.used[pool] ?? []).contains(k) { ledger.used[pool, default: []].append(k) }
        }
        return found.free
    }

    /// The profile against the target before any case: where the error
    /// message sits and whether the target takes the credentials as sent.
    /// False (after naming each mistake) when the run must stop.
    static func profileMeetsTarget(
        suite: Suite, target: RunTarget, _ s: RunSettings, stop: StopFlag? = nil, console: Console
    ) async -> Bool {
        let runner = Conformance.engine(
            suite: suite, target: target.profile, credentials: target.credentials,
            transport: Network.transport(maxConnections: 2, maxBodyBytes: s.maxBodyMB << 20),
            options: s.paced(RunOptions(jobs: 2, timeout: s.timeout, deadline: s.deadline, retries: s.retries, stop: stop)))
        let check = await runner.checkProfile()
        for n in check.notes { console.out("profile: " + n) }
        guard !check.problems.isEmpty else { return true }
        for p in check.problems { console.err("error: " + p) }
        let n = check.problems.count
        console.err("\(n) problem\(n == 1 ? "" : "s") in the target profile, shown by the target before any case; no case was run.")
        return false
    }

    /// Run: send the plan, with a progress line on a terminal. Ctrl-C or SIGTERM stops
    /// sending, gives requests in flight a moment, then cancels them; the result holds what finished.
    static func execute(
        _ plan: Plan, suite: Suite, target: RunTarget, _ s: RunSettings, confirmedFree: Set<String> = [],
        interruption: Interruption? = nil, progress: RunProgress? = nil, console: Console
    ) async -> RunResult {
        let profile = target.profile
        let own = interruption == nil ? Interruption() : nil
        let interruption = interruption ?? own!
        let stop = interruption.stop
        progress?.setTotal(plan.count)
        progress?.enter("sending the first cases")
        let early = Mutex(EarlyStop(maxFailures: s.maxFailures))
        let onProgress: @Sendable (Int, Int, CaseResult) -> Void = { done, total, last in
            progress?.finished(last)
            // The last case is in: the heap kept for the requests goes back before the coverage and the reports.
            if done == total { AllocatorTuning.releaseFreed() }
            if let why = early.withLock({ $0.finished(last) }), stop.reason == nil {
                stop.halt(why)
                console.err("stopping: \(why); the cases not yet run are skipped")
            }
        }
        let transport = Network.transport(maxConnections: s.jobs, maxBodyBytes: s.maxBodyMB << 20)
        var spooling = s.paced(RunOptions(
            jobs: s.jobs, timeout: s.timeout, deadline: s.deadline, retries: s.retries,
            check: CheckOptions(strict: s.strict), stop: stop, progress: onProgress))
        // Each result goes to a private spool file as its case finishes (see
        // CaseResults): the run's memory does not grow with its cases.
        spooling.resultSpool = NSTemporaryDirectory()
        let options = spooling
        // Without an interruption handed in (callers other than run), the signals are watched here.
        let watcher = own.map { own in
            SignalWatcher { name in
                own.stop.stop(name)
                console.err("\(name): stopping; waiting up to 2 s for requests in flight, then writing the report")
                Task {
                    try? await Task.sleep(for: .seconds(2))
                    own.cancelCurrent()
                }
            }
        }
        let result = await interruption.run {
            await Conformance.run(
                suite: suite, target: profile, credentials: target.credentials, transport: transport, options: options,
                plan: plan, confirmedFree: confirmedFree)
        }
        watcher?.cancel()
        return result
    }

    /// What the reports say of the run: tool and suite versions, the target.
    static func runMetadata(target: TargetProfile, _ s: RunSettings) -> RunMetadata {
        RunMetadata(
            toolVersion: version, suiteVersion: String(s.suiteDigest.sha256.prefix(12)), targetName: target.name,
            baseURL: target.baseURL, profileFile: SuiteLoader.displayPath(s.targetPath))
    }

    /// Report: the files in --reports DIR (and the GitHub step summary), then the console lines.
    ///
    /// The results hold no secret: requests were recorded with a placeholder, and what
    /// the target sent was scrubbed before it was kept. Reports and console lines are
    /// written from them as they are.
    static func report(
        _ result: RunResult, target: TargetProfile, _ s: RunSettings, environment: [String: String], console: Console
    ) -> ExitStatus {
        let context = ReportContext(
            meta: runMetadata(target: target, s), hostname: ProcessInfo.processInfo.hostName,
            junitFileAttributes: s.junitFileAttributes)
        let reportsDir = s.reportsDir
        do {
            try ReportFormat.write(result, context: context, to: reportsDir)
            // The job summary is summary.md as written (short: its tables stop at 50 rows).
            if let stepSummary = environment["GITHUB_STEP_SUMMARY"], !stepSummary.isEmpty,
                let summary = try? String(contentsOfFile: reportsDir + "/" + ReportFormat.summary.file, encoding: .utf8)
            {
                appendToFile(summary, path: stepSummary)
            }
        } catch {
            return reportsNotWritten(error, to: reportsDir, result, console: console)
        }
        printVerdicts(result, console: console)
        if environment["GITHUB_ACTIONS"] == "true" {
            for line in GitHubAnnotations.lines(result, directory: FileManager.default.currentDirectoryPath) { console.out(line) }
        }
        console.out("reports: \(reportsDir)/\(ReportFormat.fileList())")
        let status = exitStatus(result)
        if status == .passed, let least = s.minJudged ?? target.minJudged, Judged.percent(result) < least {
            console.err(
                "error: \(Judged.count(result)) of \(result.results.count) cases judged (\(percentText(Judged.percent(result)))), less than the "
                    + (s.minJudged != nil ? "--min-judged" : "profile's minJudged") + " \(percentText(least)) (exit 4)")
            return .underJudged
        }
        return status
    }

    /// The reports could not be written: say so, still print the verdicts, exit 2.
    static func reportsNotWritten(_ error: any Error, to dir: String, _ result: RunResult, console: Console) -> ExitStatus {
        console.err("error: could not write the reports to \(dir): \(error.localizedDescription)")
        printVerdicts(result, console: console)
        return .usage
    }

    /// The console's failures and the closing count line, each printed as it is made.
    static func printVerdicts(_ result: RunResult, console: Console) {
        ConsoleReporter.write(result) { console.out(console.painted($0)) }
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

    /// `10.5%`, `80%`.
    static func percentText(_ p: Double) -> String {
        let tenth = (p * 10).rounded() / 10
        return (tenth == tenth.rounded() ? String(Int(tenth)) : String(tenth)) + "%"
    }

    static func exitStatus(_ r: RunResult) -> ExitStatus {
        if r.failed > 0 { return .failed }
        if r.errors > 0 { return .unjudged }
        // As results.json's verdict: ambiguous cases conform, so a run of them is judged.
        if r.passed + r.ambiguous == 0 && !r.results.isEmpty { return .unjudged }
        return .passed
    }
}
