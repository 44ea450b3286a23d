import Foundation

/// Where the commands write: standard output and standard error, or a capture in tests.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    /// Writes without a line break (prompts).
    func out(_ s: String, terminator: Bool) {
        if terminator { out(s) } else { FileHandle.standardOutput.write(Data(s.utf8)) }
    }
    public var err: @Sendable (String) -> Void
    /// Colour the verdict words (only on a terminal, never with NO_COLOR).
    public var colour: Bool
    /// Rewrites one live progress line (only when standard error is a terminal).
    public var progress: (@Sendable (String) -> Void)?
    /// Without a live line: print a progress line to standard error this often (seconds) and every
    /// 10% of the cases; nil for none (tests' captures, unless they ask).
    public var progressEvery: Double?

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, colour: Bool = false,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.out = out
        self.err = err
        self.colour = colour
        self.progress = progress
    }

    /// Standard output and error; colour and a progress line only on a
    /// terminal, plain lines in CI and pipes, and `NO_COLOR` honoured.
    public static func standard(environment: [String: String]) -> Console {
        let dumb = environment["TERM"] == "dumb"
        let colour = isatty(1) == 1 && environment["NO_COLOR"] == nil && !dumb
        let live = isatty(2) == 1 && !dumb && environment["CI"] == nil
        var progress: (@Sendable (String) -> Void)?
        if live {
            progress = { @Sendable line in FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
        }
        var console = Console(
            out: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
            err: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) },
            colour: colour, progress: progress)
        if !live { console.progressEvery = 10 }
        return console
    }

    static let standard = Console.standard(environment: ProcessInfo.processInfo.environment)

    /// `line` with its leading verdict word coloured, when colour is on.
    public func painted(_ line: String) -> String {
        guard colour else { return line }
        for (word, code) in [("FAIL", "31"), ("ERROR", "35"), ("FLAKY", "33")] where line.hasPrefix(word) {
            return "\u{1B}[\(code);1m\(word)\u{1B}[0m" + line.dropFirst(word.count)
        }
        if line.hasSuffix(" skipped"), line.contains(" passed, ") {
            return (line.contains(" 0 failed") ? "\u{1B}[32m" : "\u{1B}[31m") + line + "\u{1B}[0m"
        }
        return line
    }
}
