import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import HTTPServer
import JSONKit
import Synchronization
import TelecomXSimulator
import Testing

/// Every role runs with an awkward credential — common words and numbers
/// that must corrupt nothing, and values with the characters that encodings
/// change — in each placement, against the simulator and against a server
/// that echoes the request back in every way servers do.
@Suite(.serialized) struct SecretLeakTests {
    /// One credential per role. The first four are words and numbers our own
    /// outputs are full of: reports must stay valid and intact. The last four
    /// are distinctive, so every output is searched for them in every form.
    static let awkward: [(role: String, value: String)] = [
        ("VIEWER", "1"), ("MANAGER", "true"), ("OWNER", "test"), ("RESELLER", "admin"),
        ("RESELLER_ADMIN", "xK9+/Qm7vZ=="), ("ADMIN", #"q"u\o-tE7x"#), ("OTHER_CUSTOMER", "sp ace&Wk3r"),
        ("OTHER_RESELLER", "Zm9v+YmFy/YmF6=="),
    ]
    static var distinctive: [String] { awkward.suffix(4).map(\.value) }

    struct Placement: Sendable, CustomTestStringConvertible {
        var name: String
        var auth: String
        var testDescription: String { name }
    }
    static let placements: [Placement] = [
        Placement(name: "query", auth: #"{"in": "query", "name": "token"}"#),
        Placement(name: "header", auth: #"{"in": "header", "name": "Authorization", "prefix": "Bearer "}"#),
        Placement(name: "cookie", auth: #"{"in": "cookie", "name": "token"}"#),
    ]

    /// The credential a request carries, wherever it is.
    static func credential(in r: HTTPRequest) -> String? {
        if let t = r.queryValue("token") { return t }
        if let a = r.headers["Authorization"], a.hasPrefix("Bearer ") { return String(a.dropFirst(7)) }
        if let c = r.headers["Cookie"], let at = c.range(of: "token=") { return String(c[at.upperBound...]) }
        return nil
    }

    /// The simulator behind a door that swaps each awkward credential for the
    /// role's demo token: it only accepts one that arrived byte for byte.
    static func simulator() -> HTTPHandler {
        let sim = TelecomXSimulator()
        var demo: [String: String] = [:]
        for (role, token) in Seed.standard.tokensByRole { demo[role] = token }
        var real: [String: String] = [:]
        for (role, value) in awkward { real[value] = demo[role] }
        let swap = real
        return { r in
            var headers = r.headers
            headers.remove(name: "Authorization")
            headers.remove(name: "Cookie")
            let query = r.query.filter { $0.name != "token" }
            if let sent = credential(in: r) {
                guard let token = swap[sent] else {
                    return HTTPResponse(status: 418, headers: ["Content-Type": "text/plain"], body: Array("not byte for byte".utf8))
                }
                headers.add(name: "Authorization", value: "Bearer " + token)
            }
            let target = r.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + (query.isEmpty ? "" : "?")
                + query.map { "\(percent($0.name))=\(percent($0.value))" }.joined(separator: "&")
            return sim.respond(HTTPRequest(method: r.method, target: target, headers: headers, body: r.body))
        }
    }

    static func percent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))!
    }

    /// Answers with the request: the request line, every header, the decoded
    /// credential in a message; as JSON (status 400 or 404), as text and as HTML.
    static func echo(_ r: HTTPRequest) -> HTTPResponse {
        let line = "\(r.method) \(r.target) HTTP/1.1"
        let headers = r.headers.map { "\($0.name): \($0.value)" }
        let decoded = credential(in: r) ?? ""
        if r.path.hasPrefix("/mvno/deleted") {
            let html = "<html><body><h1>Bad request</h1><pre>\(line)\n\(headers.joined(separator: "\n"))</pre>"
                + "<p>token &quot;\(decoded.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;"))&quot; "
                + "is unknown</p></body></html>"
            return HTTPResponse(status: 400, headers: ["Content-Type": "text/html"], body: Array(html.utf8))
        }
        if r.method == "POST" {
            let text = "rejected \(line)\n" + headers.joined(separator: "\n") + "\nform: token=" + percentForm(decoded)
            return HTTPResponse(status: 400, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
        }
        // A long prefix, so the credential sits across the excerpt's and the messages' cuts too.
        let body: JSON = [
            "status": 404, "message": .string(String(repeating: "x", count: 60) + " unknown token " + decoded),
            "request": .string(line), "headers": .array(headers.map { .string($0) }),
            "padding": .string(String(repeating: "p", count: 3980) + decoded),
            "escaped": .string(JSONWriter().string(.string(decoded))),
        ]
        return HTTPResponse(status: 404, headers: ["Content-Type": "application/json"], body: JSONWriter().bytes(body))
    }

    static func percentForm(_ s: String) -> String {
        percent(s).replacingOccurrences(of: "%20", with: "+")
    }

    /// Every form a distinctive credential could take in an output.
    static func forms(_ s: String) -> [String] {
        var escaped = ""
        JSONWriter.writeString(s, into: &escaped)
        let upper = percent(s)
        let html = s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        return [s, upper, upper.lowercased(), percentForm(s), String(escaped.dropFirst().dropLast()), html,
                Data(s.utf8).base64EncodedString()]
    }

    /// The whole suite in-process (`Network.inProcess`: the request and the
    /// answer go through the wire's code, so every encoding is as on a
    /// socket); the three placements over a real socket are
    /// `aCredentialReachesTheServerByteForByteInHeaderAndCookie`'s.
    func runAndCheck(_ placement: Placement, handler: @escaping HTTPHandler, expectPass: Bool) async throws {
        let server = try Network.inProcess.serve(handler)
        defer { server.stop() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // The simulator's profile with the placement under test.
        var profile = try #require(try JSONParser.parse(Array(tmp.readProject("Cases/targets/simulator.json").utf8)).objectValue)
        profile["auth"] = try JSONParser.parse(Array(placement.auth.utf8))
        profile["$schema"] = .string(Project.cases + "/meta/target.schema.json")
        try tmp.write("target.json", JSONWriter(pretty: true).string(.object(profile)))
        var env: [String: String] = [:]
        for (role, value) in SecretLeakTests.awkward { env["TELECOMX_\(role)_TOKEN"] = value }
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--reports", tmp.path + "/r", "--target", tmp.path + "/target.json",
             "--base-url", server.baseURL, "--jobs", "4", "--timeout", "10"], environment: env)
        let console = c.out + "\n" + c.err

        // The closing line and the counts are intact.
        let closing = try #require(c.out.split(separator: "\n").last { $0.hasSuffix(" skipped") && $0.contains(" passed, ") })
        let numbers = closing.split(separator: " ").compactMap { Int($0) }
        #expect(closing.wholeMatch(of: /\d+ passed, \d+ failed, \d+ skipped/) != nil, "\(closing)")
        if expectPass { #expect(status == 0, "\(console)") } else { #expect(status == 1, "\(closing)") }

        // Every report is valid: both XSDs, results.json parses, with our case ids.
        let xmllint = try #require(xmllintPath(), "xmllint is required (.ci/run installs libxml2-utils)")
        for xsd in ["windyroad-JUnit.xsd", "jenkins-xunit-junit-10.xsd"] {
            let r = try runProcess(xmllint, ["--noout", "--schema", Project.shared + "/junit/" + xsd, tmp.path + "/r/junit.xml"])
            #expect(r.status == 0, "\(xsd): \(r.output.prefix(2000))")
        }
        let resultsText = try tmp.read("r/results.json")
        let decoded = try JSONReporter.decode(resultsText)
        #expect(decoded.recount.passed == numbers.first)
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (target, _) = try TargetLoader.load(path: tmp.path + "/target.json", fixtureCatalogue: suite.fixtures)
        let planned = Planner.plan(suite: suite, target: target, credentials: Credentials(profile: target, environment: env))
        let ids = (try JSONParser.parse(Array(resultsText.utf8)))["cases"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(ids == planned.map(\.testCase.id))
        let xml = try tmp.read("r/junit.xml")
        for id in planned.map(\.testCase.id) { #expect(xml.contains("<testcase name=\"\(id): "), "\(id)") }

        // No distinctive credential, in any form, in any output.
        let outputs = [
            ("console", console), ("junit.xml", xml), ("results.json", resultsText), ("summary.md", try tmp.read("r/summary.md")),
            ("report.html", try tmp.read("r/report.html")), ("coverage.txt", try tmp.read("r/coverage.txt")),
        ]
        for secret in SecretLeakTests.distinctive {
            for form in SecretLeakTests.forms(secret) {
                for (name, text) in outputs { #expect(!text.contains(form), "\(name) holds a form of a credential: \(form)") }
            }
            // Nor a prefix left by a cut: the first six characters.
            let head = String(secret.prefix(6))
            for (name, text) in outputs { #expect(!text.contains(head), "\(name) holds the start of a credential") }
        }
        if !expectPass {
            // The echoes were there and were scrubbed, not lost.
            #expect(resultsText.contains("unknown token ***"), "\(resultsText.prefix(3000))")
        }
    }

    @Test(arguments: placements)
    func againstTheSimulatorEveryCredentialArrivesAndNothingLeaks(_ p: Placement) async throws {
        try await runAndCheck(p, handler: SecretLeakTests.simulator(), expectPass: true)
    }

    @Test(arguments: placements)
    func againstAnEchoingServerNothingLeaks(_ p: Placement) async throws {
        try await runAndCheck(p, handler: SecretLeakTests.echo, expectPass: false)
    }

    /// The spool `run` writes each result to as its case finishes is an
    /// output too: against the echoing server (every answer repeats the
    /// credential it got), the cases of the roles with distinctive
    /// credentials are run spooled, and the spool file's bytes hold no form
    /// of any credential, while the results read back from it are whole.
    @Test(arguments: placements)
    func theResultSpoolHoldsNoFormOfACredential(_ p: Placement) async throws {
        let server = try Network.inProcess.serve(SecretLeakTests.echo)
        defer { server.stop() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var profile = try #require(try JSONParser.parse(Array(tmp.readProject("Cases/targets/simulator.json").utf8)).objectValue)
        profile["auth"] = try JSONParser.parse(Array(p.auth.utf8))
        profile["$schema"] = .string(Project.cases + "/meta/target.schema.json")
        try tmp.write("target.json", JSONWriter(pretty: true).string(.object(profile)))
        var env: [String: String] = [:]
        for (role, value) in SecretLeakTests.awkward { env["TELECOMX_\(role)_TOKEN"] = value }
        var (suite, _) = try SuiteLoader.load(root: Project.cases)
        let roles = Set(SecretLeakTests.awkward.suffix(4).map(\.role))
        suite.cases = suite.cases.filter { roles.contains($0.role.rawValue) }
        var (target, _) = try TargetLoader.load(path: tmp.path + "/target.json", fixtureCatalogue: suite.fixtures)
        target.baseURL = server.baseURL
        var options = RunOptions(jobs: 4, timeout: 10)
        options.resultSpool = tmp.path
        let result = await Conformance.run(
            suite: suite, target: target, credentials: Credentials(profile: target, environment: env),
            transport: Network.inProcess.transport(4, 10 << 20), options: options)
        #expect(result.results.isSpooled)
        #expect(result.results.count == suite.cases.count && result.failed > 0, "\(result.results.count) results, \(result.failed) failed")
        // Nothing by name in the folder it was made in: the file is unlinked while it is used.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["target.json"])
        let bytes = try #require(result.results.spoolBytes())
        let spool = String(decoding: bytes, as: UTF8.self)
        #expect(spool.contains("unknown token ***"), "the echoes were spooled, scrubbed")
        for secret in SecretLeakTests.distinctive {
            for form in SecretLeakTests.forms(secret) {
                #expect(bytes.firstRange(of: Array(form.utf8)) == nil, "the spool holds a form of a credential: \(form)")
            }
            #expect(bytes.firstRange(of: Array(secret.prefix(6).utf8)) == nil, "the spool holds the start of a credential")
        }
    }

    @Test func aCredentialReachesTheServerByteForByteInHeaderAndCookie() async throws {
        let seen = Mutex<[String]>([])
        // The case's request is recorded and refused; the profile check's (an unknown id) gets the documented 404.
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { r in
            guard r.path.hasSuffix("/5a1000000000000000000001") else {
                return HTTPResponse(status: 404, headers: ["Content-Type": "application/json"], body: Array(#"{"message":"mvnoAccount"}"#.utf8))
            }
            seen.withLock { $0.append(r.headers["Authorization"] ?? r.headers["Cookie"] ?? r.target) }
            return HTTPResponse(status: 401, headers: ["Content-Type": "application/json"], body: Array(#"{"message":"credentials_invalid"}"#.utf8))
        }
        let port = try server.start()
        defer { server.shutdown() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let token = "abc+/def=="
        for p in SecretLeakTests.placements {
            try tmp.write(
                p.name + ".json",
                #"{"name":"x","baseURL":"http://127.0.0.1:\#(port)","auth":\#(p.auth),"credentials":{"OWNER":"TELECOMX_OWNER_TOKEN"},"fixtures":{"account.id":"5a1000000000000000000001","account.number":"+4520000001","account.customer":"5c1000000000000000000001"}}"#)
            _ = await conformance(
                ["run", "--suite", Project.cases, "--reports", tmp.path + "/" + p.name, "--target", tmp.path + "/" + p.name + ".json",
                 "--case", "get-by-id"], environment: ["TELECOMX_OWNER_TOKEN": token])
        }
        let received = seen.withLock { $0 }
        #expect(received == [
            "/mvno/5a1000000000000000000001?token=abc%2B%2Fdef%3D%3D", "Bearer abc+/def==", "token=abc+/def==",
        ])
    }
}

extension TempDir {
    func readProject(_ rel: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: Project.root + "/" + rel)), as: UTF8.self)
    }
}
