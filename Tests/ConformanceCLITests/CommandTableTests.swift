import ConformanceCLI
import Testing

/// Each command sits in a file of its own and is wired in through `CLI.commands`:
/// every command the main help names must answer its own `--help` and reject an
/// unknown option, and an unknown command gets a "did you mean".
@Suite struct CommandTableTests {
    /// The subcommands the main help's USAGE lines name (`conformance NAME …`).
    static let namedInMainHelp: [String] = {
        var names: [String] = []
        for line in CLI.mainHelp.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0] == "conformance", let first = words[1].first, first.isLetter else { continue }
            if !names.contains(String(words[1])) { names.append(String(words[1])) }
        }
        return names
    }()

    @Test func theMainHelpNamesEveryCommand() {
        #expect(
            Set(Self.namedInMainHelp)
                == [
                    "init", "fixtures", "run", "serve", "certify", "verify", "merge", "openapi", "coverage", "faults", "variants",
                    "lint-docs", "import-docs", "docs-diff", "readings",
                ])
    }

    @Test(arguments: namedInMainHelp)
    func everyCommandAnswersItsOwnHelp(_ name: String) async {
        let (status, capture) = await conformance([name, "--help"])
        #expect(status == 0)
        #expect(capture.out.hasPrefix("conformance \(name) — "), "\(name) --help printed: \(capture.out.prefix(80))")
        #expect(capture.err.isEmpty)
    }

    @Test(arguments: namedInMainHelp)
    func everyCommandRejectsAnUnknownOption(_ name: String) async {
        let (status, capture) = await conformance([name, "--no-such-option"])
        #expect(status == 2)
        #expect(capture.err.hasPrefix("error: unknown option '--no-such-option'"))
        #expect(capture.out.isEmpty)
    }

    @Test func anUnknownCommandGetsTheClosestName() async {
        let (status, capture) = await conformance(["certfy"])
        #expect(status == 2)
        #expect(capture.err == "error: unknown command 'certfy' (did you mean 'certify'?)\nrun 'conformance --help' for usage")
    }

    @Test func helpAndTheMainHelpFlagPrintTheSameText() async {
        let (a, helpCommand) = await conformance(["help"])
        let (b, helpFlag) = await conformance(["--help"])
        #expect(a == 0 && b == 0)
        #expect(helpCommand.out == CLI.mainHelp)
        #expect(helpFlag.out == CLI.mainHelp)
    }
}
