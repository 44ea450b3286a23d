import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fall-back TLS carrier (`TLSLibrary` in the process is the first
/// choice): used where libssl cannot be loaded, where an `https_proxy`
/// applies, or when `CONFORMANCE_TLS_CARRIER=s_client` asks for it.
///
/// TLS for `https://` targets through the system's `openssl s_client`, so
/// that `PlainHTTP` reads a TLS answer under the same hard caps as a plain
/// one: the harness speaks HTTP/1.1 over one end of a socket pair, and
/// `s_client` (TLS, certificate and host name verification) sits on the
/// other. The socket pair gives back-pressure: when we stop reading,
/// `s_client` stops, and so does the server; nothing is buffered past the
/// cap, in our process or in `s_client` (which keeps a few fixed buffers).
///
/// Why not URLSession: FoundationNetworking queues every chunk libcurl reads
/// for its delegate, with no back-pressure, so a 400 MB answer is in memory
/// before the delegate can count past the cap. Why not our own TLS: no
/// crypto of our own. `openssl` ships wherever `ca-certificates` does.
///
/// Certificates are verified against the system's trust store (`SSL_CERT_FILE`
/// / `SSL_CERT_DIR` name another, as for every OpenSSL program); a failed
/// verification ends the exchange with its reason. `https_proxy` /
/// `HTTPS_PROXY` (host:port, no credentials) is honoured, `no_proxy` too.
enum TLSTunnel {
    /// The `openssl` executable on PATH, if any.
    static let openssl: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/openssl"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }()

    /// On Linux, util-linux's `setpriv --pdeathsig KILL` in front of
    /// `s_client`: the kernel ends `s_client` when the thread that started
    /// it ends, also when our process is killed outright (SIGKILL), which no
    /// handler of ours sees. Each exchange starts its `s_client` from its own
    /// thread and ends it before that thread ends, so only a killed process
    /// triggers it. Without it (another OS, no setpriv) `s_client` still ends
    /// when its input closes once the handshake is done (`-no_ign_eof`); a
    /// handshake the server holds then lasts until the server gives up.
    /// Found and tried once (`setpriv … -- true` must exit 0 within 2 s).
    static let deathSignalWrapper: String? = {
        #if os(Linux)
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            guard let setpriv = path.split(separator: ":").map({ String($0) + "/setpriv" }).first(where: { access($0, X_OK) == 0 }),
                let trueCommand = ([String](arrayLiteral: "/bin/true", "/usr/bin/true")).first(where: { access($0, X_OK) == 0 })
            else { return nil }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: setpriv)
            p.arguments = ["--pdeathsig", "KILL", "--", trueCommand]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return nil }
            let until = ContinuousClock.now + .seconds(2)
            while p.isRunning, ContinuousClock.now < until { usleep(2_000) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                return nil
            }
            return p.terminationStatus == 0 ? setpriv : nil
        #else
            return nil
        #endif
    }()

    /// The environment `s_client` runs in: only what OpenSSL and the
    /// dynamic loader read (trust store, configuration, locale), never the
    /// credentials the run holds in its own environment. Read once.
    static let childEnvironment: [String] = {
        let keep: Set<String> = ["PATH", "LD_LIBRARY_PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"]
        return ProcessInfo.processInfo.environment.filter { k, _ in
            keep.contains(k) || k.hasPrefix("SSL_CERT_") || k.hasPrefix("OPENSSL_")
        }.map { "\($0.key)=\($0.value)" }.sorted()
    }()
    /// The proxy settings, read once.
    static let proxyEnvironment: [String: String] = ProcessInfo.processInfo.environment.filter { k, _ in
        ["https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"].contains(k)
    }

    /// A running `s_client`: our end of the socket pair, and its error output.
    final class Connection {
        let fd: Int32
        let pid: pid_t
        let errors: Int32
        /// Whether the child has been waited for (its pid may then be reused: no signal after).
        var reaped = false

        init(fd: Int32, pid: pid_t, errors: Int32) {
            self.fd = fd
            self.pid = pid
            self.errors = errors
        }

        /// Ends `s_client` (it would wait for more input, or hold a
        /// handshake the server never finishes) and reaps it, within a
        /// bound: SIGTERM to its process group, up to `grace` for it to go,
        /// then SIGKILL and as long again. Never a blocking wait.
        func close(grace: Duration = .milliseconds(500)) {
            _ = systemClose(fd)
            if !reaped {
                kill(-pid, SIGTERM)
                kill(pid, SIGTERM)
                if !reap(within: grace) {
                    kill(-pid, SIGKILL)
                    kill(pid, SIGKILL)
                    // A child that outlives SIGKILL by this much is stuck in the kernel; it is left as a zombie rather than hold the run.
                    _ = reap(within: grace)
                }
            }
            _ = systemClose(errors)
        }

        /// Polls for the child's exit for at most `bound`; true once reaped.
        func reap(within bound: Duration) -> Bool {
            let until = ContinuousClock.now + bound
            var status: Int32 = 0
            while !reaped {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid || (r < 0 && errno == ECHILD) {
                    reaped = true
                    break
                }
                if ContinuousClock.now >= until { return false }
                usleep(2_000)
            }
            return true
        }

        /// Why the tunnel ended before an answer came: `s_client`'s own
        /// words, read from its error output (at most 16 KB), as a
        /// transport error. Waits at most `wait` seconds for it to exit.
        func failure(wait: Double) -> TransportError? {
            let until = ContinuousClock.now + .milliseconds(Int(wait * 1000))
            var status: Int32 = 0
            while !reaped, ContinuousClock.now < until {
                if waitpid(pid, &status, WNOHANG) != 0 {
                    reaped = true
                } else {
                    usleep(5_000)
                }
            }
            var text: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while text.count < 16 << 10 {
                var p = pollfd(fd: errors, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 0) > 0 else { break }
                let n = chunk.withUnsafeMutableBytes { read(errors, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                text += chunk[..<n]
            }
            return TLSTunnel.describe(String(decoding: text, as: UTF8.self))
        }
    }

    /// Maps `s_client`'s error output to a reason; nil when it says nothing we know.
    static func describe(_ text: String) -> TransportError? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        if let v = lines.first(where: { $0.hasPrefix("verify error:") }) {
            // verify error:num=18:self-signed certificate
            let reason = v.split(separator: ":", maxSplits: 2).dropFirst(2).first.map(String.init) ?? v
            return TransportError("TLS: the server's certificate was not accepted (\(reason))")
        }
        if lines.contains(where: { $0.contains("errno=111") || $0.localizedCaseInsensitiveContains("connection refused") }) {
            return TransportError("connection refused", kind: .connection)
        }
        if lines.contains(where: {
            $0.contains("gethostbyname") || $0.contains("getaddrinfo") || $0.contains("Name or service not known")
                || $0.contains("nodename nor servname")
        }) {
            return TransportError("host not found")
        }
        if lines.contains(where: { $0.contains("wrong version number") || $0.contains("packet length too long") }) {
            return TransportError(
                "TLS: the server did not answer with TLS (is the base URL http://?)")
        }
        if let e = lines.last(where: { $0.contains(":error:") }) {
            // 40A7…:error:0A000086:SSL routines:…:certificate verify failed:../ssl/…
            let parts = e.split(separator: ":")
            let reason = parts.count > 5 ? String(parts[5]) : e
            return TransportError("TLS: \(reason)", kind: .connection)
        }
        return nil
    }

    /// Starts `s_client` towards host:port. The connection and handshake
    /// happen as it runs; what we write is sent once the handshake is done.
    static func open(host: String, port: Int, caFile: String?) throws(TransportError) -> Connection {
        guard let openssl else {
            throw TransportError("https needs the openssl command (apt-get install openssl), which is not on PATH")
        }
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
            let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let kind = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, kind, 0, &pair) == 0 else {
            throw TransportError("transport error: socketpair failed (\(errno))", kind: .connection)
        }
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&errPipe) == 0 else {
            _ = systemClose(pair[0])
            _ = systemClose(pair[1])
            throw TransportError("transport error: pipe failed (\(errno))", kind: .connection)
        }
        _ = fcntl(errPipe[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(errPipe[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(errPipe[0], F_SETFL, fcntl(errPipe[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        let args = arguments(host: host, port: port, caFile: caFile, environment: proxyEnvironment)
        let pid: pid_t
        do throws(TransportError) {
            if let wrapper = deathSignalWrapper {
                pid = try spawn(wrapper, wrapperArguments(openssl: openssl, args, parent: getpid()), stdio: pair[1], stderr: errPipe[1])
            } else {
                pid = try spawn(openssl, args, stdio: pair[1], stderr: errPipe[1])
            }
        } catch {
            for fd in [pair[0], pair[1], errPipe[0], errPipe[1]] { _ = systemClose(fd) }
            throw error
        }
        _ = systemClose(pair[1])
        _ = systemClose(errPipe[1])
        return Connection(fd: pair[0], pid: pid, errors: errPipe[0])
    }

    /// `setpriv`'s arguments: the death signal set, then `s_client` run
    /// through `sh` only while `parent` (our process) is still its parent. A
    /// process killed after `setpriv` started but before it set the signal
    /// would never send it (the kernel does not look back), and `s_client`
    /// would outlive it, held by a server that never answers; the signal
    /// survives the `exec` of `sh` and of `s_client`. Without `/bin/sh`,
    /// `s_client` directly, as before.
    static func wrapperArguments(openssl: String, _ args: [String], parent: pid_t) -> [String] {
        guard let sh = shell else { return ["--pdeathsig", "KILL", "--", openssl] + args }
        return ["--pdeathsig", "KILL", "--", sh, "-c", parentCheck, String(parent), openssl] + args
    }

    /// Runs its arguments only if its parent is the process whose id is `$0`.
    static let parentCheck = #"[ "$PPID" = "$0" ] && exec "$@""#

    static let shell: String? = access("/bin/sh", X_OK) == 0 ? "/bin/sh" : nil

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; the
    /// Glibc module does not declare it), looked up once: nil where there is none.
    static let addCloseFrom: (@convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32)? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// The `s_client` command line: verify the chain and the host name (or
    /// IP address), send SNI for names, HTTP/1.1 by ALPN, no interactive
    /// command letters, no session output.
    static func arguments(host: String, port: Int, caFile: String?, environment: [String: String]) -> [String] {
        let isIP = isIPAddress(host)
        let hostPort = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        // -quiet implies -ign_eof; -no_ign_eof after it makes the end of our
        // socket (our close, or our process's end) end s_client too.
        var args = ["s_client", "-connect", hostPort, "-quiet", "-no_ign_eof", "-nocommands", "-verify_return_error", "-alpn", "http/1.1"]
        args += isIP ? ["-verify_ip", host, "-noservername"] : ["-verify_hostname", host, "-servername", host]
        if let caFile { args += ["-CAfile", caFile] }
        if let proxy = proxy(for: host, environment: environment) { args += ["-proxy", proxy] }
        return args
    }

    /// Whether `host` is an IP address (verified as one, no SNI) rather than a name.
    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").allSatisfy { Int($0) != nil } && host.split(separator: ".").count == 4
    }

    /// host:port of the HTTPS proxy to use for `host`, from `https_proxy` /
    /// `HTTPS_PROXY` unless `no_proxy` / `NO_PROXY` exempts the host.
    static func proxy(for host: String, environment: [String: String]) -> String? {
        guard let raw = environment["https_proxy"] ?? environment["HTTPS_PROXY"], !raw.isEmpty else { return nil }
        let exempt = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let h = host.lowercased()
        for e in exempt where !e.isEmpty {
            if e == "*" { return nil }
            let domain = e.hasPrefix(".") ? String(e.dropFirst()) : e
            if h == domain || h.hasSuffix("." + domain) { return nil }
        }
        var rest = Substring(raw)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }  // credentials are not passed on
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard !rest.isEmpty else { return nil }
        return rest.contains(":") ? String(rest) : rest + ":80"
    }

    /// posix_spawn with the socket pair's far end as standard input and
    /// output and the pipe as standard error, in `childEnvironment`.
    static func spawn(_ path: String, _ args: [String], stdio: Int32, stderr: Int32) throws(TransportError) -> pid_t {
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
        #else
            var actions: posix_spawn_file_actions_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdio, 0)
        posix_spawn_file_actions_adddup2(&actions, stdio, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of ours goes with it: an `s_client` held every descriptor
        // its process had without close-on-exec (a parent's pipe or socket pair,
        // another connection's socket), and a parent waiting for one to close
        // (Foundation's `Process` on Linux waits so) waited as long as it lived.
        if let addCloseFrom = TLSTunnel.addCloseFrom {
            withUnsafeMutablePointer(to: &actions) { _ = addCloseFrom(UnsafeMutableRawPointer($0), 3) }
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        // The child starts with no signal blocked and every signal at its
        // default (our process ignores SIGINT and SIGTERM to watch them, and
        // ignored signals stay ignored across exec), in a process group of
        // its own so that ending it ends anything it starts.
        #if canImport(Glibc)
            var attributes = posix_spawnattr_t()
        #else
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw TransportError("could not start \(path) (\(String(cString: strerror(rc))))", kind: .connection) }
        return pid
    }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.close(fd)
    #else
        Darwin.close(fd)
    #endif
}
