import Foundation
import JSONKit
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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
///   and certificate verification by OpenSSL, HTTP and the caps by us. Only
///   with neither does it fall back to URLSession (FoundationNetworking), whose
///   delegate sees chunks only after libcurl has queued them, so the cap is
///   enforced late there (`tlsHasHardCap` tells; the run says so).
/// - Redirects are not followed: a 3xx is the answer the target gave, judged
///   like any other, so credentials never travel to another host and a
///   redirect loop cannot hold the run.
/// - TLS certificates are always verified.
/// (The name stays from when URLSession carried every request.)
public final class URLSessionTransport: Transport {
    /// The fall-back's session, made when a request first needs it: making
    /// one starts libcurl (its TLS libraries' initialisation), about 5.6 MB
    /// of resident memory in every run that never uses it (memory, issue 24).
    private let fallback = Mutex<URLSession?>(nil)
    private let maxConnections: Int
    let tasks: TaskTable
    /// Kept-alive connections for `http://` and `https://` (libssl in the process, or `s_client`), at most `maxConnections`.
    let pool: ConnectionPool
    public let maxBodyBytes: Int
    public static let maxHeaderBytes = 64 << 10

    /// A CA bundle to trust for `https://` instead of the system's (tests;
    /// users set `SSL_CERT_FILE`, which OpenSSL reads).
    let caFile: String?

    /// Whether `https://` answers are read under the hard caps (OpenSSL's libssl loaded, or an `openssl` on PATH).
    package static var tlsHasHardCap: Bool { TLSLibrary.shared != nil || TLSTunnel.openssl != nil }

    /// How `https://` is carried in this process (the benchmark prints it).
    package static var tlsCarrier: String { TLSLibrary.carrierDescription }
    /// Whether `https://` runs in this process (libssl loaded), not through `s_client`.
    package static var tlsInProcess: Bool { TLSLibrary.shared != nil }

    /// The `openssl` command `s_client` runs from, nil when none is on PATH.
    package static var opensslCommand: String? { TLSTunnel.openssl }

    /// What carries a run to an `https://` base URL, as `run` says it in its
    /// opening lines (nil for `http://`): a refused handshake reads
    /// differently by carrier, and the last fall-back reads bodies under a late cap.
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
        return "https: TLS by URLSession: neither libssl.so.3 nor the openssl command was found, so an answer's body is capped only after it is read (apt-get install openssl)"
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
        self.maxConnections = maxConnections
        self.maxBodyBytes = maxBodyBytes
        tasks = TaskTable(maxBodyBytes: maxBodyBytes)
        pool = ConnectionPool(capacity: keepAliveSeconds > 0 ? maxConnections : 0, idleSeconds: keepAliveSeconds, tlsLibrary: tlsLibrary)
    }

    deinit {
        fallback.withLock { $0 }?.invalidateAndCancel()
        pool.shutdown()
    }

    /// The fall-back's session, made on first use.
    var session: URLSession {
        fallback.withLock { made in
            if let made { return made }
            let config = URLSessionConfiguration.ephemeral
            config.httpCookieAcceptPolicy = .never
            config.httpShouldSetCookies = false
            config.urlCache = nil
            config.requestCachePolicy = .reloadIgnoringLocalCacheData
            config.httpMaximumConnectionsPerHost = max(1, maxConnections)
            let session = URLSession(configuration: config, delegate: tasks, delegateQueue: nil)
            made = session
            return session
        }
    }

    /// Whether the fall-back's session has been made (tests).
    var fallbackStarted: Bool { fallback.withLock { $0 != nil } }

    /// Requests sent, connections opened and threads started so far (the `http`/`https` paths; the benchmark prints them).
    public var statistics: TransportStatistics { pool.counters.snapshot }

    /// Closes every kept connection (its TLS session, or its `s_client`) and stops
    /// keeping new ones; waits at most `wait` seconds for that. Later
    /// requests each have a connection of their own.
    public func closeConnections(wait: Double = 3) { pool.shutdown(wait: wait) }

    public func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        if let problem = request.headProblem { throw TransportError("request not sent: \(problem)") }
        // The URL may hold a credential (query placement): it is not quoted.
        guard let url = URL(string: request.url) else {
            throw TransportError("invalid URL (the base URL or a path parameter cannot form one)")
        }
        let scheme = url.scheme?.lowercased()
        if scheme == "http" || (scheme == "https" && (pool.tlsLibrary != nil || TLSTunnel.openssl != nil)) {
            let start = ContinuousClock.now
            let r = try await PlainHTTP.send(
                request, url: url, timeout: timeout,
                limits: .init(maxBodyBytes: maxBodyBytes, maxHeaderBytes: URLSessionTransport.maxHeaderBytes), caFile: caFile,
                pool: pool)
            return HTTPExchange(status: r.status, headers: r.headers, body: r.body, seconds: (ContinuousClock.now - start).seconds)
        }
        var r = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        r.httpMethod = request.method
        for h in request.headers { r.addValue(h.value, forHTTPHeaderField: h.name) }
        if let b = request.body { r.httpBody = Data(b) }
        let start = ContinuousClock.now
        let task = session.dataTask(with: r)
        let id = task.taskIdentifier
        let tasks = self.tasks
        let timer = Task {
            try? await Task.sleep(for: .seconds(timeout))
            if Task.isCancelled { return }
            let timedOut = TransportError("timed out after \(formatSeconds(timeout)) (the per-request timeout)", kind: .timeout)
            if tasks.finish(id, with: .failure(timedOut)) { task.cancel() }
        }
        // Whichever comes first resumes the continuation, exactly once: the
        // answer, the deadline (URLSession's own timeout is only an idle
        // timeout, and a server that trickles bytes must not hold us), or
        // cancellation of the calling task (Ctrl-C).
        let outcome: TaskTable.Outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { cont in
                tasks.register(task, timeout: timeout, continuation: cont)
                task.resume()
            }
        } onCancel: {
            if tasks.finish(id, with: .failure(TransportError("cancelled"))) { task.cancel() }
        }
        timer.cancel()  // answered in time: the timer must not sleep on for the whole timeout
        let seconds = (ContinuousClock.now - start).seconds
        switch outcome {
        case .failure(let e):
            throw e
        case .success(let (http, body)):
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            return HTTPExchange(status: http.statusCode, headers: headers, body: body, seconds: seconds)
        }
    }

    static func describe(_ error: any Error, timeout: Double) -> (String, TransportError.Kind) {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch ns.code {
            case NSURLErrorTimedOut: return ("timed out after \(formatSeconds(timeout)) (the per-request timeout)", .timeout)
            case NSURLErrorCannotConnectToHost: return ("connection refused", .connection)
            case NSURLErrorNetworkConnectionLost: return ("connection lost before the response was complete", .connection)
            case NSURLErrorCannotFindHost: return ("host not found", .other)
            case NSURLErrorBadServerResponse:
                return ("no valid HTTP response (the connection closed early or the bytes were not HTTP)", .connection)
            case NSURLErrorCancelled: return ("cancelled", .other)
            default: break
            }
        }
        if ns.localizedDescription.contains("transfer closed") {
            return ("the connection closed before the whole body arrived (\(ns.localizedDescription))", .connection)
        }
        return ("transport error: \(ns.localizedDescription) (\(ns.domain) \(ns.code))", .other)
    }
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

/// The session delegate: collects each task's bytes (up to the cap) and
/// resumes its continuation exactly once.
final class TaskTable: NSObject, URLSessionDataDelegate, Sendable {
    typealias Outcome = Result<(HTTPURLResponse, [UInt8]), TransportError>
    struct Entry {
        var continuation: CheckedContinuation<Outcome, Never>
        var response: HTTPURLResponse?
        var body: [UInt8] = []
        var timeout: Double
        var failure: TransportError?
    }
    let entries = Mutex<[Int: Entry]>([:])
    let maxBodyBytes: Int

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    func register(_ task: URLSessionTask, timeout: Double, continuation: CheckedContinuation<Outcome, Never>) {
        entries.withLock { $0[task.taskIdentifier] = Entry(continuation: continuation, timeout: timeout) }
    }

    /// Ends a task's wait with `outcome` unless it has ended already; true if this call ended it.
    func finish(_ id: Int, with outcome: Outcome) -> Bool {
        guard let e = entries.withLock({ $0.removeValue(forKey: id) }) else { return false }
        e.continuation.resume(returning: outcome)
        return true
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        entries.withLock { table in
            let id = dataTask.taskIdentifier
            table[id]?.response = response as? HTTPURLResponse
            // Room for the announced length up front (within the cap): no
            // doubling and copying while a large page arrives.
            let announced = response.expectedContentLength
            if announced > 0 { table[id]?.body.reserveCapacity(Int(min(announced, Int64(maxBodyBytes)))) }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        // The entry is changed in place: copying it out and back would copy the
        // whole body so far on every chunk (quadratic in the body's size).
        let over = entries.withLock { table -> Bool in
            let id = dataTask.taskIdentifier
            guard let count = table[id]?.body.count else { return false }
            if count + data.count > maxBodyBytes {
                table[id]?.failure = TransportError(
                    "the response body is larger than the \(maxBodyBytes >> 20) MB cap (--max-body-mb); reading stopped")
                return true
            }
            table[id]?.body.append(contentsOf: data)
            return false
        }
        if over { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)  // never follow: the 3xx itself is the answer
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let e = entries.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let failure = e.failure {
            e.continuation.resume(returning: .failure(failure))
        } else if let error, e.response == nil, (error as NSError).localizedDescription.contains("Out of memory") {
            // libcurl's answer to a header line over its 100 KB limit.
            e.continuation.resume(
                returning: .failure(
                    TransportError("the response headers exceed \(URLSessionTransport.maxHeaderBytes >> 10) KB; reading stopped")))
        } else if let error {
            let (message, kind) = URLSessionTransport.describe(error, timeout: e.timeout)
            e.continuation.resume(returning: .failure(TransportError(message, kind: kind)))
        } else if let response = e.response ?? (task.response as? HTTPURLResponse) {
            e.continuation.resume(returning: .success((response, e.body)))
        } else {
            e.continuation.resume(returning: .failure(TransportError("not an HTTP response")))
        }
    }
}
