import Foundation
import Synchronization

/// Where the simulator reads the time: login token lifetimes, "today" (a
/// startDate in the past) and the deleted list's 30-day windows. The system
/// clock by default; tests hand in a `ManualClock` and move it themselves,
/// so no test waits for or races real time.
public struct SimulatorClock: Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let now: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double) { self.now = now }

    public static let system = SimulatorClock { Date().timeIntervalSince1970 }

    /// A clock that reads `manual`.
    public static func manual(_ manual: ManualClock) -> SimulatorClock { SimulatorClock { manual.now } }

    var epochSeconds: Int { Int(now().rounded(.down)) }
}

/// A clock that stands still until moved.
public final class ManualClock: Sendable {
    let seconds: Mutex<Double>
    public init(epochSeconds: Double) { seconds = Mutex(epochSeconds) }
    public var now: Double { seconds.withLock { $0 } }
    public func advance(by duration: Duration) {
        let c = duration.components
        seconds.withLock { $0 += Double(c.seconds) + Double(c.attoseconds) / 1e18 }
    }
}
