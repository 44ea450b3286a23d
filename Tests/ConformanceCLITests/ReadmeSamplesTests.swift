import ConformanceCLI
import ConformanceKit
import Foundation
import TelecomXSimulator
import Testing

/// The sample outputs of the documentation (README.md, the DocC catalog's
/// articles, Cases/README.md) are the commands' real output, and stay so.
///
/// A sample is marked by an HTML comment on the line before it:
/// `<!-- output of: conformance ARGS -->` (the whole output) or
/// `<!-- excerpt of: conformance ARGS -->` (its lines appear in the output,
/// in order; a line ending in `…` matches any line it begins). The sample is
/// the fenced block after the marker, or the lines up to the next blank line.
/// The commands run in-process, page by page in `pages` order and in page
/// order within a page, each distinct command once (pages share the run), with the project's suite, a
/// scratch folder for reports and profiles, and no credentials in the
/// environment; ports, durations and the scratch paths are normalized.
@Suite struct ReadmeSamplesTests {
    struct Sample {
        var line: Int
        var excerpt: Bool
        var command: [String]
        var text: [String]
    }

    static func samples(_ readme: String) -> [Sample] {
        let lines = readme.components(separatedBy: "\n")
        var out: [Sample] = []
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            i += 1
            var excerpt = false
            var rest: Substring
            if line.hasPrefix("<!-- output of: conformance") {
                rest = line.dropFirst("<!-- output of: conformance".count)
            } else if line.hasPrefix("<!-- excerpt of: conformance") {
                rest = line.dropFirst("<!-- excerpt of: conformance".count)
                excerpt = true
            } else {
                continue
            }
            guard rest.hasSuffix("-->") else { continue }
            rest = rest.dropLast(3)
            let command = rest.split(separator: " ").map(String.init)
            var text: [String] = []
            let start = i
            if i < lines.count, lines[i].hasPrefix("```") {
                i += 1
                while i < lines.count, !lines[i].hasPrefix("```") {
                    text.append(lines[i])
                    i += 1
                }
                i += 1
            } else {
                while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).isEmpty {
                    text.append(lines[i])
                    i += 1
                }
            }
            out.append(Sample(line: start, excerpt: excerpt, command: command, text: text))
        }
        return out
    }

    /// The command as the README shows it, with the project's paths and a scratch folder.
    static func arguments(_ command: [String], scratch: String) -> [String] {
        var args = command.map { a -> String in
            guard a.hasPrefix("Cases/") else { return a }
            let inProject = Project.root + "/" + a
            return FileManager.default.fileExists(atPath: inProject) ? inProject : scratch + "/" + (a as NSString).lastPathComponent
        }
        let verb = args.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
        switch verb {
        case nil, "run":
            args += ["--suite", Project.cases]
            if !args.contains("--reports") { args += ["--reports", scratch + "/reports"] }
        case "init":
            args += ["--suite", Project.cases]
            if !args.contains("--out"), let i = args.firstIndex(of: "--name"), i + 1 < args.count {
                args += ["--out", scratch + "/" + args[i + 1] + ".json"]
            }
        case "lint-docs":
            args += ["--suite", Project.cases, "--docs", Project.shared + "/api-docs"]
        case "fixtures", "coverage", "faults", "openapi":
            args += ["--suite", Project.cases]
        default:
            break
        }
        return args
    }

    static func normalized(_ text: String, scratch: String) throws -> String {
        var t = text.replacingOccurrences(of: scratch + "/reports", with: "Reports")
        t = t.replacingOccurrences(of: scratch, with: "Cases/targets")
        t = t.replacingOccurrences(of: Project.root + "/", with: "")
        t = t.replacing(try Regex(#"127\.0\.0\.1:[0-9]+"#), with: "127.0.0.1:PORT")
        t = t.replacing(try Regex(#"\b[0-9]+(\.[0-9]+)? (ms|s)\b"#), with: "T")
        return t
    }

    /// Lines of `sample` that are not found in `output` in order ("…" at the end matches a prefix).
    static func missingLines(_ sample: [String], in output: [String]) -> [String] {
        var missing: [String] = []
        var at = 0
        for want in sample {
            let prefix = want.hasSuffix("…") ? String(want.dropLast()) : nil
            if let found = output[at...].firstIndex(where: { prefix.map($0.hasPrefix) ?? ($0 == want) }) {
                at = found + 1
            } else {
                missing.append(want)
            }
        }
        return missing
    }

    /// Every page that may show output: the front page, the catalog's articles, the case-writing guide.
    static let catalog = "Sources/ConformanceKit/ConformanceKit.docc"
    static func pages() throws -> [String] {
        let articles = try FileManager.default.contentsOfDirectory(atPath: Project.root + "/" + catalog)
            .filter { $0.hasSuffix(".md") }.sorted().map { catalog + "/" + $0 }
        return ["README.md"] + articles + ["Cases/README.md"]
    }

    @Test func everyMarkedSampleIsTheCommandsOutput() async throws {
        let scratch = TempDir()
        defer { scratch.cleanup() }
        var total = 0
        // One run per distinct command: the front page and an article may show the same one.
        var ran: [[String]: String] = [:]
        for page in try Self.pages() {
            let text = try String(contentsOfFile: Project.root + "/" + page, encoding: .utf8)
            let samples = Self.samples(text)
            total += samples.count
            for s in samples {
                #expect(!s.text.isEmpty, "\(page):\(s.line): an empty sample")
                let args = Self.arguments(s.command, scratch: scratch.path)
                let printed: String
                if let earlier = ran[s.command] {
                    printed = earlier
                } else if s.command == ["faults", "--detect"] {
                    printed = try await Self.faultDetectionTable()
                } else {
                    printed = await conformance(args).capture.out
                }
                ran[s.command] = printed
                let output = try Self.normalized(printed, scratch: scratch.path).components(separatedBy: "\n")
                let text = try Self.normalized(s.text.joined(separator: "\n"), scratch: scratch.path).components(separatedBy: "\n")
                let shown = "conformance " + s.command.joined(separator: " ")
                if s.excerpt {
                    let missing = Self.missingLines(text, in: output)
                    #expect(missing.isEmpty, "\(page):\(s.line): `\(shown)` does not print, in this order:\n\(missing.joined(separator: "\n"))\n--- it prints:\n\(output.joined(separator: "\n"))")
                } else {
                    #expect(text == output, "\(page):\(s.line): `\(shown)` prints instead:\n\(output.joined(separator: "\n"))")
                }
            }
        }
        #expect(total >= 12, "the pages mark their samples (\(total) found)")
    }

    /// A page that shows a command's output in a code block marks it, so the test above checks it:
    /// an unmarked block whose first line is what a command prints first would drift unseen.
    @Test func everyPageShowingTheRunsHeadlineMarksIt() throws {
        for page in try Self.pages() {
            let lines = try String(contentsOfFile: Project.root + "/" + page, encoding: .utf8).components(separatedBy: "\n")
            for (i, line) in lines.enumerated() where line.hasPrefix("conformance 0.") {
                let opening = lines[..<i].lastIndex(where: { $0.hasPrefix("```") }) ?? 0
                let marked = opening > 0 && (lines[opening - 1].hasPrefix("<!-- output of:") || lines[opening - 1].hasPrefix("<!-- excerpt of:"))
                #expect(marked, "\(page):\(i + 1): output shown without an `<!-- output of: … -->` marker")
            }
        }
    }

    /// What `conformance faults --detect` prints, built by the command's own
    /// rule and table (`FaultDetection`) from the fault matrix's runs, which
    /// the tests make anyway (in-process, shared with EndToEndTests): the
    /// sample costs no second matrix over sockets.
    static func faultDetectionTable() async throws -> String {
        var clean: RunResult?
        var caught: [[CaseResult]] = []
        for f in Fault.catalogue {
            let d = try await SimulatorHarness.detection(of: f.name)
            clean = d.clean
            caught.append(d.caught)
        }
        let cleanFailures = clean.map { $0.results.filter { !$0.verdict.conforms }.map(\.caseID) } ?? []
        return FaultDetection.table(variants: [], cleanFailures: cleanFailures, faults: Fault.catalogue, caught: caught)
            .joined(separator: "\n")
    }

    @Test func samplesAreFoundAndComparedAsDocumented() throws {
        let readme = """
            intro
            <!-- output of: conformance faults -->
            ```
            a
            b
            ```
            <!-- excerpt of: conformance coverage -->
            | x |
            | y |

            after
            """
        let s = Self.samples(readme)
        #expect(s.count == 2)
        #expect(s[0].command == ["faults"] && s[0].text == ["a", "b"] && !s[0].excerpt)
        #expect(s[1].command == ["coverage"] && s[1].text == ["| x |", "| y |"] && s[1].excerpt)
        #expect(Self.missingLines(["a", "c…"], in: ["a", "b", "cdef"]).isEmpty)
        #expect(Self.missingLines(["c…", "a"], in: ["a", "b", "cdef"]) == ["a"], "in order")
        #expect(try Self.normalized("at http://127.0.0.1:40951, took 1.388 s and 12 ms", scratch: "/tmp/x") == "at http://127.0.0.1:PORT, took T and T")
    }

    /// The README's test command is the script CI runs, and it installs what the tests need.
    @Test func theReadmesTestCommandIsTheScriptCIRuns() throws {
        let readme = try String(contentsOfFile: Project.root + "/README.md", encoding: .utf8)
        let script = try String(contentsOfFile: Project.root + "/.ci/test", encoding: .utf8)
        let ci = try String(contentsOfFile: Project.root + "/.ci/run", encoding: .utf8)
        #expect(readme.contains("\nbash .ci/test           # the harness's own tests"))
        #expect(!readme.contains("\nswift test "), "the bare swift test is not offered as the test command")
        #expect(ci.contains("\nbash .ci/test"))
        #expect(!ci.contains("\nswift test"), ".ci/run tests through the README's command")
        #expect(script.contains("set -euo pipefail"))
        #expect(script.contains("libxml2-utils") && script.contains("chromium") && script.contains("apt-get update"))
        #expect(script.contains("\nswift test \"$@\""))
    }
}
