import ConformanceKit
import TelecomXSimulator

/// The one rule that says whether the suite catches a fault, used by
/// `conformance faults --detect` and by the tests: a case of the fault's
/// endpoint fails under the fault that conforms without it (with the same
/// variants on). The fault's run needs only that endpoint's cases.
public enum FaultDetection {
    /// The cases of the endpoint `fault` affects (every case for `*`).
    public static func scope(of fault: Fault, in suite: Suite) -> Suite {
        fault.endpoint == "*" ? suite : Selection(endpoints: [fault.endpoint]).apply(to: suite)
    }

    /// The cases that catch `fault`, in plan order: of its endpoint, failed
    /// in `faulted`, conforming in `clean` (the run without the fault).
    public static func catching(_ fault: Fault, faulted: RunResult, clean: RunResult) -> [CaseResult] {
        let conformingClean = Set(clean.results.filter { $0.verdict.conforms }.map(\.caseID))
        return faulted.results.filter {
            $0.verdict == .failed && conformingClean.contains($0.caseID) && (fault.endpoint == "*" || $0.endpointID == fault.endpoint)
        }
    }

    /// The detection table `conformance faults --detect` prints: `header`,
    /// then a `row` per fault. `caught` holds, per fault of `faults` in
    /// order, what `catching` answered.
    public static func table(
        variants: [Variant], cleanFailures: [String], faults: [Fault], caught: [[CaseResult]]
    ) -> [String] {
        header(variants: variants, cleanFailures: cleanFailures) + zip(faults, caught).map { row($0, caught: $1) }
    }

    /// The variants (if any), the column heads, and the run without a fault.
    public static func header(variants: [Variant], cleanFailures: [String]) -> [String] {
        var lines: [String] = []
        if !variants.isEmpty { lines.append("variants: \(variants.map(\.name).joined(separator: ", "))") }
        lines.append("| fault | endpoint | what it does | failing cases (first finding) |")
        lines.append("|---|---|---|---|")
        let cleanText = variants.isEmpty ? "the documented behaviour" : "the variants alone"
        lines.append("| (none) | | \(cleanText) | \(cleanFailures.isEmpty ? "none" : "NOT CLEAN: " + cleanFailures.joined(separator: ", ")) |")
        return lines
    }

    /// A fault with its first three catching cases, each with its first finding.
    public static func row(_ f: Fault, caught aimed: [CaseResult]) -> String {
        let shown = aimed.prefix(3).map { r in
            let f = r.failures.first
            return "`\(r.caseID)` (\([f?.check.rawValue, f?.pointer?.description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")))"
        }
        let more = aimed.count > 3 ? " +\(aimed.count - 3) more" : ""
        return "| `\(f.name)` | \(f.endpoint) | \(f.summary) | \(aimed.isEmpty ? "NOT DETECTED" : shown.joined(separator: ", ") + more) |"
    }
}
