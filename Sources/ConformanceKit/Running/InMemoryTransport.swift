import Foundation

/// A transport without a socket, for tests and benchmarks: the request is
/// written as `PlainHTTP` writes it to a socket, `answer` turns those bytes
/// into the bytes a server would write back (nil: the server never answers),
/// and they are read under the same rules and caps as a socket read. So the
/// URL's target (percent-encoding kept), headers, cookies, body, status and
/// response framing (Content-Length or chunked) go through the same code as
/// over the wire; only the connection is missing.
public struct InMemoryTransport: Transport {
    public typealias Answer = @Sendable ([UInt8]) -> [UInt8]?
    let answer: Answer
    public let maxBodyBytes: Int

    public init(maxBodyBytes: Int = 10 << 20, answer: @escaping Answer) {
        self.answer = answer
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        // As over a socket: nothing that could inject a line into the head is handed on.
        if let problem = request.headProblem { throw TransportError("request not sent: \(problem)") }
        // The URL may hold a credential (query placement): it is not quoted.
        guard let target = RequestTarget(request.url) else {
            throw TransportError("invalid URL (the base URL or a path parameter cannot form one)")
        }
        guard let host = target.host, !host.isEmpty else { throw TransportError("invalid URL (no host)") }
        if Task.isCancelled { throw TransportError("cancelled") }
        let start = ContinuousClock.now
        guard let written = answer(PlainHTTP.requestBytes(request, target: target, host: host)) else {
            throw TransportError("timed out after \(formatSeconds(timeout)) (the per-request timeout)", kind: .timeout)
        }
        if written.isEmpty { throw PlainHTTP.Exchange.notHTTP }
        let limits = PlainHTTP.Limits(maxBodyBytes: maxBodyBytes, maxHeaderBytes: URLSessionTransport.maxHeaderBytes)
        switch PlainHTTP.readResponse(written, method: request.method, limits: limits) {
        case .success(let (status, headers, body)):
            return HTTPExchange(status: status, headers: headers, body: body, seconds: (ContinuousClock.now - start).seconds)
        case .failure(let error):
            throw error
        }
    }
}
