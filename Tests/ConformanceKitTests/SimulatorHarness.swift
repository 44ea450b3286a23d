import ConformanceCLI
import ConformanceKit
import TelecomXSimulator

enum TelecomXSimulatorTokens {
    static var all: [(role: String, token: String)] { Seed.standard.tokensByRole }
}

/// The project's suite run through the engine (not the CLI) against a fresh
/// simulator on an ephemeral loopback port, for tests that inspect results.
enum SimulatorHarness {
    /// `profile` is a file in `Cases/targets/`.
    static func run(
        faults: [String] = [], variants: [String] = [], profile: String = "simulator.json", strict: Bool = false
    ) async throws -> RunResult {
        // Several suites judge the same faulted run (each fault's aimed case,
        // every fault detected, values seen): one run per set of faults serves
        // them all, which takes dozens of whole-suite runs off the test time.
        if variants.isEmpty, profile == "simulator.json", !strict {
            return try await memo.result(faults.sorted()) { try await fresh(faults: faults) }
        }
        return try await fresh(faults: faults, variants: variants, profile: profile, strict: strict)
    }

    static let memo = RunMemo()

    /// A run of its own, never shared. With `endpoints`, only those endpoints' cases run.
    static func fresh(
        faults: [String] = [], variants: [String] = [], profile: String = "simulator.json", strict: Bool = false,
        endpoints: Set<String>? = nil
    ) async throws -> RunResult {
        var (suite, _) = try SuiteLoader.load(root: Project.cases)
        if let endpoints { suite.cases = suite.cases.filter { endpoints.contains($0.endpoint) } }
        let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/" + profile, suite: suite)
        return try await EmbeddedSimulator.run(
            suite: suite, profile: profile, faults: faults.compactMap(Fault.named), variants: variants.compactMap(Variant.named),
            options: RunOptions(jobs: 4, timeout: 10, check: CheckOptions(strict: strict)))
    }

    /// `case-id (check pointer: message)` for each case that failed or errored, for test messages.
    static func notPassed(_ result: RunResult) -> [String] {
        result.results.filter { !$0.verdict.conforms }.map { r in
            guard let f = r.failures.first else { return "\(r.caseID) (\(r.verdict.label))" }
            return "\(r.caseID) (\(f.check.rawValue)\(f.pointer.map { " " + $0 } ?? ""): \(f.message))"
        }
    }
}

/// Runs by the faults they were made with, each made once (callers that ask
/// while it runs wait for the same run).
actor RunMemo {
    var runs: [[String]: Task<RunResult, any Error>] = [:]

    func result(_ key: [String], make: @escaping @Sendable () async throws -> RunResult) async throws -> RunResult {
        if let t = runs[key] { return try await t.value }
        let t = Task { try await make() }
        runs[key] = t
        return try await t.value
    }
}
