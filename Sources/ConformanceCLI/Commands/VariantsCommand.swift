import ConformanceKit
import TelecomXSimulator

extension CLI {
    public static let variantsHelp = """
        conformance variants — the simulator's named variants: behaviour the docs allow but that differs from its default

        USAGE
          conformance variants

        Lists each variant with what it does and the doc text (or the standard) that allows it.
        Use them with `conformance serve --variant NAME` or `conformance run --variant NAME`
        (repeatable; `--variant all` for every one that can be on together: every freedom and, for
        each reading, the first variant taking one of its alternatives). A variant that takes an
        alternative of a reading (Cases/readings.json) says which. The suite must pass every variant;
        a fault (`conformance faults`) must still be caught with all of them on.
        """

    static func variants(_ args: [String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"])
        guard try parseArguments(args, spec: spec, help: variantsHelp, console: console) != nil else { return .passed }
        for (i, v) in Variant.catalogue.enumerated() {
            if i > 0 { console.out("") }
            console.out(v.name)
            console.out("  does:       \(v.summary)")
            console.out("  allowed by: \(v.allowedBy)")
            if let r = v.takes { console.out("  takes:      reading \(r.reading), option \(r.option)\(Variant.allOn.contains(v) ? "" : " (not in --variant all: another option of the reading is)")") }
        }
        return .passed
    }
}
