/// Settings of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind; loopback by default.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks an ephemeral port (see `HTTPServer.port`).
    public var port: Int = 0
    /// A request head (request line, headers, blank line) over this is answered 431.
    public var maxHeaderBytes: Int = 16 * 1024
    /// A request body over this is answered 413 without reading it.
    public var maxBodyBytes: Int = 1 << 20
    /// A kept-alive connection with no request under way is closed after this.
    public var idleTimeoutSeconds: Double = 30
    /// A request whose head and body have not fully arrived this long after
    /// its first byte is answered 408 and its connection closed; also the
    /// longest a response write may stall on a client that does not read.
    public var requestTimeoutSeconds: Double = 30
    /// How long `shutdown()` waits for connection threads to finish.
    public var shutdownTimeoutSeconds: Double = 2

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 1 << 20,
        idleTimeoutSeconds: Double = 30,
        requestTimeoutSeconds: Double = 30,
        shutdownTimeoutSeconds: Double = 2
    ) {
        self.host = host
        self.port = port
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.shutdownTimeoutSeconds = shutdownTimeoutSeconds
    }
}

/// Why `HTTPServer.start()` failed.
public struct HTTPServerError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The host could not be resolved to an address.
        case resolve
        /// `socket()` or a socket option failed.
        case socket
        /// `bind()` failed, e.g. the port is taken.
        case bind
        /// `listen()` failed.
        case listen
        /// The configuration is unusable (e.g. the port is out of range).
        case invalidConfiguration
        /// `start()` was called twice, or after `shutdown()`.
        case alreadyStarted
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// The `errno` of the failing call, when there was one.
    public var errno: Int32?
    public var message: String

    public init(kind: Kind, host: String, port: Int, errno: Int32? = nil, message: String) {
        self.kind = kind
        self.host = host
        self.port = port
        self.errno = errno
        self.message = message
    }

    public var description: String {
        var text = "HTTPServer \(kind) \(formatHostPort(host, port)): \(message)"
        if let errno { text += " (errno \(errno): \(Posix.errorString(errno)))" }
        return text
    }
}

/// `host:port`, with brackets around an IPv6 literal.
func formatHostPort(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
