import Synchronization

/// `--rate N`: at most N requests a second, over every request of a run
/// (preflight, profile check, cases, retries), whatever `--jobs` is. Each
/// request reserves the next free slot, 1/N s after the one before, and
/// waits for it. The clock and the sleep are handed in, so a test checks the
/// spacing on a clock it moves, without waiting.
public final class RequestPacer: Sendable {
    public let perSecond: Double
    let clock: RunClock
    let sleep: @Sendable (Double) async -> Void
    /// When the next request may go, on `clock`.
    let next = Mutex<Double?>(nil)

    public init(perSecond: Double, clock: RunClock = .system, sleep: (@Sendable (Double) async -> Void)? = nil) {
        self.perSecond = perSecond
        self.clock = clock
        self.sleep = sleep ?? { seconds in try? await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up)))) }
    }

    /// The wait before the next request may go (0 when it may go now), and that slot taken.
    package func reserve() -> Double {
        let now = clock.now()
        let gap = 1 / perSecond
        return next.withLock { next in
            let slot = max(now, next ?? now)
            next = slot + gap
            return slot - now
        }
    }

    /// Waits for this request's slot.
    public func wait() async {
        let delay = reserve()
        if delay > 0 { await sleep(delay) }
    }
}
