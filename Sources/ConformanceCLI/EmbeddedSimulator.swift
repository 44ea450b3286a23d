import ConformanceKit
import HTTPServer
import TelecomXSimulator

/// The built-in simulator on an ephemeral loopback port, as the default target.
public final class EmbeddedSimulator: Sendable {
    let server: HTTPServer
    public let baseURL: String

    public init(faults: [Fault] = []) throws {
        let simulator = TelecomXSimulator(faults: faults)
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: simulator.handler)
        let port = try server.start()
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// `environment` plus the simulator's demo tokens under the variables the
    /// profile names (variables already set win).
    public func environment(for profile: TargetProfile, base: [String: String] = [:]) -> [String: String] {
        var env = base
        let tokens = Dictionary(uniqueKeysWithValues: Seed.standard.tokensByRole.map { ($0.role, $0.token) })
        for (role, variable) in profile.credentialVariables {
            if env[variable] == nil, let t = tokens[role.rawValue] { env[variable] = t }
        }
        return env
    }

    public func stop() { server.shutdown() }

    /// Runs `suite` against a fresh simulator with `faults`, through the engine.
    public static func run(
        suite: Suite, profile: TargetProfile, faults: [Fault], options: RunOptions
    ) async throws -> RunResult {
        let sim = try EmbeddedSimulator(faults: faults)
        defer { sim.stop() }
        var target = profile
        target.baseURL = sim.baseURL
        let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
        let runner = Runner(
            suite: suite, target: target, credentials: credentials,
            transport: URLSessionTransport(maxConnections: options.jobs), options: options)
        return await runner.run(Planner.plan(suite: suite, target: target, credentials: credentials))
    }
}
