#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One accepted connection, driven by its own thread from `run()` to the end.
/// The socket is non-blocking; every wait is a `poll()` that also watches the
/// server's wake pipe, and has a deadline (idle, request, or write timeout)
/// except while a `neverAnswer` response is being "served".
struct Connection {
    let fd: Int32
    let wakeFD: Int32
    let core: ServerCore
    private var parser: HTTPRequestParser
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// How long a closing connection keeps reading (and discarding) after its
    /// last response, so that unread request bytes do not make the kernel
    /// reset the connection before the client has read that response.
    private static let lingerSeconds = 1.0
    private static let lingerMaxBytes = 1 << 20
    /// The largest body written together with its head (copied behind it).
    static let oneWriteMaxBytes = 1 << 20

    init(fd: Int32, wakeFD: Int32, core: ServerCore) {
        self.fd = fd
        self.wakeFD = wakeFD
        self.core = core
        self.parser = HTTPRequestParser(
            maxHeaderBytes: core.configuration.maxHeaderBytes, maxBodyBytes: core.configuration.maxBodyBytes)
    }

    private enum ReadOutcome {
        case data(Int)
        case endOfStream
        case timedOut
        case woken
        case failed
    }

    mutating func run() {
        defer { Posix.closeDescriptor(fd) }
        let configuration = core.configuration
        var idleSince = ContinuousClock.now
        var requestStarted: ContinuousClock.Instant?
        while true {
            switch parser.next() {
            case .request(let request):
                requestStarted = nil
                guard respond(to: request) else { return }
                idleSince = .now
                continue
            case .error(let status, let reason):
                answerAndClose(ResponseSerializer.errorResponse(status: status, reason: reason))
                return
            case .needMore:
                break
            }
            if parser.takeContinueRequest() {
                guard write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }
            let deadline: ContinuousClock.Instant
            if parser.isMidRequest {
                let started = requestStarted ?? .now
                requestStarted = started
                deadline = started + timeout(configuration.requestTimeoutSeconds)
            } else {
                deadline = idleSince + timeout(configuration.idleTimeoutSeconds)
            }
            switch read(until: deadline) {
            case .data(let count):
                parser.feed(readBuffer[0..<count])
            case .timedOut:
                if parser.isMidRequest {
                    answerAndClose(
                        ResponseSerializer.errorResponse(status: 408, reason: "the request did not arrive in time"))
                }
                return
            case .endOfStream, .woken, .failed:
                return
            }
        }
    }

    /// Runs the handler and writes its answer; true to keep the connection open.
    private mutating func respond(to request: HTTPRequest) -> Bool {
        let response = core.handler(request)
        if let behaviour = response.rawOverride {
            misbehave(behaviour)
            return false
        }
        let close =
            !request.wantsKeepAlive || response.headers.hasToken("close", in: "Connection") || core.isStopping
        let (head, body) = ResponseSerializer.parts(
            response, close: close, requestVersion: request.version, headRequest: request.method == "HEAD")
        // Head and body in one write when the body is small enough to copy
        // cheaply: in two, the client wakes for the head alone and again for
        // the body (over loopback, with TCP_NODELAY, each is a segment of its own).
        if body.count <= Self.oneWriteMaxBytes {
            guard write(body.isEmpty ? head : head + body) else { return false }
        } else {
            guard write(head), write(body) else { return false }
        }
        if close { linger() }
        return !close
    }

    /// Writes a response with `Connection: close`, then lingers; the caller closes.
    private mutating func answerAndClose(_ response: HTTPResponse) {
        if write(ResponseSerializer.serialize(response, close: true)) { linger() }
    }

    private mutating func misbehave(_ behaviour: RawBehaviour) {
        switch behaviour {
        case .bytes(let bytes):
            if write(bytes) { linger() }
        case .closeWithoutAnswer:
            return
        case .neverAnswer:
            // Read and discard until the client goes away or the server stops.
            while case .data = read(until: nil) {}
        case .trickle(let bytes, let interval):
            let pause = Int32(clamping: max(0, interval))
            for (index, byte) in bytes.enumerated() {
                // Sleep between bytes; being woken means the server is stopping.
                if index > 0, Posix.wait(for: -1, events: 0, wakeFD: wakeFD, timeoutMilliseconds: pause) != .timedOut {
                    return
                }
                guard write([byte]) else { return }
            }
            linger()
        case .repeated(let head, let chunk, let times, let tail):
            guard write(head) else { return }
            for _ in 0..<max(0, times) {
                guard write(chunk) else { return }
            }
            if write(tail) { linger() }
        }
    }

    /// Half-closes, then reads and discards for a bounded time until the
    /// client closes its side.
    private mutating func linger() {
        Posix.shutdownWriting(fd)
        let deadline = ContinuousClock.now + timeout(min(Self.lingerSeconds, core.configuration.requestTimeoutSeconds))
        var discarded = 0
        while discarded < Self.lingerMaxBytes, case .data(let count) = read(until: deadline) {
            discarded += count
        }
    }

    /// Writes all of `bytes`; false when the client is gone, the write stalls
    /// past the request timeout, or the server is stopping.
    private func write(_ bytes: [UInt8]) -> Bool {
        let deadline = ContinuousClock.now + timeout(core.configuration.requestTimeoutSeconds)
        var offset = 0
        while offset < bytes.count {
            let (count, error) = bytes.withUnsafeBytes {
                Posix.sendSome(fd, UnsafeRawBufferPointer(rebasing: $0[offset...]))
            }
            if count > 0 {
                offset += count
                continue
            }
            guard count < 0, Posix.isTransient(error) else { return false }
            let outcome = Posix.wait(
                for: fd, events: Posix.writable, wakeFD: wakeFD,
                timeoutMilliseconds: Posix.milliseconds(until: deadline))
            guard outcome == .ready else { return false }
        }
        return true
    }

    /// Reads what arrives into `readBuffer`, waiting until `deadline` (nil:
    /// no deadline) or until the server stops.
    private mutating func read(until deadline: ContinuousClock.Instant?) -> ReadOutcome {
        let fd = self.fd
        while true {
            let (count, error) = readBuffer.withUnsafeMutableBytes { Posix.receiveSome(fd, into: $0) }
            if count > 0 { return .data(count) }
            if count == 0 { return .endOfStream }
            guard Posix.isTransient(error) else { return .failed }
            let timeout = deadline.map { Posix.milliseconds(until: $0) } ?? -1
            switch Posix.wait(for: fd, events: Posix.readable, wakeFD: wakeFD, timeoutMilliseconds: timeout) {
            case .ready: continue
            case .timedOut: return .timedOut
            case .woken: return .woken
            case .failed: return .failed
            }
        }
    }
}

/// A configured number of seconds as a `Duration`, clamped to 0 ... 10⁹ s so
/// that NaN, negative or infinite settings cannot trap.
private func timeout(_ seconds: Double) -> Duration {
    guard seconds > 0 else { return .zero }
    return .seconds(min(seconds, 1e9))
}
