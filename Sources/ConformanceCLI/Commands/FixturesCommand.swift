import ConformanceKit

extension CLI {
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
        let spec = ArgumentSpec(flags: ["help", "preflight", "simulator"], options: ["target", "suite"])
        guard let p = try parseArguments(args, spec: spec, help: fixturesHelp, console: console) else { return .passed }
        guard let loaded = loadSuiteAndProfile(p, console: console) else { return .usage }
        let (suite, profile) = (loaded.suite, loaded.profile)
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
            if refusesUnsafeCredentials(target, environment: env, console: console) { return .usage }
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
        return .passed
    }
}
