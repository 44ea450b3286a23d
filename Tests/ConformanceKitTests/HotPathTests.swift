@testable import ConformanceKit
import Foundation
import JSONKit
import Testing

/// The byte-level fast paths of issue 24 (perf) give the answers of the
/// `String` and `Character` code they stand in front of.
struct HotPathTests {
    @Test func shellQuotingOverBytesIsTheSame() {
        let reference = "${TELECOMX_OWNER_TOKEN}"
        let pieces = ["a", "\"", "\\", "$", "`", "{", "}", "${", reference, "\r\n", "\r", "\n", " ", "'", "%2B", "${TELECOMX", "_OWNER_TOKEN}"]
        var rng = SplitMix64(24)  // seeded: a failure replays
        var samples = ["", reference, reference + reference, "$" + reference, reference + "}", "Authorization: Bearer " + reference]
        for _ in 0..<500 {
            samples.append((0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
        }
        for s in samples {
            #expect(asciiShellDoubleQuoted(s, keeping: reference) == characterShellDoubleQuoted(s, keeping: reference), "\(s.debugDescription)")
            #expect(shellDoubleQuoted(s, keeping: reference) == characterShellDoubleQuoted(s, keeping: reference))
        }
        // Not ASCII: the Character walk itself.
        #expect(asciiShellDoubleQuoted("é$", keeping: reference) == nil)
        #expect(shellDoubleQuoted("é$\"", keeping: reference) == "\"é\\$\\\"\"")
    }

    @Test func trimmingSpacesOverBytesIsTheSame() {
        for s in ["", " ", "   ", "a", " a", "a ", "  a b  ", "\ta\t", " \r\n ", "{{ x | upper }}", " x\u{301} ", " \u{301}x ", " é "] {
            let sub = Substring(s)
            #expect(sub.trimmingSpaces() == String(sub.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()), "\(s.debugDescription)")
        }
    }

    static func legacyIsJSON(_ s: String) -> Bool {
        let media = s.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    @Test func contentTypeOverBytesIsTheSame() {
        let values = [
            "", ";", ";;", "application/json", "Application/JSON", "application/json; charset=utf-8", "  application/json  ;x",
            ";application/json", ";; application/json", "application/json ", "\tapplication/json", "application/problem+json",
            "application/+json", "application/json+", "application/jsonx", "application/vnd.api+JSON; v=1", "text/json",
            "application", "application/", "+json", "application/+jso", "application/json;", "APPLICATION/HAL+JSON",
            "application/ json", "application/json\t", " ", "application/problem+json ; q=1",
        ]
        for v in values {
            #expect(Checker.isASCIIJSONContentType(v) == Self.legacyIsJSON(v), "\(v.debugDescription)")
            #expect(Checker.isJSONContentType(v) == Self.legacyIsJSON(v))
        }
        #expect(Checker.isASCIIJSONContentType("application/jsön") == nil)
        #expect(Checker.isJSONContentType("application/json\u{301}") == Self.legacyIsJSON("application/json\u{301}"))
    }

    /// The `String` reading of a head that `PlainHTTP` did for every answer.
    static func legacyHead(_ head: [UInt8]) -> Result<(Int, Bool, [String: String]), TransportError> {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
            return .failure(PlainHTTP.Exchange.notHTTP)
        }
        var headers: [String: String] = [:]
        for line in lines {
            if line.first == " " || line.first == "\t" { return .failure(TransportError("obs-fold")) }
            if line.utf8.contains(where: { $0 == 0 || $0 == 13 }) { return .failure(TransportError("NUL or CR")) }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return .success((status, parts[0] == "HTTP/1.1", headers))
    }

    @Test func headOverBytesIsTheSame() {
        let heads = [
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12",
            "HTTP/1.1 200 OK\r\nX-A:  1 \t\r\nx-a:2\r\nX-EMPTY:\r\nX-Tabs:\t\t\r\nno colon here\r\nSet-Cookie: a=b; c",
            "HTTP/1.0 404\r\nA: b", "HTTP/1.1  200 OK", "HTTP/2 200 OK", "HTTP/1.1 99 Low", "HTTP/1.1 1000 High", "HTTP/1.1 abc",
            "HTTP/1.1 200 OK\r\n folded: x", "HTTP/1.1 200 OK\r\n\tfolded: x", "HTTP/1.1 200 OK\r\nA: b\rc",
            "HTTP/1.1 200 OK\r\nA: b\u{0}c", "HTTP/1.1 200 OK\r\n:empty name", "HTTP/1.1 200 OK\r\nA: b\r\r\nC: d",
            "HTTP/1.1 200 OK\r\nKey:Value:With:Colons", "HTTP/1.1 204 No Content\r\n\r\nA: b", "", "HTTP/1.1",
        ]
        for h in heads {
            let bytes = Array(h.utf8)
            let fast: Result<(Int, Bool, [String: String]), TransportError>
            do throws(TransportError) {
                fast = .success(try PlainHTTP.Exchange.asciiHead(bytes[...]))
            } catch {
                fast = .failure(error)
            }
            switch (fast, Self.legacyHead(bytes)) {
            case (.success(let a), .success(let b)):
                #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "\(h.debugDescription)")
            case (.failure(let a), .failure(let b)):
                // The same failure: named alike (the legacy copy names the two protocol errors briefly).
                let kind = a.message.contains("obs-fold") ? "obs-fold" : a.message.contains("NUL") ? "NUL or CR" : a.message
                #expect(kind == b.message, "\(h.debugDescription)")
            default:
                Issue.record("\(h.debugDescription): \(fast) vs \(Self.legacyHead(bytes))")
            }
        }
    }

    /// `Presence.eachObject` visits the objects `Visibility.matches` named
    /// and `resolve` found, in the same order, under the same pointers.
    @Test func presenceWalkFindsTheSameObjects() throws {
        let doc = try JSONParser.parse(
            #"{"items":[{"a":{"b":1}},{"a":null},{"a":{"c":2}},7,{"x":1},{"a":[{"b":3}]}],"*":{"a":{"z":0}},"a":{"b":{}}}"#)
        let paths: [[String]] = [
            [], ["items"], ["items", "*"], ["items", "*", "a"], ["items", "*", "a", "*"], ["*", "a"], ["a", "b"], ["a", "*"], ["missing"],
            ["items", "3"],
        ]
        for path in paths {
            let expected = Visibility.matches(path[...], in: doc, at: JSONPointer()).compactMap { p -> (JSONPointer, JSONObject)? in
                guard case .object(let o)? = p.resolve(in: doc) else { return nil }
                return (p, o)
            }
            var seen: [(JSONPointer, JSONObject)] = []
            var trail: [Presence.Step] = []
            Presence.eachObject(path[...], in: doc, trail: &trail) { o, t in seen.append((Presence.pointer(t), o)) }
            #expect(seen.map(\.0) == expected.map(\.0), "\(path)")
            #expect(seen.map { JSON.object($0.1) } == expected.map { JSON.object($0.1) }, "\(path)")
            #expect(trail.isEmpty)
        }
    }

    /// `Invariants.httpDate` as it was: the fields written with
    /// `String(format:)` and read back by `RFC3339.seconds` (which also
    /// refuses a day the month does not have).
    static func legacyHTTPDate(_ s: String) -> Double? {
        guard let f = Invariants.httpDateFields(s) else { return nil }
        return RFC3339.seconds(String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month, f.day, f.hour, f.minute, f.second))
    }

    @Test func httpDateWithoutFormattingIsTheSame() {
        var samples = [
            "Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:60 GMT",
            "Mon, 29 Feb 2024 12:00:00 GMT", "Mon, 29 Feb 2023 12:00:00 GMT", "Mon, 29 Feb 2000 12:00:00 GMT",
            "Mon, 29 Feb 1900 12:00:00 GMT", "Mon, 31 Apr 2024 12:00:00 GMT", "Mon, 30 Feb 2024 12:00:00 GMT",
            "Mon, 06 Nov 1994 08:49:37 UTC", "Mon,  06 Nov 1994  08:49:37 GMT ", "Mon, +6 Nov +1994 08:49:37 GMT",
            "Mon, 06 Nov 1994 08::49:37 GMT", "Mon, 06 Nov 1994 08:x:49:37 GMT", "Mon, 06 Nov 1994 24:00:00 GMT",
            "Mon, 00 Nov 1994 08:49:37 GMT", "Mon, 32 Jan 1994 08:49:37 GMT", "Mon, 06 nov 1994 08:49:37 GMT",
            "Mon, 06 Nov 1969 08:49:37 GMT", "Mon, 06 Nov 10000 08:49:37 GMT", "", "GMT", "Mon, 06 Nov 1994 8:9:7 GMT",
        ]
        var rng = SplitMix64(24)  // seeded: a failure replays
        for _ in 0..<2_000 {
            let day = Int.random(in: -1...33, using: &rng), year = Int.random(in: 1960...10_010, using: &rng)
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"].randomElement(using: &rng)!
            let (h, m, s) = (Int.random(in: -1...25, using: &rng), Int.random(in: 0...61, using: &rng), Int.random(in: 0...62, using: &rng))
            samples.append("Tue, \(day) \(month) \(year) \(h):\(m):\(s) GMT")
        }
        for s in samples {
            #expect(Invariants.httpDate(s) == Self.legacyHTTPDate(s), "\(s.debugDescription)")
        }
        #expect(Invariants.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }

    /// A documented enum's pointer is parsed once, and again when it changes.
    @Test func documentedEnumTokensFollowItsPointer() throws {
        let body = try JSONParser.parse(#"{"a":[{"s":"X"},{"s":"Y"}],"s":"Y"}"#)
        var e = DocumentedEnum(endpointID: "e", pointer: "/a/*/s", values: ["X", "Y"])
        #expect(e.tokens == ["a", "*", "s"])
        #expect(DocumentedValues.observe(body, enums: [e], conforms: true).map(\.seen) == [["X", "Y"]])
        e.pointer = "/s"
        #expect(e.tokens == ["s"])
        #expect(DocumentedValues.observe(body, enums: [e], conforms: true).map(\.seen) == [["Y"]])
        #expect(DocumentedEnum(endpointID: "e", pointer: "/a/~2", values: []).tokens == [])  // not a pointer: the whole answer, as before
    }
    /// The request target read from the URL's text is the one `URLComponents` gave.
    @Test func originFormOverBytesIsTheSame() throws {
        let pieces = [
            "/", "/v1", "/accounts", "?", "&", "=", "#", "%20", "%2F", "%", "a", "Z", "9", "-", "._~", "!$'()*+,;", ":", "@", "//", "??",
            "[", "]", " ", "é", "{", "}", "|", "^", "`", "\\", "\"", "<", ">", "\t",
        ]
        let prefixes = ["http://127.0.0.1:8080", "https://api.example.com", "http://h", "http://[::1]:80", "http://u:p@h:1", "HTTP://h", "ftp://h"]
        var rng = SplitMix64(24)  // seeded: a failure replays
        var texts = prefixes + prefixes.map { $0 + "/" } + ["http://h?x", "http://h#f", "http://h/a?b#c?d", "http://h/a#b?c", "http://h/?", "http://h/a?"]
        for _ in 0..<1_000 {
            texts.append(prefixes.randomElement(using: &rng)! + (0..<Int.random(in: 0...10, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
        }
        var fast = 0
        for text in texts {
            guard let url = URL(string: text) else { continue }
            if let target = PlainHTTP.originForm(url.absoluteString) {
                fast += 1
                #expect(target == PlainHTTP.componentsOriginForm(url), "\(text.debugDescription)")
            }
        }
        #expect(fast > 200)  // the fast path was taken, and compared, often
        let url = try #require(URL(string: "http://127.0.0.1:8080/v1/accounts?limit=5&status=active"))
        #expect(PlainHTTP.originForm(url.absoluteString) == "/v1/accounts?limit=5&status=active")
    }

    @Test func hostColonOverBytesIsTheSame() {
        for host in ["127.0.0.1", "::1", "fe80::1%25eth0", "example.com", "", ":", "a:b", "é:x", "ex\u{301}ample", ":\u{301}", "日本:1"] {
            #expect(PlainHTTP.isIPv6(host) == host.contains(":"), "\(host.debugDescription)")
        }
    }

    /// `Content-Length` read over digits gives the value, or the error, the list reading gives.
    @Test func contentLengthOverDigitsIsTheSame() {
        var fields = ["", "0", "00", "000000000000000000000012", "12", "123456789012345678", "1234567890123456789", "0001234567890123456789",
            "12, 12", "12,13", " 12", "12 ", "1\u{0}", "-1", "+1", "١٢", "12a", ",", "999999999999999999", "9999999999999999999"]
        var rng = SplitMix64(24)  // seeded: a failure replays
        for _ in 0..<2_000 {
            fields.append(String((0..<Int.random(in: 0...22, using: &rng)).map { _ in "000123456789, ".randomElement(using: &rng)! }))
        }
        func reading(_ f: (String) throws(TransportError) -> Int, _ field: String) -> String {
            do throws(TransportError) { return "\(try f(field))" } catch { return error.message }
        }
        for field in fields {
            #expect(
                reading(PlainHTTP.Exchange.contentLength, field) == reading(PlainHTTP.Exchange.listedContentLength, field), "\(field.debugDescription)")
        }
    }
}
