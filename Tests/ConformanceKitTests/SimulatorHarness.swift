import ConformanceCLI
import ConformanceKit
import TelecomXSimulator

enum TelecomXSimulatorTokens {
    static var all: [(role: String, token: String)] { Seed.standard.tokensByRole }
}

/// The project's suite run through the engine (not the CLI) against a fresh
/// simulator on an ephemeral loopback port, for tests that inspect results.
enum SimulatorHarness {
    static func run(faults: [String] = [], strict: Bool = false) async throws -> RunResult {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        return try await EmbeddedSimulator.run(
            suite: suite, profile: profile, faults: faults.compactMap(Fault.named),
            options: RunOptions(jobs: 4, timeout: 10, check: CheckOptions(strict: strict)))
    }
}
