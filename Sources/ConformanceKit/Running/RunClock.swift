/// Where a run reads the time for its overall deadline and for when a
/// logged-in token is due for renewal: seconds on a monotonic scale. The
/// system's clock by default; tests hand in a clock they move themselves, so
/// a deadline or an expiry is tested without waiting for it.
public struct RunClock: Sendable {
    /// Seconds since an arbitrary origin, never going back.
    public let now: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double) { self.now = now }

    public static let system: RunClock = {
        let origin = ContinuousClock.now
        return RunClock { (ContinuousClock.now - origin).seconds }
    }()
}
