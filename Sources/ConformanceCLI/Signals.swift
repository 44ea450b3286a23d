import Dispatch
import Foundation
import Synchronization
import ConformanceKit

extension CLI {
    /// Calls `handler` with the signal's name on SIGINT or SIGTERM until cancelled.
    final class SignalWatcher {
        var sources: [any DispatchSourceSignal] = []
        init(_ handler: @escaping @Sendable (String) -> Void) {
            for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { handler(name) }
                src.resume()
                sources.append(src)
            }
        }
        func cancel() {
            for s in sources { s.cancel() }
            for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
        }
    }

    /// Returns on SIGINT or SIGTERM.
    static func waitForTermination() async {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { continuation.yield(sig) }
            src.resume()
            sources.append(src)
        }
        for await _ in signals { break }
        // Using the sources here also keeps them alive while we wait.
        for src in sources { src.cancel() }
    }
}

extension CLI {
    /// Ctrl-C or SIGTERM over a whole run: the flag stops sending at once, and
    /// `cancelCurrent` (called 2 s later) cancels the step in progress (the
    /// pool check, the profile check or the cases), so the report is still written.
    final class Interruption: Sendable {
        let stop = StopFlag()
        private let current = Mutex<(@Sendable () -> Void)?>(nil)

        func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
            let task = Task { await work() }
            current.withLock { $0 = { task.cancel() } }
            defer { current.withLock { $0 = nil } }
            if stop.reason != nil { task.cancel() }
            return await task.value
        }

        func cancelCurrent() { current.withLock { $0 }?() }
    }
}
