import ConformanceCLI
import Foundation
import Synchronization
import TelecomXSimulator

/// A console that keeps what was written.
public final class Capture: Sendable {
    public init() {}
    public let lines = Mutex<(out: [String], err: [String])>(([], []))
    public var console: Console {
        Console(
            out: { s in self.lines.withLock { $0.out.append(s) } },
            err: { s in self.lines.withLock { $0.err.append(s) } })
    }
    public var out: String { lines.withLock { $0.out.joined(separator: "\n") } }
    public var err: String { lines.withLock { $0.err.joined(separator: "\n") } }
}

/// Runs `conformance` in-process. The built-in simulator is served
/// in-process too (`Network.inProcess`: no socket, the wire's code both
/// sides) unless `sockets`; a URL it does not serve (a test's own
/// `HTTPServer`) is reached over real sockets either way.
public func conformance(_ args: [String], environment: [String: String] = [:], sockets: Bool = false) async -> (status: Int32, capture: Capture) {
    let c = Capture()
    let status = await Network.$current.withValue(sockets ? .sockets : .inProcess) {
        await CLI.main(args, environment: environment, console: c.console)
    }
    return (status, c)
}

/// The built-in simulator served in-process (`Network.inProcess`), for
/// commands run with `conformance` (which reach it at its base URL).
public func inProcessSimulator(faults: [Fault] = [], variants: [Variant] = []) throws -> EmbeddedSimulator {
    try Network.$current.withValue(.inProcess) { try EmbeddedSimulator(faults: faults, variants: variants) }
}

