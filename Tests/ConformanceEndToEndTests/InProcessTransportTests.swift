import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import TelecomXSimulator
import Testing

/// The in-process simulator answers as the one behind a socket: the same
/// request (target with query and percent-encoding, credential in the query,
/// a header or a cookie, a body) gets the same status, headers and body,
/// with and without the framing variants. The matrices rely on this.
@Suite struct InProcessTransportTests {
    static let owner = Seed.standard.tokensByRole.first { $0.role == "OWNER" }!.token
    static let resellerAdmin = Seed.standard.tokensByRole.first { $0.role == "RESELLER_ADMIN" }!.token

    /// (method, path and query after the base URL, headers, body)
    static let requests: [(String, String, [(name: String, value: String)], [UInt8]?)] = [
        ("GET", "/mvno/\(Seed.IDs.account1)?token=\(owner)", [], nil),
        ("GET", "/mvno/%2B4520000001?token=\(owner)", [], nil),
        ("GET", "/mvno/\(Seed.IDs.account1)", [("Authorization", "Bearer \(owner)")], nil),
        ("GET", "/mvno/\(Seed.IDs.account1)", [("Cookie", "lang=da; token=\(owner)")], nil),
        ("GET", "/mvno/deleted?limit=3&offset=1&filter=%2B45", [("Authorization", "Bearer \(resellerAdmin)")], nil),
        ("GET", "/mvno/deleted?limit=0", [("Authorization", "Bearer \(resellerAdmin)")], nil),
        ("GET", "/mvno/\(Seed.IDs.account1)?token=unknown%20token", [], nil),
        ("POST", "/mvno?token=\(owner)", [("Content-Type", "application/json")], Array(#"{"customer": 12}"#.utf8)),
        ("POST", "/mvno?token=\(owner)", [], nil),
        ("POST", "/auth/login", [("Content-Type", "application/json")], Array(#"{"username":"x","password":"y"}"#.utf8)),
        ("DELETE", "/mvno/\(Seed.IDs.account1)?token=\(owner)", [], nil),
        ("GET", "/nowhere", [], nil),
    ]

    @Test(arguments: [[], ["chunked"], ["connection-close"], ["error-envelope"]])
    func theInProcessSimulatorAnswersAsTheSocketOneDoes(_ variantNames: [String]) async throws {
        let variants = variantNames.compactMap(Variant.named)
        #expect(variants.count == variantNames.count)
        // One clock for both: the deleted list's dates are relative to it.
        let clock = ManualClock(epochSeconds: 1_750_000_000)
        let socket = try EmbeddedSimulator(variants: variants, clock: .manual(clock))
        defer { socket.stop() }
        let inProcess = InProcessSimulator(variants: variants, clock: .manual(clock))
        let overSocket = URLSessionTransport()
        for (method, rest, headers, body) in Self.requests {
            let a = try await overSocket.send(
                OutgoingRequest(method: method, url: socket.baseURL + rest, headers: headers, body: body), timeout: 30)
            let b = try await inProcess.transport.send(
                OutgoingRequest(method: method, url: InProcessSimulator.baseURL + rest, headers: headers, body: body), timeout: 30)
            let shown = "\(method) \(rest.replacingOccurrences(of: Self.owner, with: "OWNER"))"
            #expect(a.status == b.status, "\(shown)")
            #expect(a.body == b.body, "\(shown)")
            var ha = a.headers, hb = b.headers
            ha["date"] = nil
            hb["date"] = nil
            #expect(ha == hb, "\(shown)")
        }
    }

    /// What the server's parser refuses is refused in-process too, with the
    /// server's own answer, and a body over the client's cap is stopped.
    @Test func theServersParserAndTheClientsCapsApply() async throws {
        let inProcess = InProcessSimulator()
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
        let tooLarge = try await inProcess.transport.send(
            OutgoingRequest(method: "POST", url: InProcessSimulator.baseURL + "/mvno", headers: [], body: huge), timeout: 5)
        #expect(tooLarge.status == 413)
        let capped = InMemoryTransport(maxBodyBytes: 10) { _ in
            Array("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world".utf8)
        }
        await #expect(throws: TransportError.self) {
            try await capped.send(OutgoingRequest(method: "GET", url: "http://x.invalid/", headers: [], body: nil), timeout: 5)
        }
        let silent = InMemoryTransport { _ in nil }
        do {
            _ = try await silent.send(OutgoingRequest(method: "GET", url: "http://x.invalid/", headers: [], body: nil), timeout: 5)
            Issue.record("a server that never answers gave an answer")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message == "timed out after 5 s (the per-request timeout)")
        }
    }
}
