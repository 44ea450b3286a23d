import Foundation
import HTTPServer
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Answers with what it received: status 201 for POST, 200 otherwise.
let echoHandler: HTTPHandler = { request in
    let query = request.query.map(\.description).joined(separator: "&")
    let headers: HTTPHeaders = ["X-Method": request.method, "X-Path": request.path, "X-Query": query]
    var response = HTTPResponse(status: request.method == "POST" ? 201 : 200, headers: headers, body: request.body)
    if request.path == "/bye" { response.headers.add(name: "Connection", value: "close") }
    return response
}

/// A thread-safe flag for handlers to report that they ran.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

func startedServer(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(), handler: @escaping HTTPHandler = echoHandler
) throws -> HTTPServer {
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    return server
}

func elapsed(since start: ContinuousClock.Instant) -> Duration {
    start.duration(to: .now)
}

@Suite(.timeLimit(.minutes(1)))
struct ServerTests {
    @Test func roundTripsWithURLSession() async throws {
        let server = try startedServer()
        defer { server.shutdown() }
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }

        let body = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        var request = URLRequest(url: try #require(URL(string: server.baseURL + "/mvno/a%20b?token=x%20y&q=a+b")))
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 201)
        #expect(http.value(forHTTPHeaderField: "X-Path") == "/mvno/a b")
        #expect(http.value(forHTTPHeaderField: "X-Query") == "token=x y&q=a b")
        #expect(http.value(forHTTPHeaderField: "Content-Length") == "300000")
        #expect(data == body, "a 300 kB body survives both ways")

        let (getData, getResponse) = try await session.data(from: try #require(URL(string: server.baseURL + "/again")))
        #expect((getResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect((getResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Method") == "GET")
        #expect(getData.isEmpty)
    }

    @Test func servesSeveralRequestsOnOneKeptAliveConnection() throws {
        let server = try startedServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)

        try client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try client.readResponse()
        #expect(first.status == 200)
        #expect(first.headers["X-Path"] == "/first")
        #expect(first.headers["Connection"] == nil)
        #expect(first.headers["Content-Length"] == "0")
        #expect(first.headers["Date"]?.hasSuffix(" GMT") == true)

        try client.send("POST /second?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody")
        let second = try client.readResponse()
        #expect(second.status == 201)
        #expect(second.bodyText == "body")
        #expect(second.headers["X-Query"] == "a=1")

        // Two pipelined requests in one write come back in order.
        try client.send("GET /p1 HTTP/1.1\r\n\r\nGET /p2 HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().headers["X-Path"] == "/p1")
        #expect(try client.readResponse().headers["X-Path"] == "/p2")
        #expect(server.openConnectionCount == 1, "all on one connection")
    }

    @Test func honoursConnectionCloseFromClientAndHandler() throws {
        let server = try startedServer()
        defer { server.shutdown() }

        let client = try RawClient.connect(port: server.port)
        try client.send("GET /x HTTP/1.1\r\nConnection: close\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.headers["Connection"] == "close")
        let rest = client.readUntilClosed(timeout: 2)
        #expect(rest.closed && rest.bytes.isEmpty)

        let other = try RawClient.connect(port: server.port)
        try other.send("GET /bye HTTP/1.1\r\n\r\n")
        #expect(try other.readResponse().headers["Connection"] == "close")
        #expect(other.readUntilClosed(timeout: 2).closed, "the handler's Connection: close is obeyed")
    }

    @Test func sendsAChunkedBodyThatURLSessionReadsOnAKeptAliveConnection() async throws {
        let body = Array((0..<10_000).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        let server = try startedServer { _ in
            var response = HTTPResponse(status: 200, body: body)
            response.chunkSize = 4_000
            return response
        }
        defer { server.shutdown() }

        // On the wire: three chunks, no Content-Length, and the connection stays open.
        let client = try RawClient.connect(port: server.port)
        try client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
        let deadline = ContinuousClock.now + .seconds(20)  // a hang guard; the whole answer ends the wait
        while !client.bufferedText.hasSuffix("\r\n0\r\n\r\n"), client.readMore(until: deadline) == .data {}
        let wire = client.bufferedText
        #expect(wire.contains("\r\nTransfer-Encoding: chunked\r\n"))
        #expect(!wire.contains("Content-Length"))
        #expect(wire.contains("\r\n\r\nfa0\r\n"), "a first chunk of 4000 bytes")
        #expect(wire.contains("\r\n7d0\r\n"), "a last data chunk of 2000 bytes")
        #expect(wire.hasSuffix("\r\n0\r\n\r\n"))
        try client.send("GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let second = client.readUntilClosed(timeout: 5)
        #expect(String(decoding: second.bytes, as: UTF8.self).hasPrefix(wire + "HTTP/1.1 200 OK\r\n"), "a second answer on the same connection")

        // A client reassembles the chunks.
        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }
        let (data, response) = try await session.data(from: try #require(URL(string: server.baseURL + "/three")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(Array(data) == body)
    }

    @Test func closesHTTP10UnlessKeepAliveIsAsked() throws {
        let server = try startedServer()
        defer { server.shutdown() }

        let plain = try RawClient.connect(port: server.port)
        try plain.send("GET /old HTTP/1.0\r\n\r\n")
        #expect(try plain.readResponse().headers["Connection"] == "close")
        #expect(plain.readUntilClosed(timeout: 2).closed)

        let kept = try RawClient.connect(port: server.port)
        try kept.send("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["Connection"] == "keep-alive")
        try kept.send("GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["X-Path"] == "/two")
    }

    @Test func sends100ContinueBeforeReadingAnExpectedBody() throws {
        let server = try startedServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        try client.send("POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        #expect(try client.readResponse(skipInterim: false).status == 100)
        try client.send("hello")
        let response = try client.readResponse()
        #expect(response.status == 201)
        #expect(response.bodyText == "hello")
    }

    struct BadRequest: Sendable, CustomTestStringConvertible {
        var name: String
        var head: String
        var status: Int
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadRequest(name: "garbage", head: "GARBAGE\r\n\r\n", status: 400),
        BadRequest(
            name: "body over limit",
            head: "POST /big HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n" + String(repeating: "z", count: 8192),
            status: 413),
        BadRequest(
            name: "head over limit", head: "GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 2000))\r\n\r\n",
            status: 431),
        BadRequest(name: "chunked body", head: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", status: 411),
    ])
    func answersAnUnacceptableRequestAndCloses(bad: BadRequest) throws {
        // Answered at once, not after waiting for the body: a server that
        // waited would answer 408 after its 30 s request timeout, past the
        // read's 20 s (generous bounds: a hang guard, not a speed claim).
        let server = try startedServer(HTTPServerConfiguration(maxHeaderBytes: 1024, maxBodyBytes: 4096, requestTimeoutSeconds: 30))
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        try client.send(bad.head)
        let response = try client.readResponse(timeout: 20)
        #expect(response.status == bad.status)
        #expect(response.headers["Connection"] == "close")
        #expect(response.headers["Content-Length"] == "\(response.body.count)")
        #expect(response.bodyText.hasPrefix("\(bad.status) "))
        #expect(client.readUntilClosed(timeout: 20).closed)
    }

    @Test func closesAnIdleConnectionAfterTheIdleTimeout() throws {
        let server = try startedServer(HTTPServerConfiguration(idleTimeoutSeconds: 0.3))
        defer { server.shutdown() }

        let client = try RawClient.connect(port: server.port)
        // Timed from before the request: the server's idle time starts after
        // it answered, so the close cannot come sooner than 0.3 s after this,
        // however late this thread runs. The 20 s reads are hang guards.
        let sent = ContinuousClock.now
        try client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse(timeout: 20).status == 200)
        let rest = client.readUntilClosed(timeout: 20)
        let idle = elapsed(since: sent)
        #expect(rest.closed && rest.bytes.isEmpty, "closed silently")
        #expect(idle >= .milliseconds(300), "closed after the 0.3 s idle timeout, not before: \(idle)")

        let silent = try RawClient.connect(port: server.port)
        let silentResult = silent.readUntilClosed(timeout: 20)
        #expect(silentResult.closed && silentResult.bytes.isEmpty, "a connection that never spoke is idle too")
        #expect(eventually { server.openConnectionCount == 0 })
    }

    @Test func answers408WhenARequestDoesNotArriveInTime() throws {
        let server = try startedServer(HTTPServerConfiguration(requestTimeoutSeconds: 0.3))
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        let started = ContinuousClock.now
        try client.send("POST /slow HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        let response = try client.readResponse(timeout: 20)  // a hang guard
        #expect(response.status == 408)
        #expect(response.headers["Connection"] == "close")
        // A lower bound, timed from before the request: the server's 0.3 s timer
        // starts after that instant, so a busy machine can only make this larger;
        // it fails only if the server answers 408 before its timeout.
        #expect(elapsed(since: started) >= .milliseconds(300))
        #expect(client.readUntilClosed(timeout: 20).closed)
    }

    @Test func stopsWhenTheLastReferenceGoesAway() throws {
        var server: HTTPServer? = try startedServer()
        let client = try RawClient.connect(port: try #require(server?.port))
        try client.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        server = nil
        #expect(client.readUntilClosed(timeout: 3).closed)
    }

    @Test func reportsATakenPort() throws {
        let first = try startedServer()
        defer { first.shutdown() }
        let second = HTTPServer(configuration: HTTPServerConfiguration(port: first.port), handler: echoHandler)
        let error = try #require(throws: HTTPServerError.self) { try second.start() }
        #expect(error.kind == .bind)
        #expect(error.errno == EADDRINUSE)
        #expect(error.description.contains("127.0.0.1:\(first.port)"))
        #expect(error.description.contains(String(cString: strerror(EADDRINUSE))))
        #expect(second.port == 0)
    }

    @Test func refusesToStartTwiceOrAfterShutdown() throws {
        let server = try startedServer()
        #expect(throws: HTTPServerError.self) { try server.start() }
        server.shutdown()
        let error = try #require(throws: HTTPServerError.self) { try server.start() }
        #expect(error.kind == .alreadyStarted)
        let invalid = HTTPServer(configuration: HTTPServerConfiguration(port: 70000), handler: echoHandler)
        #expect((try #require(throws: HTTPServerError.self) { try invalid.start() }).kind == .invalidConfiguration)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct RawBehaviourTests {
    static let brokenResponse = Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".utf8)

    let neverReached = Flag()

    func hostileServer() throws -> HTTPServer {
        let flag = neverReached
        // A long shutdown timeout: a shutdown that waited for a silent
        // connection instead of ending it would show as a connection still open.
        return try startedServer(HTTPServerConfiguration(shutdownTimeoutSeconds: 30)) { request in
            switch request.path {
            case "/bytes": return .raw(.bytes(Self.brokenResponse))
            case "/close": return .raw(.closeWithoutAnswer)
            case "/never":
                flag.set()
                return .raw(.neverAnswer)
            case "/trickle": return .raw(.trickle(Array("abcd".utf8), intervalMilliseconds: 60))
            default: return HTTPResponse(status: 200)
            }
        }
    }

    @Test func bytesWritesExactlyThoseBytesThenCloses() throws {
        let server = try hostileServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        try client.send("GET /bytes HTTP/1.1\r\n\r\n")
        let result = client.readUntilClosed(timeout: 3)
        #expect(result.bytes == Self.brokenResponse)
        #expect(result.closed, "closed although the client asked for keep-alive")
    }

    @Test func closeWithoutAnswerWritesNothing() throws {
        let server = try hostileServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        try client.send("GET /close HTTP/1.1\r\n\r\n")
        let result = client.readUntilClosed(timeout: 3)
        #expect(result.bytes.isEmpty)
        #expect(result.closed)
    }

    @Test func neverAnswerKeepsTheConnectionOpenAndSilentUntilShutdown() throws {
        let server = try hostileServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        try client.send("GET /never HTTP/1.1\r\n\r\n")
        let silence = client.readUntilClosed(timeout: 0.4)
        #expect(neverReached.isSet)
        #expect(silence.bytes.isEmpty && !silence.closed, "open and silent")
        #expect(server.openConnectionCount == 1)
        // Shutdown does not wait for the silent connection: it would wait
        // the shutdown timeout (2 s) for it. Only that is asserted: how soon
        // it returns is the scheduler's.
        server.shutdown()
        #expect(server.openConnectionCount == 0, "the silent connection was ended, not waited for")
        let after = client.readUntilClosed(timeout: 20)
        #expect(after.closed && after.bytes.isEmpty)
    }

    @Test func trickleWritesOneByteAtATimeThenCloses() throws {
        let server = try hostileServer()
        defer { server.shutdown() }
        let client = try RawClient.connect(port: server.port)
        // Timed from before the request: the last byte cannot come sooner
        // than the three 60 ms gaps after it, however late this thread reads
        // (how many reads the bytes take is the scheduler's, not asserted).
        let sent = ContinuousClock.now
        try client.send("GET /trickle HTTP/1.1\r\n\r\n")
        let deadline = ContinuousClock.now + .seconds(20)  // a hang guard
        var reads = 0
        var last = RawClient.ReadResult.data
        while last == .data, reads < 10 {
            last = client.readMore(until: deadline)
            if last == .data { reads += 1 }
        }
        #expect(client.bufferedText == "abcd")
        #expect(last == .closed)
        // A lower bound (see above): load only lengthens it; it fails only if the gaps were skipped.
        #expect(elapsed(since: sent) >= .milliseconds(180), "three 60 ms gaps")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ShutdownTests {
    /// Every connection is ended, none waited for: with a 30 s shutdown
    /// timeout, a connection still open afterwards is one shutdown waited for
    /// and gave up on. (How soon it returns is the scheduler's: not asserted;
    /// the suite's time limit is the hang guard.)
    @Test func returnsPromptlyWithBusyAndIdleConnections() throws {
        let never = Flag()
        let server = try startedServer(HTTPServerConfiguration(shutdownTimeoutSeconds: 30)) { request in
            if request.path == "/never" {
                never.set()
                return .raw(.neverAnswer)
            }
            return HTTPResponse(status: 200)
        }
        let silent = try RawClient.connect(port: server.port)
        try silent.send("GET /never HTTP/1.1\r\n\r\n")
        let partial = try RawClient.connect(port: server.port)
        try partial.send("POST /partial HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly part")
        let idle = try RawClient.connect(port: server.port)
        try idle.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        #expect(eventually { server.openConnectionCount == 3 && never.isSet })

        server.shutdown()
        #expect(server.openConnectionCount == 0, "every connection thread has finished")
        for client in [silent, partial, idle] {
            let result = client.readUntilClosed(timeout: 2)
            #expect(result.closed && result.bytes.isEmpty)
        }

        server.shutdown()  // idempotent: nothing left to wait for
        #expect(server.openConnectionCount == 0)
    }

    @Test func returnsAtOnceWhenNeverStarted() {
        let server = HTTPServer(handler: echoHandler)
        server.shutdown()  // nothing to wait for; the suite's time limit guards a hang
        #expect(server.port == 0)
        #expect(server.openConnectionCount == 0)
    }
}
