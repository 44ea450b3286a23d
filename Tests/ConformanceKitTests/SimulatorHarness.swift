import ConformanceKit
import HTTPServer
import TelecomXSimulator

enum TelecomXSimulatorTokens {
    static var all: [(role: String, token: String)] { Seed.standard.tokensByRole }
}

/// The simulator on an ephemeral loopback port, and the suite run against it
/// through the engine's API (not the CLI), for tests that inspect results.
final class SimulatorHarness: Sendable {
    let server: HTTPServer

    init(faults: [String] = []) {
        let sim = TelecomXSimulator(faults: faults.compactMap(Fault.named))
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: sim.handler)
    }

    func stop() { server.shutdown() }

    func run(strict: Bool = false) async throws -> RunResult {
        let port = try server.start()
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        var (target, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", fixtureCatalogue: suite.fixtures)
        target.baseURL = "http://127.0.0.1:\(port)"
        var env: [String: String] = [:]
        let tokens = Dictionary(uniqueKeysWithValues: Seed.standard.tokensByRole.map { ($0.role, $0.token) })
        for (role, variable) in target.credentialVariables { env[variable] = tokens[role.rawValue] }
        let credentials = Credentials(profile: target, environment: env)
        let runner = Runner(
            suite: suite, target: target, credentials: credentials, transport: URLSessionTransport(),
            options: RunOptions(jobs: 4, timeout: 10, check: CheckOptions(strict: strict)))
        return await runner.run(Planner.plan(suite: suite, target: target, credentials: credentials))
    }
}
