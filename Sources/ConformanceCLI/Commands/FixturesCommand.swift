import ConformanceKit

extension CLI {
    static let fixturesHelp = """
        conformance fixtures — each fixture the suite uses, the cases it unlocks, and whether a profile has it

        USAGE
          conformance fixtures [--target FILE] [--suite DIR] [--base-url URL] [--reports DIR]
                               [--preflight [--simulator]]

        Lists every fixture of Cases/fixtures.json, most cases first: a case runs only when the
        target profile has every fixture it uses, so fill in the top of the list first. For each:
        how many cases use it, whether the profile (default Cases/targets/simulator.json) sets it,
        and the first cases. Nothing is sent, unless:

        --preflight   also send the read-only preflight requests of Cases/fixtures.json to the
                      target (credentials from the environment, as for run) and show whether the
                      target confirms each fixture: confirmed, REFUTED (its cases would be errors
                      naming it), unconfirmed (no answer that settles it) or - (no request checks it)
        --simulator   with --preflight: ask the built-in simulator instead of the profile's baseURL
        --base-url URL  the server to ask (and whose pool ledger to read) instead of the profile's baseURL
        --reports DIR   where run keeps its pool ledgers (default: Reports): the pool entries earlier
                        runs against this target took are shown as taken, with how many are left

        EXIT STATUS
          0 listed · 2 usage error, or a problem in the suite or the profile
        """

    static func fixtures(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(
            flags: ["help", "preflight", "simulator", "allow-insecure-http"], options: ["target", "suite", "base-url", "reports"])
        guard let p = try parseArguments(args, spec: spec, help: fixturesHelp, console: console) else { return .passed }
        if let u = p.value("base-url"), let problem = TargetLoader.baseURLProblem(u) { throw UsageError("--base-url: \(problem)") }
        if p.has("simulator"), p.value("base-url") != nil { throw UsageError("--simulator and --base-url name two different servers; give one") }
        guard let loaded = loadSuiteAndProfile(p, console: console) else { return .usage }
        let suite = loaded.suite
        var profile = loaded.profile
        if let u = p.value("base-url") { profile.baseURL = u }
        if p.has("preflight"), !p.has("simulator"), !p.has("allow-insecure-http"), !profile.credentialVariables.isEmpty,
            let problem = TargetLoader.insecureCredentialsProblem(baseURL: profile.baseURL)
        {
            throw UsageError("\(problem); use https, or pass --allow-insecure-http if you accept that")
        }
        let usage = FixtureUsage.compute(suite)
        let present = Set(profile.fixtures.keys)
        let width = max(7, usage.map(\.name.count).max() ?? 0)
        // The read-only preflight, when asked for: what the target says of each fixture.
        var checked: [String: PreflightOutcome.State]?
        var poolNotes: [String] = []
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
            if refusesUnsafeCredentials(target, environment: env, console: console) { return .usage }
            let runner = Conformance.engine(
                suite: suite, target: target, credentials: Credentials(profile: target, environment: env),
                transport: Network.transport(maxConnections: 2), options: RunOptions(jobs: 2, timeout: 10))
            var states: [String: PreflightOutcome.State] = [:]
            for o in await runner.preflight() {
                for f in o.fixtures where states[f] != .refuted {
                    states[f] = o.state == .refuted ? .refuted : (states[f] == .confirmed ? .confirmed : o.state)
                }
            }
            // The pools, entry by entry: confirmed when every entry is free.
            let pools = await runner.preflightPools()
            for check in suite.preflight {
                guard let pool = check.pool, case .array(let entries)? = target.fixtures[pool] else { continue }
                let free = entries.count { pools.free.contains(pool + "\u{0}" + PoolLedger.key($0)) }
                states[pool] = free == entries.count ? .confirmed : .unconfirmed
            }
            poolNotes = pools.notes
            checked = states
        }
        console.out("fixtures for \(SuiteLoader.displayPath(p.targetPath)), most cases first (a case runs only when the profile has every fixture it uses):")
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
        if checked != nil {
            for n in poolNotes { console.out("pools: " + n) }
            let unchecked = usage.filter { suite.uncheckedFixtures[$0.name] != nil && present.contains($0.name) }
            if !unchecked.isEmpty {
                console.out("not checked by preflight (-), with why:")
                for u in unchecked { console.out("  \(u.name): \(suite.uncheckedFixtures[u.name] ?? "")") }
            }
        }
        // The pools: what earlier runs against this target took, and what is left.
        let pools = usage.filter { if case .array? = profile.fixtures[$0.name] { return true } else { return false } }.map(\.name)
        if !pools.isEmpty, !p.has("simulator") {
            let path = PoolLedger.path(dir: p.value("reports") ?? "Reports", baseURL: profile.baseURL)
            do {
                let ledger = try PoolLedger.load(path: path).pruned(to: profile.fixtures)
                let left = Dictionary(ledger.remaining(in: profile.fixtures).map { ($0.pool, $0) }, uniquingKeysWith: { a, _ in a })
                // Nothing taken yet (no ledger): every entry is left, and the table says all there is.
                if !left.isEmpty {
                    console.out("pools at \(profile.baseURL) (ledger \(path); run --reset-pools forgets it):")
                    for name in pools {
                        guard case .array(let all)? = profile.fixtures[name] else { continue }
                        let l = left[name]
                        console.out("  \(name): \(l?.left ?? all.count) of \(all.count) entries left" + (l?.left == 0 ? " (exhausted: its cases are skipped)" : ""))
                    }
                }
            } catch {
                console.err("error: " + error.message)
                return .usage
            }
        }
        return .passed
    }
}
