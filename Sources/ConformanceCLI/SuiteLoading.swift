import ConformanceKit

/// Where the commands find the suite and the target profile, the same defaults everywhere.
extension ParsedArguments {
    /// `--suite DIR`, or `Cases`.
    var suiteRoot: String { value("suite") ?? "Cases" }
    /// `--target FILE`, or the suite's profile of the built-in simulator.
    var targetPath: String { value("target") ?? suiteRoot + "/targets/simulator.json" }
}

/// Loading the suite (and a profile) for a command: the loaded values, or
/// nil once every diagnostic of what did not load is on standard error.
extension CLI {
    /// A suite and a target profile, with the warnings of both.
    struct Loaded {
        var suite: Suite
        var profile: TargetProfile
        var warnings: [Diagnostic]
    }

    /// The suite at `suiteRoot` and the profile at `targetPath`, judged against it
    /// (`digest` false: the suite's files not hashed, for what reports no digest).
    static func load(suiteRoot: String, targetPath: String, digest: Bool = true) throws(SuiteLoadError) -> Loaded {
        let s = try SuiteLoader.load(root: suiteRoot, digest: digest)
        let t = try TargetLoader.load(path: targetPath, suite: s.suite)
        return Loaded(suite: s.suite, profile: t.profile, warnings: s.warnings + t.warnings)
    }

    /// What `load` returns, or nil after writing its diagnostics to standard error.
    static func reportingProblems<T>(console: Console, _ load: () throws(SuiteLoadError) -> T) -> T? {
        do {
            return try load()
        } catch {
            for d in error.diagnostics { console.err(d.description) }
            return nil
        }
    }

    /// The suite at `root`, or nil after its diagnostics.
    static func loadSuite(root: String, console: Console) -> Suite? {
        reportingProblems(console: console) { () throws(SuiteLoadError) in try SuiteLoader.load(root: root).suite }
    }

    /// The suite and the profile `--suite` and `--target` name, or nil after their diagnostics.
    static func loadSuiteAndProfile(_ p: ParsedArguments, console: Console) -> Loaded? {
        reportingProblems(console: console) { () throws(SuiteLoadError) in
            try load(suiteRoot: p.suiteRoot, targetPath: p.targetPath)
        }
    }
}
