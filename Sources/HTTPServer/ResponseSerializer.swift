#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns an `HTTPResponse` into the bytes of an HTTP/1.1 response.
enum ResponseSerializer {
    /// Serializes `response`. The server owns framing: `Content-Length`,
    /// `Transfer-Encoding` and `Connection` from the handler are dropped and
    /// replaced by `Content-Length` (except for 1xx, 204 and 304, which carry
    /// neither body nor length, RFC 9110 §8.6), or by `Transfer-Encoding:
    /// chunked` when the response sets `chunkSize` and the request is
    /// HTTP/1.1 (RFC 9112 §7.1), and by `Connection: close`
    /// when `close`, or `Connection: keep-alive` for a kept-alive HTTP/1.0
    /// client. Header fields with an invalid name are skipped and CR, LF and
    /// NUL in values become spaces, so a handler cannot split the response.
    /// The answer to a HEAD request (`headRequest`) carries the fields a GET
    /// would, `Content-Length` included, and no body (RFC 9110 §9.3.2): a
    /// client reads no body after it, so one written would be taken for the
    /// start of the next answer on a kept connection.
    static func serialize(
        _ response: HTTPResponse, close: Bool, requestVersion: HTTPVersion = .http1_1,
        headRequest: Bool = false, date: String = httpDate()
    ) -> [UInt8] {
        let (head, body) = parts(
            response, close: close, requestVersion: requestVersion, headRequest: headRequest, date: date)
        return body.isEmpty ? head : head + body
    }

    /// The head (status line and header fields) and the body, for writing one
    /// after the other: a large body is then not copied behind its head.
    static func parts(
        _ response: HTTPResponse, close: Bool, requestVersion: HTTPVersion = .http1_1,
        headRequest: Bool = false, date: String = httpDate()
    ) -> (head: [UInt8], body: [UInt8]) {
        let status = (100...999).contains(response.status) ? response.status : 500
        let bodyless = (100..<200).contains(status) || status == 204 || status == 304
        var head = "HTTP/1.1 \(status) \(httpReasonPhrase(status))\r\n"
        var hasDate = false
        for (name, value) in response.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { continue }
            if asciiCaseInsensitiveEquals(name, "Content-Length")
                || asciiCaseInsensitiveEquals(name, "Transfer-Encoding")
                || asciiCaseInsensitiveEquals(name, "Connection")
            {
                continue
            }
            if asciiCaseInsensitiveEquals(name, "Date") { hasDate = true }
            head += name
            head += ": "
            head += sanitizedValue(value)
            head += "\r\n"
        }
        if !hasDate { head += "Date: \(date)\r\n" }
        let chunkSize =
            requestVersion == .http1_0 || bodyless || headRequest ? nil : response.chunkSize.map { max(1, $0) }
        if chunkSize != nil {
            head += "Transfer-Encoding: chunked\r\n"
        } else if !bodyless {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        if close {
            head += "Connection: close\r\n"
        } else if requestVersion == .http1_0 {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"
        if let chunkSize { return (Array(head.utf8), chunked(response.body, size: chunkSize)) }
        return (Array(head.utf8), bodyless || headRequest ? [] : response.body)
    }

    /// `body` in the chunked transfer coding: chunks of `size` bytes (the last
    /// may be shorter), each as hex length CRLF data CRLF, then the last chunk
    /// `0` CRLF and the empty trailer section CRLF.
    static func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + (body.count / size + 2) * 12)
        var start = 0
        while start < body.count {
            let end = min(body.count, start + size)
            out += Array((String(end - start, radix: 16) + "\r\n").utf8)
            out += body[start..<end]
            out += [0x0D, 0x0A]
            start = end
        }
        out += Array("0\r\n\r\n".utf8)
        return out
    }

    /// A short plain-text response for an error the server answers itself.
    static func errorResponse(status: Int, reason: String) -> HTTPResponse {
        HTTPResponse(status: status, text: "\(status) \(httpReasonPhrase(status)): \(reason)\n")
    }

    private static func sanitizedValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else { return value }
        return String(
            decoding: value.utf8.map { ($0 == 0x0D || $0 == 0x0A || $0 == 0x00) ? UInt8(ascii: " ") : $0 },
            as: UTF8.self)
    }
}

/// An IMF-fixdate (RFC 9110 5.6.7) of the given time, or of now, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
public func httpDate(secondsSince1970: Int? = nil) -> String {
    var seconds = time_t(secondsSince1970 ?? Int(time(nil)))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
        + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}
