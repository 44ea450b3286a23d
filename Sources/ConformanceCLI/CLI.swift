import ConformanceKit

public enum CLI {
    public static let version = "0.1.0"

    /// A subcommand: its name and what runs it. Each one's options, help and
    /// work sit in Commands/<Name>Command.swift.
    struct Command: Sendable {
        var name: String
        var run: @Sendable (_ args: [String], _ environment: [String: String], _ console: Console) async throws -> ExitStatus
        init(
            _ name: String,
            _ run: @escaping @Sendable (_ args: [String], _ environment: [String: String], _ console: Console) async throws -> ExitStatus
        ) {
            self.name = name
            self.run = run
        }
    }

    /// Every subcommand, in the order "did you mean" considers them.
    static let commands: [Command] = [
        Command("run") { try await run($0, environment: $1, console: $2) },
        Command("init") { try await initProfile($0, environment: $1, console: $2) },
        Command("fixtures") { try await fixtures($0, environment: $1, console: $2) },
        Command("openapi") { args, _, console in try openapi(args, console: console) },
        Command("certify") { try await certify($0, environment: $1, console: $2) },
        Command("verify") { try verify($0, environment: $1, console: $2) },
        Command("serve") { args, _, console in try await serve(args, console: console) },
        Command("merge") { args, _, console in try merge(args, console: console) },
        Command("coverage") { try await coverage($0, environment: $1, console: $2) },
        Command("faults") { args, _, console in try await faults(args, console: console) },
        Command("variants") { args, _, console in try variants(args, console: console) },
        Command("lint-docs") { args, _, console in try lintDocs(args, console: console) },
        Command("import-docs") { args, _, console in try importDocs(args, console: console) },
        Command("docs-diff") { args, _, console in try docsDiff(args, console: console) },
        Command("readings") { args, _, console in try readings(args, console: console) },
        Command("help") { _, _, console in help(console: console) },
    ]

    /// Runs a command line (without the program name) and returns the exit status.
    public static func main(_ args: [String], environment: [String: String], console: Console) async -> Int32 {
        var args = args
        let name = args.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
        if name != nil { args.removeFirst() }
        do {
            guard let name else {
                if args == ["--version"] {
                    console.out("conformance \(version)")
                    return ExitStatus.passed.rawValue
                }
                if args.contains("--help") || args.contains("-h") { return help(console: console).rawValue }
                return try await run(args, environment: environment, console: console).rawValue
            }
            guard let command = commands.first(where: { $0.name == name }) else {
                let guess = closestMatch(to: name, in: commands.map(\.name))
                throw UsageError("unknown command '\(name)'" + (guess.map { " (did you mean '\($0)'?)" } ?? ""))
            }
            return try await command.run(args, environment, console).rawValue
        } catch let e as UsageError {
            console.err("error: \(e.message)")
            console.err("run 'conformance --help' for usage")
            return ExitStatus.usage.rawValue
        } catch {
            console.err("error: \(error)")
            return ExitStatus.usage.rawValue
        }
    }
}
