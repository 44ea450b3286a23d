@testable import ConformanceCLI
import Foundation
import Synchronization
import HTTPServer
import JSONKit
import TelecomXSimulator
import Testing

/// `conformance serve` for client developers, asked in-process through its
/// handler: switching faults and variants and resetting without a restart
/// (the admin endpoint, loopback only), and a request log without credentials.
@Suite struct ServeTests {
    static func admin(_ h: ServeHandler) -> String { h.simulator.tokensByRole.first { $0.role == "ADMIN" }!.token }

    static func send(_ h: ServeHandler, _ method: String, _ target: String, body: String? = nil) -> (Int, String) {
        var headers = HTTPHeaders()
        if body != nil { headers.set(name: "Content-Type", value: "application/json") }
        let r = h.respond(HTTPRequest(method: method, target: target, headers: headers, body: Array((body ?? "").utf8)))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func faultsAndVariantsSwitchWithoutARestart() throws {
        let h = ServeHandler(faults: [], variants: [], host: "127.0.0.1")
        let unknown = "/mvno/5a10000000000000000000ff?token=\(Self.admin(h))"
        #expect(Self.send(h, "GET", unknown).0 == 404)
        let (status, body) = Self.send(h, "POST", "/__admin/config", body: #"{"faults": ["get-not-found-status"]}"#)
        #expect(status == 200, "\(body)")
        #expect(Self.send(h, "GET", unknown).0 == 400, "the fault is on")
        #expect(Self.send(h, "GET", "/__admin/config").1 == #"{"faults":["get-not-found-status"],"variants":[]}"# + "\n")
        let typo = Self.send(h, "POST", "/__admin/config", body: #"{"faults": ["get-not-found-statu"]}"#)
        #expect(typo.0 == 400 && typo.1.contains("did you mean 'get-not-found-status'"), "\(typo.1)")
        #expect(Self.send(h, "GET", unknown).0 == 400, "a refused switch changes nothing")
        #expect(Self.send(h, "POST", "/__admin/config", body: "{}").0 == 200)
        #expect(Self.send(h, "GET", unknown).0 == 404, "back to the docs")
        #expect(Self.send(h, "POST", "/__admin/config", body: "[").0 == 400)
        #expect(Self.send(h, "DELETE", "/__admin/config").0 == 404)
    }

    @Test func resetBringsBackTheSeededState() throws {
        let h = ServeHandler(faults: [], variants: [], host: "localhost")
        let create = "/mvno?token=\(Self.admin(h))"
        let body = #"{"customer":"5c1000000000000000000001","number":"+4521000097","esim":"TDC","ratePlan":"5d1000000000000000000001"}"#
        let first = Self.send(h, "POST", create, body: body)
        #expect((200..<300).contains(first.0), "\(first)")
        let again = Self.send(h, "POST", create, body: body)
        #expect(!(200..<300).contains(again.0), "the number is taken now: \(again)")
        let reset = Self.send(h, "POST", "/__admin/reset")
        #expect(reset.0 == 200 && reset.1.hasPrefix(#"{"reset":true"#), "\(reset)")
        #expect((200..<300).contains(Self.send(h, "POST", create, body: body).0), "after the reset the number is free again")
    }

    @Test func theAdminEndpointIsOffUnlessBoundToLoopback() {
        let h = ServeHandler(faults: [], variants: [], host: "0.0.0.0")
        #expect(!h.adminAllowed)
        let (status, body) = Self.send(h, "POST", "/__admin/config", body: #"{"faults": ["get-not-found-status"]}"#)
        #expect(status == 403 && body.contains("loopback"))
        #expect(Self.send(h, "GET", "/mvno/5a10000000000000000000ff?token=\(Self.admin(h))").0 == 404, "nothing switched")
        #expect(ServeHandler.isLoopback("127.0.0.1") && ServeHandler.isLoopback("::1") && !ServeHandler.isLoopback("192.168.1.2"))
    }

    @Test func theLogNeverHoldsACredential() {
        let lines = LockedLines()
        let h = ServeHandler(faults: [], variants: [], host: "127.0.0.1", log: { lines.append($0) })
        let token = Self.admin(h)
        var headers = HTTPHeaders()
        headers.set(name: "Authorization", value: "Bearer \(token)")
        _ = h.handler(HTTPRequest(method: "GET", target: "/mvno/deleted?limit=5&token=\(token)&note=\(token)x", headers: headers))
        _ = h.handler(HTTPRequest(method: "GET", target: "/mvno/deleted?Password=hunter2", headers: headers))
        let logged = lines.all
        #expect(logged == ["GET /mvno/deleted?limit=5&token=***&note=*** → 200", "GET /mvno/deleted?Password=*** → 200"], "\(logged)")
        #expect(!logged.joined().contains(token))
    }

    /// A client's percent-encoded ESC (a terminal control sequence) reaches
    /// the log decoded; it is printed as a visible escape, not obeyed.
    @Test func theLogShowsAClientsControlCharactersAsEscapes() {
        let lines = LockedLines()
        let h = ServeHandler(faults: [], variants: [], host: "127.0.0.1", log: { lines.append($0) })
        _ = h.handler(HTTPRequest(method: "GET", target: "/mvno/%1B%5B2Kx?note=a%07b"))
        let logged = lines.all
        #expect(logged.count == 1)
        #expect(logged.first?.hasPrefix("GET /mvno/\\u{1B}[2Kx?note=a\\u{7}b → ") == true, "\(logged)")
        #expect(!logged.joined().unicodeScalars.contains { $0.value < 0x20 }, "\(logged)")
    }

    @Test func fixturesAreListedFromTheSimulatorProfile() {
        let lines = CLI.fixtureLines(profile: Project.cases + "/targets/simulator.json")
        #expect(lines.contains { $0.hasPrefix("account.id ") && $0.hasSuffix("\"5a1000000000000000000001\"") }, "\(lines.prefix(5))")
        #expect(CLI.fixtureLines(profile: "/nonexistent.json") == ["cannot read /nonexistent.json (fixtures): pass --suite DIR"])
    }
}

final class LockedLines: Sendable {
    let lines = Mutex<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var all: [String] { lines.withLock { $0 } }
}
