import ConformanceKit
import TelecomXSimulator

extension CLI {
    static let faultsHelp = """
        conformance faults — the simulator's named deviations from the docs

        USAGE
          conformance faults              list them
          conformance faults --detect [--variant NAME]... [--target PROFILE]
                                          run the suite against each fault (the cases of its endpoint)
                                          and show which cases fail

        With --variant (repeatable, 'all' for every one; see `conformance variants`) every run has
        those variants on, and a fault counts as caught only by a case that passes with the
        variants alone. --target names the simulator profile to judge with (default
        Cases/targets/simulator.json; simulator-all.json for --variant all).

        EXIT STATUS (--detect)
          0 every fault is caught by a case of its endpoint and the simulator without faults fails nothing · 1 otherwise
        """

    static func faults(_ args: [String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "detect"], options: ["suite", "target"], repeatable: ["variant"])
        guard let p = try parseArguments(args, spec: spec, help: faultsHelp, console: console) else { return .passed }
        guard p.has("detect") else {
            // Columns as wide as their longest entry: a name must paste back whole.
            let nameWidth = Fault.catalogue.map(\.name.count).max() ?? 0
            let endpointWidth = Fault.catalogue.map(\.endpoint.count).max() ?? 0
            for f in Fault.catalogue {
                console.out("\(f.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(f.endpoint.padding(toLength: endpointWidth, withPad: " ", startingAt: 0))  \(f.summary)")
            }
            return .passed
        }
        let variants = try namedVariants(p.values("variant"))
        guard let loaded = loadSuiteAndProfile(p, console: console) else { return .usage }
        let (suite, profile) = (loaded.suite, loaded.profile)
        let options = RunOptions(jobs: 8, timeout: 10)
        var ok = true
        let clean = try await EmbeddedSimulator.run(suite: suite, profile: profile, faults: [], variants: variants, options: options)
        let cleanFailures = clean.results.filter { !$0.verdict.conforms }.map(\.caseID)
        if !variants.isEmpty { console.out("variants: \(variants.map(\.name).joined(separator: ", "))") }
        console.out("| fault | endpoint | what it does | failing cases (first finding) |")
        console.out("|---|---|---|---|")
        let cleanText = variants.isEmpty ? "the documented behaviour" : "the variants alone"
        console.out("| (none) | | \(cleanText) | \(cleanFailures.isEmpty ? "none" : "NOT CLEAN: " + cleanFailures.joined(separator: ", ")) |")
        if !cleanFailures.isEmpty { ok = false }
        for f in Fault.catalogue {
            // Only the fault's endpoint is run: the rule looks nowhere else.
            let r = try await EmbeddedSimulator.run(
                suite: FaultDetection.scope(of: f, in: suite), profile: profile, faults: [f], variants: variants, options: options)
            let aimed = FaultDetection.catching(f, faulted: r, clean: clean)
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
}
