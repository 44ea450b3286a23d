import ConformanceKit

public enum CLI {
    public static let version = "0.1.0"

    /// Runs a command line (without the program name) and returns the exit status.
    public static func main(_ args: [String], environment: [String: String], console: Console) async -> Int32 {
        var args = args
        let command = args.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
        if command != nil { args.removeFirst() }
        do {
            switch command {
            case nil:
                if args == ["--version"] {
                    console.out("conformance \(version)")
                    return ExitStatus.passed.rawValue
                }
                if args.contains("--help") || args.contains("-h") {
                    console.out(mainHelp)
                    return ExitStatus.passed.rawValue
                }
                return try await run(args, environment: environment, console: console).rawValue
            case "run":
                return try await run(args, environment: environment, console: console).rawValue
            case "serve":
                return try await serve(args, console: console).rawValue
            case "openapi":
                return try openapi(args, console: console).rawValue
            case "init":
                return try initProfile(args, environment: environment, console: console).rawValue
            case "certify":
                return try await certify(args, environment: environment, console: console).rawValue
            case "verify":
                return try verify(args, environment: environment, console: console).rawValue
            case "merge":
                return try merge(args, console: console).rawValue
            case "coverage":
                return try await coverage(args, environment: environment, console: console).rawValue
            case "lint-docs":
                return try lintDocs(args, console: console).rawValue
            case "faults":
                return try await faults(args, console: console).rawValue
            case "readings":
                return try readings(args, console: console).rawValue
            case "fixtures":
                return try await fixtures(args, environment: environment, console: console).rawValue
            case "variants":
                return try variants(args, console: console).rawValue
            case "help":
                return help(console: console).rawValue
            default:
                let guess = closestMatch(
                    to: command!,
                    in: [
                        "run", "init", "fixtures", "openapi", "certify", "verify", "serve", "merge", "coverage", "faults",
                        "variants", "lint-docs", "readings", "help",
                    ])
                throw UsageError("unknown command '\(command!)'" + (guess.map { " (did you mean '\($0)'?)" } ?? ""))
            }
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
