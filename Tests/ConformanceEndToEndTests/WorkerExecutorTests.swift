@testable import ConformanceKit
import ConformanceTesting
import Foundation
import HTTPServer
import Synchronization
import TelecomXSimulator
import Testing

/// The pool's task executor (`WorkerExecutor`): a task that prefers it and
/// is resumed by the worker that read its answer goes on on that worker's
/// thread; anything else goes on on Swift's own threads, as before; and a
/// run's cases are judged on workers while the run itself ends off them.
@Suite(.timeLimit(.minutes(10))) struct WorkerExecutorTests {
    static let slowAnswerSeconds = 0.3

    /// Answers at once, or after `slowAnswerSeconds` for `/slow`.
    static func server() throws -> HTTPServer {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, idleTimeoutSeconds: 600)) { request in
            if request.path == "/slow" { Thread.sleep(forTimeInterval: slowAnswerSeconds) }
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"ok":true}"#.utf8))
        }
        try server.start()
        return server
    }

    static func get(_ t: URLSessionTransport, _ url: String) async throws -> Int {
        try await t.send(OutgoingRequest(method: "GET", url: url, headers: [], body: nil), timeout: 20).status
    }

    @Test func aTaskThatPrefersThePoolGoesOnOnTheWorkerThatReadItsAnswer() async throws {
        let server = try Self.server()
        defer { server.shutdown() }
        let t = URLSessionTransport(maxConnections: 1, keepAliveSeconds: 600)
        defer { t.closeConnections() }
        // Without the preference: resumed on Swift's own threads.
        #expect(try await Self.get(t, server.baseURL + "/a") == 200)
        #expect(!WorkerExecutor.shared.onWorkerThread)
        let (tries, seen) = try await withTaskExecutorPreference(WorkerExecutor.shared) { () async throws -> (Int, [String]) in
            // Onto a worker. A caller off the workers writes its request
            // inside the continuation's body; a caller that loses the CPU
            // before it suspends can find its answer already read and goes
            // on where it was (as a run under load does now and then: CI saw
            // it five times in a row). A slow answer leaves it the time to
            // suspend; tried again, bounded, if it did not.
            var tries = 0
            while tries < 10 {
                tries += 1
                #expect(try await Self.get(t, server.baseURL + "/slow") == 200)
                if WorkerExecutor.shared.onWorkerThread { break }
            }
            // On a worker, a case's next request goes out on that worker's
            // own connection, written by the case on the worker's thread; the
            // worker reads no answer before the case has suspended: no race left.
            var seen: [String] = []
            for _ in 0..<5 {
                let status = try await Self.get(t, server.baseURL + "/b")
                seen.append("\(status) on a worker: \(WorkerExecutor.shared.onWorkerThread)")
            }
            return (tries, seen)
        }
        #expect(tries < 10, "never resumed on the worker, with \(Self.slowAnswerSeconds) s to suspend, in \(tries) tries")
        #expect(seen == Array(repeating: "200 on a worker: true", count: 5))
        // Off the worker again at the next suspension, the preference gone (as `runAll` does).
        await Task.yield()
        #expect(!WorkerExecutor.shared.onWorkerThread)
        // One worker, one connection: the requests the task wrote from the
        // worker's own thread went on the worker's kept connection.
        #expect(t.statistics == TransportStatistics(requests: 1 + tries + 5, connections: 1, threads: 1, writtenByCaller: tries + 5))
        #expect(server.acceptedConnectionCount == 1)
    }

    /// Jobs queued on a worker's list run in order when the worker drains
    /// it, including those queued while it drains; none runs inside `enqueue`.
    @Test func aWorkersJobsRunInOrderWhenItDrains() async throws {
        let pool = ConnectionPool(capacity: 1)
        let owner = ConnectionPool.Worker(pool: pool)
        let jobs = WorkerExecutor.Jobs(worker: owner)
        let order = Mutex<[String]>([])
        let (started, go) = AsyncStream.makeStream(of: Void.self)
        let resumed = Mutex<CheckedContinuation<Void, Never>?>(nil)
        // A task that prefers the executor and waits; a thread of our own adopts
        // a list, resumes it, and looks before and after draining.
        let task = Task {
            await withTaskExecutorPreference(WorkerExecutor.shared) {
                await withCheckedContinuation { c in
                    resumed.withLock { $0 = c }
                    go.yield()
                }
                order.withLock { $0.append("resumed on the worker: \(WorkerExecutor.shared.onWorkerThread)") }
                await Task.yield()  // queued again on the same list, while it drains
                order.withLock { $0.append("after a yield on the worker: \(WorkerExecutor.shared.onWorkerThread)") }
            }
        }
        for await _ in started { break }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            WorkerExecutor.shared.adopt(jobs)
            resumed.withLock { $0 }!.resume()
            order.withLock { $0.append("resume returned") }
            WorkerExecutor.shared.drain(jobs)
            order.withLock { $0.append("drained") }
            WorkerExecutor.shared.adopt(nil)
            done.signal()
        }
        thread.start()
        await task.value
        #expect(done.wait(timeout: .now() + 60) == .success)
        withExtendedLifetime(owner) {}
        #expect(
            order.withLock { $0 } == [
                "resume returned", "resumed on the worker: true", "after a yield on the worker: true", "drained",
            ])
    }

    /// Which idle worker a request goes to: the calling worker's own when
    /// it is idle; else the latest freed that is not running cases; else
    /// the latest freed.
    @Test func aRequestGoesToItsOwnWorkerOrOneNotRunningCases() {
        let pool = ConnectionPool(capacity: 4)
        let (a, b, c) = (ConnectionPool.Worker(pool: pool), ConnectionPool.Worker(pool: pool), ConnectionPool.Worker(pool: pool))
        #expect(ConnectionPool.choice(among: [], own: nil) == nil)
        #expect(ConnectionPool.choice(among: [], own: a) == nil)
        #expect(ConnectionPool.choice(among: [a, b, c], own: nil) == 2)
        c.draining.store(true, ordering: .relaxed)
        #expect(ConnectionPool.choice(among: [a, b, c], own: nil) == 1)
        b.draining.store(true, ordering: .relaxed)
        #expect(ConnectionPool.choice(among: [a, b, c], own: nil) == 0)
        a.draining.store(true, ordering: .relaxed)
        #expect(ConnectionPool.choice(among: [a, b, c], own: nil) == 2)
        // Its own, draining or not, wherever it is in the list.
        #expect(ConnectionPool.choice(among: [a, b, c], own: a) == 0)
        a.draining.store(false, ordering: .relaxed)
        #expect(ConnectionPool.choice(among: [a, b, c], own: b) == 1)
        // Its own not idle (taken): as for a caller of Swift's own threads.
        #expect(ConnectionPool.choice(among: [a, c], own: b) == 0)
    }

    /// A run over kept connections: its cases are collected on workers (the
    /// progress callback runs where the loop that collects them runs), and
    /// `runAll` returns on none, so that closing the pool (which waits for
    /// its workers) is never done from a worker's own thread.
    @Test func aRunCollectsItsCasesOnWorkersAndEndsOffThem() async throws {
        var suite = try SuiteLoader.load(root: Project.cases).suite
        suite.cases = suite.cases.filter { $0.endpoint == "mvno-account-get" }
        #expect(suite.cases.count >= 5)
        var (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        let simulator = TelecomXSimulator()
        // Each answer a little late, so that a case sending from Swift's
        // own threads has suspended before it comes (as in the test above).
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) {
            Thread.sleep(forTimeInterval: 0.1)
            return simulator.respond($0)
        }
        let port = try server.start()
        defer { server.shutdown() }
        profile.baseURL = "http://127.0.0.1:\(port)"
        var env: [String: String] = [:]
        let tokens = Dictionary(uniqueKeysWithValues: Seed.standard.tokensByRole.map { ($0.role, $0.token) })
        for (role, variable) in profile.credentialVariables { env[variable] = tokens[role.rawValue] }
        let onWorker = Mutex<[Bool]>([])
        var options = RunOptions(jobs: 2, timeout: 20)
        options.progress = { _, _, _ in onWorker.withLock { $0.append(WorkerExecutor.shared.onWorkerThread) } }
        let transport = URLSessionTransport(maxConnections: 2, keepAliveSeconds: 600)
        defer { transport.closeConnections() }
        let runner = Conformance.engine(
            suite: suite, target: profile, credentials: Credentials(profile: profile, environment: env), transport: transport,
            options: options)
        let plan = Planner.plan(suite: suite, target: profile, credentials: Credentials(profile: profile, environment: env))
        let run = await runner.run(plan)
        #expect(!WorkerExecutor.shared.onWorkerThread)
        #expect(run.results.count == suite.cases.count)
        #expect(run.results.allSatisfy { $0.verdict.conforms }, "\(run.results.filter { !$0.verdict.conforms }.map(\.caseID))")
        let seen = onWorker.withLock { $0 }
        #expect(seen.count == suite.cases.count)
        // A case's last step is an answer a worker read, and the loop is
        // resumed there: all of them in every run seen here. (Asserted for
        // most, not all: a case resumed last by a timer, a retry's pause,
        // or one that lost the CPU for longer than its answer took before
        // it suspended, goes on on Swift's own threads.)
        #expect(seen.filter { $0 }.count * 2 > seen.count, "\(seen)")
    }
}
