import ConformanceKit
import TelecomXSimulator

/// Values of options that more than one command takes, checked the same way everywhere.
extension CLI {
    static func positiveInt(_ s: String?, _ name: String, default d: Int, max: Int = .max) throws(UsageError) -> Int {
        guard let s else { return d }
        guard let v = Int(s), v > 0 else { throw UsageError("\(name) must be a positive whole number, got '\(s)'") }
        guard v <= max else { throw UsageError("\(name) must be at most \(max), got '\(s)'") }
        return v
    }

    static func positiveDouble(_ s: String?, _ name: String, default d: Double) throws(UsageError) -> Double {
        guard let s else { return d }
        guard let v = Double(s), v > 0, v.isFinite else { throw UsageError("\(name) must be a positive number of seconds, got '\(s)'") }
        return v
    }

    /// The variants named by `--variant` (repeatable; `all` for every one that
    /// can be on together: every freedom and one alternative per reading).
    static func namedVariants(_ names: [String]) throws(UsageError) -> [Variant] {
        var out: [Variant] = []
        for name in names {
            if name == "all" {
                out += Variant.allOn
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
