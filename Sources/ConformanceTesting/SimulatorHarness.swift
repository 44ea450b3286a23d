import ConformanceCLI
import ConformanceKit
import TelecomXSimulator

public enum TelecomXSimulatorTokens {
    public static var all: [(role: String, token: String)] { Seed.standard.tokensByRole }
}

/// The project's suite run through the engine (not the CLI) against a fresh
/// simulator in-process (`InProcessSimulator`: the wire's request and
/// response code without a socket), for tests that inspect results. The
/// suite and profiles are loaded once per test process (`ProjectSuite`).
public enum SimulatorHarness {
    /// `profile` is a file in `Cases/targets/`. `endpoints` limits the run to
    /// those endpoints' cases (all when empty).
    public static func run(
        faults: [String] = [], variants: [String] = [], profile: String = "simulator.json", strict: Bool = false,
        endpoints: [String] = []
    ) async throws -> RunResult {
        // Several suites judge the same run (each fault's aimed case, every
        // fault detected, values seen, the baselines): one run per
        // configuration serves them all.
        let key = RunMemo.Key(faults: faults.sorted(), variants: variants, profile: profile, strict: strict, endpoints: endpoints.sorted())
        return try await memo.result(key) {
            try await fresh(faults: faults, variants: variants, profile: profile, strict: strict, endpoints: endpoints)
        }
    }

    public static let memo = RunMemo()

    /// A run of its own, never shared. With `endpoints`, only those endpoints' cases run.
    public static func fresh(
        faults: [String] = [], variants: [String] = [], profile: String = "simulator.json", strict: Bool = false,
        endpoints: [String] = []
    ) async throws -> RunResult {
        let suite = try ProjectSuite.suite()
        let scoped = endpoints.isEmpty ? suite : Selection(endpoints: endpoints).apply(to: suite)
        return await InProcessSimulator.run(
            suite: scoped, profile: try ProjectSuite.profile(profile), faults: try faults.map(fault), variants: try variants.map(variant),
            options: RunOptions(jobs: 4, timeout: 10, check: CheckOptions(strict: strict)))
    }

    /// Whether the suite catches `name` (with `variants` on), by the rule
    /// `conformance faults --detect` uses: the clean run is the whole suite,
    /// the fault's run only its endpoint.
    public static func detection(
        of name: String, variants: [String] = [], profile: String = "simulator.json"
    ) async throws -> (fault: Fault, clean: RunResult, faulted: RunResult, caught: [CaseResult]) {
        let f = try fault(name)
        let clean = try await run(variants: variants, profile: profile)
        let endpoints = f.endpoint == "*" ? [] : [f.endpoint]
        let faulted = try await run(faults: [name], variants: variants, profile: profile, endpoints: endpoints)
        return (f, clean, faulted, FaultDetection.catching(f, faulted: faulted, clean: clean))
    }

    public struct UnknownName: Error, CustomStringConvertible {
        public var description: String
    }

    public static func fault(_ name: String) throws -> Fault {
        guard let f = Fault.named(name) else { throw UnknownName(description: "no fault named \(name) in Fault.catalogue") }
        return f
    }

    public static func variant(_ name: String) throws -> Variant {
        guard let v = Variant.named(name) else { throw UnknownName(description: "no variant named \(name) in Variant.catalogue") }
        return v
    }

    /// `case-id (check pointer: message)` for each case that failed or errored, for test messages.
    public static func notPassed(_ result: RunResult) -> [String] {
        result.results.filter { !$0.verdict.conforms }.map { r in
            guard let f = r.failures.first else { return "\(r.caseID) (\(r.verdict.label))" }
            return "\(r.caseID) (\(f.check.rawValue)\(f.pointer.map { " " + $0.description } ?? ""): \(f.message))"
        }
    }
}

/// Runs by their configuration, each made once (callers that ask while it
/// runs wait for the same run). Bounded by the configurations the tests
/// name: the catalogues' faults and variants, a few profiles.
public actor RunMemo {
    public struct Key: Hashable, Sendable {
        var faults: [String]
        var variants: [String]
        var profile: String
        var strict: Bool
        var endpoints: [String]
    }

    var runs: [Key: Task<RunResult, any Error>] = [:]

    public func result(_ key: Key, make: @escaping @Sendable () async throws -> RunResult) async throws -> RunResult {
        if let t = runs[key] { return try await t.value }
        let t = Task { try await make() }
        runs[key] = t
        return try await t.value
    }
}
