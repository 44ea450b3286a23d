/// An incremental HTTP/1.1 request parser: a value-type state machine with
/// no I/O. Feed it bytes as they arrive and call `next()` until it answers
/// `.needMore`; several pipelined requests in one read come out one by one.
///
/// What it accepts and rejects:
/// - Blank lines before a request line are skipped; lines end in CRLF or a
///   bare LF (RFC 9112 §2.2); a bare CR elsewhere is a 400.
/// - The request line is `method SP target SP HTTP/1.x`, single spaces; the
///   target is origin-form, absolute-form or `*`, with valid `%` escapes.
///   Anything else is a 400; another major version is a 505.
/// - Header names are tokens (no space before the colon), values hold no
///   control characters; obsolete line folding and a repeated `Host` are 400.
///   A missing `Host` is tolerated (lenient, for hand-written test clients).
/// - A head (request line + headers + blank line) over `maxHeaderBytes` is a
///   431, detected without waiting for the end of the head.
/// - The body is framed by `Content-Length` only (several fields must agree).
///   A body over `maxBodyBytes` is a 413, reported as soon as the head is
///   parsed. `Transfer-Encoding` bodies are not supported: `chunked` is a
///   411 Length Required (the client can resend with a length); any other
///   coding is a 501; `Transfer-Encoding` together with `Content-Length` is
///   a 400 (the classic request-smuggling ambiguity).
/// - After an error the parser stays failed and repeats the error.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable, Equatable {
        /// The buffered bytes do not yet hold a complete request.
        case needMore
        /// A complete request, removed from the buffer.
        case request(HTTPRequest)
        /// The input is unacceptable; answer `status` and close the connection.
        case error(status: Int, reason: String)

        /// The status of an `.error`, nil otherwise.
        public var errorStatus: Int? {
            if case .error(let status, _) = self { return status }
            return nil
        }

        /// The request of a `.request`, nil otherwise.
        public var request: HTTPRequest? {
            if case .request(let request) = self { return request }
            return nil
        }
    }

    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int

    private var buffer: [UInt8] = []
    /// Index of the first byte of `buffer` not consumed yet.
    private var start = 0
    private var state: State = .head(scanned: 0)
    private var continueRequested = false

    private enum State: Sendable {
        /// Waiting for the end of a head; `scanned` bytes after `start` hold no end.
        case head(scanned: Int)
        /// The head is parsed; waiting for `length` body bytes.
        case body(Head, length: Int)
        case failed(status: Int, reason: String)
    }

    private struct Head: Sendable {
        var method: String
        var target: String
        var path: String
        var query: [QueryItem]
        var version: HTTPVersion
        var headers: HTTPHeaders
        var expectsContinue: Bool
    }

    private struct Failure: Error {
        var status: Int
        var reason: String
        init(_ status: Int, _ reason: String) {
            self.status = status
            self.reason = reason
        }
    }

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Appends received bytes.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Whether a request has begun arriving but is not complete (the
    /// connection is then subject to the request timeout, not the idle one).
    public var isMidRequest: Bool {
        switch state {
        case .body: true
        case .head: buffer.count > start
        case .failed: false
        }
    }

    /// The number of bytes received and not yet handed out.
    public var bufferedByteCount: Int { buffer.count - start }

    /// True once for a request whose head carried `Expect: 100-continue` and
    /// whose body has not fully arrived: the caller should then write
    /// `HTTP/1.1 100 Continue` before reading on.
    public mutating func takeContinueRequest() -> Bool {
        defer { continueRequested = false }
        return continueRequested
    }

    /// Advances the state machine over the buffered bytes.
    public mutating func next() -> Event {
        switch state {
        case .failed(let status, let reason):
            return .error(status: status, reason: reason)
        case .body(let head, let length):
            return takeBody(head, length: length)
        case .head(let scanned):
            while start < buffer.count, buffer[start] == cr || buffer[start] == lf {
                start += 1
            }
            guard let end = findHeadEnd(scanned: scanned) else {
                let pending = buffer.count - start
                if pending > maxHeaderBytes {
                    return fail(Failure(431, "request head exceeds \(maxHeaderBytes) bytes"))
                }
                state = .head(scanned: pending)
                return .needMore
            }
            if end - start > maxHeaderBytes {
                return fail(Failure(431, "request head exceeds \(maxHeaderBytes) bytes"))
            }
            let head: Head
            let length: Int
            do {
                (head, length) = try parseHead(buffer[start..<end])
            } catch {
                return fail(error)
            }
            start = end
            if length > maxBodyBytes {
                return fail(Failure(413, "body of \(length) bytes exceeds \(maxBodyBytes) bytes"))
            }
            continueRequested = head.expectsContinue && length > 0
            state = .body(head, length: length)
            return takeBody(head, length: length)
        }
    }

    private mutating func fail(_ failure: Failure) -> Event {
        state = .failed(status: failure.status, reason: failure.reason)
        continueRequested = false
        return .error(status: failure.status, reason: failure.reason)
    }

    private mutating func takeBody(_ head: Head, length: Int) -> Event {
        guard buffer.count - start >= length else { return .needMore }
        let body = Array(buffer[start..<(start + length)])
        start += length
        state = .head(scanned: 0)
        continueRequested = false
        return .request(
            HTTPRequest(
                method: head.method, target: head.target, path: head.path, query: head.query,
                version: head.version, headers: head.headers, body: body))
    }

    /// The index just past the blank line ending the head, if buffered.
    private func findHeadEnd(scanned: Int) -> Int? {
        var index = start + max(0, scanned - 3)
        while index < buffer.count {
            if buffer[index] == lf {
                var before = index - 1
                if before >= start && buffer[before] == cr { before -= 1 }
                if before >= start && buffer[before] == lf { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    // MARK: - Head

    private func parseHead(_ head: ArraySlice<UInt8>) throws(Failure) -> (Head, Int) {
        var lines: [ArraySlice<UInt8>] = []
        for var line in head.split(separator: lf, omittingEmptySubsequences: false) {
            if line.last == cr { line = line.dropLast() }
            if line.contains(cr) { throw Failure(400, "bare CR in request head") }
            lines.append(line)
        }
        // The head ends with an empty line (and the split leaves one more
        // empty slice after the final LF).
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { throw Failure(400, "empty request") }

        let parts = requestLine.split(separator: sp, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Failure(400, "malformed request line") }
        let (methodBytes, targetBytes, versionBytes) = (parts[0], parts[1], parts[2])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else {
            throw Failure(400, "malformed method")
        }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy(isTargetByte) else {
            throw Failure(400, "malformed request target")
        }
        let version = try parseVersion(versionBytes)
        guard let (path, query) = RequestTarget.parse(Array(targetBytes), strict: true) else {
            throw Failure(400, "malformed request target")
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            if line.first == sp || line.first == htab {
                throw Failure(400, "obsolete header line folding")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw Failure(400, "header line without a colon")
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                throw Failure(400, "malformed header name")
            }
            var value = line[(colon + 1)...]
            while let first = value.first, first == sp || first == htab { value = value.dropFirst() }
            while let last = value.last, last == sp || last == htab { value = value.dropLast() }
            guard value.allSatisfy(isFieldValueByte) else {
                throw Failure(400, "control character in header value")
            }
            headers.add(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }

        if headers.values("Host").count > 1 { throw Failure(400, "more than one Host header") }
        let length = try bodyLength(headers)
        let expectsContinue =
            version.minor >= 1 && headers.values("Expect").contains { asciiCaseInsensitiveEquals($0, "100-continue") }
        let parsed = Head(
            method: String(decoding: methodBytes, as: UTF8.self),
            target: String(decoding: targetBytes, as: UTF8.self),
            path: path, query: query, version: version, headers: headers, expectsContinue: expectsContinue)
        return (parsed, length)
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) throws(Failure) -> HTTPVersion {
        let text = Array(bytes)
        guard text.count == 8, text[0..<5].elementsEqual("HTTP/".utf8), isDigit(text[5]),
            text[6] == UInt8(ascii: "."), isDigit(text[7])
        else { throw Failure(400, "malformed HTTP version") }
        let version = HTTPVersion(major: Int(text[5] - zero), minor: Int(text[7] - zero))
        guard version.major == 1 else { throw Failure(505, "HTTP version \(version) not supported") }
        return version
    }

    private func bodyLength(_ headers: HTTPHeaders) throws(Failure) -> Int {
        let codings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        if !codings.isEmpty {
            if !lengths.isEmpty {
                throw Failure(400, "both Transfer-Encoding and Content-Length")
            }
            let last = codings.last?.split(separator: ",").last?.trimmingOWS() ?? ""
            if asciiCaseInsensitiveEquals(last, "chunked") {
                throw Failure(411, "chunked request bodies are not supported; send Content-Length")
            }
            throw Failure(501, "transfer coding not implemented")
        }
        var length: Int?
        for field in lengths {
            for item in field.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = item.trimmingOWS().utf8
                guard !digits.isEmpty, digits.allSatisfy(isDigit) else {
                    throw Failure(400, "malformed Content-Length")
                }
                // More than 18 digits cannot be a length this server accepts.
                let value = digits.count > 18 ? Int.max : digits.reduce(0) { $0 * 10 + Int($1 - zero) }
                if let length, length != value { throw Failure(400, "conflicting Content-Length values") }
                length = value
            }
        }
        return length ?? 0
    }
}

private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")
private let sp = UInt8(ascii: " ")
private let htab = UInt8(ascii: "\t")
private let zero = UInt8(ascii: "0")

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

/// RFC 9110 `tchar`.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        true
    default:
        false
    }
}

/// Visible ASCII except `#` (a fragment is not part of a request-target);
/// bytes above 0x7F are tolerated (some clients send raw UTF-8).
@inline(__always)
private func isTargetByte(_ byte: UInt8) -> Bool {
    (byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#")) || byte >= 0x80
}

/// RFC 9110 field-value bytes: VCHAR, SP, HTAB and obs-text.
@inline(__always)
func isFieldValueByte(_ byte: UInt8) -> Bool {
    byte == htab || (byte >= 0x20 && byte != 0x7F)
}
