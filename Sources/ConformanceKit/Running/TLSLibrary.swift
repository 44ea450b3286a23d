import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS for `https://` targets in our own process, through the system's
/// OpenSSL library (`libssl.so.3`, the library `openssl s_client` runs on),
/// loaded at run time with `dlopen`: no link-time dependency, no package, no
/// crypto of our own. `PlainHTTP` reads and writes through a `TLSSession`
/// on its own non-blocking socket, under the same deadlines (each step waits
/// in `poll`), caps and cancellation as a plain connection.
///
/// It does what `TLSTunnel`'s `s_client` command line asks for, with the
/// same OpenSSL calls: the chain verified (`SSL_VERIFY_PEER`; a failure ends
/// the handshake), the host name (`SSL_set1_host`) or IP address
/// (`X509_VERIFY_PARAM_set1_ip_asc`) checked, SNI for names only, ALPN
/// `http/1.1`; the protocol versions and ciphers are OpenSSL's defaults and
/// its configuration file's, as for `s_client`. Trust is that of `s_client`:
/// with a CA file, that file alone (`SSL_CTX_load_verify_file`); without, the
/// default file, directory and store (`SSL_CERT_FILE` / `SSL_CERT_DIR` name
/// others). It is loaded once per CA file and process (`context(caFile:)`),
/// not once per connection: Debian's default bundle (139 certificates) cost
/// each `s_client` 25 ms of CPU.
///
/// `TLSTunnel` (`s_client`) is still used when the library cannot be loaded
/// (another OpenSSL major version, no libssl), when an `https_proxy` applies
/// to the host (`s_client -proxy` speaks CONNECT), and when
/// `CONFORMANCE_TLS_CARRIER=s_client` asks for it.
final class TLSLibrary: @unchecked Sendable {
    // @unchecked: every stored property is a `let` C function pointer or the
    // library handle, set once in `init`; `contexts` is behind a Mutex.
    typealias P = UnsafeMutableRawPointer
    typealias CString = UnsafePointer<CChar>

    let TLS_client_method: @convention(c) () -> P?
    let SSL_CTX_new: @convention(c) (P?) -> P?
    let SSL_CTX_free: @convention(c) (P?) -> Void
    let SSL_CTX_ctrl: @convention(c) (P?, Int32, Int, P?) -> Int
    let SSL_CTX_set_verify: @convention(c) (P?, Int32, P?) -> Void
    let SSL_CTX_set_alpn_protos: @convention(c) (P?, UnsafePointer<UInt8>?, UInt32) -> Int32
    let SSL_CTX_load_verify_file: @convention(c) (P?, CString?) -> Int32
    let SSL_CTX_set_default_verify_file: @convention(c) (P?) -> Int32
    let SSL_CTX_set_default_verify_dir: @convention(c) (P?) -> Int32
    let SSL_CTX_set_default_verify_store: @convention(c) (P?) -> Int32
    let SSL_new: @convention(c) (P?) -> P?
    let SSL_free: @convention(c) (P?) -> Void
    let SSL_set_fd: @convention(c) (P?, Int32) -> Int32
    let SSL_ctrl: @convention(c) (P?, Int32, Int, P?) -> Int
    let SSL_set1_host: @convention(c) (P?, CString?) -> Int32
    let SSL_get0_param: @convention(c) (P?) -> P?
    let X509_VERIFY_PARAM_set1_ip_asc: @convention(c) (P?, CString?) -> Int32
    let SSL_connect: @convention(c) (P?) -> Int32
    let SSL_get_error: @convention(c) (P?, Int32) -> Int32
    let SSL_read: @convention(c) (P?, P?, Int32) -> Int32
    let SSL_write: @convention(c) (P?, UnsafeRawPointer?, Int32) -> Int32
    let SSL_pending: @convention(c) (P?) -> Int32
    let SSL_shutdown: @convention(c) (P?) -> Int32
    let SSL_get_verify_result: @convention(c) (P?) -> Int
    let X509_verify_cert_error_string: @convention(c) (Int) -> CString?
    let ERR_get_error: @convention(c) () -> UInt
    let ERR_reason_error_string: @convention(c) (UInt) -> CString?
    let ERR_clear_error: @convention(c) () -> Void

    /// SSL_CTX per CA file as it is now (path and `stat` identity; "" for the system's trust), at most `maxContexts`.
    private let contexts = Mutex(ContextCache())
    static let maxContexts = 8

    private struct ContextCache: @unchecked Sendable {
        // @unchecked: raw SSL_CTX pointers, only touched under the Mutex (OpenSSL's SSL_CTX is thread-safe for SSL_new).
        var byFile: [String: Result<P, TransportError>] = [:]
        var order: [String] = []
    }

    /// The library this process uses for `https://`, loaded once; nil when it
    /// cannot be loaded or `CONFORMANCE_TLS_CARRIER=s_client` (then `TLSTunnel`).
    static let shared: TLSLibrary? = {
        if ProcessInfo.processInfo.environment["CONFORMANCE_TLS_CARRIER"] == "s_client" { return nil }
        #if canImport(Darwin)
            return load(names: ["libssl.3.dylib"])
        #else
            return load(names: ["libssl.so.3"])
        #endif
    }()

    /// The carrier `https://` uses in this process, as the benchmark prints it.
    static var carrierDescription: String {
        shared != nil
            ? "OpenSSL's libssl in the process (one SSL_CTX per CA file, a TLS session per kept connection)"
            : "openssl s_client per kept connection (libssl not loaded)"
    }

    /// Opens the first of `names` that `dlopen` finds and resolves every
    /// function used; nil if none loads or a function is missing (an OpenSSL
    /// other than 3.x). Tests pass names that do not exist.
    static func load(names: [String]) -> TLSLibrary? {
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            if let library = TLSLibrary(handle: handle) { return library }
            dlclose(handle)
        }
        return nil
    }

    private init?(handle: UnsafeMutableRawPointer) {
        // dlsym on libssl's handle also finds libcrypto's functions (ERR_*, X509_*): libssl depends on it.
        func f<T>(_ name: String, _: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        guard let a = f("TLS_client_method", (@convention(c) () -> P?).self),
            let b = f("SSL_CTX_new", (@convention(c) (P?) -> P?).self),
            let c = f("SSL_CTX_free", (@convention(c) (P?) -> Void).self),
            let d = f("SSL_CTX_ctrl", (@convention(c) (P?, Int32, Int, P?) -> Int).self),
            let e = f("SSL_CTX_set_verify", (@convention(c) (P?, Int32, P?) -> Void).self),
            let g = f("SSL_CTX_set_alpn_protos", (@convention(c) (P?, UnsafePointer<UInt8>?, UInt32) -> Int32).self),
            let h = f("SSL_CTX_load_verify_file", (@convention(c) (P?, CString?) -> Int32).self),
            let i = f("SSL_CTX_set_default_verify_file", (@convention(c) (P?) -> Int32).self),
            let j = f("SSL_CTX_set_default_verify_dir", (@convention(c) (P?) -> Int32).self),
            let k = f("SSL_CTX_set_default_verify_store", (@convention(c) (P?) -> Int32).self),
            let l = f("SSL_new", (@convention(c) (P?) -> P?).self),
            let m = f("SSL_free", (@convention(c) (P?) -> Void).self),
            let n = f("SSL_set_fd", (@convention(c) (P?, Int32) -> Int32).self),
            let o = f("SSL_ctrl", (@convention(c) (P?, Int32, Int, P?) -> Int).self),
            let p = f("SSL_set1_host", (@convention(c) (P?, CString?) -> Int32).self),
            let q = f("SSL_get0_param", (@convention(c) (P?) -> P?).self),
            let r = f("X509_VERIFY_PARAM_set1_ip_asc", (@convention(c) (P?, CString?) -> Int32).self),
            let s = f("SSL_connect", (@convention(c) (P?) -> Int32).self),
            let t = f("SSL_get_error", (@convention(c) (P?, Int32) -> Int32).self),
            let u = f("SSL_read", (@convention(c) (P?, P?, Int32) -> Int32).self),
            let v = f("SSL_write", (@convention(c) (P?, UnsafeRawPointer?, Int32) -> Int32).self),
            let w = f("SSL_pending", (@convention(c) (P?) -> Int32).self),
            let x = f("SSL_shutdown", (@convention(c) (P?) -> Int32).self),
            let y = f("SSL_get_verify_result", (@convention(c) (P?) -> Int).self),
            let z = f("X509_verify_cert_error_string", (@convention(c) (Int) -> CString?).self),
            let e1 = f("ERR_get_error", (@convention(c) () -> UInt).self),
            let e2 = f("ERR_reason_error_string", (@convention(c) (UInt) -> CString?).self),
            let e3 = f("ERR_clear_error", (@convention(c) () -> Void).self)
        else { return nil }
        TLS_client_method = a
        SSL_CTX_new = b
        SSL_CTX_free = c
        SSL_CTX_ctrl = d
        SSL_CTX_set_verify = e
        SSL_CTX_set_alpn_protos = g
        SSL_CTX_load_verify_file = h
        SSL_CTX_set_default_verify_file = i
        SSL_CTX_set_default_verify_dir = j
        SSL_CTX_set_default_verify_store = k
        SSL_new = l
        SSL_free = m
        SSL_set_fd = n
        SSL_ctrl = o
        SSL_set1_host = p
        SSL_get0_param = q
        X509_VERIFY_PARAM_set1_ip_asc = r
        SSL_connect = s
        SSL_get_error = t
        SSL_read = u
        SSL_write = v
        SSL_pending = w
        SSL_shutdown = x
        SSL_get_verify_result = y
        X509_verify_cert_error_string = z
        ERR_get_error = e1
        ERR_reason_error_string = e2
        ERR_clear_error = e3
    }

    /// The SSL_CTX for `caFile` (nil: the system's trust), made on first use
    /// and kept (at most `maxContexts`; the oldest is released, and the
    /// sessions still using it hold their own reference). A CA file that
    /// changes (another inode, size or modification time: a test server's
    /// new certificate written over the old) is read again, as each
    /// `s_client` read it.
    func context(caFile: String?) -> Result<P, TransportError> {
        var key = ""
        if let caFile {
            var st = stat()
            guard stat(caFile, &st) == 0 else {
                return .failure(TransportError("TLS: could not read the CA file \(caFile) (\(String(cString: strerror(errno))))", kind: .connection))
            }
            #if canImport(Darwin)
                let mtime = "\(st.st_mtimespec.tv_sec).\(st.st_mtimespec.tv_nsec)"
            #else
                let mtime = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
            #endif
            key = "\(st.st_dev):\(st.st_ino):\(st.st_size):\(mtime):" + caFile
        }
        return contexts.withLock { cache in
            if let known = cache.byFile[key] { return known }
            let made = makeContext(caFile: caFile)
            if cache.order.count >= Self.maxContexts {
                let oldest = cache.order.removeFirst()
                if case .success(let ctx)? = cache.byFile.removeValue(forKey: oldest) { SSL_CTX_free(ctx) }
            }
            cache.byFile[key] = made
            cache.order.append(key)
            return made
        }
    }

    private func makeContext(caFile: String?) -> Result<P, TransportError> {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            return .failure(TransportError("TLS: \(lastError() ?? "could not set up OpenSSL")", kind: .connection))
        }
        // The trust of `s_client` (OpenSSL's apps/lib/apps.c, ctx_set_verify_locations):
        // `-CAfile` alone when given, else the default file, directory and store.
        let trusted: Bool
        if let caFile {
            trusted = SSL_CTX_load_verify_file(ctx, caFile) > 0
        } else {
            trusted = SSL_CTX_set_default_verify_file(ctx) > 0 && SSL_CTX_set_default_verify_dir(ctx) > 0
                && SSL_CTX_set_default_verify_store(ctx) > 0
        }
        guard trusted else {
            let reason = lastError() ?? "could not load the trusted certificates"
            SSL_CTX_free(ctx)
            return .failure(TransportError("TLS: \(reason)" + (caFile.map { " (\($0))" } ?? ""), kind: .connection))
        }
        SSL_CTX_set_verify(ctx, 1, nil)  // SSL_VERIFY_PEER, no callback: a failed verification ends the handshake
        // SSL_CTRL_MODE: SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER.
        _ = SSL_CTX_ctrl(ctx, 33, 1 | 2, nil)
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = alpn.withUnsafeBufferPointer { SSL_CTX_set_alpn_protos(ctx, $0.baseAddress, UInt32($0.count)) }
        return .success(ctx)
    }

    /// The reason of the last error on this thread's OpenSSL error queue
    /// (as `s_client` prints it last), emptying the queue.
    func lastError() -> String? {
        var last: UInt = 0
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            last = e
        }
        guard last != 0 else { return nil }
        if let s = ERR_reason_error_string(last) { return String(cString: s) }
        return "OpenSSL error \(String(last, radix: 16))"
    }
}

/// One TLS connection over a connected non-blocking socket (`fd`, owned:
/// closed with the session). Used by one thread at a time, the thread that
/// opened it: OpenSSL writes to the socket with `write`, so that thread
/// blocks SIGPIPE (a peer gone would otherwise end the process); it is one
/// of the pool's threads, never a cooperative one.
final class TLSSession {
    let library: TLSLibrary
    let fd: Int32
    let ssl: UnsafeMutableRawPointer
    /// After a fatal error OpenSSL must not be asked for a shutdown.
    var failed = false

    /// A thread's wait for `fd` to be ready for `events`, under the exchange's deadline and cancellation.
    typealias Wait = (Int32, Int16) throws(TransportError) -> Void

    /// Sets up TLS on `fd` for `host` and shakes hands, waiting with `wait`.
    /// On failure the session is freed; `fd` is the caller's to close.
    init(library: TLSLibrary, fd: Int32, host: String, caFile: String?, wait: Wait) throws(TransportError) {
        let ctx: UnsafeMutableRawPointer
        switch library.context(caFile: caFile) {
        case .success(let c): ctx = c
        case .failure(let e): throw e
        }
        library.ERR_clear_error()
        guard let ssl = library.SSL_new(ctx) else {
            throw TransportError("TLS: \(library.lastError() ?? "could not set up a connection")", kind: .connection)
        }
        self.library = library
        self.fd = fd
        self.ssl = ssl
        #if canImport(Glibc)
            var pipe = sigset_t()
            sigemptyset(&pipe)
            sigaddset(&pipe, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipe, nil)
        #else
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let isIP = TLSTunnel.isIPAddress(host)
        var ok = library.SSL_set_fd(ssl, fd) == 1
        if isIP {
            ok = ok && library.X509_VERIFY_PARAM_set1_ip_asc(library.SSL_get0_param(ssl), host) == 1
        } else {
            // SSL_set_tlsext_host_name: SSL_ctrl(SSL_CTRL_SET_TLSEXT_HOSTNAME 55, TLSEXT_NAMETYPE_host_name 0).
            ok = ok && host.withCString { library.SSL_ctrl(ssl, 55, 0, UnsafeMutableRawPointer(mutating: $0)) } == 1
            ok = ok && library.SSL_set1_host(ssl, host) == 1
        }
        guard ok else {
            let reason = library.lastError() ?? "could not set the host name to verify"
            library.SSL_free(ssl)
            throw TransportError("TLS: \(reason)", kind: .connection)
        }
        do throws(TransportError) {
            try handshake(wait: wait)
        } catch {
            library.SSL_free(ssl)
            throw error
        }
    }

    private func handshake(wait: Wait) throws(TransportError) {
        while true {
            library.ERR_clear_error()
            let r = library.SSL_connect(ssl)
            if r == 1 { return }
            let code = library.SSL_get_error(ssl, r)
            let sysErrno = errno
            switch code {
            case 2: try wait(fd, Int16(POLLIN))  // SSL_ERROR_WANT_READ
            case 3: try wait(fd, Int16(POLLOUT))  // SSL_ERROR_WANT_WRITE
            default:
                failed = true
                let verify = library.SSL_get_verify_result(ssl)
                if verify != 0 {  // X509_V_OK
                    library.ERR_clear_error()
                    let reason = library.X509_verify_cert_error_string(verify).map { String(cString: $0) } ?? "error \(verify)"
                    throw TransportError("TLS: the server's certificate was not accepted (\(reason))")
                }
                if let reason = library.lastError() {
                    if reason.contains("wrong version number") || reason.contains("packet length too long") {
                        throw TransportError("TLS: the server did not answer with TLS (is the base URL http://?)")
                    }
                    throw TransportError("TLS: \(reason)", kind: .connection)
                }
                if code == 5, r < 0, sysErrno != 0 {  // SSL_ERROR_SYSCALL with errno set
                    throw TransportError("TLS: \(String(cString: strerror(sysErrno)))", kind: .connection)
                }
                throw TransportError("TLS: the connection closed during the handshake", kind: .connection)
            }
        }
    }

    /// Reads at most `into.count` bytes; 0 at the end of the stream (the
    /// server's close_notify, or the connection closed without one, which
    /// `s_client` also passed on as the end).
    func read(into buffer: UnsafeMutableRawBufferPointer, wait: Wait) throws(TransportError) -> Int {
        while true {
            library.ERR_clear_error()
            let n = library.SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if n > 0 { return Int(n) }
            let code = library.SSL_get_error(ssl, n)
            let sysErrno = errno
            switch code {
            case 2: try wait(fd, Int16(POLLIN))
            case 3: try wait(fd, Int16(POLLOUT))
            case 6: return 0  // SSL_ERROR_ZERO_RETURN: close_notify
            default:
                failed = true
                let reason = library.lastError()
                if code == 5, n < 0, reason == nil {  // SSL_ERROR_SYSCALL: errno says what, as for a plain socket
                    if sysErrno == ECONNRESET { throw TransportError("connection lost before the response was complete", kind: .connection) }
                    throw TransportError("transport error: \(String(cString: strerror(sysErrno)))", kind: .connection)
                }
                guard let reason, !reason.contains("unexpected eof") else { return 0 }
                throw TransportError("TLS: \(reason)", kind: .connection)
            }
        }
    }

    /// Writes every byte of `bytes`.
    func write(_ bytes: [UInt8], wait: Wait) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            library.ERR_clear_error()
            let n = bytes.withUnsafeBytes { b in library.SSL_write(ssl, b.baseAddress! + offset, Int32(clamping: b.count - offset)) }
            if n > 0 {
                offset += Int(n)
                continue
            }
            switch library.SSL_get_error(ssl, n) {
            case 2: try wait(fd, Int16(POLLIN))
            case 3: try wait(fd, Int16(POLLOUT))
            default:
                failed = true
                library.ERR_clear_error()
                throw TransportError("connection lost before the request was sent", kind: .connection)
            }
        }
    }

    /// Whether the kept connection carries no more: the server closed it,
    /// or sent bytes nobody asked for. TLS records that are not data (a
    /// TLS 1.3 session ticket) are consumed without answering yes.
    var isClosedByPeer: Bool {
        if library.SSL_pending(ssl) > 0 { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 0) == 0 { return false }
        var byte: UInt8 = 0
        library.ERR_clear_error()
        let n = library.SSL_read(ssl, &byte, 1)
        if n > 0 { return true }
        let code = library.SSL_get_error(ssl, n)
        library.ERR_clear_error()
        if code == 2 { return false }  // only records that are not data
        failed = true
        return true
    }

    /// Sends close_notify if the connection is sound (without waiting for the
    /// server's), frees the session and closes the socket.
    func close() {
        if !failed {
            library.ERR_clear_error()
            _ = library.SSL_shutdown(ssl)
            library.ERR_clear_error()
        }
        library.SSL_free(ssl)
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }
}
