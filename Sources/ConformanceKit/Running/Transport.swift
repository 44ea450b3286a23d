import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A request as it goes on the wire (credentials included: it never leaves the runner).
public struct OutgoingRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
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

/// Why no response could be had.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public protocol Transport: Sendable {
    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange
}

/// HTTP through URLSession (FoundationNetworking on Linux). One session per
/// run, so connections are reused; no cookies or cache carried between cases.
public final class URLSessionTransport: Transport {
    let session: URLSession

    public init(maxConnections: Int = 8) {
        let config = URLSessionConfiguration.ephemeral
        config.httpCookieAcceptPolicy = .never
        config.httpShouldSetCookies = false
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.httpMaximumConnectionsPerHost = max(1, maxConnections)
        session = URLSession(configuration: config)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        guard let url = URL(string: request.url) else { throw TransportError("invalid URL \(request.url)") }
        var r = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        r.httpMethod = request.method
        for h in request.headers { r.addValue(h.value, forHTTPHeaderField: h.name) }
        if let b = request.body { r.httpBody = Data(b) }
        let start = ContinuousClock.now
        let session = self.session
        let prepared = r
        // Race the request against a deadline: URLSession's own timeout is an
        // idle timeout, and a server that trickles bytes must not hold us.
        let outcome: Result<(Data, URLResponse), TransportError> = await withTaskGroup(
            of: Result<(Data, URLResponse), TransportError>?.self
        ) { group in
            group.addTask {
                do {
                    return .success(try await session.data(for: prepared))
                } catch {
                    return .failure(TransportError(URLSessionTransport.describe(error, timeout: timeout)))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                if Task.isCancelled { return nil }
                return .failure(TransportError("timed out after \(formatSeconds(timeout)) (the per-request timeout)"))
            }
            var first: Result<(Data, URLResponse), TransportError>?
            while let next = await group.next() {
                if let next {
                    first = next
                    break
                }
            }
            group.cancelAll()
            return first ?? .failure(TransportError("cancelled"))
        }
        let seconds = (ContinuousClock.now - start).seconds
        switch outcome {
        case .failure(let e): throw e
        case .success(let (data, response)):
            guard let http = response as? HTTPURLResponse else { throw TransportError("not an HTTP response") }
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            return HTTPExchange(status: http.statusCode, headers: headers, body: [UInt8](data), seconds: seconds)
        }
    }

    static func describe(_ error: any Error, timeout: Double) -> String {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch ns.code {
            case NSURLErrorTimedOut: return "timed out after \(formatSeconds(timeout)) (the per-request timeout)"
            case NSURLErrorCannotConnectToHost: return "connection refused"
            case NSURLErrorNetworkConnectionLost: return "connection lost before the response was complete"
            case NSURLErrorCannotFindHost: return "host not found"
            case NSURLErrorBadServerResponse: return "malformed HTTP response"
            case NSURLErrorCancelled: return "cancelled"
            default: break
            }
        }
        return "transport error: \(ns.localizedDescription) (\(ns.domain) \(ns.code))"
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
