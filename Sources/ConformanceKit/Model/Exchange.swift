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
        try parsed.value(of: body).tree
    }

    /// The body read as JSON: its tape, which the checks read, and the
    /// tree, made from the tape only when someone asks for it (`tree`).
    /// Read on first use and kept.
    package func parsedJSON() throws(JSONParseError) -> ParsedJSON {
        try parsed.value(of: body)
    }
}

/// An answer read as JSON: the tape, and the tree made from it on first ask
/// and kept. The checks of a passing answer read the tape alone: making the
/// tree of a 500-account page cost as much as parsing it (perf, issue 24).
package final class ParsedJSON: Sendable {
    package let tape: JSONTape
    private let made = Mutex<JSON?>(nil)

    init(tape: JSONTape) { self.tape = tape }

    /// The tree (what `JSONParser.parse` gives), made once.
    package var tree: JSON {
        if let t = made.withLock({ $0 }) { return t }
        let t = tape.materialize()
        return made.withLock { m in
            if m == nil { m = t }
            return m!
        }
    }
}

/// One exchange's parsed body (or why it is not JSON), parsed at most once
/// (two readers at once may both parse; the first result stays).
final class ParsedBody: Sendable {
    private let state = Mutex<Result<ParsedJSON, JSONParseError>?>(nil)

    func value(of body: [UInt8]) throws(JSONParseError) -> ParsedJSON {
        if let done = state.withLock({ $0 }) { return try done.get() }
        let r: Result<ParsedJSON, JSONParseError>
        do throws(JSONParseError) {
            r = .success(ParsedJSON(tape: try JSONTape.parse(body)))
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
