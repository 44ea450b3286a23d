import JSONKit

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
    public var rawBody: String? = nil

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
    public var body: [UInt8]
    public var seconds: Double

    public init(status: Int, headers: [String: String], body: [UInt8], seconds: Double) {
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
    }
}

/// Whether `v` can be an HTTP header value: no control character but tab.
/// Loaders refuse a profile or case that would send another; the transport
/// checks again before sending.
public enum HeaderValue {
    public static func isValid(_ v: String) -> Bool {
        !v.utf8.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }
}
