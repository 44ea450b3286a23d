import Testing

@testable import HTTPServer

@Suite struct HeadersTests {
    @Test func looksUpNamesCaseInsensitivelyAndKeepsOrder() {
        var headers = HTTPHeaders([("Content-Type", "text/plain"), ("X-A", "1")])
        headers.add(name: "x-a", value: "2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["X-A"] == "1", "the first value")
        #expect(headers.values("X-a") == ["1", "2"])
        #expect(headers["missing"] == nil)
        #expect(headers.contains("CONTENT-TYPE"))
        #expect(headers.map(\.name) == ["Content-Type", "X-A", "x-a"], "names keep their spelling and order")
        #expect(headers.count == 3)
    }

    @Test func setReplacesEveryFieldOfThatNameInPlace() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3"]
        headers.set(name: "A", value: "new")
        #expect(headers.map(\.name) == ["A", "B"])
        #expect(headers.values("a") == ["new"])
        headers.set(name: "C", value: "appended")
        #expect(headers.map(\.value) == ["new", "2", "appended"])
        headers.remove(name: "b")
        #expect(headers.map(\.name) == ["A", "C"])
    }

    @Test func comparesNamesCaseInsensitivelyAndValuesExactly() {
        #expect(HTTPHeaders([("A", "x")]) == HTTPHeaders([("a", "x")]))
        #expect(HTTPHeaders([("A", "x")]) != HTTPHeaders([("A", "X")]))
        #expect(HTTPHeaders([("A", "1"), ("B", "2")]) != HTTPHeaders([("B", "2"), ("A", "1")]))
    }

    @Test func findsTokensInCommaSeparatedValues() {
        let headers = HTTPHeaders([("Connection", "keep-alive, Upgrade"), ("connection", " CLOSE ")])
        #expect(headers.hasToken("close", in: "Connection"))
        #expect(headers.hasToken("upgrade", in: "CONNECTION"))
        #expect(!headers.hasToken("keep", in: "Connection"))
    }
}

@Suite struct RequestTests {
    @Test func derivesPathAndQueryFromTheTarget() {
        let request = HTTPRequest(method: "GET", target: "/a%2Fb?x=1+2&y=%zz")
        #expect(request.path == "/a/b")
        #expect(request.queryValue("x") == "1 2")
        #expect(request.queryValue("y") == "%zz", "the convenience initializer is lenient")
    }

    @Test func decidesKeepAliveFromVersionAndConnection() {
        #expect(HTTPRequest(method: "GET", target: "/").wantsKeepAlive)
        #expect(!HTTPRequest(method: "GET", target: "/", headers: ["Connection": "close"]).wantsKeepAlive)
        #expect(!HTTPRequest(method: "GET", target: "/", version: .http1_0).wantsKeepAlive)
        #expect(
            HTTPRequest(method: "GET", target: "/", version: .http1_0, headers: ["Connection": "Keep-Alive"])
                .wantsKeepAlive)
    }
}

@Suite struct ResponseSerializerTests {
    private func text(_ response: HTTPResponse, close: Bool, version: HTTPVersion = .http1_1) -> String {
        String(
            decoding: ResponseSerializer.serialize(
                response, close: close, requestVersion: version, date: "Sun, 06 Nov 1994 08:49:37 GMT"),
            as: UTF8.self)
    }

    @Test func framesTheBodyWithContentLengthAndOwnsFramingHeaders() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Content-Length": "999"]
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Connection", value: "upgrade")
        let response = HTTPResponse(status: 201, headers: headers, body: Array("{}".utf8))
        #expect(
            text(response, close: false)
                == "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func saysConnectionCloseWhenClosingAndKeepAliveToHTTP10() {
        let response = HTTPResponse(status: 200)
        #expect(text(response, close: true).contains("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        #expect(text(response, close: false, version: .http1_0).contains("\r\nConnection: keep-alive\r\n"))
        #expect(!text(response, close: false).contains("Connection"))
    }

    @Test func answersHEADWithTheFieldsOfGETAndNoBody() {
        var response = HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"a\":1}".utf8))
        let head = String(
            decoding: ResponseSerializer.serialize(
                response, close: false, headRequest: true, date: "Sun, 06 Nov 1994 08:49:37 GMT"),
            as: UTF8.self)
        #expect(
            head == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 7\r\n\r\n")
        // A handler that asks for chunks gets the same: no chunked framing, no body.
        response.chunkSize = 2
        let chunkedHead = String(
            decoding: ResponseSerializer.serialize(
                response, close: false, headRequest: true, date: "Sun, 06 Nov 1994 08:49:37 GMT"),
            as: UTF8.self)
        #expect(chunkedHead == head)
    }

    @Test func sendsTheBodyInChunksWhenAsked() {
        var response = HTTPResponse(status: 200, headers: ["Content-Length": "999"], body: Array("0123456789abcdefghij".utf8))
        response.chunkSize = 8
        #expect(
            text(response, close: false)
                == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n01234567\r\n8\r\n89abcdef\r\n4\r\nghij\r\n0\r\n\r\n")
        // An empty body is the last chunk alone; a size below 1 counts as 1.
        response.body = []
        #expect(text(response, close: false).hasSuffix("chunked\r\n\r\n0\r\n\r\n"))
        response.body = Array("ab".utf8)
        response.chunkSize = 0
        #expect(text(response, close: false).hasSuffix("\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n"))
    }

    @Test func sendsContentLengthInsteadOfChunksToHTTP10AndNoBodyFor204() {
        var response = HTTPResponse(status: 200, body: Array("hello".utf8))
        response.chunkSize = 2
        let old = text(response, close: true, version: .http1_0)
        #expect(old.contains("\r\nContent-Length: 5\r\n"))
        #expect(!old.contains("chunked"))
        #expect(old.hasSuffix("\r\n\r\nhello"))
        response.status = 204
        let empty = text(response, close: false)
        #expect(!empty.contains("chunked") && !empty.contains("Content-Length"))
        #expect(empty.hasSuffix("GMT\r\n\r\n"))
    }

    @Test func sendsNeitherBodyNorLengthFor204And304() {
        for status in [204, 304] {
            let serialized = text(HTTPResponse(status: status, body: [1, 2, 3]), close: false)
            #expect(!serialized.contains("Content-Length"))
            #expect(serialized.hasSuffix("GMT\r\n\r\n"))
        }
    }

    @Test func neutralisesHeaderInjection() {
        let response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("X-Evil", "a\r\nSet-Cookie: b"), ("Bad Name", "v")]))
        let serialized = text(response, close: false)
        #expect(serialized.contains("X-Evil: a  Set-Cookie: b\r\n"))
        #expect(!serialized.contains("Bad Name"))
        #expect(text(HTTPResponse(status: 42), close: false).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test func keepsAHandlerDateAndFormatsIMFFixdate() {
        let serialized = text(HTTPResponse(status: 200, headers: ["Date": "custom"]), close: false)
        #expect(serialized.contains("Date: custom\r\n"))
        #expect(!serialized.contains("GMT"))
        #expect(httpDate(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
