import ConformanceCLI
import ConformanceKit
import HTTPServer
import Synchronization

extension Network {
    /// Served handlers live in this process, each at `http://127.0.0.1:N`
    /// with N below 1024 (a port no test server binds: theirs are
    /// ephemeral), reached through `InMemoryTransport` and `InMemoryExchange`
    /// (the wire's request and response code, without a socket). A URL no
    /// handler serves goes over real sockets, so a test's own `HTTPServer`
    /// is reached as before. Set it around a command:
    /// `Network.$current.withValue(.inProcess) { ... }`.
    public static let inProcess = Network(
        transport: { connections, maxBodyBytes in
            RoutingTransport(
                maxBodyBytes: maxBodyBytes,
                sockets: URLSessionTransport(maxConnections: connections, maxBodyBytes: maxBodyBytes))
        },
        serve: { handler in InProcessServers.shared.serve(handler) })
}

/// The handlers `Network.inProcess` serves, by authority (`127.0.0.1:N`).
/// Bounded: a stopped handler is removed, and the ports cycle through 1...1023.
final class InProcessServers: Sendable {
    static let shared = InProcessServers()

    private let state = Mutex<(next: Int, handlers: [String: HTTPHandler])>((1, [:]))

    func serve(_ handler: @escaping HTTPHandler) -> Network.Served {
        let authority = state.withLock { s -> String in
            var port = s.next
            // Skip ports still served (a long-lived handler after a wrap).
            while s.handlers["127.0.0.1:\(port)"] != nil { port = port % 1023 + 1 }
            s.next = port % 1023 + 1
            let a = "127.0.0.1:\(port)"
            s.handlers[a] = handler
            return a
        }
        return Network.Served(
            baseURL: "http://" + authority,
            stop: { [self] in _ = state.withLock { $0.handlers.removeValue(forKey: authority) } })
    }

    func handler(for authority: String) -> HTTPHandler? {
        state.withLock { $0.handlers[authority] }
    }
}

/// Sends a request to the in-process handler its URL names, or over the
/// sockets when none does.
struct RoutingTransport: Transport {
    let maxBodyBytes: Int
    let sockets: any Transport

    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        guard let handler = Self.authority(of: request.url).flatMap(InProcessServers.shared.handler(for:)) else {
            return try await sockets.send(request, timeout: timeout)
        }
        let transport = InMemoryTransport(maxBodyBytes: maxBodyBytes) { bytes in
            switch InMemoryExchange.answer(bytes, handler: handler) {
            case .bytes(let b): return b
            case .noAnswer: return nil
            }
        }
        return try await transport.send(request, timeout: timeout)
    }

    /// `127.0.0.1:N` of an `http://127.0.0.1:N/...` URL, else nil.
    static func authority(of url: String) -> String? {
        let prefix = "http://127.0.0.1:"
        guard url.hasPrefix(prefix) else { return nil }
        let rest = url.dropFirst(prefix.count)
        let digits = rest.prefix { $0.isNumber }
        guard !digits.isEmpty else { return nil }
        return "127.0.0.1:" + digits
    }
}
