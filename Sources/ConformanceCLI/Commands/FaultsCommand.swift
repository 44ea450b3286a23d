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
        let clean = try await EmbeddedSimulator.run(suite: suite, profile: profile, faults: [], variants: variants, options: options)
        let cleanFailures = clean.results.filter { !$0.verdict.conforms }.map(\.caseID)
        for line in FaultDetection.header(variants: variants, cleanFailures: cleanFailures) { console.out(line) }
        var ok = cleanFailures.isEmpty
        for f in Fault.catalogue {
            // Only the fault's endpoint is run: the rule looks nowhere else.
            let r = try await EmbeddedSimulator.run(
                suite: FaultDetection.scope(of: f, in: suite), profile: profile, faults: [f], variants: variants, options: options)
            let caught = FaultDetection.catching(f, faulted: r, clean: clean)
            if caught.isEmpty { ok = false }
            console.out(FaultDetection.row(f, caught: caught))
        }
        return ok ? .passed : .failed
    }
}
