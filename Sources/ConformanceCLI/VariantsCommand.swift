import ConformanceKit
import TelecomXSimulator

extension CLI {
    public static let variantsHelp = """
        conformance variants — the simulator's named variants: behaviour the docs allow but that differs from its default

        USAGE
          conformance variants

        Lists each variant with what it does and the doc text (or the standard) that allows it.
        Use them with `conformance serve --variant NAME` or `conformance run --variant NAME`
        (repeatable; `--variant all` for every one). The suite must pass every variant;
        a fault (`conformance faults`) must still be caught with all of them on.
        """

    // MARK: variants

    static func variants(_ args: [String], console: Console) throws -> ExitStatus {
        let p = try parseArguments(args, spec: ArgumentSpec(flags: ["help"]))
        if p.has("help") {
            console.out(variantsHelp)
            return .passed
        }
        for (i, v) in Variant.catalogue.enumerated() {
            if i > 0 { console.out("") }
            console.out(v.name)
            console.out("  does:       \(v.summary)")
            console.out("  allowed by: \(v.allowedBy)")
        }
        return .passed
    }

    /// The variants named by `--variant` (repeatable; `all` for every one).
    static func namedVariants(_ names: [String]) throws(UsageError) -> [Variant] {
        var out: [Variant] = []
        for name in names {
            if name == "all" {
                out += Variant.catalogue
                continue
            }
            guard let v = Variant.named(name) else {
                let guess = closestMatch(to: name, in: Variant.catalogue.map(\.name) + ["all"])
                throw UsageError(
                    "unknown variant '\(name)'" + (guess.map { " (did you mean '\($0)'?)" } ?? "") + "; see 'conformance variants'")
            }
            out.append(v)
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.name).inserted }
    }

    /// The faults named by `--fault` (repeatable).
    static func namedFaults(_ names: [String]) throws(UsageError) -> [Fault] {
        var out: [Fault] = []
        for name in names {
            guard let f = Fault.named(name) else {
                let guess = closestMatch(to: name, in: Fault.catalogue.map(\.name))
                throw UsageError("unknown fault '\(name)'" + (guess.map { " (did you mean '\($0)'?)" } ?? "") + "; see 'conformance faults'")
            }
            out.append(f)
        }
        return out
    }
}
