import ConformanceKit
import HTTPServer

/// Where the commands' requests go and how the built-in simulator is
/// served. The shipped tool uses `.sockets` (loopback ports, `HTTPServer`,
/// `URLSessionTransport`); tests and benchmarks set the task-local
/// `Network.$current` to one whose servers are handlers in this process
/// (`ConformanceTesting`), so a command's whole run costs no port, thread
/// or connection while every other line of the command runs as shipped.
public struct Network: Sendable {
    /// A served handler: the base URL it answers at and how to stop it.
    public struct Served: Sendable {
        public var baseURL: String
        public var stop: @Sendable () -> Void
        public init(baseURL: String, stop: @escaping @Sendable () -> Void) {
            self.baseURL = baseURL
            self.stop = stop
        }
    }

    /// The transport of a run: at most `maxConnections` at once, bodies capped at `maxBodyBytes`.
    public var transport: @Sendable (_ maxConnections: Int, _ maxBodyBytes: Int) -> any Transport
    /// Serves `handler` (the built-in simulator) on loopback.
    public var serve: @Sendable (_ handler: @escaping HTTPHandler) throws -> Served

    public init(
        transport: @escaping @Sendable (_ maxConnections: Int, _ maxBodyBytes: Int) -> any Transport,
        serve: @escaping @Sendable (_ handler: @escaping HTTPHandler) throws -> Served
    ) {
        self.transport = transport
        self.serve = serve
    }

    /// Real sockets: an ephemeral loopback port per served handler, our socket client.
    public static let sockets = Network(
        transport: { URLSessionTransport(maxConnections: $0, maxBodyBytes: $1) },
        serve: { handler in
            let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: handler)
            let port = try server.start()
            return Served(baseURL: "http://127.0.0.1:\(port)", stop: { server.shutdown() })
        })

    /// The network the commands use (task-local: a test sets it around its own command only).
    @TaskLocal public static var current: Network = .sockets

    /// `current`'s transport (10 MB bodies unless told).
    static func transport(maxConnections: Int, maxBodyBytes: Int = 10 << 20) -> any Transport {
        current.transport(maxConnections, maxBodyBytes)
    }
}
