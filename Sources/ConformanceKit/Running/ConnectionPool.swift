import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open connection an answer left usable: its socket (for `https://`, the
/// socket its `TLSSession` runs over, or our end of the socket pair to its
/// `s_client`). Owned by one worker thread.
final class KeptConnection {
    let origin: String
    let fd: Int32
    let tunnel: TLSTunnel.Connection?
    let tls: TLSSession?

    init(origin: String, fd: Int32, tunnel: TLSTunnel.Connection?, tls: TLSSession? = nil) {
        self.origin = origin
        self.fd = fd
        self.tunnel = tunnel
        self.tls = tls
    }

    /// Its origin and socket when a caller may write on it: plain (no TLS
    /// session, no `s_client`); nil otherwise.
    var plain: ConnectionPool.Plain? { tls == nil && tunnel == nil ? (origin, fd) : nil }

    /// Whether the connection has something to read while no request is
    /// under way: the end of the stream (the server, or its `s_client`,
    /// closed it) or bytes nobody asked for. Either way it carries no more.
    var isClosedByPeer: Bool {
        if let tls { return tls.isClosedByPeer }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) != 0
    }

    /// Closes the socket; for TLS in the process first sends close_notify; for a
    /// tunnel also ends and reaps its `s_client` (bounded).
    func close() {
        if let tunnel {
            tunnel.close()
        } else if let tls {
            tls.close()
        } else {
            _ = poolClose(fd)
        }
    }
}

/// Requests, connections opened and threads started by a transport (the benchmark prints them).
public struct TransportStatistics: Sendable, Equatable {
    public var requests = 0
    public var connections = 0
    public var threads = 0
    /// Requests written on a kept connection by the caller's thread, the
    /// worker woken by the answer rather than by the caller.
    public var writtenByCaller = 0
}

final class TransportCounters: Sendable {
    let requests = Atomic<Int>(0)
    let connections = Atomic<Int>(0)
    let threads = Atomic<Int>(0)
    let writtenByCaller = Atomic<Int>(0)
    func connectionOpened() { connections.add(1, ordering: .relaxed) }
    var snapshot: TransportStatistics {
        TransportStatistics(
            requests: requests.load(ordering: .relaxed), connections: connections.load(ordering: .relaxed),
            threads: threads.load(ordering: .relaxed), writtenByCaller: writtenByCaller.load(ordering: .relaxed))
    }
}

/// Persistent connections for `PlainHTTP`: at most `capacity` worker
/// threads, each with at most one kept connection, reused by the next
/// exchange it is given (the same origin; another origin closes it first).
///
/// - A worker is a thread because the exchange blocks in `poll` (never on
///   the cooperative pool), and because an `s_client` is bound to the
///   thread that started it (`TLSTunnel.deathSignalWrapper`), and a
///   `TLSSession` to the thread that blocked SIGPIPE for it: the worker
///   opens either and closes it before the worker ends.
/// - A worker with nothing to do for `idleSeconds` closes its connection and
///   ends, so an idle run holds no connection and no thread, and no server
///   sees a connection older than that without a request on it.
/// - More exchanges at once than `capacity` (a caller past `--jobs`) each
///   run on a thread and a connection of their own, closed after the
///   answer, as every exchange did before the pool: nobody waits for a
///   connection.
/// - Deadlines, cancellation and the caps are the exchange's own, as for a
///   single exchange; an exchange that fails or is cancelled closes its
///   connection rather than keep it in an unknown state.
/// - On an idle worker's kept plain connection (not TLS, not `s_client`),
///   the caller writes the request itself, on its own thread (the socket is
///   non-blocking), and does not wake the worker: the worker waits on that
///   socket as well as on its wake-up pipe, and the answer wakes it (one
///   thread wake-up a request fewer; perf, issue 24). A worker so waiting
///   looks at its slot at least every 50 ms (`tickMilliseconds`), so that a
///   deadline or a cancellation is seen within that even when no answer
///   comes. A request not all written at once, or a connection that looks
///   closed, goes to the worker as before. The caller writes before it hands
///   the worker the job, outside the slot's lock (`giveWriting`).
final class ConnectionPool: Sendable {
    let capacity: Int
    let idleSeconds: Double
    /// The library `https://` uses in the process; nil: `s_client` (`TLSTunnel`).
    let tlsLibrary: TLSLibrary?
    let counters = TransportCounters()
    private let state = Mutex(State())
    /// Entered by each worker for its life: `shutdown` waits for it (bounded).
    private let running = DispatchGroup()

    /// A kept connection a caller may write on: its origin and socket (`KeptConnection.plain`).
    typealias Plain = (origin: String, fd: Int32)

    /// An idle worker, and its kept plain connection when a caller may write on it.
    private struct Idle: Sendable {
        let worker: Worker
        var plain: Plain?
    }

    private struct State: Sendable {
        var idle: [Idle] = []
        var workers = 0
        var closed = false
    }

    struct Job: Sendable {
        var request: OutgoingRequest
        var target: RequestTarget
        var deadline: ContinuousClock.Instant
        var timeout: Double
        var flag: PlainHTTP.CancelFlag
        var limits: PlainHTTP.Limits
        var caFile: String?
        var continuation: CheckedContinuation<Result<(Int, [String: String], [UInt8]), TransportError>, Never>
    }

    /// Whether workers wait on a pipe (and callers write on their kept
    /// connections): only while the process may open three descriptors a
    /// worker (its socket and its pipe's two ends) with room to spare, so that
    /// a large `--jobs` under a low descriptor limit opens as many connections
    /// as before. Otherwise each worker is woken as before.
    let pipes: Bool
    /// How often, at least, a waiting worker looks at its slot (a deadline,
    /// a cancellation, its idle time), in milliseconds.
    let tickMilliseconds: Int32
    /// Tests only: called on the caller's thread after it wrote a request on
    /// a worker's kept connection and before it hands the worker the job.
    let afterCallerWrite: (@Sendable (Worker) -> Void)?

    /// `capacity` 0: no worker, every exchange on a connection of its own.
    init(
        capacity: Int, idleSeconds: Double = 2, tlsLibrary: TLSLibrary? = TLSLibrary.shared, pipes: Bool? = nil,
        tickMilliseconds: Int32 = 50, afterCallerWrite: (@Sendable (Worker) -> Void)? = nil
    ) {
        self.capacity = max(0, capacity)
        self.idleSeconds = idleSeconds
        self.tlsLibrary = tlsLibrary
        self.pipes = pipes ?? ConnectionPool.descriptorsAllow(workers: max(0, capacity))
        self.tickMilliseconds = max(1, tickMilliseconds)
        self.afterCallerWrite = afterCallerWrite
    }

    /// Whether the soft limit on open descriptors leaves room for three a worker and 256 more.
    static func descriptorsAllow(workers: Int) -> Bool {
        var limit = rlimit()
        #if canImport(Glibc)
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        #else
            guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return false }
        #endif
        return UInt64(limit.rlim_cur) >= UInt64(workers) * 3 + 256  // no limit is the largest value
    }

    /// Runs `job` on an idle worker, a new one (below capacity), or a thread of its own.
    func submit(_ job: Job) {
        counters.requests.add(1, ordering: .relaxed)
        enum Pick {
            case worker(Worker, plain: Plain?)
            case new(Worker)
            case alone
        }
        let own = WorkerExecutor.shared.currentJobs?.worker
        let pick: Pick = state.withLock { s in
            if s.closed { return .alone }
            if let i = ConnectionPool.choice(among: s.idle.lazy.map(\.worker), own: own) {
                let e = s.idle.remove(at: i)
                return .worker(e.worker, plain: e.plain)
            }
            if s.workers < capacity {
                s.workers += 1
                return .new(Worker(pool: self))
            }
            return .alone
        }
        switch pick {
        case .worker(let w, let plain):
            if let plain, let bytes = ConnectionPool.writableNow(job, on: plain) {
                if w.giveWriting(job, fd: plain.fd, bytes: bytes) { counters.writtenByCaller.add(1, ordering: .relaxed) }
            } else {
                w.give(.job(job, written: nil))
            }
        case .new(let w):
            w.give(.job(job, written: nil))
            start(w)
        case .alone:
            counters.threads.add(1, ordering: .relaxed)
            let counters = self.counters
            let tlsLibrary = self.tlsLibrary
            let thread = Thread {
                var exchange = PlainHTTP.Exchange(deadline: job.deadline, timeout: job.timeout, flag: job.flag, limits: job.limits)
                exchange.caFile = job.caFile
                exchange.tlsLibrary = tlsLibrary
                exchange.counters = counters
                job.continuation.resume(returning: exchange.run(job.request, target: job.target))
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Which idle worker a request goes to (`idle` oldest first), nil when
    /// none is idle. The calling thread's own worker when it is idle (`own`:
    /// the case it judges sends its next request there, and the answer
    /// comes back to the thread that holds the case's data); otherwise the
    /// latest freed that is not running cases (`Worker.draining`): one that
    /// is would read this answer only after the cases it runs, while
    /// another waits. When every idle worker is running cases, the latest
    /// freed, as before (better late than a connection of its own).
    static func choice<Idle: RandomAccessCollection>(among idle: Idle, own: Worker?) -> Int? where Idle.Element == Worker, Idle.Index == Int {
        guard !idle.isEmpty else { return nil }
        if let own, let i = idle.lastIndex(where: { $0 === own }) { return i }
        return idle.lastIndex { !$0.draining.load(ordering: .relaxed) } ?? idle.index(before: idle.endIndex)
    }

    /// The stack of a worker thread.
    static let workerStackBytes = 8 << 20

    private func start(_ worker: Worker) {
        counters.threads.add(1, ordering: .relaxed)
        running.enter()
        let thread = Thread { [self] in
            worker.main()
            running.leave()
        }
        // The cases its answers resume are judged on it (`WorkerExecutor`):
        // the stack a thread of Swift's own pool has (glibc's default, 8 MB;
        // reserved, not touched, until a deep answer needs it).
        thread.stackSize = ConnectionPool.workerStackBytes
        thread.start()
    }

    /// The request's bytes when the caller may write them itself on the kept
    /// connection `plain`: a plain `http://` request to its origin, with
    /// nothing to refuse in its head, not cancelled, and the connection not
    /// readable (a server that closed it, or sent what nobody asked for, makes
    /// it readable: the worker then sees to it, as before). nil otherwise.
    static func writableNow(_ job: Job, on plain: Plain) -> [UInt8]? {
        #if canImport(Glibc)
            guard job.request.headProblem == nil, !job.flag.isSet, job.target.scheme?.lowercased() == "http",
                let host = job.target.host, !host.isEmpty,
                PlainHTTP.origin(https: false, host: host, port: job.target.port ?? 80) == plain.origin
            else { return nil }
            var p = pollfd(fd: plain.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) == 0 else { return nil }
            return PlainHTTP.requestBytes(job.request, target: job.target, host: host)
        #else
            return nil  // send(2) without MSG_NOSIGNAL could raise SIGPIPE on the caller's thread
        #endif
    }

    /// A worker is free again, with its kept connection's origin and socket
    /// when a caller may write on it; false when the pool is closed (the worker then ends).
    func release(_ worker: Worker, plain: Plain?) -> Bool {
        state.withLock { s in
            if s.closed {
                s.workers -= 1
                return false
            }
            s.idle.append(Idle(worker: worker, plain: plain))
            return true
        }
    }

    /// An idle worker's time is up: true if it left the pool (it then ends),
    /// false if it was just given a job (it is on its way).
    func retire(_ worker: Worker) -> Bool {
        state.withLock { s in
            guard let i = s.idle.firstIndex(where: { $0.worker === worker }) else { return false }
            s.idle.remove(at: i)
            s.workers -= 1
            return true
        }
    }

    /// An idle worker's kept connection became readable with no request on
    /// it: true if the worker is still idle (no caller may write on the
    /// connection from now on: the worker closes it); false if a caller has
    /// just taken the worker (the caller's job follows; the connection is
    /// the caller's to look at, and the worker must not close it under it).
    func forgetConnection(of worker: Worker) -> Bool {
        state.withLock { s in
            guard let i = s.idle.firstIndex(where: { $0.worker === worker }) else { return false }
            s.idle[i].plain = nil
            return true
        }
    }

    /// Closes every kept connection and ends every worker: idle ones now,
    /// busy ones when their exchange ends. Waits at most `wait` seconds for
    /// them (each `s_client` is ended and reaped within about a second).
    func shutdown(wait: Double = 0) {
        let idle = state.withLock { s in
            s.closed = true
            let idle = s.idle.map(\.worker)
            s.workers -= idle.count
            s.idle = []
            return idle
        }
        for w in idle { w.give(.stop) }
        if wait > 0 { _ = running.wait(timeout: .now() + wait) }
    }

    var workerCount: Int { state.withLock { $0.workers } }

    /// One thread and the connection it keeps.
    final class Worker: Sendable {
        enum Message: Sendable {
            /// A job; `written`: the part of its request a caller already wrote on the kept connection.
            case job(Job, written: PlainHTTP.Written?)
            case stop
        }
        let pool: ConnectionPool
        /// What the worker is given, and whether it is waiting for it: its
        /// kept socket became readable (an answer, most likely) before a
        /// caller that wrote on it had put the job here. The caller then wakes
        /// it; otherwise the answer is what wakes it.
        private struct Slot {
            var message: Message?
            var waiting = false
        }
        private let slot = Mutex(Slot())
        /// Whether the worker is running the cases its last answer resumed
        /// (`WorkerExecutor.drain`): from before it is freed until they wait again.
        let draining = Atomic<Bool>(false)
        /// The pipe that wakes the worker (both ends non-blocking): it waits
        /// on it and, when idle with a plain kept connection, on that socket
        /// too. -1 when the pool has no descriptors to spare for pipes, or
        /// none could be made: the worker is then woken by `wake`, and no
        /// caller writes on its connection.
        private let wakeRead: Int32
        private let wakeWrite: Int32
        private let wake = DispatchSemaphore(value: 0)
        var hasPipe: Bool { wakeRead >= 0 }
        /// Whether the worker saw its kept socket readable and waits for the job (tests).
        var isWaitingForJob: Bool { slot.withLock { $0.waiting } }

        init(pool: ConnectionPool) {
            self.pool = pool
            var ends: [Int32] = [-1, -1]
            if pool.pipes, pipe(&ends) == 0 {
                for fd in ends {
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                }
            } else {
                ends = [-1, -1]
            }
            wakeRead = ends[0]
            wakeWrite = ends[1]
        }

        deinit {
            if wakeRead >= 0 { _ = poolClose(wakeRead) }
            if wakeWrite >= 0 { _ = poolClose(wakeWrite) }
        }

        func give(_ message: Message) {
            slot.withLock { $0.message = message }
            signal()
        }

        /// `job`, whose request this (the caller's) thread writes on the worker's
        /// kept connection `fd` as far as the socket takes it now. All of it
        /// written: the worker is not woken (the answer will wake it). Less:
        /// the worker is woken to write the rest, or, with nothing written, to
        /// carry the job as it would have. Returns whether this thread wrote
        /// any of it.
        ///
        /// The request is written before the job is put in the slot, and
        /// outside the slot's lock: a caller preempted inside `send` (which
        /// wakes the server) once held that lock while the answer woke the
        /// worker, and the worker spun on it (2–4 % of our client's CPU:
        /// perf, issue 24). A worker whose socket turns readable before the
        /// job is here says so in the slot (`waiting`), and this caller then
        /// wakes it; both look under the slot's lock, so one of them sees the
        /// other.
        func giveWriting(_ job: Job, fd: Int32, bytes: [UInt8]) -> Bool {
            let n = PlainHTTP.sendNow(fd, bytes)
            pool.afterCallerWrite?(self)
            let waiting = slot.withLock { s -> Bool in
                s.message = .job(job, written: n > 0 ? PlainHTTP.Written(bytes: bytes, count: n) : nil)
                defer { s.waiting = false }
                return s.waiting
            }
            if n < bytes.count || waiting { signal() }
            return n > 0
        }

        private func signal() {
            guard hasPipe else {
                wake.signal()
                return
            }
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)  // a full pipe wakes the worker as well
        }

        private func drain() {
            var sink = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            while withUnsafeMutableBytes(of: &sink, { read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
        }

        func main() {
            var kept: KeptConnection?
            defer { kept?.close() }
            // The cases this worker's answers resume run here (`WorkerExecutor`).
            let jobs = WorkerExecutor.Jobs(worker: self)
            WorkerExecutor.shared.adopt(jobs)
            defer { WorkerExecutor.shared.adopt(nil) }
            let readBuffer = ReadBuffer()
            var idleSince = ContinuousClock.now
            /// The kept socket was readable with no job, and a caller had taken the worker: wait on the pipe alone until its job comes.
            var taken = false
            // The pipe and the kept socket, made once for the worker's life and set at each wait (not an array a wake-up).
            var waits = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0), pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
            while true {
                let plain = hasPipe && !taken ? kept?.plain?.fd ?? -1 : -1
                waits[0].revents = 0
                waits[1].fd = plain
                waits[1].revents = 0
                if hasPipe {
                    _ = poll(&waits, 2, pool.tickMilliseconds)  // a descriptor of -1 is not waited on
                    if waits[0].revents != 0 { drain() }
                } else {
                    _ = wake.wait(timeout: .now() + Double(pool.tickMilliseconds) / 1000)
                }
                let readable = plain >= 0 && waits[1].revents != 0
                if let message = slot.withLock({ s -> Message? in
                    guard let m = s.message else {
                        if readable { s.waiting = true }  // until a job comes (taken, it waits on the pipe alone)
                        return nil
                    }
                    s.message = nil
                    s.waiting = false
                    return m
                }) {
                    taken = false
                    guard case .job(let job, let written) = message else { return }
                    var exchange = PlainHTTP.Exchange(deadline: job.deadline, timeout: job.timeout, flag: job.flag, limits: job.limits)
                    exchange.caFile = job.caFile
                    exchange.tlsLibrary = pool.tlsLibrary
                    exchange.counters = pool.counters
                    exchange.keepAlive = true
                    exchange.readBuffer = readBuffer
                    exchange.answerSeen = readable
                    let (result, next) = exchange.run(job.request, target: job.target, kept: kept, written: written)
                    kept = next
                    // Free before answering, so that the caller's next request finds this worker and its connection.
                    draining.store(true, ordering: .relaxed)
                    let stays = pool.release(self, plain: hasPipe ? next?.plain : nil)
                    job.continuation.resume(returning: result)
                    WorkerExecutor.shared.drain(jobs)
                    draining.store(false, ordering: .relaxed)
                    if !stays { return }
                    idleSince = .now
                    continue
                }
                if readable {
                    // Readable with no job here: the answer to a request a caller is
                    // about to hand over (it is no longer idle: the caller wakes it),
                    // or, idle, the server closed it or sent what nobody asked for.
                    if pool.forgetConnection(of: self) {
                        kept?.close()
                        kept = nil
                    } else {
                        taken = true
                    }
                    continue
                }
                if ContinuousClock.now - idleSince >= .seconds(pool.idleSeconds), pool.retire(self) { return }
                // Not retired: given a job as the time ran out (it is in the slot, or on its way).
            }
        }
    }
}

private func poolClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.close(fd)
    #else
        Darwin.close(fd)
    #endif
}
