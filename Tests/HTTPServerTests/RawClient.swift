import HTTPServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal blocking TCP client for 127.0.0.1, for talking to the server
/// byte by byte. Every read has a deadline.
final class RawClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A response as read off the wire.
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    enum ReadResult: Equatable {
        case data
        case closed
        case timedOut
    }

    let fd: Int32
    /// Bytes received and not yet consumed.
    private(set) var buffered: [UInt8] = []

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        close(fd)
    }

    static func connect(port: Int) throws -> RawClient {
        #if canImport(Darwin)
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                posixConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect to port \(port): errno \(code)")
        }
        return RawClient(fd: fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                sendBytes(fd, $0.baseAddress! + offset, bytes.count - offset)
            }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += count
        }
    }

    /// Waits for more bytes until `deadline`, appending them to `buffered`.
    @discardableResult
    func readMore(until deadline: ContinuousClock.Instant) -> ReadResult {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let (seconds, attoseconds) = remaining.components
        let milliseconds = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, milliseconds)
        guard ready > 0 else { return .timedOut }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count <= 0 { return .closed }  // end of stream, or reset
        buffered.append(contentsOf: chunk[0..<count])
        return .data
    }

    /// Reads one response (skipping interim 1xx ones unless asked), framed by
    /// its Content-Length, or by the end of the stream when it has none.
    /// The timeout is a hang guard (an answer ends the wait at once).
    func readResponse(timeout: Double = 20, skipInterim: Bool = true) throws -> Response {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            guard let headEnd = findHeadEnd() else {
                guard readMore(until: deadline) == .data else {
                    throw Failure(description: "no complete response head; got \(bufferedText.debugDescription)")
                }
                continue
            }
            let head = String(decoding: buffered[0..<headEnd], as: UTF8.self)
            var lines = head.split(separator: "\r\n").map(String.init)
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
                throw Failure(description: "bad status line in \(head.debugDescription)")
            }
            var headers = HTTPHeaders()
            for line in lines {
                let parts = line.split(separator: ":", maxSplits: 1)
                headers.add(
                    name: String(parts[0]),
                    value: parts.count > 1 ? String(parts[1].drop { $0 == " " }) : "")
            }
            if skipInterim && (100..<200).contains(status) {
                buffered.removeFirst(headEnd)
                continue
            }
            var bodyEnd: Int
            if let length = headers["Content-Length"].flatMap({ Int($0) }) {
                bodyEnd = headEnd + length
                while buffered.count < bodyEnd {
                    guard readMore(until: deadline) == .data else { throw Failure(description: "body cut short") }
                }
            } else if (100..<200).contains(status) || status == 204 || status == 304 {
                bodyEnd = headEnd
            } else {
                while readMore(until: deadline) == .data {}
                bodyEnd = buffered.count
            }
            let body = Array(buffered[headEnd..<bodyEnd])
            buffered.removeFirst(bodyEnd)
            return Response(status: status, headers: headers, body: body)
        }
    }

    /// Reads until the server closes the connection or `timeout` passes;
    /// returns everything received (including what was buffered) and
    /// whether the connection was closed. The timeout is a hang guard (the
    /// close ends the wait at once); to assert silence, pass a short one.
    func readUntilClosed(timeout: Double = 20) -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var result = ReadResult.data
        while result == .data { result = readMore(until: deadline) }
        defer { buffered.removeAll() }
        return (buffered, result == .closed)
    }

    var bufferedText: String { String(decoding: buffered, as: UTF8.self) }

    private func findHeadEnd() -> Int? {
        guard buffered.count >= 4 else { return nil }
        let terminator: [UInt8] = [13, 10, 13, 10]
        for index in 0...(buffered.count - 4) where buffered[index..<(index + 4)].elementsEqual(terminator) {
            return index + 4
        }
        return nil
    }
}

private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
        send(fd, pointer, count, 0)
    #else
        send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #endif
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes. The
/// timeout is a hang guard, generous for a starved machine: a condition that
/// holds ends the wait at once.
func eventually(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
