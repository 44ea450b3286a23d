import ConformanceCLI
import ConformanceKit
import HTTPServer
import TelecomXSimulator

/// The simulator without a socket: requests go through `InMemoryTransport`
/// (the client's request writer and response reader) and
/// `InMemoryExchange` (the server's request parser and response writer)
/// straight to `TelecomXSimulator.respond`, so a whole-suite run costs no
/// port, thread or connection. Framing variants (chunked,
/// connection-close) are serialized as on the wire; what only a socket shows
/// (a connection's timing, TLS) stays with the socket tests.
public struct InProcessSimulator: Sendable {
    public let simulator: TelecomXSimulator
    /// Never connected to: a name no resolver answers, for the URLs the runner forms.
    public static let baseURL = "http://simulator.invalid"

    public init(faults: [Fault] = [], variants: [Variant] = [], clock: SimulatorClock = .system) {
        simulator = TelecomXSimulator(faults: faults, variants: variants, clock: clock)
    }

    public init(_ simulator: TelecomXSimulator) { self.simulator = simulator }

    public var transport: InMemoryTransport {
        let handler = simulator.handler
        return InMemoryTransport { bytes in
            switch InMemoryExchange.answer(bytes, handler: handler) {
            case .bytes(let b): return b
            case .noAnswer: return nil
            }
        }
    }

    /// The simulator's demo tokens and logins under the variables `profile` names.
    public func environment(for profile: TargetProfile, base: [String: String] = [:]) -> [String: String] {
        EmbeddedSimulator.environment(of: simulator, for: profile, base: base)
    }

    /// Runs `suite` through the engine against this simulator.
    public func run(suite: Suite, profile: TargetProfile, options: RunOptions) async -> RunResult {
        var target = profile
        target.baseURL = Self.baseURL
        let credentials = Credentials(profile: target, environment: environment(for: profile))
        return await Conformance.run(suite: suite, target: target, credentials: credentials, transport: transport, options: options)
    }

    /// Runs `suite` against a fresh simulator with `faults` and `variants`.
    public static func run(
        suite: Suite, profile: TargetProfile, faults: [Fault] = [], variants: [Variant] = [], options: RunOptions
    ) async -> RunResult {
        await InProcessSimulator(faults: faults, variants: variants).run(suite: suite, profile: profile, options: options)
    }
}
