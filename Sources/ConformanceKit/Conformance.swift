/// The engine's one entry point: the only place its stages are assembled
/// (credentials, transport and options around a suite and a target). The
/// command line, the embedded and in-process simulators, the benchmarks and
/// the tests all come through here.
public enum Conformance {
    /// The engine for `suite` against `target`, for what is asked of a target
    /// outside a run: the preflight, the pools, the profile check, discovery,
    /// and the requests a dry run shows.
    public static func engine(
        suite: Suite, target: TargetProfile, credentials: Credentials, transport: any Transport,
        options: RunOptions = RunOptions()
    ) -> Runner {
        Runner(
            suite: suite, target: target, credentials: credentials, transport: transport, options: options,
            judge: StepJudge(suite: suite, target: target, options: options.check))
    }

    /// Runs `plan` (the suite's whole plan when nil) against `target` and
    /// returns the results in plan order. `confirmedFree`: the pool entries
    /// known free on the target before any case.
    public static func run(
        suite: Suite, target: TargetProfile, credentials: Credentials, transport: any Transport,
        options: RunOptions, plan: Plan? = nil, confirmedFree: Set<String> = []
    ) async -> RunResult {
        var runner = engine(suite: suite, target: target, credentials: credentials, transport: transport, options: options)
        runner.confirmedFree = confirmedFree
        var result = await runner.run(plan ?? Planner.plan(suite: suite, target: target, credentials: credentials))
        // Check: one option of each reading throughout the run. Report: coverage.
        result.results = ReadingConsistency.judge(result.results, readings: suite.readings)
        result.addCoverage(of: suite)
        return result
    }
}
