@testable import ConformanceKit
import Foundation
import HTTPServer
import JSONKit
import Testing

/// A server that echoes a credential hex- or base64-encoded leaks it as
/// surely as one that echoes it raw: the scrubber covers those forms too.
@Suite(.serialized) struct EncodedSecretTests {
    /// `~~~` and `???` make base64 characters that differ between the standard
    /// and the URL-safe alphabets (`+`, `/` against `-`, `_`).
    static let credential = "tok~~~en???Wq7"

    static func hex(_ s: String, upper: Bool) -> String {
        s.utf8.map { String(format: upper ? "%02X" : "%02x", $0) }.joined()
    }
    static func base64(_ b: [UInt8], urlSafe: Bool, padded: Bool) -> String {
        var t = Data(b).base64EncodedString()
        if urlSafe { t = t.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
        if !padded { t = t.replacingOccurrences(of: "=", with: "") }
        return t
    }

    /// Every whole-credential encoding, as an echoing server sends it.
    static func forms(_ s: String) -> [String] {
        var out = [hex(s, upper: false), hex(s, upper: true)]
        for urlSafe in [false, true] {
            for padded in [true, false] { out.append(base64(Array(s.utf8), urlSafe: urlSafe, padded: padded)) }
        }
        return out
    }

    /// The credential inside a base64-encoded JSON document, at each of the three alignments.
    static func wrapped(_ s: String) -> [String] {
        ["", "a", "ab"].map { pad in base64(Array(#"{"sub":"\#(pad)","token":"\#(s)"}"#.utf8), urlSafe: false, padded: true) }
    }

    @Test func everyEncodingOfACredentialIsScrubbed() throws {
        let forms = Self.forms(Self.credential)
        #expect(Set(forms).count == forms.count, "the forms differ from one another")
        let scrub = Scrubber(secrets: [Self.credential])
        for f in forms {
            let out = scrub("before \(f) after")
            #expect(out == "before *** after", "\(f) → \(out)")
        }
        // Inside a longer base64 text: what the credential alone decides is
        // gone, whatever its alignment, so decoding what is left cannot give it back.
        for w in Self.wrapped(Self.credential) {
            let out = scrub(w)
            #expect(out.contains("***"), "\(w)")
            let left = out.components(separatedBy: "***")
            for part in left {
                let decodable = String(part.prefix(part.count - part.count % 4))
                if let d = Data(base64Encoded: decodable) {
                    #expect(!String(decoding: d, as: UTF8.self).contains("Wq7"), "\(out)")
                }
            }
        }
    }

    @Test func shortCredentialsDoNotGarbleText() {
        // "z" would be "eg" and "7a", "ab" "YWI" and "6162" (the raw values are still scrubbed): too short to scrub out of what the target sent.
        let scrub = Scrubber(secrets: ["z", "ab"])
        #expect(scrub("eg== 7a YWI= 6162") == "eg== 7a YWI= 6162")
        #expect(Scrubber.encodings(of: Array("1".utf8)).isEmpty)
    }

    @Test func basicAuthCredentialsGetTheEncodingsToo() {
        let pair = "user:pa55w0rd!"
        let scrub = Scrubber(secrets: [Data(pair.utf8).base64EncodedString()], basicAuth: true)
        #expect(scrub("x " + Self.hex("pa55w0rd!", upper: false) + " y") == "x *** y")
    }

    /// Answers with the credential it received in every encoding, in the body and a header.
    static func echo(_ r: HTTPRequest) -> HTTPResponse {
        let token = SecretLeakTests.credential(in: r) ?? ""
        var fields: [(String, JSON)] = [("message", .string("unknown token " + hex(token, upper: false)))]
        for (i, f) in (forms(token) + wrapped(token)).enumerated() { fields.append(("echo\(i)", .string(f))) }
        fields.append(("all", .string((forms(token) + wrapped(token)).joined(separator: " "))))
        return HTTPResponse(
            status: 404, headers: HTTPHeaders([("Content-Type", "application/json"), ("X-Echo", base64(Array(token.utf8), urlSafe: true, padded: false))]),
            body: JSONWriter().bytes(.object(JSONObject(pairs: fields))))
    }

    @Test func anEchoingServerLeavesNoTraceInAnyOutput() async throws {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: Self.echo)
        let port = try server.start()
        defer { server.shutdown() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--reports", tmp.path + "/r", "--target", Project.cases + "/targets/simulator.json",
             "--base-url", "http://127.0.0.1:\(port)", "--endpoint", "mvno-account-get", "--timeout", "10"],
            environment: ["TELECOMX_OWNER_TOKEN": Self.credential])
        #expect(status == 1, "\(c.out)\n\(c.err)")
        let outputs = [
            ("console", c.out + "\n" + c.err), ("junit.xml", try tmp.read("r/junit.xml")), ("results.json", try tmp.read("r/results.json")),
            ("report.html", try tmp.read("r/report.html")), ("summary.md", try tmp.read("r/summary.md")),
        ]
        var needles = Self.forms(Self.credential) + [Self.credential]
        // The aligned inner parts of the wrapped forms: 12 characters from the middle of each.
        for w in Self.wrapped(Self.credential) {
            let chars = Array(w)
            needles.append(String(chars[(chars.count / 2 - 6)..<(chars.count / 2 + 6)]))
        }
        for (name, text) in outputs {
            for n in needles { #expect(!text.contains(n), "\(name) holds \(n)") }
        }
        // The echoes arrived and were scrubbed, not lost.
        #expect(outputs[2].1.contains("unknown token ***"), "\(outputs[2].1.prefix(2000))")
    }
}
