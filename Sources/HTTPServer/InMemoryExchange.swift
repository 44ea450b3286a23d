/// One request/response exchange without a socket: the request's bytes go
/// through the same parser a connection uses, the handler answers, and the
/// answer comes back as the bytes a connection would write. For tests and
/// benchmarks that want the server's semantics (target and `%` decoding,
/// header rules, body framing, response framing) without threads and ports.
public enum InMemoryExchange {
    /// What the client would read.
    public enum Outcome: Sendable, Equatable {
        /// The bytes written before the connection closes.
        case bytes([UInt8])
        /// The server would never answer (a `neverAnswer` raw behaviour, or
        /// a request that never completes): the client's timeout decides.
        case noAnswer
    }

    /// The most a `repeated` raw behaviour is expanded to (64 MB).
    public static let maxRepeatedBytes = 64 << 20

    /// The answer to the one request in `request` (further pipelined bytes
    /// are ignored: the in-memory client sends one request per exchange).
    public static func answer(
        _ request: [UInt8], configuration: HTTPServerConfiguration = .init(), handler: HTTPHandler
    ) -> Outcome {
        var parser = HTTPRequestParser(
            maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes)
        parser.feed(request)
        switch parser.next() {
        case .needMore:
            return .noAnswer
        case .error(let status, let reason):
            return .bytes(ResponseSerializer.serialize(ResponseSerializer.errorResponse(status: status, reason: reason), close: true))
        case .request(let parsed):
            let response = handler(parsed)
            if let behaviour = response.rawOverride {
                switch behaviour {
                case .bytes(let bytes): return .bytes(bytes)
                case .closeWithoutAnswer: return .bytes([])
                case .neverAnswer: return .noAnswer
                case .trickle(let bytes, _): return .bytes(bytes)
                case .repeated(let head, let chunk, let times, let tail):
                    // Held in memory here, so cut at `maxRepeatedBytes`: past
                    // any client's cap, which stops reading there anyway.
                    var out = head
                    var written = 0
                    while written < times, out.count + chunk.count <= maxRepeatedBytes {
                        out += chunk
                        written += 1
                    }
                    return .bytes(written == times ? out + tail : out)
                }
            }
            let close = !parsed.wantsKeepAlive || response.headers.hasToken("close", in: "Connection")
            return .bytes(ResponseSerializer.serialize(
                response, close: close, requestVersion: parsed.version, headRequest: parsed.method == "HEAD"))
        }
    }
}
