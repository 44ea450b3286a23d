import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 over a plain TCP socket, for `http://` targets (loopback, or
/// remote with --allow-insecure-http), reading under hard caps.
///
/// Why not URLSession here: FoundationNetworking hands a task's chunks to its
/// delegate through a queue that libcurl fills as fast as the network
/// delivers, and it ignores the delegate's answer to the headers, so a fast
/// server (400 MB over loopback) had the whole answer in memory before the
/// delegate could count past the cap. Here each read is counted as it is
/// made: headers stop at `maxHeaderBytes`, a `Content-Length` over the cap is
/// refused before the body is read, and a chunked or unframed body stops at
/// the cap, so no answer costs more than the cap. Redirects are never followed.
///
/// Connections are kept open and reused (`ConnectionPool`) when the answer
/// allows it: HTTP/1.1, framed (`Content-Length` or chunked), no
/// `Connection: close`, nothing sent after it, and not a HEAD, 204 or 304
/// (a body sent where none may be would be read as the next answer). An exchange that cannot use
/// the pool (more at once than `--jobs`) has a connection of its own,
/// closed after its answer. Every request is written alike (no `Connection`
/// header: HTTP/1.1's default, persistent), so the answers do not depend on
/// which connection carried them.
enum PlainHTTP {
    struct Limits: Sendable {
        var maxBodyBytes: Int
        var maxHeaderBytes: Int
    }

    /// Runs the exchange on a thread (blocking reads must not hold the
    /// cooperative pool): a worker of `pool` and its kept connection, or one
    /// of its own; ending early when the caller is cancelled.
    static func send(
        _ request: OutgoingRequest, target: RequestTarget, timeout: Double, limits: Limits, caFile: String? = nil,
        pool: ConnectionPool
    ) async throws(TransportError) -> (status: Int, headers: [String: String], body: [UInt8]) {
        let flag = CancelFlag()
        // The clock starts before the thread does: a starved machine's delay in starting it counts against the timeout.
        let start = ContinuousClock.now
        // Clamped: a timeout past a year (1e300 s) would overflow the milliseconds.
        let ms = Int(min(max(timeout, 0), 365 * 86400) * 1000)
        let outcome: Result<(Int, [String: String], [UInt8]), TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { cont in
                pool.submit(
                    ConnectionPool.Job(
                        request: request, target: target, deadline: start + .milliseconds(ms), timeout: timeout, flag: flag, limits: limits,
                        caFile: caFile, continuation: cont))
            }
        } onCancel: {
            flag.set()
        }
        switch outcome {
        case .success(let r): return (r.0, r.1, r.2)
        case .failure(let e): throw e
        }
    }

    /// The bytes of `request` as they go on the wire: origin-form target as
    /// the URL spells it (percent-encoding kept), `Host`, the request's
    /// headers, `Content-Length` when there is a body; no `Connection`
    /// header (the request's own is dropped): HTTP/1.1 connections persist
    /// unless one side says otherwise, and we close ours when we do not keep it.
    static func requestBytes(_ request: OutgoingRequest, target: RequestTarget, host: String) -> [UInt8] {
        // Written into one array of the size it needs, not a `String` grown
        // line by line and then copied (perf, issue 24: 7 allocations a
        // request). HotPathTests compares it with the `String` it replaced.
        var out: [UInt8] = []
        out.reserveCapacity(
            64 + request.method.utf8.count + target.originForm.utf8.count + host.utf8.count
                + request.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + (request.body?.count ?? 0))
        out.append(contentsOf: request.method.utf8)
        out.append(0x20)
        out.append(contentsOf: target.originForm.utf8)
        out.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        if isIPv6(host) {
            out.append(UInt8(ascii: "["))
            out.append(contentsOf: host.utf8)
            out.append(UInt8(ascii: "]"))
        } else {
            out.append(contentsOf: host.utf8)
        }
        if let port = target.port {
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: String(port).utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        for h in request.headers where !isNamed(h.name, "host") && !isNamed(h.name, "connection") {
            out.append(contentsOf: h.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: h.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if let body = request.body {
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(body.count).utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        if let body = request.body { out.append(contentsOf: body) }
        return out
    }

    /// Whether header `name` is `lower` (an ASCII lowercase name) in any
    /// letter case, as `name.lowercased() == lower` answers: over bytes for
    /// an ASCII name, through `lowercased()` for any other.
    static func isNamed(_ name: String, _ lower: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { b in b.allSatisfy({ $0 < 0x80 }) ? equalsIgnoringASCIICase(b, lower) : nil }
            ?? (name.lowercased() == lower.description)
    }

    /// Whether `host` holds a ":" (an IPv6 address, bracketed in `Host`):
    /// over bytes for an ASCII host, not through Foundation's
    /// `contains` for every request (perf, issue 24).
    static func isIPv6(_ host: String) -> Bool {
        host.utf8.allSatisfy { $0 < 0x80 } ? host.utf8.contains(UInt8(ascii: ":")) : host.contains(":")
    }

    /// The origin-form target (path, "/" when empty, then "?" and the query
    /// when there is one) as `URLComponents` gives it, by `componentsOriginForm`.
    static func componentsOriginForm(_ url: URL) -> String {
        let c = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = (c?.percentEncodedPath).flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        return path + (c?.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// `componentsOriginForm` read straight from the text of an `http://` or
    /// `https://` URL (the authority ends at the first "/", "?" or "#", the
    /// path at "?" or "#", the query at "#"), without making a
    /// `URLComponents` for every request (perf, issue 24); nil for any other
    /// text (then `URLComponents` reads it).
    static func originForm(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { b -> String? in
            let authority: Int
            if b.starts(with: "http://".utf8) {
                authority = 7
            } else if b.starts(with: "https://".utf8) {
                authority = 8
            } else {
                return nil
            }
            var pathStart = authority
            while pathStart < b.count, b[pathStart] != 0x2F, b[pathStart] != 0x3F, b[pathStart] != 0x23 { pathStart += 1 }
            // Only RFC 3986's characters (brackets in the authority alone, for an IPv6 host): anything else is left to URLComponents.
            guard b[authority..<pathStart].allSatisfy({ uriByte($0) || $0 == 0x5B || $0 == 0x5D }), b[pathStart...].allSatisfy(uriByte) else {
                return nil
            }
            return originForm(b, from: pathStart)
        }
    }

    /// The origin-form target of a URL's bytes whose path (or query, or
    /// fragment) starts at `pathStart`: the path ("/" when empty) up to the
    /// first "?" or "#", then "?" and the query up to the "#" when there is one.
    static func originForm(_ b: UnsafeBufferPointer<UInt8>, from pathStart: Int) -> String {
        var pathEnd = pathStart
        while pathEnd < b.count, b[pathEnd] != 0x3F, b[pathEnd] != 0x23 { pathEnd += 1 }
        var target = pathEnd == pathStart ? "/" : String(decoding: UnsafeBufferPointer(rebasing: b[pathStart..<pathEnd]), as: UTF8.self)
        if pathEnd < b.count, b[pathEnd] == 0x3F {
            var queryEnd = pathEnd + 1
            while queryEnd < b.count, b[queryEnd] != 0x23 { queryEnd += 1 }
            target += "?" + String(decoding: UnsafeBufferPointer(rebasing: b[(pathEnd + 1)..<queryEnd]), as: UTF8.self)
        }
        return target
    }

    /// Whether `b` may stand unencoded in a URL's path, query or fragment
    /// (RFC 3986 2.2, 2.3; "%" of an escape).
    @inline(__always) static func uriByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"): true
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"): true
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"): true
        case UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"): true
        default: false
        }
    }

    /// Reads a whole response from `bytes` (what a server wrote before
    /// closing) with the same rules and caps as a socket read.
    static func readResponse(
        _ bytes: [UInt8], method: String, limits: Limits
    ) -> Result<(Int, [String: String], [UInt8]), TransportError> {
        parse(bytes, method: method, limits: limits).map { ($0.status, $0.headers, $0.body) }
    }

    /// Parses a whole answer held in memory, as `send` would read it from
    /// the socket (tests: fuzzing the parser without a server).
    /// `step` bytes at most arrive per read, as packets would.
    static func parse(
        _ response: [UInt8], method: String = "GET", limits: Limits, step: Int = 64 << 10
    ) -> Result<(status: Int, headers: [String: String], body: [UInt8]), TransportError> {
        var exchange = Exchange(deadline: .now + .seconds(3600), timeout: 3600, flag: CancelFlag(), limits: limits)
        exchange.input = response
        exchange.inputStep = max(1, step)
        do throws(TransportError) {
            let r = try exchange.readResponse(method: method)
            return .success((r.0, r.1, r.2))
        } catch {
            return .failure(error)
        }
    }

    final class CancelFlag: Sendable {
        let state = Mutex(false)
        func set() { state.withLock { $0 = true } }
        var isSet: Bool { state.withLock { $0 } }
    }

    struct Exchange {
        let deadline: ContinuousClock.Instant
        let timeout: Double
        let flag: CancelFlag
        let limits: Limits
        var fd: Int32 = -1
        /// For `https://`: the `openssl s_client` that `fd` talks to.
        var tunnel: TLSTunnel.Connection?
        /// For `https://` in the process: the TLS session over `fd`.
        var tls: TLSSession?
        /// The library `https://` uses; nil: `s_client` (`TLSTunnel`).
        var tlsLibrary: TLSLibrary? = TLSLibrary.shared
        var caFile: String?
        /// Whether a status line and headers were read (after that, a failure is the server's, not the tunnel's).
        var gotHead = false
        /// Bytes of the answer read so far (0: the server said nothing, e.g. it had closed a kept connection).
        var received = 0
        /// Whether the final answer lets the connection carry another request:
        /// HTTP/1.1, framed, no `Connection: close` (set by `readResponse`).
        var reusable = false
        /// Whether the last status line said HTTP/1.1 (1.0 closes unless asked otherwise: never reused).
        var http11 = false
        /// Whether the caller keeps a reusable connection (the pool), or it is closed after the answer.
        var keepAlive = false
        /// Where connections and threads are counted (the benchmark), if anywhere.
        var counters: TransportCounters?
        var buffer: [UInt8] = []
        var start = 0
        /// Set when the request has just been written on a socket (not TLS in
        /// the process): its answer is not there yet, so the first read waits
        /// for it before asking, rather than after a `recv` that says EAGAIN
        /// (one syscall a request; perf, issue 24).
        var answerPending = false
        /// Set by a worker that saw its kept socket readable before it took
        /// the job (the answer to a request its caller wrote): the first
        /// attempt reads at once, without waiting first.
        var answerSeen = false
        /// Where reads land before they join `buffer`: the worker's, reused
        /// by each of its exchanges; nil: one for each read.
        var readBuffer: ReadBuffer?
        /// The whole answer, when parsing from memory rather than a socket (`parse`).
        var input: [UInt8]?
        var inputOffset = 0
        var inputStep = 64 << 10

        init(deadline: ContinuousClock.Instant, timeout: Double, flag: CancelFlag, limits: Limits) {
            self.deadline = deadline
            self.timeout = timeout
            self.flag = flag
            self.limits = limits
        }

        var timedOut: TransportError {
            TransportError("timed out after \(formatSeconds(timeout)) (the per-request timeout)", kind: .timeout)
        }
        static let notHTTP = TransportError(
            "no valid HTTP response (the connection closed early or the bytes were not HTTP)", kind: .connection)
        static let bareLF = TransportError(
            "protocol error: the response's status line or headers end lines with a bare LF, not CRLF (RFC 9112 2.2)")
        /// The longest length or chunk size we read: 15 hex digits or 18 decimal ones fit an Int with room to add.
        static let maxDigits = (decimal: 18, hex: 15)

        /// One exchange on a connection of its own, closed after it.
        mutating func run(_ request: OutgoingRequest, target: RequestTarget) -> Result<(Int, [String: String], [UInt8]), TransportError> {
            keepAlive = false
            return run(request, target: target, kept: nil).result
        }

        /// One exchange, on `kept` when it goes to the same origin and the
        /// server has not closed it, else on a new connection. Returns the
        /// connection when the answer lets it carry another request (the
        /// caller keeps it; otherwise it is closed here).
        ///
        /// A kept connection that ends before a single byte of the answer
        /// (the server closed it while idle, as servers do after their
        /// keep-alive timeout) is retried once on a new connection only for
        /// GET, HEAD and OPTIONS, which change nothing on the server (RFC 9110
        /// 9.2.1): the request went where a new connection would have taken
        /// it. Any other method, and any other failure, is reported as before,
        /// and retried only by `--retries` (transport errors only).
        ///
        /// `written`: the request's bytes, of which a caller already wrote
        /// `count` (at least one) on `kept` (`ConnectionPool`'s callers do, to
        /// spare the worker a wake-up): the rest is written, and the answer read.
        mutating func run(
            _ request: OutgoingRequest, target: RequestTarget, kept: KeptConnection?, written: Written? = nil
        ) -> (result: Result<(Int, [String: String], [UInt8]), TransportError>, kept: KeptConnection?) {
            var reuse = kept
            // Checked before connecting: nothing of a request that could inject a line is sent.
            if let problem = request.headProblem {
                reuse?.close()
                return (.failure(TransportError("request not sent: \(problem)")), nil)
            }
            guard let host = target.host, !host.isEmpty else {
                reuse?.close()
                return (.failure(TransportError("invalid URL (no host)")), nil)
            }
            let https = target.scheme?.lowercased() == "https"
            let port = target.port ?? (https ? 443 : 80)
            let origin = PlainHTTP.origin(https: https, host: host, port: port)
            // The request a caller already wrote on `kept` (its answer may be
            // there: the connection is not asked whether the server closed it).
            var pending = written
            if let k = reuse, k.origin != origin || (pending == nil && k.isClosedByPeer) {
                k.close()
                reuse = nil
                pending = nil
            }
            while true {
                fd = -1
                tunnel = nil
                tls = nil
                buffer = []
                start = 0
                gotHead = false
                received = 0
                reusable = false
                answerPending = false
                let reused = reuse != nil
                let outcome = attempt(request, target: target, host: host, port: port, https: https, on: reuse, written: pending)
                reuse = nil
                pending = nil
                answerSeen = false
                switch outcome {
                case .success(let answer):
                    if keepAlive, reusable, start == buffer.count, !flag.isSet {
                        return (.success(answer), KeptConnection(origin: origin, fd: fd, tunnel: tunnel, tls: tls))
                    }
                    closeConnection()
                    return (.success(answer), nil)
                case .failure(let error):
                    closeConnection()
                    if reused, received == 0, error.kind == .connection, !flag.isSet, ContinuousClock.now < deadline,
                        ["GET", "HEAD", "OPTIONS"].contains(request.method.uppercased())
                    {
                        continue  // once: the next attempt is on a new connection
                    }
                    return (.failure(error), nil)
                }
            }
        }

        mutating func closeConnection() {
            if let tunnel {
                tunnel.close()
            } else if let tls {
                tls.close()
            } else if fd >= 0 {
                close(fd)
            }
            tunnel = nil
            tls = nil
            fd = -1
        }

        /// Connects (unless `kept` is given), writes the request, reads the answer.
        mutating func attempt(
            _ request: OutgoingRequest, target: RequestTarget, host: String, port: Int, https: Bool, on kept: KeptConnection?,
            written: Written? = nil
        ) -> Result<(Int, [String: String], [UInt8]), TransportError> {
            do throws(TransportError) {
                if let kept {
                    fd = kept.fd
                    tunnel = kept.tunnel
                    tls = kept.tls
                } else if https, let tlsLibrary, TLSTunnel.proxy(for: host, environment: TLSTunnel.proxyEnvironment) == nil {
                    // TLS in the process (a proxy is s_client's: it speaks CONNECT).
                    try connect(host: host, port: port)
                    counters?.connectionOpened()
                    tls = try TLSSession(library: tlsLibrary, fd: fd, host: host, caFile: caFile) { s, events throws(TransportError) in
                        try wait(s, events: events)
                    }
                } else if https {
                    let t = try TLSTunnel.open(host: host, port: port, caFile: caFile)
                    tunnel = t
                    fd = t.fd
                    counters?.connectionOpened()
                } else {
                    try connect(host: host, port: port)
                    counters?.connectionOpened()
                }
                if let written, kept != nil {
                    try write(written.bytes, from: written.count)
                } else {
                    try write(PlainHTTP.requestBytes(request, target: target, host: host))
                }
                answerPending = tls == nil && !(answerSeen && kept != nil)
                return .success(try readResponse(method: request.method))
            } catch {
                // The tunnel ended before an answer: s_client says why
                // (certificate, refused, not TLS) better than the socket can.
                // Not for a kept tunnel the server closed before answering
                // (nothing to say; the caller may retry on a new one).
                if let tunnel, !gotHead, error.kind != .timeout, !flag.isSet, kept == nil || received > 0,
                    let reason = tunnel.failure(wait: 1)
                {
                    return .failure(reason)
                }
                return .failure(error)
            }
        }

        mutating func connect(host: String, port: Int) throws(TransportError) {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
                hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw TransportError("host not found")
            }
            defer { freeaddrinfo(list) }
            var refused = false
            var node: UnsafeMutablePointer<addrinfo>? = first
            while let a = node {
                node = a.pointee.ai_next
                let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
                guard s >= 0 else { continue }
                PlainHTTP.prepare(socket: s, to: a.pointee.ai_addr)
                if systemConnect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                    fd = s
                    return
                }
                if errno == EINPROGRESS {
                    do throws(TransportError) {
                        try wait(s, events: Int16(POLLOUT))
                    } catch {
                        close(s)
                        throw error
                    }
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
                    if err == 0 {
                        fd = s
                        return
                    }
                    if err == ECONNREFUSED { refused = true }
                } else if errno == ECONNREFUSED {
                    refused = true
                }
                close(s)
            }
            throw refused
                ? TransportError("connection refused", kind: .connection)
                : TransportError("could not connect to \(host):\(port)", kind: .connection)
        }

        /// Waits until `s` is ready for `events`, the deadline passes or the caller is cancelled.
        func wait(_ s: Int32, events: Int16) throws(TransportError) {
            while true {
                if flag.isSet { throw TransportError("cancelled") }
                let left = deadline - .now
                if left <= .zero { throw timedOut }
                var p = pollfd(fd: s, events: events, revents: 0)
                // Short slices, so that cancellation is seen promptly.
                let ms = Int32(min(50, max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
                let r = poll(&p, 1, ms)
                if r > 0 { return }
                if r < 0, errno != EINTR { throw TransportError("transport error: poll failed (\(errno))", kind: .connection) }
            }
        }

        mutating func write(_ bytes: [UInt8], from start: Int = 0) throws(TransportError) {
            if let tls {
                try tls.write(bytes) { s, events throws(TransportError) in try wait(s, events: events) }
                return
            }
            var offset = start
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { b in systemSend(fd, b.baseAddress! + offset, b.count - offset) }
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                    try wait(fd, events: Int16(POLLOUT))
                } else {
                    throw TransportError("connection lost before the request was sent", kind: .connection)
                }
            }
        }

        /// Reads more into the buffer; false at end of stream. At most `room` bytes are read.
        mutating func fill(room: Int = 64 << 10) throws(TransportError) -> Bool {
            if start > 0, start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 256 << 10 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            if let input {
                // In memory (tests): the same reads, from bytes instead of a socket.
                let n = min(max(1, min(room, inputStep)), input.count - inputOffset)
                if n <= 0 { return false }
                buffer.append(contentsOf: input[inputOffset..<(inputOffset + n)])
                inputOffset += n
                received += n
                return true
            }
            // The worker's buffer when it has one: not 64 KB allocated and zeroed for each read (perf, issue 24).
            let scratch = readBuffer ?? ReadBuffer()
            readBuffer = scratch
            let chunk = UnsafeMutableRawBufferPointer(rebasing: scratch.bytes[..<max(1, min(room, ReadBuffer.size))])
            if let tls {
                var failure: TransportError?
                let n: Int
                do throws(TransportError) {
                    n = try tls.read(into: chunk) { s, events throws(TransportError) in try wait(s, events: events) }
                } catch {
                    failure = error
                    n = 0
                }
                if let failure { throw failure }
                if n == 0 { return false }
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<n]))
                received += n
                return true
            }
            if answerPending {
                answerPending = false
                try wait(fd, events: Int16(POLLIN))
            }
            while true {
                let n = recv(fd, chunk.baseAddress, chunk.count, 0)
                if n > 0 {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<n]))
                    received += n
                    return true
                }
                if n == 0 { return false }
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                    try wait(fd, events: Int16(POLLIN))
                    continue
                }
                if errno == ECONNRESET { throw TransportError("connection lost before the response was complete", kind: .connection) }
                throw TransportError("transport error: \(String(cString: strerror(errno)))", kind: .connection)
            }
        }

        mutating func readResponse(method: String) throws(TransportError) -> (Int, [String: String], [UInt8]) {
            while true {
                let (status, headers) = try readHead()
                if (100..<200).contains(status) { continue }  // interim answers
                let noBody = method == "HEAD" || status == 204 || status == 304
                let body = noBody ? [] : try readBody(headers)
                // Framed (a length, or chunked: not "until the connection ends"), and neither side said close.
                // Not after an answer without a body by rule (HEAD, 204, 304): a server that sends
                // one anyway would have it read as the start of the next answer.
                let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
                let framed = chunked || (headers["transfer-encoding"] == nil && headers["content-length"] != nil)
                let closing = headers["connection"].map { v in
                    v.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
                } ?? false
                reusable = http11 && !noBody && framed && !closing
                return (status, headers, body)
            }
        }

        /// Status line and headers, at most `maxHeaderBytes`.
        mutating func readHead() throws(TransportError) -> (Int, [String: String]) {
            var end: Int?
            var scanned = start
            while end == nil {
                while scanned < buffer.count {
                    if buffer[scanned] == 10 {
                        // HTTP/1.1 ends each line with CRLF; an answer with
                        // bare LF is not one (and would otherwise be read
                        // up to the end of the connection, then retried).
                        guard scanned > start, buffer[scanned - 1] == 13 else { throw Exchange.bareLF }
                        if scanned - 3 >= start, buffer[scanned - 3] == 13, buffer[scanned - 2] == 10 {
                            end = scanned - 3
                            break
                        }
                    }
                    scanned += 1
                }
                if end != nil { break }
                if buffer.count - start > limits.maxHeaderBytes {
                    throw TransportError("the response headers exceed \(limits.maxHeaderBytes >> 10) KB; reading stopped")
                }
                // fill may move the unread bytes to the front: keep the scan position relative to them.
                let scannedAhead = scanned - start
                guard try fill(room: limits.maxHeaderBytes + 4 - (buffer.count - start)) else {
                    throw buffer.count == start ? Exchange.notHTTP : TransportError(
                        "the connection closed before the response headers were complete", kind: .connection)
                }
                scanned = start + scannedAhead
            }
            let headEnd = end!
            if headEnd - start > limits.maxHeaderBytes {
                throw TransportError("the response headers exceed \(limits.maxHeaderBytes >> 10) KB; reading stopped")
            }
            let head = buffer[start..<headEnd]
            start = headEnd + 4
            gotHead = true
            if !head.contains(where: { $0 >= 0x80 }) {
                let (status, isHTTP11, headers) = try Exchange.asciiHead(head)
                http11 = isHTTP11
                return (status, headers)
            }
            let text = String(decoding: head, as: UTF8.self)
            var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
                throw Exchange.notHTTP
            }
            http11 = parts[0] == "HTTP/1.1"
            var headers: [String: String] = [:]
            for line in lines {
                if line.first == " " || line.first == "\t" {
                    // RFC 9112 5.2: a recipient may reject obs-fold; reading it as a header would judge an empty value.
                    throw TransportError(
                        "protocol error: a folded header line (obs-fold, a line starting with a space or tab) in the response headers; HTTP/1.1 no longer allows it")
                }
                if line.utf8.contains(where: { $0 == 0 || $0 == 13 }) {
                    throw TransportError("protocol error: a response header line holds a NUL or a bare CR")
                }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headers[name] = headers[name].map { $0 + ", " + value } ?? value
            }
            return (status, headers)
        }

        /// `readHead`'s reading of an ASCII head, over its bytes: the same
        /// lines (split at CR LF), checks, errors, names (lowercased) and
        /// values (spaces and tabs trimmed: the whitespace `trimmingCharacters`
        /// finds in ASCII), without the `String` splitting and trimming that
        /// were most of the transport's CPU (perf, issue 24).
        static func asciiHead(_ head: ArraySlice<UInt8>) throws(TransportError) -> (Int, Bool, [String: String]) {
            // The status line's end, then each header line's, as they are reached
            // (not an array of lines first: perf, issue 24).
            func lineEnd(from: Int) -> Int {
                var i = from
                while i < head.endIndex {
                    if head[i] == 13, i + 1 < head.endIndex, head[i + 1] == 10 { return i }
                    i += 1
                }
                return head.endIndex
            }
            let statusEnd = lineEnd(from: head.startIndex)
            let (status, isHTTP11) = try statusLine(head[head.startIndex..<statusEnd])
            var headers = [String: String](minimumCapacity: 8)  // not grown by rehashing, 1 → 2 → 4 → 8 (perf, issue 24)
            var lineStart = statusEnd
            while lineStart < head.endIndex {
                lineStart += 2  // the CR LF before the line
                let end = lineEnd(from: lineStart)
                let line = head[min(lineStart, end)..<end]
                lineStart = end
                if line.first == 0x20 || line.first == 0x09 {
                    throw TransportError(
                        "protocol error: a folded header line (obs-fold, a line starting with a space or tab) in the response headers; HTTP/1.1 no longer allows it")
                }
                if line.contains(where: { $0 == 0 || $0 == 13 }) {
                    throw TransportError("protocol error: a response header line holds a NUL or a bare CR")
                }
                guard let colon = line.firstIndex(of: 0x3A) else { continue }
                let name = String(unsafeUninitializedCapacity: colon - line.startIndex) { out in
                    for (k, b) in line[..<colon].enumerated() { out[k] = asciiLowercased(b) }
                    return colon - line.startIndex
                }
                var from = colon + 1
                var to = line.endIndex
                while from < to, line[from] == 0x20 || line[from] == 0x09 { from += 1 }
                while to > from, line[to - 1] == 0x20 || line[to - 1] == 0x09 { to -= 1 }
                let value = String(decoding: line[from..<to], as: UTF8.self)
                headers[name] = headers[name].map { $0 + ", " + value } ?? value
            }
            return (status, isHTTP11, headers)
        }

        /// The status and whether it is HTTP/1.1, from an ASCII status line: the
        /// form servers send (`HTTP/1.1 200 OK`) from its bytes, any other as
        /// its words (the first `HTTP/1.`-something, the second a status).
        static func statusLine(_ line: ArraySlice<UInt8>) throws(TransportError) -> (Int, Bool) {
            if let read = sentStatusLine(line) { return read }
            let text = String(decoding: line, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
                throw Exchange.notHTTP
            }
            return (status, parts[0] == "HTTP/1.1")
        }

        /// `statusLine` of `HTTP/1.1 DDD` or `HTTP/1.0 DDD` (then the end or a
        /// space and the reason), the form servers send; nil for any other line.
        static func sentStatusLine(_ line: ArraySlice<UInt8>) -> (Int, Bool)? {
            let b = line.startIndex
            guard line.count >= 12, line.starts(with: "HTTP/1.".utf8), line[b + 7] == 0x31 || line[b + 7] == 0x30, line[b + 8] == 0x20,
                (0x31...0x39).contains(line[b + 9]), (0x30...0x39).contains(line[b + 10]), (0x30...0x39).contains(line[b + 11]),
                line.count == 12 || line[b + 12] == 0x20
            else { return nil }
            return (Int(line[b + 9] - 0x30) * 100 + Int(line[b + 10] - 0x30) * 10 + Int(line[b + 11] - 0x30), line[b + 7] == 0x31)
        }

        var tooLarge: TransportError {
            TransportError("the response body is larger than the \(limits.maxBodyBytes >> 20) MB cap (--max-body-mb); reading stopped")
        }
        /// How far ahead of the bytes received a `Content-Length` body is given room (8 MB).
        static let upfrontBodyBytes = 8 << 20
        static let closedEarly = TransportError(
            "the connection closed before the whole body arrived", kind: .connection)

        mutating func readBody(_ headers: [String: String]) throws(TransportError) -> [UInt8] {
            if headers["transfer-encoding"]?.lowercased().contains("chunked") == true { return try readChunked() }
            if let field = headers["content-length"] {
                let length = try Exchange.contentLength(field)
                if length > limits.maxBodyBytes {
                    throw TransportError(
                        "the response body is larger than the \(limits.maxBodyBytes >> 20) MB cap (--max-body-mb): Content-Length \(length); not read")
                }
                // Room for the whole body before reading it: appended 64 KB at a
                // time, the array doubled up to twice the body (a 522 KB page in
                // 1 MB, each smaller copy freed on the way), and every answer
                // waiting to be judged held that much (memory, issue 24). At most
                // `upfrontBodyBytes` ahead of what arrived, so a length the
                // target declares but does not send reserves no more than that.
                let whole = start + min(length, Exchange.upfrontBodyBytes)
                if buffer.count - start < length, buffer.capacity < whole { buffer.reserveCapacity(whole) }
                while buffer.count - start < length {
                    guard try fill(room: length - (buffer.count - start)) else { throw Exchange.closedEarly }
                }
                if start + length == buffer.count {
                    // The body ends what was read (as on a kept connection): it
                    // becomes the answer's bytes, moved to the front rather
                    // than copied into an array of its own (perf, issue 24).
                    var body: [UInt8] = []
                    swap(&body, &buffer)
                    body.removeSubrange(0..<start)
                    start = 0
                    return body
                }
                defer { start += length }  // past the body: what follows (nothing, on a connection kept) is the next answer's
                return Array(buffer[start..<(start + length)])
            }
            // No framing: the body ends with the connection.
            while try fill(room: limits.maxBodyBytes + 1 - (buffer.count - start)) {
                if buffer.count - start > limits.maxBodyBytes { throw tooLarge }
            }
            if buffer.count - start > limits.maxBodyBytes { throw tooLarge }  // read in memory, all at once
            return Array(buffer[start...])
        }

        mutating func readChunked() throws(TransportError) -> [UInt8] {
            var body: [UInt8] = []
            while true {
                let sizeLine = try readLine()
                let size = try Exchange.chunkSize(sizeLine)
                if size == 0 {
                    // Trailers, up to the empty line (at most the header cap).
                    var trailers = 0
                    while true {
                        let line = try readLine()
                        if line.isEmpty { break }
                        trailers += line.utf8.count + 2
                        if trailers > limits.maxHeaderBytes {
                            throw TransportError("the response trailers exceed \(limits.maxHeaderBytes >> 10) KB; reading stopped")
                        }
                    }
                    return body
                }
                // size <= 16^15 and the cap is an Int: no sum below can overflow.
                if size > limits.maxBodyBytes - body.count { throw tooLarge }
                if body.count + size > body.capacity {
                    // Grow by doubling, but never past the cap: a body under
                    // the cap costs at most the cap.
                    body.reserveCapacity(min(limits.maxBodyBytes, max(body.count * 2, body.count + size)))
                }
                while buffer.count - start < size + 2 {
                    guard try fill(room: size + 2 - (buffer.count - start)) else { throw Exchange.closedEarly }
                }
                guard buffer[start + size] == 13, buffer[start + size + 1] == 10 else {
                    throw TransportError("protocol error: a chunk of \(size) bytes is not followed by CRLF (the chunk size does not match its data)")
                }
                body.append(contentsOf: buffer[start..<(start + size)])
                start += size + 2
            }
        }

        /// A `Content-Length` value: decimal digits only (repeated equal
        /// values allowed, RFC 9110 8.6), at most 18 digits, so never
        /// negative and never past an Int.
        static func contentLength(_ field: String) throws(TransportError) -> Int {
            // Digits alone, as nearly every answer sends it: read without splitting and trimming (perf, issue 24).
            var n = 0
            var significant = 0
            for b in field.utf8 {
                guard b >= 0x30 && b <= 0x39 else { return try listedContentLength(field) }
                if significant > 0 || b != 0x30 {
                    significant += 1
                    if significant > maxDigits.decimal { return try listedContentLength(field) }
                    n = n * 10 + Int(b - 0x30)
                }
            }
            if field.isEmpty { return try listedContentLength(field) }
            return n
        }

        /// `contentLength` of any other field: a list of equal values, spaces, or not a length.
        static func listedContentLength(_ field: String) throws(TransportError) -> Int {
            let values = Set(field.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) })
            guard values.count == 1, let v = values.first, !v.isEmpty, v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw TransportError("protocol error: invalid Content-Length '\(quoted(field))' (not one non-negative decimal number)")
            }
            let digits = v.drop { $0 == "0" }
            guard digits.count <= maxDigits.decimal, let n = Int(digits.isEmpty ? "0" : String(digits)) else {
                throw TransportError("protocol error: Content-Length '\(quoted(field))' is too large to be a length")
            }
            return n
        }

        /// A chunk-size line's size: hex digits only (extensions after ';'
        /// ignored), at most 15 significant digits, so never past an Int.
        static func chunkSize(_ line: String) throws(TransportError) -> Int {
            let hex = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            } ?? ""
            guard !hex.isEmpty, hex.utf8.allSatisfy({ Scrubber.hex($0) != nil }) else {
                throw TransportError("protocol error: invalid chunk size '\(quoted(line))' (not a hexadecimal number)")
            }
            let digits = hex.drop { $0 == "0" }
            guard digits.count <= maxDigits.hex, let n = Int(digits.isEmpty ? "0" : String(digits), radix: 16) else {
                throw TransportError("protocol error: chunk size '\(quoted(line))' is too large to be a length")
            }
            return n
        }

        /// A value from the answer, quoted in a message: at most 40 characters, control characters shown as `?`.
        static func quoted(_ s: String) -> String {
            let clean = String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
            return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
        }

        /// One CRLF-terminated line (at most 4 KB), without its CRLF.
        mutating func readLine() throws(TransportError) -> String {
            while true {
                // memchr, not a generic search: a chunked answer of small
                // chunks reads a line per chunk (in the unoptimised build the
                // tests use, the generic search was 5 % of the suite's CPU).
                let newline: Int? = buffer.withUnsafeBufferPointer { b in
                    guard start < b.count, let base = b.baseAddress, let p = memchr(base + start, 10, b.count - start) else { return nil }
                    return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                }
                if let cr = newline {
                    var line = buffer[start..<cr]
                    if line.last == 13 { line = line.dropLast() }
                    start = cr + 1
                    return String(decoding: line, as: UTF8.self)
                }
                if buffer.count - start > 4096 {
                    throw TransportError("protocol error: a chunk-size or trailer line longer than 4 KB")
                }
                guard try fill(room: 4096) else { throw Exchange.closedEarly }
            }
        }
    }
}

extension PlainHTTP {
    /// A request's bytes, of which `count` are already on the connection.
    struct Written: Sendable {
        var bytes: [UInt8]
        var count: Int
    }

    /// What a kept connection is matched by: scheme, host (lowercased) and port.
    static func origin(https: Bool, host: String, port: Int) -> String {
        var origin = ""
        origin.reserveCapacity(host.utf8.count + 16)
        origin += https ? "https://" : "http://"
        origin += host.lowercased()
        origin += ":"
        origin += String(port)
        return origin
    }

    /// Writes what the socket `fd` takes of `bytes` now, without waiting
    /// (it is non-blocking): how many; 0 when it took none or failed.
    static func sendNow(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { b in max(0, systemSend(fd, b.baseAddress!, b.count)) }
    }
}

/// Room for one read from a socket, made once and reused (a pool's worker
/// keeps one for all its exchanges). Used by one thread at a time.
final class ReadBuffer {
    static let size = 64 << 10
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: ReadBuffer.size, alignment: 16)
    deinit { bytes.deallocate() }
}

extension PlainHTTP {
    /// The receive buffer asked for on a connection to a loopback address.
    package static let loopbackReceiveBuffer: Int32 = 1 << 20

    /// Sets up a new socket before it connects to `address`: non-blocking,
    /// closed on exec, no Nagle delay; and, to a loopback address, a receive
    /// buffer of `loopbackReceiveBuffer`.
    ///
    /// Why the buffer on loopback: there the segment size is 64 KB, and a new
    /// connection's receive window (autotuned from 128 KB of buffer) is about
    /// one segment. A large answer relayed by a TLS front in 16 KB records
    /// then filled the window; as we read it, the window reopened a few KB at
    /// a time, less than the sender sends (silly-window avoidance), and the
    /// sender waited for its persist timer: 200 ms, about one https run of
    /// the whole suite in 15 through nginx or the Python front (captured with
    /// tcpdump: window updates of 3, 27 and 59 units, then 206 ms of nothing).
    /// A fixed buffer turns off the kernel's autotuning for the socket, which
    /// on a long, fast network could cap the window below what autotuning
    /// would reach; so only loopback gets it, where the round trip is
    /// microseconds and 2 MB (the kernel doubles the value, up to
    /// `net.core.rmem_max`) is far above what it needs.
    package static func prepare(socket s: Int32, to address: UnsafePointer<sockaddr>?) {
        let flags = fcntl(s, F_GETFL)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(s, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(s, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), &one, socklen_t(MemoryLayout<Int32>.size))
        if let address, isLoopback(address) {
            var size = loopbackReceiveBuffer
            _ = setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Whether `address` is a loopback address: 127.0.0.0/8, `::1`, or
    /// `::ffff:127.x.y.z` (IPv4 mapped into IPv6).
    package static func isLoopback(_ address: UnsafePointer<sockaddr>) -> Bool {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a -> Bool in
                let b = withUnsafeBytes(of: a.pointee.sin6_addr) { Array($0) }
                guard b.count == 16 else { return false }
                if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }  // ::1
                return b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127  // ::ffff:127.x.y.z
            }
        default:
            return false
        }
    }
}

private func systemConnect(_ s: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.connect(s, address, length)
    #else
        Darwin.connect(s, address, length)
    #endif
}

private func systemSend(_ s: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.send(s, bytes, count, Int32(MSG_NOSIGNAL))
    #else
        Darwin.send(s, bytes, count, 0)
    #endif
}
