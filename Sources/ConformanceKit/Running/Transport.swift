import Foundation
import JSONKit
import Synchronization

/// A request as it goes on the wire (credentials included: it never leaves the runner).
public struct OutgoingRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

extension OutgoingRequest {
    /// Why this request cannot be written as an HTTP/1.1 head without
    /// letting one of its values inject another line (CR, LF, NUL or another
    /// control character in the method, target or a header), or nil. The
    /// message names the header, never its value (it may be a credential).
    /// Loaders refuse such values first; this is the client's own guard.
    package var headProblem: String? {
        func isTokenByte(_ b: UInt8) -> Bool {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
                UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                true
            default: false
            }
        }
        if method.isEmpty || !method.utf8.allSatisfy(isTokenByte) { return "the request method is not an HTTP token" }
        if url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "the request URL holds a space or a control character"
        }
        for (i, h) in headers.enumerated() {
            if h.name.isEmpty || !h.name.utf8.allSatisfy(isTokenByte) {
                let shown = h.name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? "'\(h.name)'" : "number \(i + 1)"
                return "header \(shown): the name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"
            }
            if !OutgoingRequest.isFieldValue(h.value) {
                return "header '\(h.name)': the value holds a control character (CR, LF, NUL or another); not sent"
            }
        }
        return nil
    }

    public var isHeadSafe: Bool { headProblem == nil }

    /// Whether `v` can be a header value: no control character but tab.
    static func isFieldValue(_ v: String) -> Bool { HeaderValue.isValid(v) }
}

/// Why no response could be had.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Refused, reset or lost: worth another try.
        case connection
        /// No (complete) answer in time: worth another try.
        case timeout
        /// Anything else (bad URL, malformed response, body too large, cancelled).
        case other
    }
    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }
    /// Retries are for transport failures only, never for a wrong answer.
    package var isRetryable: Bool { kind != .other }
}

public protocol Transport: Sendable {
    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange
}

/// The harness's HTTP client. Both schemes read under hard caps (`PlainHTTP`):
/// headers at 64 KB (`maxHeaderBytes`), a `Content-Length` over
/// `maxBodyBytes` refused before its body is read, a chunked or unframed
/// body stopped at the cap, so no answer costs more than the cap.
///
/// - `http://` over a TCP socket of our own.
/// - `https://` through OpenSSL's libssl in the process (`TLSLibrary`), or
///   where it cannot be loaded through `openssl s_client` (`TLSTunnel`): TLS
///   and certificate verification by OpenSSL, HTTP and the caps by us. With
///   neither, an `https://` request is not sent: it fails with the reason
///   and the fix (the run says so in its opening lines). There was a last
///   fall-back to URLSession, which read bodies under a late cap; it went
///   with FoundationNetworking, whose libcurl and the libraries it loads were
///   about 5.5 ms of every start of the executable (issue 24), and which
///   could not run without libssl anyway (Debian's libcurl needs it).
/// - Redirects are not followed: a 3xx is the answer the target gave, judged
///   like any other, so credentials never travel to another host and a
///   redirect loop cannot hold the run.
/// - TLS certificates are always verified.
/// (The name stays from when URLSession carried every request.)
public final class URLSessionTransport: Transport {
    /// Kept-alive connections for `http://` and `https://` (libssl in the process, or `s_client`), at most `maxConnections`.
    let pool: ConnectionPool
    public let maxBodyBytes: Int
    public static let maxHeaderBytes = 64 << 10

    /// A CA bundle to trust for `https://` instead of the system's (tests;
    /// users set `SSL_CERT_FILE`, which OpenSSL reads).
    let caFile: String?

    /// Whether `https://` can be carried: OpenSSL's libssl loaded, or an `openssl` on PATH (both read under the hard caps).
    package static var tlsHasHardCap: Bool { TLSLibrary.shared != nil || TLSTunnel.openssl != nil }

    /// How `https://` is carried in this process (the benchmark prints it).
    package static var tlsCarrier: String { TLSLibrary.carrierDescription }
    /// Whether `https://` runs in this process (libssl loaded), not through `s_client`.
    package static var tlsInProcess: Bool { TLSLibrary.shared != nil }

    /// The `openssl` command `s_client` runs from, nil when none is on PATH.
    package static var opensslCommand: String? { TLSTunnel.openssl }

    /// What carries a run to an `https://` base URL, as `run` says it in its
    /// opening lines (nil for `http://`): a refused handshake reads
    /// differently by carrier, and with no carrier no request is sent.
    package static func tlsLine(baseURL: String, environment: [String: String], inProcess: Bool, openssl: String?) -> String? {
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "https", let host = url.host else { return nil }
        let proxy = TLSTunnel.proxy(for: host, environment: environment)
        if inProcess, proxy == nil { return "https: TLS by OpenSSL's libssl in this process (certificates verified)" }
        if openssl != nil {
            let why =
                proxy.map { "through the https_proxy \($0), which it speaks CONNECT to" }
                ?? (environment["CONFORMANCE_TLS_CARRIER"] == "s_client" ? "CONFORMANCE_TLS_CARRIER=s_client" : "libssl.so.3 could not be loaded")
            return "https: TLS by openssl s_client, one per kept connection (\(why); certificates verified)"
        }
        return "https: no TLS carrier: " + noCarrier
    }

    /// `keepAliveSeconds`: how long a kept connection may wait for its next
    /// request before it is closed; 0: no connection is kept (one per
    /// request, as before the pool; the benchmark compares).
    public convenience init(maxConnections: Int = 8, maxBodyBytes: Int = 10 << 20, caFile: String? = nil, keepAliveSeconds: Double = 2) {
        self.init(maxConnections: maxConnections, maxBodyBytes: maxBodyBytes, caFile: caFile, keepAliveSeconds: keepAliveSeconds, tlsLibrary: TLSLibrary.shared)
    }

    /// `tlsLibrary` nil: `https://` through `s_client` (tests of that carrier).
    init(maxConnections: Int, maxBodyBytes: Int, caFile: String?, keepAliveSeconds: Double, tlsLibrary: TLSLibrary?) {
        self.caFile = caFile
        self.maxBodyBytes = maxBodyBytes
        pool = ConnectionPool(capacity: keepAliveSeconds > 0 ? maxConnections : 0, idleSeconds: keepAliveSeconds, tlsLibrary: tlsLibrary)
    }

    deinit {
        pool.shutdown()
    }

    /// Requests sent, connections opened and threads started so far (the `http`/`https` paths; the benchmark prints them).
    public var statistics: TransportStatistics { pool.counters.snapshot }

    /// Closes every kept connection (its TLS session, or its `s_client`) and stops
    /// keeping new ones; waits at most `wait` seconds for that. Later
    /// requests each have a connection of their own.
    public func closeConnections(wait: Double = 3) { pool.shutdown(wait: wait) }

    public func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        if let problem = request.headProblem { throw TransportError("request not sent: \(problem)") }
        // The URL may hold a credential (query placement): it is not quoted.
        guard let target = RequestTarget(request.url) else {
            throw TransportError("invalid URL (the base URL or a path parameter cannot form one)")
        }
        let scheme = target.scheme?.lowercased()
        if scheme == "http" || (scheme == "https" && (pool.tlsLibrary != nil || TLSTunnel.openssl != nil)) {
            let start = ContinuousClock.now
            let r = try await PlainHTTP.send(
                request, target: target, timeout: timeout,
                limits: .init(maxBodyBytes: maxBodyBytes, maxHeaderBytes: URLSessionTransport.maxHeaderBytes), caFile: caFile,
                pool: pool)
            return HTTPExchange(status: r.status, headers: r.headers, body: r.body, seconds: (ContinuousClock.now - start).seconds)
        }
        // Neither libssl nor an openssl command (the base URL is http or https: the profile's check).
        throw TransportError(
            scheme == "https"
                ? "request not sent: \(URLSessionTransport.noCarrier)"
                : "request not sent: the URL's scheme is not http or https")
    }

    /// Why no `https://` request can be sent, and the fix.
    static let noCarrier =
        "neither libssl.so.3 could be loaded nor an openssl command found on PATH, so no https:// request can be sent (apt-get install openssl)"
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() && abs(s) < 1e15 ? "\(Int(s)) s" : "\(s) s"
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
