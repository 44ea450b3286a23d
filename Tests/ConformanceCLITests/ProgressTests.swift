@testable import ConformanceCLI
import ConformanceKit
import Foundation
import Synchronization
import Testing

/// Progress, early stops and the request rate, each a value fed events and a
/// clock the test moves: nothing waits, and no assertion reads the wall clock.
@Suite struct ProgressTests {
    typealias R = ReportFormatTests

    /// A server answering in 1 s, no terminal: 30 cases finish one a second after a 25 s preflight;
    /// the clock ticks every second as the ticker does. No gap between lines exceeds 10 s.
    @Test func withoutATerminalALineComesAtLeastEvery10Seconds() {
        // Every time here is the test's own clock (the `now:` arguments); no wall clock is read.
        var p = ProgressState(mode: .periodic(interval: 10), total: 257, now: 0)
        var printed: [(Double, String)] = []
        #expect(p.enter("checking the profile against the target", now: 0) == nil, "periodic mode waits for its interval")
        var now = 0.0
        for _ in 0..<25 {
            now += 1
            if let l = p.tick(now: now) { printed.append((now, l)) }
        }
        #expect(printed.map(\.1) == ["progress: checking the profile against the target, 10 s elapsed", "progress: checking the profile against the target, 20 s elapsed"])
        for i in 0..<30 {
            now += 1
            if let l = p.finished(R.result("c\(i)", i % 7 == 0 ? .failed : .passed), now: now) { printed.append((now, l)) }
            if let l = p.tick(now: now) { printed.append((now, l)) }
        }
        var last = 0.0
        for (t, _) in printed {
            #expect(t - last <= 10, "a silence of \(t - last) s")
            last = t
        }
        #expect(now - last <= 10)
        #expect(printed.last?.1.hasPrefix("progress: ") == true && printed.last?.1.contains("/257 cases (") == true, "\(printed.last?.1 ?? "")")
        #expect(p.line(now: now) == "progress: 30/257 cases (11%), 5 failing so far, 55 s elapsed")
    }

    @Test func withoutATerminalEveryTenthOfTheCasesPrintsALine() {
        // Every time here is the test's own clock (the `now:` arguments); no wall clock is read.
        var p = ProgressState(mode: .periodic(interval: 10), total: 20, now: 0)
        var lines: [String] = []
        for i in 0..<20 {
            // A fast server: all 20 within 2 s, so only the tenths print.
            if let l = p.finished(R.result("c\(i)", .passed), now: Double(i) * 0.1) { lines.append(l) }
        }
        #expect(lines.count == 10)
        #expect(lines.first == "progress: 2/20 cases (10%), 0 failing so far, 0 s elapsed")
        #expect(lines.last == "progress: 20/20 cases (100%), 0 failing so far, 1 s elapsed")
    }

    @Test func onATerminalTheLiveLineStartsWithThePreflightAndQuietPrintsNothing() {
        // Every time here is the test's own clock (the `now:` arguments); no wall clock is read.
        var live = ProgressState(mode: .live, total: 3, now: 0)
        #expect(live.enter("checking the profile against the target", now: 0) == "progress: checking the profile against the target, 0 s elapsed")
        #expect(live.tick(now: 1) == "progress: checking the profile against the target, 1 s elapsed")
        #expect(live.finished(R.result("a", .failed), now: 2) == "progress: 1/3 cases (33%), 1 failing so far, 2 s elapsed · last: mvno-account-get/a failed")
        var quiet = ProgressState(mode: .quiet, total: 3, now: 0)
        #expect(quiet.enter("x", now: 0) == nil && quiet.tick(now: 100) == nil && quiet.finished(R.result("a", .failed), now: 200) == nil)
    }

    @Test func maxFailuresStopsAtTheNthFailingCase() {
        var e = EarlyStop(maxFailures: 2)
        var ok = R.result("a", .passed)
        ok.requests = 1
        ok.status = 200
        var bad = R.result("b", .failed)
        bad.requests = 1
        bad.status = 200
        #expect(e.finished(ok) == nil)
        #expect(e.finished(bad) == nil)
        #expect(e.finished(R.result("s", .skipped("no fixture"))) == nil, "a skipped case is no failure")
        #expect(e.finished(bad) == "--max-failures 2 reached (2 cases failed or errored)")
    }

    @Test func theFirstFiveCasesAllUnansweredStopTheRunOnce() {
        func refused(_ id: String) -> CaseResult {
            var r = R.result(id, .error("connection refused"))
            r.requests = 1
            r.status = nil
            return r
        }
        var e = EarlyStop(maxFailures: nil)
        let reasons = (0..<8).map { e.finished(refused("c\($0)")) }
        #expect(reasons.compactMap { $0 }.count == 1, "one error, not one per case")
        #expect(reasons[4]?.hasPrefix("the target answered none of the first 5 cases' requests (connection refused)") == true)
        var answered = EarlyStop(maxFailures: nil)
        var ok = R.result("ok", .passed)
        ok.requests = 1
        ok.status = 200
        #expect(answered.finished(ok) == nil)
        #expect((0..<8).allSatisfy { answered.finished(refused("c\($0)")) == nil }, "one answer means the target is reachable")
    }

    /// 4 requests a second: ten requests from four jobs go at 0, 0.25, 0.5, … on the test's clock.
    @Test func theRateSpacesRequestsOnTheInjectedClock() async {
        let now = Mutex(100.0)
        let clock = RunClock { now.withLock { $0 } }
        let pacer = RequestPacer(perSecond: 4, clock: clock, sleep: { _ in })
        var delays: [Double] = []
        for _ in 0..<10 { delays.append(pacer.reserve()) }
        let spaced: [Double] = (0..<10).map { (i: Int) -> Double in Double(i) * 0.25 }
        #expect(delays == spaced)
        // Time moves past the reserved slots: the next request goes at once, and the one after waits a gap.
        now.withLock { $0 = 110 }
        #expect(pacer.reserve() == 0)
        #expect(pacer.reserve() == 0.25)
        // wait() sleeps exactly the reserved delay, through the sleep handed in.
        let slept = Mutex<[Double]>([])
        let recorded = RequestPacer(perSecond: 2, clock: clock, sleep: { s in slept.withLock { $0.append(s) } })
        for _ in 0..<3 { await recorded.wait() }
        #expect(slept.withLock { $0 } == [0.5, 1.0], "the first goes at once")
    }

    @Test func maxFailuresOneStopsTheRunAndSkipsTheRest() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance([
            "run", "--suite", Project.cases, "--reports", tmp.path, "--fault", "get-cross-tenant", "--endpoint", "mvno-account-get",
            "--jobs", "1", "--max-failures", "1", "--rate", "1000",
        ])
        #expect(status == 1, "\(c.out)\n\(c.err)")
        #expect(c.err.contains("stopping: --max-failures 1 reached (1 case failed or errored); the cases not yet run are skipped"), "\(c.err)")
        #expect(c.out.contains("cases: not run: --max-failures 1 reached"), "\(c.out)")
        let counts = try JSONReporter.decode(try tmp.read("results.json")).counts
        #expect(counts.failed + counts.errors == 1 && counts.skipped > 0, "\(counts)")
    }
}
