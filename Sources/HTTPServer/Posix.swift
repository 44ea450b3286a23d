#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX calls the server makes, with the platform differences kept
/// here. Names differ from the C ones so that they never resolve to a method
/// of the caller (`HTTPServer.shutdown()`).
enum Posix {
    enum PollOutcome: Equatable {
        /// The socket is ready for the requested events (or has an error or
        /// hang-up that the next read or write will report).
        case ready
        case timedOut
        /// The server's wake pipe is readable: the server is shutting down.
        case woken
        case failed
    }

    #if canImport(Darwin)
        static let streamType = SOCK_STREAM
        private static let sendFlags: Int32 = 0
    #else
        static let streamType = Int32(SOCK_STREAM.rawValue)
        private static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif

    static func errorString(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// Half-closes the sending side: the peer reads end-of-stream after what
    /// was written.
    static func shutdownWriting(_ fd: Int32) {
        #if canImport(Darwin)
            _ = Darwin.shutdown(fd, SHUT_WR)
        #else
            _ = shutdown(fd, Int32(SHUT_WR))
        #endif
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    static func setCloseOnExec(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }

    static func setIntOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Prepares an accepted connection: non-blocking, close-on-exec, no
    /// Nagle delay (trickled bytes leave one by one), no SIGPIPE on Darwin.
    static func configureConnection(_ fd: Int32) {
        setNonBlocking(fd)
        setCloseOnExec(fd)
        _ = setIntOption(fd, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), 1)
        #if canImport(Darwin)
            _ = setIntOption(fd, SOL_SOCKET, SO_NOSIGPIPE, 1)
        #endif
    }

    /// A pipe whose read end becomes readable, for good, once a byte is
    /// written: every `poll` of the server includes it.
    static func makeWakePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            setNonBlocking(fd)
            setCloseOnExec(fd)
        }
        return (fds[0], fds[1])
    }

    static func signalWakePipe(_ fd: Int32) {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }

    /// Sends what it can without blocking: the byte count, or -1 and the `errno`.
    static func sendSome(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (count: Int, error: Int32) {
        let count = send(fd, bytes.baseAddress, bytes.count, sendFlags)
        return (count, count < 0 ? errno : 0)
    }

    /// Receives what is there without blocking: the byte count (0 at the end
    /// of the stream), or -1 and the `errno`.
    static func receiveSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, error: Int32) {
        let count = recv(fd, buffer.baseAddress, buffer.count, 0)
        return (count, count < 0 ? errno : 0)
    }

    /// Whether a failed non-blocking call would have blocked (or was interrupted).
    static func isTransient(_ code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK || code == EINTR
    }

    /// Waits until `fd` is ready for `events`, the wake pipe is readable, or
    /// the timeout (milliseconds, -1 for none) passes. A negative `fd` waits
    /// on the wake pipe alone.
    static func wait(
        for fd: Int32, events: Int16, wakeFD: Int32, timeoutMilliseconds: Int32
    ) -> PollOutcome {
        var fds = [
            pollfd(fd: fd, events: events, revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let count = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
            if count < 0 {
                if errno == EINTR { continue }
                return .failed
            }
            if count == 0 { return .timedOut }
            if fds[1].revents != 0 { return .woken }
            if fds[0].revents & Int16(POLLNVAL) != 0 { return .failed }
            return .ready
        }
    }

    static let readable = Int16(POLLIN)
    static let writable = Int16(POLLOUT)

    /// The poll timeout that reaches `deadline` (at least 0, rounded up).
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// Creates a non-blocking listening socket bound to `host:port`.
    static func openListener(host: String, port: Int) throws(HTTPServerError) -> (fd: Int32, port: Int) {
        func failure(_ kind: HTTPServerError.Kind, _ message: String, _ code: Int32? = nil) -> HTTPServerError {
            HTTPServerError(kind: kind, host: host, port: port, errno: code, message: message)
        }
        guard (0...65535).contains(port) else {
            throw failure(.invalidConfiguration, "port out of range 0...65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamType
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw failure(.resolve, "cannot resolve host: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }

        var lastError = failure(.resolve, "no usable address")
        var cursor: UnsafeMutablePointer<addrinfo>? = list
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = failure(.socket, "socket() failed", errno)
                continue
            }
            setCloseOnExec(fd)
            guard setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) else {
                lastError = failure(.socket, "setting SO_REUSEADDR failed", errno)
                closeDescriptor(fd)
                continue
            }
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                lastError = failure(.bind, "bind failed", errno)
                closeDescriptor(fd)
                continue
            }
            guard listen(fd, SOMAXCONN) == 0 else {
                lastError = failure(.listen, "listen failed", errno)
                closeDescriptor(fd)
                continue
            }
            setNonBlocking(fd)
            return (fd, boundPort(fd) ?? port)
        }
        throw lastError
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }

    /// Accepts one pending connection: its descriptor, or the `errno` of the failure.
    static func acceptConnection(_ listenFD: Int32) -> Result<Int32, AcceptError> {
        let fd = accept(listenFD, nil, nil)
        return fd >= 0 ? .success(fd) : .failure(AcceptError(code: errno))
    }

    struct AcceptError: Error {
        var code: Int32
    }
}
