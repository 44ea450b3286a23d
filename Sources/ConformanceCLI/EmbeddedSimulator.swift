import ConformanceKit
import Foundation
import HTTPServer
import TelecomXSimulator

/// The built-in simulator on an ephemeral loopback port, as the default target
/// (served by `Network.current`: in-process in the tests that ask for it).
public final class EmbeddedSimulator: Sendable {
    let served: Network.Served
    let simulator: TelecomXSimulator
    public let baseURL: String

    /// `latency` is added to every response (seconds), like a remote server's round trip.
    public init(faults: [Fault] = [], variants: [Variant] = [], latency: Double = 0, clock: SimulatorClock = .system) throws {
        let simulator = TelecomXSimulator(faults: faults, variants: variants, clock: clock)
        self.simulator = simulator
        served = try Network.current.serve(withLatency(latency, simulator.handler))
        baseURL = served.baseURL
    }

    /// `environment` plus the simulator's demo tokens (those of its variants)
    /// under the variables the profile names (variables already set win).
    public func environment(for profile: TargetProfile, base: [String: String] = [:]) -> [String: String] {
        Self.environment(of: simulator, for: profile, base: base)
    }

    /// `base` plus `simulator`'s demo tokens and logins under the variables `profile` names.
    public static func environment(
        of simulator: TelecomXSimulator, for profile: TargetProfile, base: [String: String] = [:]
    ) -> [String: String] {
        var env = base
        let tokens = Dictionary(uniqueKeysWithValues: simulator.tokensByRole.map { ($0.role, $0.token) })
        for (role, variable) in profile.credentialVariables {
            if env[variable] == nil, let t = tokens[role.rawValue] { env[variable] = t }
        }
        let users = Dictionary(uniqueKeysWithValues: Seed.standard.employeesByRole.map { ($0.role, $0.employee) })
        for (role, v) in profile.loginVariables {
            guard let e = users[role.rawValue] else { continue }
            if env[v.username] == nil { env[v.username] = e.email }
            if env[v.password] == nil { env[v.password] = e.password }
        }
        return env
    }

    public func stop() { served.stop() }

    /// Runs `suite` against a fresh simulator with `faults` and `variants`, through the engine.
    public static func run(
        suite: Suite, profile: TargetProfile, faults: [Fault], variants: [Variant] = [], options: RunOptions,
        latency: Double = 0
    ) async throws -> RunResult {
        let sim = try EmbeddedSimulator(faults: faults, variants: variants, latency: latency)
        defer { sim.stop() }
        var target = profile
        target.baseURL = sim.baseURL
        let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
        return await Conformance.run(
            suite: suite, target: target, credentials: credentials,
            transport: Network.transport(maxConnections: options.jobs), options: options)
    }
}

/// A handler that answers `latency` seconds late (each connection has its own
/// thread in HTTPServer, so this delays only that exchange).
public func withLatency(_ latency: Double, _ handler: @escaping HTTPHandler) -> HTTPHandler {
    guard latency > 0 else { return handler }
    return { request in
        Thread.sleep(forTimeInterval: latency)
        return handler(request)
    }
}

/// Parses `50ms`, `0.05s`, `2s` or a bare number of milliseconds.
public func parseDuration(_ s: String) -> Double? {
    let t = s.trimmingCharacters(in: .whitespaces).lowercased()
    if t.hasSuffix("ms"), let v = Double(t.dropLast(2)), v >= 0 { return v / 1000 }
    if t.hasSuffix("s"), let v = Double(t.dropLast()), v >= 0 { return v }
    if let v = Double(t), v >= 0 { return v / 1000 }
    return nil
}
