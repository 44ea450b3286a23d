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
}
