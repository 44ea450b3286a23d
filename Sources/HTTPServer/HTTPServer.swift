import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on POSIX sockets.
///
/// One accept thread waits in `poll()` on the listening socket; each
/// connection gets its own thread, which parses requests with
/// `HTTPRequestParser`, calls the handler synchronously and writes the
/// response. Every `poll()` also watches a wake pipe that `shutdown()` writes
/// to, so stopping is prompt wherever a thread waits. Dropping the last
/// reference to a started server shuts it down.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    private let core: ServerCore

    public init(configuration: HTTPServerConfiguration = .init(), handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.core = ServerCore(configuration: configuration, handler: handler)
    }

    deinit {
        core.shutdown()
    }

    /// Binds, listens and starts accepting in the background; returns the
    /// bound port (the ephemeral one chosen when the configuration says 0).
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try core.start()
    }

    /// The bound port once started, 0 before.
    public var port: Int { core.port }

    /// `http://HOST:PORT` with the configured host and the bound port.
    public var baseURL: String { "http://" + formatHostPort(configuration.host, port) }

    /// The number of connections currently open.
    public var openConnectionCount: Int { core.openConnectionCount }

    /// The number of connections accepted since the start (tests: connections kept alive are reused).
    public var acceptedConnectionCount: Int { core.acceptedConnectionCount }

    /// Stops accepting, closes idle and open connections (a request under
    /// way is dropped; a handler already running finishes and its response
    /// is written with `Connection: close`), and waits for every connection
    /// thread to end, at most `configuration.shutdownTimeoutSeconds`.
    /// Idempotent. Do not call it from a handler (it would wait for itself,
    /// until the timeout).
    public func shutdown() {
        core.shutdown()
    }
}

/// The state shared by the server object and its threads. The threads hold
/// it strongly, so the wake pipe stays valid until the last one has ended.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    private let state = Mutex(State())
    /// Entered by the accept thread and by each connection thread.
    private let threads = DispatchGroup()

    private struct State: Sendable {
        var phase = Phase.idle
        var port = 0
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var openConnections = 0
        var acceptedConnections = 0
    }

    private enum Phase: Sendable {
        case idle, starting, running, stopped
    }

    init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    deinit {
        let (read, write) = state.withLock { ($0.wakeRead, $0.wakeWrite) }
        if read >= 0 { Posix.closeDescriptor(read) }
        if write >= 0 { Posix.closeDescriptor(write) }
    }

    var port: Int { state.withLock { $0.port } }

    var openConnectionCount: Int { state.withLock { $0.openConnections } }
    var acceptedConnectionCount: Int { state.withLock { $0.acceptedConnections } }

    var isStopping: Bool { state.withLock { $0.phase == .stopped } }

    func start() throws(HTTPServerError) -> Int {
        let host = configuration.host
        let requestedPort = configuration.port
        let claimed = state.withLock { state in
            guard state.phase == .idle else { return false }
            state.phase = .starting
            return true
        }
        guard claimed else {
            throw HTTPServerError(
                kind: .alreadyStarted, host: host, port: requestedPort,
                message: "start() may be called once, before shutdown()")
        }
        let listener: (fd: Int32, port: Int)
        do {
            listener = try Posix.openListener(host: host, port: requestedPort)
        } catch {
            state.withLock { state in
                if state.phase == .starting { state.phase = .idle }
            }
            throw error
        }
        guard let wake = Posix.makeWakePipe() else {
            let code = errno
            Posix.closeDescriptor(listener.fd)
            state.withLock { state in
                if state.phase == .starting { state.phase = .idle }
            }
            throw HTTPServerError(kind: .socket, host: host, port: requestedPort, errno: code, message: "pipe() failed")
        }
        let running = state.withLock { state in
            state.wakeRead = wake.read
            state.wakeWrite = wake.write
            guard state.phase == .starting else { return false }
            state.phase = .running
            state.port = listener.port
            threads.enter()
            return true
        }
        guard running else {
            Posix.closeDescriptor(listener.fd)
            throw HTTPServerError(
                kind: .alreadyStarted, host: host, port: requestedPort, message: "shut down while starting")
        }
        let thread = Thread { [self] in
            acceptLoop(listenFD: listener.fd, wakeFD: wake.read)
        }
        thread.name = "HTTPServer accept \(listener.port)"
        thread.start()
        return listener.port
    }

    func shutdown() {
        let wakeWrite: Int32? = state.withLock { state in
            defer { state.phase = .stopped }
            return state.phase == .running ? state.wakeWrite : nil
        }
        if let wakeWrite { Posix.signalWakePipe(wakeWrite) }
        let seconds = configuration.shutdownTimeoutSeconds
        _ = threads.wait(timeout: .now() + (seconds > 0 ? min(seconds, 86_400) : 0))
    }

    private func acceptLoop(listenFD: Int32, wakeFD: Int32) {
        defer {
            Posix.closeDescriptor(listenFD)
            threads.leave()
        }
        while true {
            switch Posix.wait(for: listenFD, events: Posix.readable, wakeFD: wakeFD, timeoutMilliseconds: -1) {
            case .woken, .failed: return
            case .timedOut: continue
            case .ready: break
            }
            switch Posix.acceptConnection(listenFD) {
            case .success(let fd):
                Posix.configureConnection(fd)
                guard registerConnection() else {
                    Posix.closeDescriptor(fd)
                    return
                }
                let thread = Thread { [self] in
                    defer { connectionFinished() }
                    var connection = Connection(fd: fd, wakeFD: wakeFD, core: self)
                    connection.run()
                }
                thread.name = "HTTPServer connection \(fd)"
                thread.start()
            case .failure(let error):
                switch error.code {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO:
                    continue
                default:
                    // Out of descriptors or memory: the listening socket stays
                    // readable, so back off a little instead of spinning.
                    if Posix.wait(for: -1, events: 0, wakeFD: wakeFD, timeoutMilliseconds: 50) == .woken {
                        return
                    }
                }
            }
        }
    }

    /// Counts a new connection in, unless the server is stopping.
    private func registerConnection() -> Bool {
        state.withLock { state in
            guard state.phase == .running else { return false }
            state.openConnections += 1
            state.acceptedConnections += 1
            threads.enter()
            return true
        }
    }

    private func connectionFinished() {
        state.withLock { $0.openConnections -= 1 }
        threads.leave()
    }
}
