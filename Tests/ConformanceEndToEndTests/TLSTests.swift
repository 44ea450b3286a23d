import ConformanceCLI
@testable import ConformanceKit
import Foundation
import HTTPServer
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway certificate authority and TLS front (Tests/Tools/tls-front.py)
/// before a plain loopback server, so `https://` is tested like `http://`.
final class TLSFront: @unchecked Sendable {
    let dir: URL
    let port: Int
    let process: Process
    let input: Pipe
    var caFile: String { dir.appendingPathComponent("cert.pem").path }

    /// A self-signed certificate for `subjectAltName` (e.g. `IP:127.0.0.1`).
    static func certificate(in dir: URL, subjectAltName: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=conformance-test",
            "-addext", "subjectAltName=\(subjectAltName)",
            "-keyout", dir.appendingPathComponent("key.pem").path, "-out", dir.appendingPathComponent("cert.pem").path,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TLSFrontError("openssl req exited \(p.terminationStatus)") }
    }

    init(backendPort: Int, subjectAltName: String = "IP:127.0.0.1") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.certificate(in: dir, subjectAltName: subjectAltName)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Project.root + "/Tests/Tools/tls-front.py", dir.appendingPathComponent("cert.pem").path,
            dir.appendingPathComponent("key.pem").path, String(backendPort),
        ]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line says the port; at most 20 s.
        let line = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        Thread {
            var text = ""
            while !text.contains("\n") {
                let d = reader.availableData
                if d.isEmpty { break }
                text += String(decoding: d, as: UTF8.self)
            }
            line.withLock { $0 = text }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 20) == .success,
            let first = line.withLock({ $0 }), first.hasPrefix("PORT "),
            let p = Int(first.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw TLSFrontError("tls-front.py did not say its port")
        }
        port = p
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// A loopback listener that writes `answer` to each connection as soon as it
/// is accepted, then closes it (at most 16 connections, for 30 s).
final class RawListener: Sendable {
    let fd: Int32
    let port: Int

    init(answer: [UInt8]) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && listen(s, 16) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else {
            close(s)
            throw TLSFrontError("could not listen on loopback")
        }
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
        let fd = s
        Thread {
            // Bounds the helper's accept loop in count and time, so a failed test cannot leave it running.
            let until = Date().addingTimeInterval(30)
            for _ in 0..<16 where Date() < until {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                _ = answer.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                usleep(100_000)
                close(c)
            }
        }.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

struct TLSFrontError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}



/// `https://` targets: the same hard caps as `http://` (the answer is read by
/// PlainHTTP through `openssl s_client`), certificates verified, and every
/// failure named.
@Suite(.serialized) struct TLSTests {
    static func get(_ url: String, caFile: String?, maxBodyBytes: Int = 10 << 20, timeout: Double = 20) async -> Result<HTTPExchange, TransportError> {
        let t = URLSessionTransport(maxConnections: 1, maxBodyBytes: maxBodyBytes, caFile: caFile)
        do throws(TransportError) {
            return .success(try await t.send(OutgoingRequest(method: "GET", url: url, headers: [], body: nil), timeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    static func server(_ respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws -> (HTTPServer, Int) {
        let s = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: respond)
        return (s, try s.start())
    }

    @Test func openSSLIsThere() {
        #expect(URLSessionTransport.tlsHasHardCap, "neither libssl nor openssl: no https:// request could be sent")
    }

    /// OpenSSL's libssl carries `https://` in the process; a library that
    /// cannot be loaded leaves `s_client` (KeepAliveTests runs both carriers).
    @Test func libsslIsLoadedInTheProcess() {
        #expect(TLSLibrary.shared != nil, "libssl.so.3 (libssl3, which openssl depends on) did not load: https:// goes through s_client")
        #expect(TLSLibrary.load(names: ["libssl-absent.so.9"]) == nil)
    }

    /// The trust a CA file gives is loaded once, and again when the file
    /// changes (as each `s_client` read it): a server's new certificate
    /// written over the old one at the same path is trusted at once.
    @Test func aCAFileIsLoadedOnceAndAgainWhenItChanges() throws {
        let library = try #require(TLSLibrary.shared)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let caFile = dir.appendingPathComponent("cert.pem").path
        try TLSFront.certificate(in: dir, subjectAltName: "IP:127.0.0.1")
        let first = try library.context(caFile: caFile).get()
        #expect(try library.context(caFile: caFile).get() == first, "loaded once")
        try TLSFront.certificate(in: dir, subjectAltName: "IP:127.0.0.1")
        #expect(try library.context(caFile: caFile).get() != first, "read again after the file changed")
        let missing = library.context(caFile: dir.appendingPathComponent("absent.pem").path)
        #expect(throws: TransportError.self) { try missing.get() }
    }

    /// Hostile TLS peers, in the process: a broken record for a hello, a
    /// close in the middle of the handshake, a handshake never answered. Each
    /// ends in a named error within the timeout: no crash, no hang.
    @Test func hostileTLSPeersEndInANamedError() async throws {
        let garbage = try RawListener(answer: [0x16, 0x03, 0x03, 0x40, 0x00] + [UInt8](repeating: 0xA5, count: 300))
        defer { garbage.stop() }
        let g = await Self.get("https://127.0.0.1:\(garbage.port)/", caFile: nil, timeout: 10)
        #expect(g.failureMessage?.hasPrefix("TLS: ") == true, "\(g)")
        let closing = try RawListener(answer: [])
        defer { closing.stop() }
        let c = await Self.get("https://127.0.0.1:\(closing.port)/", caFile: nil, timeout: 10)
        #expect(c.failureMessage?.hasPrefix("TLS: ") == true, "\(c)")
        let held = try HeadInjectionTests.Backlog()
        defer { held.stop() }
        let h = await Self.get("https://127.0.0.1:\(held.port)/", caFile: nil, timeout: 1)
        #expect(h.failureMessage == "timed out after 1 s (the per-request timeout)", "\(h)")
    }

    @Test func answerOverTLS() async throws {
        let (backend, port) = try Self.server { r in
            HTTPResponse(status: 201, headers: HTTPHeaders([("Content-Type", "application/json"), ("X-Seen", r.target)]),
                body: Array(#"{"ok":true}"#.utf8))
        }
        defer { backend.shutdown() }
        let front = try TLSFront(backendPort: port)
        defer { front.stop() }
        let r = await Self.get("https://127.0.0.1:\(front.port)/mvno/x?token=a%2Bb", caFile: front.caFile)
        let e = try r.get()
        #expect(e.status == 201)
        #expect(e.body == Array(#"{"ok":true}"#.utf8))
        #expect(e.headers["x-seen"] == "/mvno/x?token=a%2Bb", "the request target travels as sent")
    }

    @Test func capsHoldOverTLS() async throws {
        let piece = [UInt8](repeating: 0x20, count: 64 << 10)
        let (backend, port) = try Self.server { r in
            let pieces = 6400  // 400 MB
            if r.target.hasPrefix("/chunked") {
                return .raw(.repeated(
                    head: Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8),
                    chunk: Array("10000\r\n".utf8) + piece + Array("\r\n".utf8), times: pieces, tail: Array("0\r\n\r\n".utf8)))
            }
            return .raw(.repeated(
                head: Array("HTTP/1.1 200 OK\r\nContent-Length: \(pieces * piece.count)\r\nConnection: close\r\n\r\n".utf8),
                chunk: piece, times: pieces, tail: []))
        }
        defer { backend.shutdown() }
        let front = try TLSFront(backendPort: port)
        defer { front.stop() }
        let cl = await Self.get("https://127.0.0.1:\(front.port)/cl", caFile: front.caFile, maxBodyBytes: 1 << 20)
        #expect(cl.failureMessage == "the response body is larger than the 1 MB cap (--max-body-mb): Content-Length 419430400; not read")
        let chunked = await Self.get("https://127.0.0.1:\(front.port)/chunked", caFile: front.caFile, maxBodyBytes: 1 << 20)
        #expect(chunked.failureMessage == "the response body is larger than the 1 MB cap (--max-body-mb); reading stopped")
    }

    @Test func untrustedCertificateIsRefused() async throws {
        let (backend, port) = try Self.server { _ in HTTPResponse(status: 200, headers: HTTPHeaders([]), body: []) }
        defer { backend.shutdown() }
        let front = try TLSFront(backendPort: port)
        defer { front.stop() }
        let r = await Self.get("https://127.0.0.1:\(front.port)/", caFile: nil)
        #expect(r.failureMessage == "TLS: the server's certificate was not accepted (self-signed certificate)")
        if case .failure(let e) = r { #expect(!e.isRetryable, "a refused certificate is not retried") }
    }

    @Test func certificateForAnotherHostIsRefused() async throws {
        let (backend, port) = try Self.server { _ in HTTPResponse(status: 200, headers: HTTPHeaders([]), body: []) }
        defer { backend.shutdown() }
        let front = try TLSFront(backendPort: port, subjectAltName: "DNS:other.example")
        defer { front.stop() }
        let r = await Self.get("https://127.0.0.1:\(front.port)/", caFile: front.caFile)
        #expect(r.failureMessage?.hasPrefix("TLS: the server's certificate was not accepted (") == true, "\(r)")
        #expect(r.failureMessage?.contains("mismatch") == true, "\(r)")
    }

    /// A plain HTTP server answers the TLS hello with a 400 at once, as
    /// common servers do: the tunnel names the mistake.
    @Test func plainServerBehindHTTPSURL() async throws {
        let listener = try RawListener(answer: Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        defer { listener.stop() }
        let r = await Self.get("https://127.0.0.1:\(listener.port)/", caFile: nil, timeout: 10)
        #expect(r.failureMessage == "TLS: the server did not answer with TLS (is the base URL http://?)", "\(r)")
    }

    @Test func refusedConnection() async throws {
        // A port that was just free: nothing listens there now.
        let (s, port) = try Self.server { _ in HTTPResponse(status: 200, headers: HTTPHeaders([]), body: []) }
        s.shutdown()
        let r = await Self.get("https://127.0.0.1:\(port)/", caFile: nil)
        #expect(r.failureMessage == "connection refused", "\(r)")
    }

    /// The whole suite over TLS against the simulator: the same verdicts as over http://.
    @Test func wholeSuiteOverTLS() async throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        let sim = try EmbeddedSimulator()
        defer { sim.stop() }
        let simPort = Int(sim.baseURL.split(separator: ":").last!)!
        let front = try TLSFront(backendPort: simPort)
        defer { front.stop() }
        var target = profile
        target.baseURL = "https://127.0.0.1:\(front.port)"
        let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
        let r = await Conformance.run(
            suite: suite, target: target, credentials: credentials,
            transport: URLSessionTransport(maxConnections: 4, caFile: front.caFile), options: RunOptions(jobs: 4, timeout: 20))
        #expect(r.results.count == suite.cases.count)
        #expect(SimulatorHarness.notPassed(r).isEmpty, "\(SimulatorHarness.notPassed(r).prefix(5))")
        #expect(r.passed > 0)
    }

    @Test func insecureIsRefusedWithTheFix() async {
        let (status, c) = await conformance(["run", "--insecure"])
        #expect(status == 2)
        #expect(c.err.contains("--insecure is not available") && c.err.contains("SSL_CERT_FILE"), "\(c.err)")
    }

    @Test func describesOpenSSLsWords() {
        #expect(TLSTunnel.describe("depth=0 CN = x\nverify error:num=10:certificate has expired\n")?.message
            == "TLS: the server's certificate was not accepted (certificate has expired)")
        #expect(TLSTunnel.describe("connect:errno=111\n")?.message == "connection refused")
        #expect(TLSTunnel.describe("BIO_lookup_ex:system lib:getaddrinfo failed\n")?.message == "host not found")
        #expect(TLSTunnel.describe("")?.message == nil)
    }

    @Test func sClientGetsNoCredentialOfOurs() {
        let names = TLSTunnel.childEnvironment.map { String($0.prefix { $0 != "=" }) }
        #expect(!names.contains { $0.hasPrefix("TELECOMX_") }, "\(names)")
        #expect(names.allSatisfy { ["PATH", "LD_LIBRARY_PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"].contains($0) || $0.hasPrefix("SSL_CERT_") || $0.hasPrefix("OPENSSL_") })
    }

    @Test func proxyFromEnvironment() {
        #expect(TLSTunnel.proxy(for: "api.example", environment: ["https_proxy": "http://proxy.corp:3128/"]) == "proxy.corp:3128")
        #expect(TLSTunnel.proxy(for: "api.example", environment: ["HTTPS_PROXY": "proxy.corp"]) == "proxy.corp:80")
        #expect(TLSTunnel.proxy(for: "api.example", environment: ["https_proxy": "http://u:p@proxy.corp:8080"]) == "proxy.corp:8080")
        #expect(TLSTunnel.proxy(for: "staging.api.example", environment: ["https_proxy": "p:1", "no_proxy": "localhost,.api.example"]) == nil)
        #expect(TLSTunnel.proxy(for: "api.example", environment: ["https_proxy": "p:1", "NO_PROXY": "*"]) == nil)
        #expect(TLSTunnel.proxy(for: "notapi.example", environment: ["https_proxy": "p:1", "no_proxy": "api.example"]) == "p:1")
        #expect(TLSTunnel.proxy(for: "api.example", environment: [:]) == nil)
        let args = TLSTunnel.arguments(host: "api.example", port: 443, caFile: nil, environment: [:])
        #expect(args.contains("-verify_hostname") && args.contains("-verify_return_error") && args.contains("-servername"))
        let ip = TLSTunnel.arguments(host: "127.0.0.1", port: 8443, caFile: "ca.pem", environment: [:])
        #expect(ip.contains("-verify_ip") && ip.contains("-noservername") && ip.contains("127.0.0.1:8443") && ip.contains("ca.pem"))
    }

    @Test func theRunSaysWhatCarriesHTTPS() {
        func line(_ url: String, _ env: [String: String] = [:], inProcess: Bool = true, openssl: String? = "/usr/bin/openssl") -> String? {
            URLSessionTransport.tlsLine(baseURL: url, environment: env, inProcess: inProcess, openssl: openssl)
        }
        #expect(line("http://127.0.0.1:8080") == nil)
        #expect(line("https://api.example/v1") == "https: TLS by OpenSSL's libssl in this process (certificates verified)")
        #expect(line("HTTPS://api.example") != nil)
        #expect(
            line("https://api.example", ["https_proxy": "http://u:secret@proxy.corp:3128"])
                == "https: TLS by openssl s_client, one per kept connection (through the https_proxy proxy.corp:3128, which it speaks CONNECT to; certificates verified)")
        #expect(line("https://api.example", ["https_proxy": "proxy.corp:3128", "no_proxy": "api.example"])?.contains("libssl in this process") == true)
        #expect(line("https://api.example", inProcess: false)?.contains("(libssl.so.3 could not be loaded; certificates verified)") == true)
        #expect(line("https://api.example", ["CONFORMANCE_TLS_CARRIER": "s_client"], inProcess: false)?.contains("(CONFORMANCE_TLS_CARRIER=s_client;") == true)
        #expect(line("https://api.example", inProcess: false, openssl: nil) == "https: no TLS carrier: " + URLSessionTransport.noCarrier)
        // What the process itself has: this machine has both (openSSLIsThere, libsslIsLoadedInTheProcess).
        #expect(
            URLSessionTransport.tlsLine(baseURL: "https://127.0.0.1:1", environment: [:], inProcess: URLSessionTransport.tlsInProcess, openssl: TLSTunnel.openssl)
                == "https: TLS by OpenSSL's libssl in this process (certificates verified)")
    }
}

extension Result where Failure == TransportError {
    var failureMessage: String? {
        if case .failure(let e) = self { return e.message }
        return nil
    }
}
