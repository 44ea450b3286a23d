import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The task executor the runner's cases prefer: a case resumed by a pool
/// worker (its answer read) runs on that worker's thread, after the worker
/// has handed the answer over and before it waits again; resumed anywhere
/// else, on Swift's global executor, as without a preference. A case whose
/// answer is read before it has suspended (its thread lost the CPU between
/// writing the request and awaiting the answer) was never resumed: it goes
/// on where it was, on Swift's threads (slower, not wrong; CI saw it five
/// requests in a row under load, WorkerExecutorTests).
///
/// Why: the worker that read an answer used to resume its case on the
/// cooperative pool, which woke one of its threads: two context switches of
/// our client a request; now 1.1. On shared cores our client's CPU a
/// request did not move beyond the noise. The simulator's under it fell by
/// about a tenth in one A/B; measured again in both orders, the two
/// together fell by 2.6 %, within the noise (the judged request rate, issue
/// 24). With a CPU of its own, our client takes about 5–10 % more, near
/// this host's noise (Design.md; Benchmarks.md, twenty-first and
/// twenty-second passes).
///
/// What a worker runs is never run inside `enqueue`: the job is queued on
/// the worker's own list, and the worker runs the list once `resume`
/// returns (an event loop's order, as SwiftNIO's), until it is empty.
/// Only the worker's own thread reads or writes its list.
final class WorkerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = WorkerExecutor()

    /// The jobs queued on one worker's thread; only that thread touches them.
    final class Jobs: @unchecked Sendable {
        fileprivate var queue: [UnownedJob] = []
        fileprivate var head = 0
        /// The worker whose thread this is (it outlives the list: the list lives in its `main`).
        unowned let worker: ConnectionPool.Worker

        init(worker: ConnectionPool.Worker) { self.worker = worker }
    }

    private let key: pthread_key_t

    private init() {
        var k = pthread_key_t()
        precondition(pthread_key_create(&k, nil) == 0, "no thread-specific key left for the pool's executor")
        key = k
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if let p = pthread_getspecific(key) {
            Unmanaged<Jobs>.fromOpaque(p).takeUnretainedValue().queue.append(job)
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// Whether the calling thread is a pool worker's (tests: the run's own
    /// code after its cases is not, so it never waits on a worker from one).
    var onWorkerThread: Bool { pthread_getspecific(key) != nil }

    /// The calling worker thread's list (and through it its worker); nil on any other thread.
    var currentJobs: Jobs? {
        pthread_getspecific(key).map { Unmanaged<Jobs>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Marks the calling thread as a worker with the list `jobs` (retained by the caller for the thread's life).
    func adopt(_ jobs: Jobs?) {
        pthread_setspecific(key, jobs.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
    }

    /// Runs what was queued on the calling worker's list, in order, until it is empty.
    func drain(_ jobs: Jobs) {
        let me = asUnownedTaskExecutor()
        while jobs.head < jobs.queue.count {
            let job = jobs.queue[jobs.head]
            jobs.head += 1
            job.runSynchronously(on: me)
        }
        jobs.queue.removeAll(keepingCapacity: true)
        jobs.head = 0
    }
}
