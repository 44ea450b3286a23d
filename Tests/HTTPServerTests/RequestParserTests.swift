import Testing

@testable import HTTPServer

/// The request parser as a pure state machine: bytes in, events out.
@Suite struct RequestParserTests {
    private func parse(_ text: String, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20)
        -> HTTPRequestParser.Event
    {
        var parser = HTTPRequestParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        parser.feed(Array(text.utf8))
        return parser.next()
    }

    @Test func parsesASimpleGet() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET /mvno/abc?token=x%20y HTTP/1.1\r\nHost: example\r\nX-Two: a\r\nx-two: b\r\n\r\n".utf8))
        let request = try #require(parser.next().request)
        #expect(request.method == "GET")
        #expect(request.target == "/mvno/abc?token=x%20y")
        #expect(request.path == "/mvno/abc")
        #expect(request.query == [QueryItem(name: "token", value: "x y")])
        #expect(request.version == .http1_1)
        #expect(request.headers["host"] == "example")
        #expect(request.headers.values("X-TWO") == ["a", "b"])
        #expect(request.body.isEmpty)
        #expect(parser.next() == .needMore)
        #expect(!parser.isMidRequest)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func assemblesARequestFedOneByteAtATime() throws {
        let text = "POST /items HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world"
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for (index, byte) in text.utf8.enumerated() {
            parser.feed([byte])
            switch parser.next() {
            case .needMore:
                #expect(parser.isMidRequest, "mid-request after byte \(index)")
            case .request(let request):
                #expect(index == text.utf8.count - 1, "complete only at the last byte")
                requests.append(request)
            case .error(let status, let reason):
                Issue.record("unexpected \(status) \(reason)")
            }
        }
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.body == Array("hello world".utf8))
        #expect(!parser.isMidRequest)
    }

    @Test func splitsAHeadAcrossReadsAtEveryPosition() throws {
        let text = "PUT /x HTTP/1.1\r\nA: 1\r\nContent-Length: 3\r\n\r\nabc"
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            var parser = HTTPRequestParser()
            parser.feed(bytes[..<cut])
            #expect(parser.next() == .needMore, "cut at \(cut)")
            parser.feed(bytes[cut...])
            let request = try #require(parser.next().request, "cut at \(cut)")
            #expect(request.headers["a"] == "1")
            #expect(request.body == Array("abc".utf8))
        }
    }

    @Test func yieldsPipelinedRequestsInOrder() throws {
        var parser = HTTPRequestParser()
        let stream =
            "GET /one HTTP/1.1\r\n\r\n" + "POST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
            + "GET /three HTTP/1.1\r\n\r\n" + "GET /fo"
        parser.feed(Array(stream.utf8))
        #expect(try #require(parser.next().request).path == "/one")
        let second = try #require(parser.next().request)
        #expect(second.path == "/two")
        #expect(second.body == Array("hi".utf8))
        #expect(try #require(parser.next().request).path == "/three")
        #expect(parser.next() == .needMore)
        #expect(parser.isMidRequest)
        parser.feed(Array("ur HTTP/1.1\r\n\r\n".utf8))
        #expect(try #require(parser.next().request).path == "/four")
    }

    @Test func skipsBlankLinesBeforeARequestAndAcceptsBareLF() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("\r\n\r\n".utf8))
        #expect(parser.next() == .needMore)
        #expect(!parser.isMidRequest, "blank lines alone are not a request")
        parser.feed(Array("GET /lf HTTP/1.0\nHost: h\n\n".utf8))
        let request = try #require(parser.next().request)
        #expect(request.path == "/lf")
        #expect(request.version == .http1_0)
        #expect(request.headers["Host"] == "h")
    }

    @Test(arguments: [
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "G@T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1x\r\n\r\n",
        "GET / FTP/1.1\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET /a#frag HTTP/1.1\r\n\r\n",
        "GET /bad%zzescape HTTP/1.1\r\n\r\n",
        "GET /q?x=%4 HTTP/1.1\r\n\r\n",
        "GET relative HTTP/1.1\r\n\r\n",
        "GET /\u{7F} HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\rX: y\r\n\r\n",
    ])
    func answers400ToAMalformedRequestLine(line: String) {
        #expect(parse(line).errorStatus == 400)
    }

    @Test func answers505ToAnotherMajorVersion() {
        #expect(parse("GET / HTTP/2.0\r\n\r\n").errorStatus == 505)
    }

    @Test(arguments: [
        "Name : value",
        "NoColonHere",
        ": empty name",
        "Bad Name: value",
        "Ctl: a\u{01}b",
        " folded: continuation",
    ])
    func answers400ToAMalformedHeader(header: String) {
        #expect(parse("GET / HTTP/1.1\r\nHost: h\r\n\(header)\r\n\r\n").errorStatus == 400)
    }

    @Test func answers400ToObsoleteLineFoldingAndADuplicateHost() {
        #expect(parse("GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n").errorStatus == 400)
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").errorStatus == 400)
    }

    @Test func trimsOptionalWhitespaceAroundHeaderValues() throws {
        let request = try #require(parse("GET / HTTP/1.1\r\nX:  \t spaced out \t\r\nEmpty:\r\n\r\n").request)
        #expect(request.headers["x"] == "spaced out")
        #expect(request.headers["empty"] == "")
    }

    @Test func answers431WhenTheHeadIsTooLargeBeforeItEnds() {
        var parser = HTTPRequestParser(maxHeaderBytes: 64)
        parser.feed(Array("GET / HTTP/1.1\r\nX-Filler: ".utf8))
        #expect(parser.next() == .needMore)
        parser.feed([UInt8](repeating: UInt8(ascii: "a"), count: 64))
        #expect(parser.next().errorStatus == 431, "no need to wait for the end of the head")
    }

    @Test func answers431ToACompleteHeadOverTheLimit() {
        let head = "GET / HTTP/1.1\r\nX: \(String(repeating: "b", count: 40))\r\n\r\n"
        #expect(parse(head, maxHeaderBytes: head.utf8.count).request != nil)
        #expect(parse(head, maxHeaderBytes: head.utf8.count - 1).errorStatus == 431)
    }

    @Test func answers413AsSoonAsTheHeadAnnouncesTooLargeABody() {
        var parser = HTTPRequestParser(maxBodyBytes: 100)
        parser.feed(Array("POST /big HTTP/1.1\r\nContent-Length: 101\r\n\r\n".utf8))
        #expect(parser.next().errorStatus == 413, "without any body byte")
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").errorStatus == 413)
        let exact = parse("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", maxBodyBytes: 3)
        #expect(exact.request?.body == Array("abc".utf8))
    }

    @Test func frameBodiesByContentLengthOnly() {
        #expect(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").errorStatus == 411)
        #expect(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").errorStatus == 501)
        #expect(
            parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nx").errorStatus == 400)
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy").errorStatus == 400)
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").errorStatus == 400)
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n").errorStatus == 400)
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nok").request?.body == Array("ok".utf8))
    }

    @Test func decodesPercentAndPlusInTheQueryAndPercentInThePath() throws {
        let target = "/mvno/a%20b+c/%E2%82%AC?token=x%20y&q=a+b&flag&empty=&enc=%2B%26%3D&&dup=1&dup=2"
        let request = try #require(parse("GET \(target) HTTP/1.1\r\n\r\n").request)
        #expect(request.target == target)
        #expect(request.path == "/mvno/a b+c/€", "'+' is literal in a path")
        #expect(
            request.query == [
                QueryItem(name: "token", value: "x y"),
                QueryItem(name: "q", value: "a b"),
                QueryItem(name: "flag", value: ""),
                QueryItem(name: "empty", value: ""),
                QueryItem(name: "enc", value: "+&="),
                QueryItem(name: "dup", value: "1"),
                QueryItem(name: "dup", value: "2"),
            ])
        #expect(request.queryValue("dup") == "1")
        #expect(request.queryValues("dup") == ["1", "2"])
        #expect(request.queryValue("missing") == nil)
    }

    @Test func acceptsAbsoluteAndAsteriskForms() throws {
        let absolute = try #require(parse("GET http://host:8080/p%2Fq?a=1 HTTP/1.1\r\n\r\n").request)
        #expect(absolute.path == "/p/q")
        #expect(absolute.queryValue("a") == "1")
        let bare = try #require(parse("GET http://host HTTP/1.1\r\n\r\n").request)
        #expect(bare.path == "/")
        let asterisk = try #require(parse("OPTIONS * HTTP/1.1\r\n\r\n").request)
        #expect(asterisk.path == "*")
    }

    @Test func asksFor100ContinueOnlyWhileTheBodyIsMissing() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(parser.next() == .needMore)
        let first = parser.takeContinueRequest()
        let second = parser.takeContinueRequest()
        #expect(first)
        #expect(!second, "only once")
        parser.feed(Array("ok".utf8))
        #expect(try #require(parser.next().request).body == Array("ok".utf8))

        var eager = HTTPRequestParser()
        eager.feed(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok".utf8))
        #expect(eager.next().request != nil)
        let asked = eager.takeContinueRequest()
        #expect(!asked, "the body is already there")
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.feed(Array("BAD\r\n\r\n".utf8))
        #expect(parser.next().errorStatus == 400)
        parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(parser.next().errorStatus == 400)
        #expect(!parser.isMidRequest)
    }
}
