@testable import ConformanceKit
import ConformanceTesting
import Foundation
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Connections kept alive (`ConnectionPool`): reused across requests, as the
/// server's count of accepted connections shows; given up when the answer
/// says so; a kept connection the server closed before answering is retried
/// on a new one only for methods that change nothing; deadlines and
/// cancellation end a request on a kept connection as on a new one; and a
/// kept `s_client` ends with the pool.
///
/// The counting tests keep connections 600 s (not the default 2 s; the server
/// not its 30 s either): under the
/// whole parallel suite a test may wait seconds between its requests, and a
/// connection closed for idleness would be counted as not reused.
@Suite(.serialized) struct KeepAliveTests {
    static func ok(_ body: String = #"{"ok":true}"#) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    /// A loopback server answering request number n (0-based) with `answer(n)`,
    /// closing a connection idle for `idle` seconds.
    static func server(idle: Double = 600, _ answer: @escaping @Sendable (Int) -> HTTPResponse) throws -> (HTTPServer, Counter) {
        let counter = Counter()
        // The server keeps an idle connection 600 s by default (not its default 30 s): see the suite's comment.
        // A HEAD is answered with GET's Content-Length and no body (HTTPServer's
        // doing): the client must not wait for a body after it.
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, idleTimeoutSeconds: idle)) { _ in
            answer(counter.next())
        }
        try server.start()
        return (server, counter)
    }

    static func send(
        _ t: URLSessionTransport, _ method: String = "GET", _ url: String, timeout: Double = 20
    ) async -> Result<HTTPExchange, TransportError> {
        do throws(TransportError) {
            let body: [UInt8]? = method == "POST" ? Array("{}".utf8) : nil
            return .success(try await t.send(OutgoingRequest(method: method, url: url, headers: [], body: body), timeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    @Test func oneConnectionCarriesEveryRequestInTurn() async throws {
        let (server, _) = try Self.server { n in Self.ok(#"{"n":\#(n)}"#) }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 4, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        for n in 0..<20 {
            let r = try await Self.send(t, "GET", server.baseURL + "/x").get()
            #expect(r.status == 200 && r.body == Array(#"{"n":\#(n)}"#.utf8), "\(r.status) \(String(decoding: r.body, as: UTF8.self))")
        }
        // A POST with a body on the same connection; a HEAD too, after which the
        // connection is not kept (a body sent where none may be would be read as the next answer).
        #expect(try await Self.send(t, "POST", server.baseURL + "/x").get().status == 200)
        #expect(server.acceptedConnectionCount == 1)
        #expect(try await Self.send(t, "HEAD", server.baseURL + "/x").get().status == 200)
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        #expect(server.acceptedConnectionCount == 2)
        // The first request opened the connection on the worker's thread; the
        // next 21 (to the HEAD, after which it is not kept) were written by
        // the caller on the kept connection; the last went to the worker again (no connection kept).
        #expect(t.statistics == TransportStatistics(requests: 23, connections: 2, threads: 1, writtenByCaller: 21))
    }

    /// A request larger than the socket takes at once (an 8 MB body) on a
    /// kept connection: the caller writes what it can, the worker the rest.
    @Test func aRequestTheSocketDoesNotTakeAtOnceIsFinishedByTheWorker() async throws {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, maxBodyBytes: 16 << 20, idleTimeoutSeconds: 600)) { r in
            Self.ok(#"{"bytes":\#(r.body.count),"last":\#(r.body.last ?? 0)}"#)
        }
        try server.start()
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        let body = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let r = try await t.send(OutgoingRequest(method: "POST", url: server.baseURL + "/x", headers: [], body: body), timeout: 60)
        #expect(r.status == 200 && r.body == Array(#"{"bytes":\#(8 << 20),"last":\#(body.last!)}"#.utf8), "\(String(decoding: r.body, as: UTF8.self))")
        #expect(t.statistics.writtenByCaller == 1 && server.acceptedConnectionCount == 1)
    }

    /// Many requests at once, with pauses, to a server that closes every
    /// connection idle for 100 ms: kept connections end while idle, while a
    /// caller takes them, while a request is written on them. Every GET is
    /// answered (one sent into a connection closed before answering goes
    /// again on a new one), and none waits past its timeout. (100 ms, not
    /// less: the server times a new connection from its accept too, and a
    /// loaded machine may hold a worker that long between connecting and writing.)
    @Test func keptConnectionsClosedAtRandomMomentsLoseNoRequest() async throws {
        let (server, counter) = try Self.server(idle: 0.1) { _ in Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 4, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        let statuses = await withTaskGroup(of: [Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var rng = SplitMix64(UInt64(100 + task))  // seeded: a failure replays its pauses
                    var got: [Int] = []
                    for _ in 0..<16 {
                        try? await Task.sleep(nanoseconds: UInt64.random(in: 0...200_000_000, using: &rng))
                        got.append((try? await Self.send(t, "GET", server.baseURL + "/x", timeout: 20).get().status) ?? 0)
                    }
                    return got
                }
            }
            return await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(statuses.count == 128 && statuses.allSatisfy { $0 == 200 }, "\(statuses.filter { $0 != 200 }.count) not answered")
        #expect(counter.value >= 128)
        #expect(t.statistics.writtenByCaller > 0, "some requests went on kept connections")
    }

    /// A kept connection the server closes while it is idle: its worker sees
    /// it end, closes it and keeps no connection, so the next request goes
    /// once, on a new connection (no request sent into a closed one and retried).
    @Test func aKeptConnectionTheServerClosesWhileIdleIsDroppedBeforeTheNextRequest() async throws {
        let (server, counter) = try Self.server(idle: 0.2) { _ in Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        // Until the server has closed it (after 0.2 s; the bound is for a loaded machine).
        let until = Date().addingTimeInterval(20)
        while server.openConnectionCount > 0, Date() < until { usleep(10_000) }
        #expect(server.openConnectionCount == 0)
        // The worker waits on its socket and drops it when it ends; were it
        // late, the caller would find the socket readable and leave the
        // request to the worker, which opens a new connection: the same outcome.
        usleep(200_000)
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        #expect(counter.value == 2, "each request went once")
        #expect(server.acceptedConnectionCount == 2)
        #expect(t.statistics.writtenByCaller == 0, "the second request found no kept connection to write on")
    }

    /// No fall-back carrier (URLSession went with FoundationNetworking, issue
    /// 24): a URL no carrier reads is refused with the reason, nothing sent.
    @Test func aSchemeNothingCarriesIsRefusedWithTheReason() async {
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        let r = await Self.send(t, "GET", "x-unknown://127.0.0.1/x", timeout: 10)
        if case .failure(let e) = r {
            #expect(e.message == "request not sent: the URL's scheme is not http or https")
        } else {
            Issue.record("a scheme nothing carries was answered")
        }
        #expect(t.statistics.requests == 0 && t.statistics.connections == 0)
    }

    @Test func concurrentRequestsUseAtMostTheirNumberOfConnections() async throws {
        let (server, _) = try Self.server { _ in Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 4, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        for _ in 0..<5 {
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { (try? await Self.send(t, "GET", server.baseURL + "/x").get().status) ?? 0 } }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == [200, 200, 200, 200])
        }
        // 20 requests, 4 at a time, with 4 workers: never more than 4 connections.
        #expect(server.acceptedConnectionCount <= 4, "\(server.acceptedConnectionCount)")
        #expect(t.statistics.connections == server.acceptedConnectionCount)
        #expect(t.statistics.threads <= 4)
    }

    /// Whether an answer leaves its connection usable for the next request, as the exchange reads it.
    static func reusable(_ text: String, method: String = "GET") -> Bool {
        var e = PlainHTTP.Exchange(
            deadline: .now + .seconds(5), timeout: 5, flag: PlainHTTP.CancelFlag(), limits: .init(maxBodyBytes: 1 << 20, maxHeaderBytes: 64 << 10))
        e.input = Array(text.utf8)
        guard (try? e.readResponse(method: method)) != nil else { return false }
        return e.reusable && e.start == e.buffer.count
    }

    @Test func onlyAFramedHTTP11AnswerThatDoesNotSayCloseLeavesItsConnectionUsable() {
        #expect(Self.reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
        #expect(Self.reusable("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))
        #expect(Self.reusable("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"))
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, Close\r\n\r\n{}"))
        #expect(!Self.reusable("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}"), "unframed: ends with the connection")
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}"))
        #expect(!Self.reusable("HTTP/1.1 204 No Content\r\n\r\n"))
        #expect(!Self.reusable("HTTP/1.1 304 Not Modified\r\n\r\n"))
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", method: "HEAD"))
        #expect(!Self.reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n"), "bytes past the answer")
    }

    /// Over a socket: a server that says close, or answers 204, is given a new connection for each request.
    @Test func anAnswerThatEndsItsConnectionIsNotReused() async throws {
        let answers: [(HTTPResponse, Int)] = [
            (HTTPResponse(status: 200, headers: ["Content-Type": "application/json", "Connection": "close"], body: Array("{}".utf8)), 200),
            (HTTPResponse(status: 204), 204),
        ]
        for (answer, status) in answers {
            let (server, _) = try Self.server { _ in answer }
            defer { server.shutdown() }
            let t = URLSessionTransport(maxConnections: 2, keepAliveSeconds: 600)
            defer { t.closeConnections() }
            for _ in 0..<3 {
                let r = try await Self.send(t, "GET", server.baseURL + "/x").get()
                #expect(r.status == status)
            }
            #expect(server.acceptedConnectionCount == 3)
        }
    }

    /// The server closes the kept connection on reading the second request,
    /// without a byte of answer: a GET goes again on a new connection (it
    /// changes nothing); a POST is not sent twice: its failure is a
    /// connection error, which only --retries may retry, as before.
    @Test func aKeptConnectionClosedBeforeAnsweringIsRetriedOnlyForSafeMethods() async throws {
        for method in ["GET", "POST"] {
            let (server, counter) = try Self.server { n in n == 1 ? .raw(.closeWithoutAnswer) : Self.ok() }
            defer { server.shutdown() }
            let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
            defer { t.closeConnections() }
            #expect(try await Self.send(t, method, server.baseURL + "/x").get().status == 200)
            let second = await Self.send(t, method, server.baseURL + "/x")
            if method == "GET" {
                #expect((try? second.get().status) == 200, "\(second)")
                #expect(server.acceptedConnectionCount == 2)
                #expect(counter.value == 3, "the GET went twice: once on the kept connection, once on a new one")
            } else {
                #expect(second.failureMessage == "no valid HTTP response (the connection closed early or the bytes were not HTTP)", "\(second)")
                if case .failure(let e) = second { #expect(e.kind == .connection) }
                #expect(server.acceptedConnectionCount == 1)
                #expect(counter.value == 2, "the POST went once")
            }
        }
    }

    /// The same through the Runner: with --retries 1 the POST is retried (on a new connection), as any connection error is.
    @Test func aFailedPostOnAKeptConnectionIsRetriedByRetriesAlone() async throws {
        let (server, counter) = try Self.server { n in n == 1 ? .raw(.closeWithoutAnswer) : Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        #expect(try await Self.send(t, "POST", server.baseURL + "/x").get().status == 200)
        var attempts: [String] = []
        let out = OutgoingRequest(method: "POST", url: server.baseURL + "/x", headers: [], body: Array("{}".utf8))
        let suite = try ProjectSuite.suite()
        let profile = try ProjectSuite.profile("simulator.json")
        let runner = Conformance.engine(
            suite: suite, target: profile, credentials: Credentials(profile: profile, environment: [:]), transport: t,
            options: RunOptions(jobs: 1, timeout: 20, retries: 1))
        let r = await runner.send(out, attempts: &attempts)
        #expect((try? r.get().status) == 200, "\(r)")
        #expect(attempts == ["no valid HTTP response (the connection closed early or the bytes were not HTTP)"])
        #expect(counter.value == 3)
        #expect(server.acceptedConnectionCount == 2)
    }

    /// A kept connection held by the server (it reads the request and never answers) ends at the per-request timeout, and is not retried.
    @Test func theTimeoutEndsARequestHeldOnAKeptConnection() async throws {
        let (server, counter) = try Self.server { n in n == 1 ? .raw(.neverAnswer) : Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        let start = ContinuousClock.now
        let r = await Self.send(t, "GET", server.baseURL + "/x", timeout: 1)
        let took = (ContinuousClock.now - start).seconds
        #expect(r.failureMessage == "timed out after 1 s (the per-request timeout)", "\(r)")
        // Hang guard only (a shared machine; see TLSDeadlineTests): a timeout not honoured would hold the test for the server's 30 s.
        #expect(took < 25)
        #expect(counter.value == 2, "not sent again")
        // The next request has a new connection (the held one is in an unknown state: closed).
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        #expect(server.acceptedConnectionCount == 2)
    }

    @Test func cancellingARequestHeldOnAKeptConnectionEndsIt() async throws {
        let (server, counter) = try Self.server { n in n == 1 ? .raw(.neverAnswer) : Self.ok() }
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        #expect(try await Self.send(t, "GET", server.baseURL + "/x").get().status == 200)
        let task = Task { await Self.send(t, "GET", server.baseURL + "/x", timeout: 120) }
        // Until the server has the request (at most 20 s).
        let until = Date().addingTimeInterval(20)
        while counter.value < 2, Date() < until { usleep(10_000) }
        task.cancel()
        let r = await task.value
        #expect(r.failureMessage == "cancelled", "\(r)")
    }

    /// The answer to a request the caller wrote may wake the worker before
    /// the caller has handed it the job (a caller preempted right after
    /// writing; here it waits until the worker says so). The worker then
    /// waits for the job, and the caller, seeing that, wakes it. The pool's
    /// tick is two minutes here, so only that wake-up can end the exchange
    /// within its timeout; the worker does not take the readable socket for
    /// one the server closed.
    @Test(.timeLimit(.minutes(5))) func anAnswerThatComesBeforeItsJobWaitsForTheCallerToWakeTheWorker() async throws {
        let (server, _) = try Self.server { n in Self.ok(#"{"n":\#(n)}"#) }
        defer { server.shutdown() }
        let sawWaiting = Counter()
        let pool = ConnectionPool(capacity: 1, idleSeconds: 600, tickMilliseconds: 120_000) { worker in
            // Until the answer has woken the worker (at most 20 s, for a loaded machine).
            let until = Date().addingTimeInterval(20)
            while !worker.isWaitingForJob, Date() < until { usleep(1_000) }
            if worker.isWaitingForJob { _ = sawWaiting.next() }
        }
        defer { pool.shutdown(wait: 5) }
        let request = OutgoingRequest(method: "GET", url: server.baseURL + "/x", headers: [], body: nil)
        let limits = PlainHTTP.Limits(maxBodyBytes: 1 << 20, maxHeaderBytes: 64 << 10)
        for n in 0..<4 {
            let r = try await PlainHTTP.send(request, target: RequestTarget(server.baseURL + "/x")!, timeout: 60, limits: limits, pool: pool)
            #expect(r.status == 200 && r.body == Array(#"{"n":\#(n)}"#.utf8), "\(String(decoding: r.body, as: UTF8.self))")
        }
        // The first request opened the connection (the worker wrote it); the caller wrote the next three.
        #expect(pool.counters.snapshot.writtenByCaller == 3)
        #expect(sawWaiting.value == 3, "the worker saw each answer before its job")
        #expect(server.acceptedConnectionCount == 1)
    }

    /// A worker with nothing to do closes its connection and ends (`idleSeconds`).
    @Test func anIdlePoolClosesItsConnections() async throws {
        let (server, _) = try Self.server { _ in Self.ok() }
        defer { server.shutdown() }
        let pool = ConnectionPool(capacity: 2, idleSeconds: 0.05)
        let r = try await PlainHTTP.send(
            OutgoingRequest(method: "GET", url: server.baseURL + "/x", headers: [], body: nil), target: RequestTarget(server.baseURL + "/x")!,
            timeout: 20, limits: .init(maxBodyBytes: 1 << 20, maxHeaderBytes: 64 << 10), pool: pool)
        #expect(r.status == 200)
        // Bounded wait for the idle worker to end (it does after 50 ms; the bound is for a loaded machine).
        let until = Date().addingTimeInterval(20)
        while pool.workerCount > 0 || server.openConnectionCount > 0, Date() < until { usleep(10_000) }
        #expect(pool.workerCount == 0)
        #expect(server.openConnectionCount == 0)
        #expect(server.acceptedConnectionCount == 1)
    }

    /// Where the descriptor limit leaves no room for a pipe a worker (a large
    /// `--jobs`), workers are woken as before and write every request
    /// themselves, on the connection they keep.
    @Test func withoutPipesWorkersAreWokenAsBeforeAndKeepTheirConnection() async throws {
        #expect(ConnectionPool.descriptorsAllow(workers: 8))  // this machine's limit (the tests' own checks need it)
        #expect(!ConnectionPool.descriptorsAllow(workers: 1 << 40))
        let (server, _) = try Self.server { n in Self.ok(#"{"n":\#(n)}"#) }
        defer { server.shutdown() }
        let request = OutgoingRequest(method: "GET", url: server.baseURL + "/x", headers: [], body: nil)
        let limits = PlainHTTP.Limits(maxBodyBytes: 1 << 20, maxHeaderBytes: 64 << 10)
        // Kept 600 s (see the suite's comment), then closed.
        let pool = ConnectionPool(capacity: 2, idleSeconds: 600, pipes: false)
        defer { pool.shutdown(wait: 10) }  // also when a send throws (a second shutdown finds nothing to close)
        for n in 0..<5 {
            let r = try await PlainHTTP.send(request, target: RequestTarget(server.baseURL + "/x")!, timeout: 20, limits: limits, pool: pool)
            #expect(r.status == 200 && r.body == Array(#"{"n":\#(n)}"#.utf8))
        }
        #expect(server.acceptedConnectionCount == 1)
        #expect(pool.counters.snapshot.writtenByCaller == 0)
        pool.shutdown(wait: 10)
        #expect(pool.workerCount == 0)
        // Idle 50 ms, a worker without a pipe still ends (bounded wait, for a loaded machine).
        let brief = ConnectionPool(capacity: 1, idleSeconds: 0.05, pipes: false)
        #expect(try await PlainHTTP.send(request, target: RequestTarget(server.baseURL + "/x")!, timeout: 20, limits: limits, pool: brief).status == 200)
        let until = Date().addingTimeInterval(20)
        while brief.workerCount > 0 || server.openConnectionCount > 0, Date() < until { usleep(10_000) }
        #expect(brief.workerCount == 0 && server.openConnectionCount == 0)
    }

    /// https: one TLS connection (for the `s_client` carrier, one `s_client`)
    /// carries every request in turn, and ends when the connections are closed.
    /// Both carriers: libssl in the process, and `s_client`, which the pool
    /// takes when the library does not load (a loader given a name that is not there).
    @Test(arguments: [false, true]) func oneSClientCarriesEveryHTTPSRequestAndEndsWithThePool(sClient: Bool) async throws {
        let (backend, _) = try Self.server { n in Self.ok(#"{"n":\#(n)}"#) }
        defer { backend.shutdown() }
        let front = try TLSFront(backendPort: backend.port)
        defer { front.stop() }
        let library = sClient ? TLSLibrary.load(names: ["libssl-absent.so.9"]) : TLSLibrary.shared
        #expect((library == nil) == sClient)
        let t = URLSessionTransport(maxConnections: 2, maxBodyBytes: 10 << 20, caFile: front.caFile, keepAliveSeconds: 600, tlsLibrary: library)
        for n in 0..<6 {
            let r = await Self.send(t, "GET", "https://127.0.0.1:\(front.port)/x")
            #expect((try? r.get().body) == Array(#"{"n":\#(n)}"#.utf8), "\(r)")
        }
        #expect(backend.acceptedConnectionCount == 1, "one TLS connection, relayed to one backend connection")
        #expect(t.statistics.connections == 1)
        #expect(t.statistics.writtenByCaller == 0, "a TLS session is written by its worker alone")
        #expect(TLSDeadlineTests.sClients(port: front.port).count == (sClient ? 1 : 0), "the kept s_client, or none in the process")
        t.closeConnections(wait: 10)
        #expect(TLSDeadlineTests.noSClientRemains(port: front.port).isEmpty)
        // Closed: later requests still work, each on a connection (and s_client) of its own, ended after it.
        #expect((try? await Self.send(t, "GET", "https://127.0.0.1:\(front.port)/x").get().status) == 200)
        #expect(TLSDeadlineTests.noSClientRemains(port: front.port).isEmpty)
    }
}
