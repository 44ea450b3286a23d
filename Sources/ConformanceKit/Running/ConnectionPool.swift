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
}

final class TransportCounters: Sendable {
    let requests = Atomic<Int>(0)
    let connections = Atomic<Int>(0)
    let threads = Atomic<Int>(0)
    func connectionOpened() { connections.add(1, ordering: .relaxed) }
    var snapshot: TransportStatistics {
        TransportStatistics(
            requests: requests.load(ordering: .relaxed), connections: connections.load(ordering: .relaxed),
            threads: threads.load(ordering: .relaxed))
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
final class ConnectionPool: Sendable {
    let capacity: Int
    let idleSeconds: Double
    /// The library `https://` uses in the process; nil: `s_client` (`TLSTunnel`).
    let tlsLibrary: TLSLibrary?
    let counters = TransportCounters()
    private let state = Mutex(State())
    /// Entered by each worker for its life: `shutdown` waits for it (bounded).
    private let running = DispatchGroup()

    private struct State: Sendable {
        var idle: [Worker] = []
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

    /// `capacity` 0: no worker, every exchange on a connection of its own.
    init(capacity: Int, idleSeconds: Double = 2, tlsLibrary: TLSLibrary? = TLSLibrary.shared) {
        self.capacity = max(0, capacity)
        self.idleSeconds = idleSeconds
        self.tlsLibrary = tlsLibrary
    }

    /// Runs `job` on an idle worker, a new one (below capacity), or a thread of its own.
    func submit(_ job: Job) {
        counters.requests.add(1, ordering: .relaxed)
        enum Pick {
            case worker(Worker)
            case new(Worker)
            case alone
        }
        let pick: Pick = state.withLock { s in
            if s.closed { return .alone }
            if let w = s.idle.popLast() { return .worker(w) }
            if s.workers < capacity {
                s.workers += 1
                return .new(Worker(pool: self))
            }
            return .alone
        }
        switch pick {
        case .worker(let w):
            w.give(.job(job))
        case .new(let w):
            w.give(.job(job))
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

    private func start(_ worker: Worker) {
        counters.threads.add(1, ordering: .relaxed)
        running.enter()
        let thread = Thread { [self] in
            worker.main()
            running.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// A worker is free again; false when the pool is closed (the worker then ends).
    func release(_ worker: Worker) -> Bool {
        state.withLock { s in
            if s.closed {
                s.workers -= 1
                return false
            }
            s.idle.append(worker)
            return true
        }
    }

    /// An idle worker's time is up: true if it left the pool (it then ends),
    /// false if it was just given a job (it is on its way).
    func retire(_ worker: Worker) -> Bool {
        state.withLock { s in
            guard let i = s.idle.firstIndex(where: { $0 === worker }) else { return false }
            s.idle.remove(at: i)
            s.workers -= 1
            return true
        }
    }

    /// Closes every kept connection and ends every worker: idle ones now,
    /// busy ones when their exchange ends. Waits at most `wait` seconds for
    /// them (each `s_client` is ended and reaped within about a second).
    func shutdown(wait: Double = 0) {
        let idle = state.withLock { s in
            s.closed = true
            let idle = s.idle
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
            case job(Job)
            case stop
        }
        let pool: ConnectionPool
        private let wake = DispatchSemaphore(value: 0)
        private let slot = Mutex<Message?>(nil)

        init(pool: ConnectionPool) { self.pool = pool }

        func give(_ message: Message) {
            slot.withLock { $0 = message }
            wake.signal()
        }

        func main() {
            var kept: KeptConnection?
            defer { kept?.close() }
            let readBuffer = ReadBuffer()
            while true {
                if wake.wait(timeout: .now() + pool.idleSeconds) == .timedOut {
                    if pool.retire(self) { return }
                    continue  // given a job as the time ran out: its signal follows
                }
                guard let message = slot.withLock({ m -> Message? in
                    defer { m = nil }
                    return m
                }) else { continue }
                guard case .job(let job) = message else { return }
                var exchange = PlainHTTP.Exchange(deadline: job.deadline, timeout: job.timeout, flag: job.flag, limits: job.limits)
                exchange.caFile = job.caFile
                exchange.tlsLibrary = pool.tlsLibrary
                exchange.counters = pool.counters
                exchange.keepAlive = true
                exchange.readBuffer = readBuffer
                let (result, next) = exchange.run(job.request, target: job.target, kept: kept)
                kept = next
                // Free before answering, so that the caller's next request finds this worker and its connection.
                let stays = pool.release(self)
                job.continuation.resume(returning: result)
                if !stays { return }
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
