import ConformanceKit
import Foundation
import Synchronization

/// What a run says while it runs, as a value: the caller feeds it events and
/// the time, and prints the line it returns. On a terminal a live line,
/// rewritten at every event and every second from the first request on
/// (preflight included); without one a plain line every `interval` seconds
/// or every 10% of the cases, whichever comes first; with `--quiet` nothing.
struct ProgressState {
    enum Mode: Equatable {
        case live
        case periodic(interval: Double)
        case quiet
    }

    var mode: Mode
    var total: Int
    var started: Double
    var done = 0
    var failing = 0
    /// What the run is doing before its cases: "checking the profile", …; nil once cases finish.
    var phase: String? = "starting"
    var lastPrinted: Double
    /// The last tenth of the cases a periodic line was printed for.
    var lastTenth = 0

    init(mode: Mode, total: Int, now: Double) {
        self.mode = mode
        self.total = total
        self.started = now
        self.lastPrinted = now
    }

    /// `37/257 cases (14%), 3 failing so far, 12 s elapsed`, or the phase before the first case.
    func line(now: Double) -> String {
        let elapsed = "\(Int(now - started)) s elapsed"
        if done == 0, let phase { return "progress: \(phase), \(elapsed)" }
        let percent = total == 0 ? 100 : done * 100 / total
        return "progress: \(done)/\(total) cases (\(percent)%), \(failing) failing so far, \(elapsed)"
    }

    mutating func enter(_ phase: String, now: Double) -> String? {
        self.phase = phase
        return mode == .live ? printed(now) : nil
    }

    mutating func finished(_ r: CaseResult, now: Double) -> String? {
        done += 1
        phase = nil
        if !r.verdict.conforms, r.verdict.isJudgedOrErrored { failing += 1 }
        switch mode {
        case .quiet: return nil
        case .live: return printed(now) + " · last: \(r.endpointID)/\(r.caseID) \(r.verdict.label)"
        case .periodic(let interval):
            let tenth = total == 0 ? 10 : done * 10 / total
            if tenth > lastTenth || now - lastPrinted >= interval {
                lastTenth = tenth
                return printed(now)
            }
            return nil
        }
    }

    /// A clock tick: the live line's elapsed time, or a periodic line when `interval` passed silent.
    mutating func tick(now: Double) -> String? {
        switch mode {
        case .quiet: return nil
        case .live: return printed(now)
        case .periodic(let interval): return now - lastPrinted >= interval ? printed(now) : nil
        }
    }

    private mutating func printed(_ now: Double) -> String {
        lastPrinted = now
        return line(now: now)
    }
}

extension Verdict {
    /// Failed or errored (skipped cases are neither failing nor judged).
    var isJudgedOrErrored: Bool {
        switch self {
        case .failed, .error: return true
        case .passed, .ambiguous, .skipped: return false
        }
    }
}

/// The running progress: `ProgressState` behind a lock, a ticker that wakes
/// every second, and where lines go (the live line, or standard error).
final class RunProgress: Sendable {
    let state: Mutex<ProgressState>
    let clock: RunClock
    let emit: @Sendable (String) -> Void
    let ticker = Mutex<Task<Void, Never>?>(nil)

    init(mode: ProgressState.Mode, total: Int, clock: RunClock = .system, console: Console) {
        self.clock = clock
        state = Mutex(ProgressState(mode: mode, total: total, now: clock.now()))
        let live = console.progress
        let err = console.err
        emit = { line in if mode == .live { live?(line) } else { err(line) } }
        guard mode != .quiet else { return }
        ticker.withLock {
            $0 = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    guard let self, !Task.isCancelled else { return }
                    if let line = self.state.withLock({ $0.tick(now: self.clock.now()) }) { self.emit(line) }
                }
            }
        }
    }

    func enter(_ phase: String) {
        if let line = state.withLock({ $0.enter(phase, now: clock.now()) }) { emit(line) }
    }

    func setTotal(_ total: Int) { state.withLock { $0.total = total } }

    func finished(_ r: CaseResult) {
        if let line = state.withLock({ $0.finished(r, now: clock.now()) }) { emit(line) }
    }

    /// Stops the ticker and clears the live line.
    func end() {
        ticker.withLock {
            $0?.cancel()
            $0 = nil
        }
        if state.withLock({ $0.mode }) == .live { emit("") }
    }
}

/// `--max-failures N` and the unreachable-target guard, as a value: fed each
/// finished case, it says when judging more is pointless and why.
struct EarlyStop {
    /// Stop once this many cases failed or errored (nil: never).
    var maxFailures: Int?
    /// Stop when this many first finished cases (that sent something) all failed at the transport.
    var unreachableAfter = 5
    var failing = 0
    var sent = 0
    var transportFailures = 0
    var firstTransportFailure: String?

    mutating func finished(_ r: CaseResult) -> String? {
        if case .skipped = r.verdict { return nil }
        if !r.verdict.conforms { failing += 1 }
        if let maxFailures, failing >= maxFailures {
            return "--max-failures \(maxFailures) reached (\(failing) case\(failing == 1 ? "" : "s") failed or errored)"
        }
        guard sent < unreachableAfter, r.requests > 0 else { return nil }
        sent += 1
        // No status: nothing came back (refused, reset, timed out, unreadable).
        if case .error(let why) = r.verdict, r.status == nil, r.requests > 0 {
            transportFailures += 1
            if firstTransportFailure == nil { firstTransportFailure = why }
        }
        if sent == unreachableAfter, transportFailures == unreachableAfter {
            return "the target answered none of the first \(unreachableAfter) cases' requests (\(firstTransportFailure ?? "")); "
                + "judging the rest is pointless: check the base URL and that the server is up"
        }
        return nil
    }
}
