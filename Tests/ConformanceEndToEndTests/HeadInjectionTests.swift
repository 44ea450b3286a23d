@testable import ConformanceKit
import Foundation
import JSONKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nothing that reaches the request head may carry a control character:
/// a CR/LF in a credential, a case's header or the profile's auth placement
/// would inject a header line. Refused before any request (exit 2, naming
/// the file and key path, or the variable and never its value), and the
/// HTTP client refuses such a request itself.
@Suite struct HeadInjectionTests {
    /// A loopback listener that never accepts: a connection made to it waits
    /// in the backlog, so `connections()` counts every one ever made.
    final class Backlog: Sendable {
        let fd: Int32
        let port: Int

        init() throws {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && listen(s, 16) == 0 && getsockname(s, $0, &len) == 0 }
            }
            guard ok else {
                close(s)
                throw TLSFrontError("could not listen on loopback")
            }
            _ = fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK)
            fd = s
            port = Int(UInt16(bigEndian: addr.sin_port))
        }

        /// Connections made so far (accepted now, without blocking; at most 16).
        func connections() -> Int {
            var n = 0
            for _ in 0..<16 {
                let c = accept(fd, nil, nil)
                if c < 0 { break }
                close(c)
                n += 1
            }
            return n
        }

        func stop() { close(fd) }
    }

    static let injected = "abc\r\nX-Injected: 1"

    @Test(arguments: [
        (#"{"in": "header", "name": "Authorization", "prefix": "Bearer "}"#, injected),
        (#"{"in": "cookie", "name": "token"}"#, injected),
        (#"{"in": "header", "name": "Authorization", "prefix": "Bearer "}"#, "abc\u{7F}def"),
        (#"{"in": "cookie", "name": "token"}"#, "abc\u{1B}def"),
    ])
    func aCredentialWithAControlCharacterIsRefusedAtStartAndNothingIsSent(_ auth: String, _ value: String) async throws {
        let (status, c, connections) = try await Self.runGetByID(auth: auth, token: value)
        #expect(status == 2, "\(c.out)\n\(c.err)")
        #expect(c.err.contains("environment variable TELECOMX_OWNER_TOKEN holds a control character"), "\(c.err)")
        #expect(!(c.out + c.err).contains("abc"), "the value is never shown")
        #expect(connections == 0, "nothing was sent")
    }

    /// A cookie credential holding `;` cannot travel byte for byte:
    /// `token=abc;admin=1` would be two cookies; nor can spaces around it
    /// (trimmed). It is refused at start, named, never shown, and nothing is
    /// sent. (A space inside, a quote or a backslash travel: SecretLeakTests.)
    @Test(arguments: ["abc;admin=1", " abcdef", "abcdef\t"])
    func aCookieCredentialThatWouldSplitIsRefusedAtStart(_ value: String) async throws {
        let (status, c, connections) = try await Self.runGetByID(auth: #"{"in": "cookie", "name": "token"}"#, token: value)
        #expect(status == 2, "\(c.out)\n\(c.err)")
        #expect(c.err.contains("environment variable TELECOMX_OWNER_TOKEN holds a ';' or starts or ends with a space"), "\(c.err)")
        #expect(c.err.contains("cannot travel unchanged in the cookie token"), "\(c.err)")
        #expect(!(c.out + c.err).contains("abc"), "the value is never shown")
        #expect(connections == 0, "nothing was sent")
    }

    /// `run --case get-by-id` with the simulator profile's `auth` replaced by
    /// `auth` (JSON), its base URL a listener that only counts connections,
    /// and `token` in TELECOMX_OWNER_TOKEN: the exit status, the output and
    /// how many connections reached the listener.
    static func runGetByID(auth: String, token: String) async throws -> (Int32, Capture, Int) {
        let listener = try Backlog()
        defer { listener.stop() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var profile = try #require(try JSONParser.parse(Array(tmp.readProject("Cases/targets/simulator.json").utf8)).objectValue)
        profile["auth"] = try JSONParser.parse(Array(auth.utf8))
        profile["baseURL"] = .string("http://127.0.0.1:\(listener.port)")
        try tmp.write("target.json", JSONWriter(pretty: true).string(.object(profile)))
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--reports", tmp.path + "/r", "--target", tmp.path + "/target.json", "--case", "get-by-id"],
            environment: ["TELECOMX_OWNER_TOKEN": token])
        return (status, c, listener.connections())
    }

    /// A case's header name or value with CR/LF: the suite does not load (exit 2), naming the file and key path.
    @Test(arguments: [
        (#"{"X-Trace": "a\r\nX-Injected: 1"}"#, "request.headers.X-Trace: the header value holds a control character"),
        (#"{"X-Trace\r\nX-Injected": "1"}"#, "the header name is not an HTTP token"),
        (#"{"X-Trace": "a\u0000b"}"#, "request.headers.X-Trace: the header value holds a control character"),
    ])
    func aCaseHeaderWithAControlCharacterFailsTheLoad(_ headers: String, _ message: String) async throws {
        let listener = try Backlog()
        defer { listener.stop() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        let file = "Cases/cases/mvno-account-get/get-by-id.json"
        let text = try tmp.read(file).replacingOccurrences(
            of: #""request": { "params": { "ACCOUNT_ID": "{{account.id}}" } }"#,
            with: #""request": { "params": { "ACCOUNT_ID": "{{account.id}}" }, "headers": \#(headers) }"#)
        #expect(text.contains("\"headers\""))
        try tmp.write(file, text)
        let (status, c) = await conformance(
            ["run", "--suite", suite, "--reports", tmp.path + "/r", "--target", suite + "/targets/simulator.json",
             "--base-url", "http://127.0.0.1:\(listener.port)", "--case", "get-by-id"],
            environment: ["TELECOMX_OWNER_TOKEN": "owner-test-token-1"])
        #expect(status == 2, "\(c.out)\n\(c.err)")
        let all = c.out + c.err
        #expect(all.contains("cases/mvno-account-get/get-by-id.json") && all.contains(message), "\(all)")
        #expect(listener.connections() == 0, "nothing was sent")
    }

    @Test func theProfilesAuthNameAndPrefixAreCheckedToo() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        for (auth, message) in [
            (#"{"in":"header","name":"Authorization\r\nX-Injected","prefix":"Bearer "}"#, "auth.name: must be an HTTP token"),
            (#"{"in":"header","name":"Authorization","prefix":"Bearer\r\nX-Injected: 1\r\n"}"#, "auth.prefix: holds a control character"),
            (#"{"in":"cookie","name":"to ken"}"#, "auth.name: must be an HTTP token"),
        ] {
            try tmp.write(
                "t.json", #"{"name":"x","baseURL":"https://example.test","auth":\#(auth),"credentials":{"OWNER":"TELECOMX_OWNER_TOKEN"}}"#)
            do {
                _ = try TargetLoader.load(path: tmp.path + "/t.json", fixtureCatalogue: [:])
                Issue.record("\(auth) loaded")
            } catch {
                #expect(error.description.contains("t.json") && error.description.contains(message), "\(error.description)")
            }
        }
    }

    /// The client's own guard: whatever a caller passes, a request that could
    /// inject a line is refused before a connection is made.
    @Test(arguments: [
        ("GET", [("X-A", "v\r\nX-Injected: 1")], "header 'X-A': the value holds a control character"),
        ("GET", [("X-A", "v\nX")], "header 'X-A': the value holds a control character"),
        ("GET", [("X-A", "v\u{0}")], "header 'X-A': the value holds a control character"),
        ("GET", [("X-A\r\nX-Injected", "1")], "header number 1: the name is not an HTTP token"),
        ("GET", [("X A", "1")], "header 'X A': the name is not an HTTP token"),
        ("GET\r\nX", [], "the request method is not an HTTP token"),
    ])
    func theClientRefusesAnInjectingRequestAndConnectsNowhere(_ method: String, _ headers: [(String, String)], _ message: String) async throws {
        let listener = try Backlog()
        defer { listener.stop() }
        let t = URLSessionTransport(maxConnections: 1)
        let request = OutgoingRequest(method: method, url: "http://127.0.0.1:\(listener.port)/x", headers: headers.map { (name: $0.0, value: $0.1) }, body: nil)
        do {
            _ = try await t.send(request, timeout: 5)
            Issue.record("sent")
        } catch {
            #expect(error.message == "request not sent: " + message || error.message.hasPrefix("request not sent: " + message), "\(error.message)")
            #expect(!error.isRetryable)
        }
        // Also on the socket path itself, below the transport.
        let direct = await withCheckedContinuation { cont in
            Thread {
                var e = PlainHTTP.Exchange(deadline: .now + .seconds(5), timeout: 5, flag: PlainHTTP.CancelFlag(), limits: .init(maxBodyBytes: 1 << 20, maxHeaderBytes: 64 << 10))
                cont.resume(returning: e.run(request, target: RequestTarget(request.url)!))
            }.start()
        }
        if case .failure(let e) = direct { #expect(e.message.hasPrefix("request not sent: "), "\(e.message)") } else { Issue.record("sent") }
        #expect(listener.connections() == 0, "no connection was made")
    }

    @Test func aTabInAValueIsAllowed() {
        #expect(OutgoingRequest(method: "GET", url: "/", headers: [("X-A", "a\tb")], body: nil).headProblem == nil)
    }

    /// A literal token shaped like a variable name (lower case) is refused, not printed in every report.
    @Test func aLowerCaseCredentialVariableLooksLikeATokenAndIsRefused() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write(
            "t.json",
            #"{"name":"x","baseURL":"https://example.test","auth":{"in":"header","name":"Authorization","prefix":"Bearer "},"credentials":{"OWNER":"sk_live_4eC39HqLyjWDarjtT1zdp7dc"}}"#)
        do {
            _ = try TargetLoader.load(path: tmp.path + "/t.json", fixtureCatalogue: [:])
            Issue.record("loaded")
        } catch {
            #expect(error.description.contains("credentials.OWNER: must name an environment variable (upper-case letters"), "\(error.description)")
            #expect(!error.description.contains("4eC39HqLyjW"))
        }
    }
}
