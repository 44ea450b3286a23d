import JSONKit
import Synchronization

// The values the stages pass along a request's way: planned (Planning),
// sent and answered (Running), judged (Checking). They live on the ground
// floor so that no stage reaches into another for them.

/// A request with every variable filled in. It carries no credential: the
/// runner adds that at the last moment, so a plan is safe to print.
public struct PlannedRequest: Sendable, Hashable {
    public var method: String
    /// Path with parameters substituted and percent-encoded.
    public var path: String
    public var query: [QueryParameter]
    public var headers: [Header]
    public var body: JSON?
    /// A body that is not JSON, sent as this text (UTF-8) with Content-Type application/json.
    var rawBody: String? = nil

    public struct QueryParameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }
}

/// What came back.
public struct HTTPExchange: Sendable {
    public var status: Int
    public var headers: [String: String]  // lower-cased names
    public var body: [UInt8] {
        didSet { parsed = ParsedBody() }
    }
    public var seconds: Double
    /// The body read as JSON, once: the checks, the `oneOf` row, the
    /// alternatives of a reading and the page walk each read the same
    /// answer, and parsing it again for each was a quarter of the client's
    /// CPU on the request-rate benchmark. Shared by the copies of one
    /// exchange; a new body starts afresh.
    private var parsed = ParsedBody()

    public init(status: Int, headers: [String: String], body: [UInt8], seconds: Double) {
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
    }

    /// The body parsed as JSON (`JSONParser.parse`), parsed on first use and kept.
    public func json() throws(JSONParseError) -> JSON {
        try parsed.value(of: body)
    }
}

/// One exchange's parsed body (or why it is not JSON), parsed at most once
/// (two readers at once may both parse; the first result stays).
final class ParsedBody: Sendable {
    private let state = Mutex<Result<JSON, JSONParseError>?>(nil)

    func value(of body: [UInt8]) throws(JSONParseError) -> JSON {
        if let done = state.withLock({ $0 }) { return try done.get() }
        let r: Result<JSON, JSONParseError>
        do throws(JSONParseError) {
            r = .success(try JSONParser.parse(body))
        } catch {
            r = .failure(error)
        }
        return try state.withLock { s in
            if s == nil { s = r }
            return s!
        }.get()
    }
}

/// Whether `v` can be an HTTP header value: no control character but tab.
/// Loaders refuse a profile or case that would send another; the transport
/// checks again before sending.
enum HeaderValue {
    public static func isValid(_ v: String) -> Bool {
        !v.utf8.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }
}
