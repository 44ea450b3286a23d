/// The protocol version of a request, e.g. HTTP/1.1.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One `name=value` pair of a query string, both decoded.
public struct QueryItem: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// A parsed request, handed to the handler with its whole body read.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The raw request-target as sent, e.g. `/widgets/abc?token=x%20y`.
    public var target: String
    /// The percent-decoded path without the query, e.g. `/widgets/abc`.
    public var path: String
    /// The query items in order, percent-decoded with `+` read as a space.
    public var query: [QueryItem]
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// Builds a request from a raw target, deriving `path` and `query` from
    /// it. Meant for tests and direct calls of a handler; this derivation is
    /// lenient (a malformed `%` escape is kept literally), whereas the wire
    /// parser answers 400 to such a target.
    public init(
        method: String, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        let parts = RequestTarget.parse(Array(target.utf8), strict: false)
        self.init(
            method: method, target: target, path: parts?.path ?? target, query: parts?.query ?? [],
            version: version, headers: headers, body: body)
    }

    /// Builds a request with every field given explicitly.
    public init(
        method: String, target: String, path: String, query: [QueryItem], version: HTTPVersion,
        headers: HTTPHeaders, body: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The value of the first query item called `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The values of every query item called `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        query.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Whether the client asked to keep the connection open afterwards:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        if headers.hasToken("close", in: "Connection") { return false }
        if version.major == 1 && version.minor == 0 {
            return headers.hasToken("keep-alive", in: "Connection")
        }
        return true
    }
}

/// What a connection writes instead of a normal response: a way to make the
/// server misbehave on purpose (tests of clients against hostile servers).
public enum RawBehaviour: Sendable, Equatable {
    /// Write exactly these bytes (the caller builds a broken response), then close.
    case bytes([UInt8])
    /// Close the connection without writing anything.
    case closeWithoutAnswer
    /// Keep the connection open and write nothing, until the client closes it
    /// or the server shuts down. No idle timeout applies.
    case neverAnswer
    /// Write the bytes one at a time, waiting `intervalMilliseconds` between
    /// two bytes, then close.
    case trickle([UInt8], intervalMilliseconds: Int)
    /// Write `head`, then `chunk` `times` times, then `tail`, then close:
    /// a very large answer (Content-Length or chunked framing built by the
    /// caller) served without holding it in memory. Stops when the client goes.
    case repeated(head: [UInt8], chunk: [UInt8], times: Int, tail: [UInt8])
}

/// A response returned by the handler. The server owns the framing headers:
/// any `Content-Length`, `Transfer-Encoding` or `Connection` given here is
/// replaced (ask for chunks with `chunkSize`) (a `Connection: close` given here does make the server close the
/// connection after this response). A `Date` header is added when absent.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// When set, the connection writes this instead of a normal response.
    public var rawOverride: RawBehaviour?
    /// When set, the body is sent with `Transfer-Encoding: chunked` in chunks
    /// of at most this many bytes (at least 1) instead of with `Content-Length`.
    /// An HTTP/1.0 client, which cannot read chunks, gets `Content-Length`.
    public var chunkSize: Int?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.rawOverride = nil
        self.chunkSize = nil
    }

    /// A response with a UTF-8 text body and the given content type.
    public init(
        status: Int, headers: HTTPHeaders = HTTPHeaders(), text: String,
        contentType: String = "text/plain; charset=utf-8"
    ) {
        var headers = headers
        if !headers.contains("Content-Type") {
            headers.add(name: "Content-Type", value: contentType)
        }
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    /// A response that misbehaves as `behaviour` says.
    public static func raw(_ behaviour: RawBehaviour) -> HTTPResponse {
        var response = HTTPResponse(status: 0)
        response.rawOverride = behaviour
        return response
    }
}

/// The request handler. It is synchronous: it runs on the connection's own
/// thread, and the next request on that connection waits for it.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// The standard reason phrase of a status code ("Unknown" when not listed).
public func httpReasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 101: "Switching Protocols"
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 203: "Non-Authoritative Information"
    case 204: "No Content"
    case 205: "Reset Content"
    case 206: "Partial Content"
    case 300: "Multiple Choices"
    case 301: "Moved Permanently"
    case 302: "Found"
    case 303: "See Other"
    case 304: "Not Modified"
    case 307: "Temporary Redirect"
    case 308: "Permanent Redirect"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 402: "Payment Required"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 406: "Not Acceptable"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 410: "Gone"
    case 411: "Length Required"
    case 412: "Precondition Failed"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 415: "Unsupported Media Type"
    case 416: "Range Not Satisfiable"
    case 417: "Expectation Failed"
    case 421: "Misdirected Request"
    case 422: "Unprocessable Content"
    case 423: "Locked"
    case 425: "Too Early"
    case 426: "Upgrade Required"
    case 428: "Precondition Required"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    case 505: "HTTP Version Not Supported"
    default: "Unknown"
    }
}
