import Dispatch
import Foundation

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
