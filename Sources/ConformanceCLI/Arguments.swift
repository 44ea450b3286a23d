import ConformanceKit

/// A small command-line parser: `--name value`, `--name=value`, boolean
/// flags, repeatable options, and positional arguments. Unknown options are
/// usage errors with a "did you mean".
struct ArgumentSpec {
    var flags: [String] = []
    var options: [String] = []
    var repeatable: [String] = []
    var positionals: Int = 0
}

struct ParsedArguments {
    var flags: Set<String> = []
    var options: [String: [String]] = [:]
    var positionals: [String] = []

    func value(_ name: String) -> String? { options[name]?.last }
    func values(_ name: String) -> [String] { options[name] ?? [] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

func parseArguments(_ args: [String], spec: ArgumentSpec) throws(UsageError) -> ParsedArguments {
    var out = ParsedArguments()
    var i = 0
    let all = spec.flags + spec.options + spec.repeatable
    while i < args.count {
        let a = args[i]
        i += 1
        if a == "--" {
            out.positionals += args[i...]
            break
        }
        guard a.hasPrefix("-"), a.count > 1 else {
            out.positionals.append(a)
            continue
        }
        var name = a.hasPrefix("--") ? String(a.dropFirst(2)) : String(a.dropFirst())
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        if name == "h" { name = "help" }
        if spec.flags.contains(name) {
            if inline != nil { throw UsageError("--\(name) takes no value") }
            out.flags.insert(name)
        } else if spec.options.contains(name) || spec.repeatable.contains(name) {
            let v: String
            if let inline {
                v = inline
            } else {
                guard i < args.count else { throw UsageError("--\(name) needs a value") }
                v = args[i]
                i += 1
            }
            out.options[name, default: []].append(v)
            if spec.options.contains(name), out.options[name]!.count > 1 {
                throw UsageError("--\(name) given more than once")
            }
        } else {
            var msg = "unknown option '\(a)'"
            if let guess = closestMatch(to: name, in: all) { msg += " (did you mean '--\(guess)'?)" }
            throw UsageError(msg)
        }
    }
    if out.positionals.count > spec.positionals {
        throw UsageError("unexpected argument '\(out.positionals[spec.positionals])'")
    }
    return out
}


/// `args` parsed by `spec`, or nil once `help` is printed for `-h` or `--help`.
func parseArguments(
    _ args: [String], spec: ArgumentSpec, help: String, console: Console
) throws(UsageError) -> ParsedArguments? {
    let p = try parseArguments(args, spec: spec)
    if p.has("help") {
        console.out(help)
        return nil
    }
    return p
}
