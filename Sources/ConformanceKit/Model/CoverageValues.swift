import JSONKit

// What the reports say the suite covers: computed by the report stage
// from the suite and the results, and held in `RunResult`.

/// Which documented rows the suite covers: for each endpoint, each row
/// (success, every error row, the unauthenticated answer when stated) with
/// the cases that provoke it, or the reason it cannot be provoked.
public struct RowCoverage: Sendable, Hashable {
    package var rowID: String
    public var status: Int
    public var message: String
    public var description: String
    public var caseIDs: [String]
    public var notProvokable: String?
    /// Skeleton cases (from import-docs) written for the row and not yet filled in: they provoke nothing.
    package var skeletons: [String] = []

    public var isCovered: Bool { !caseIDs.isEmpty }
    public var isExplained: Bool { caseIDs.isEmpty && notProvokable != nil }
}

/// A documented parameter of an endpoint, with the cases that send it.
public struct ParameterCoverage: Sendable, Hashable {
    public var name: String
    public var location: Parameter.Location
    public var caseIDs: [String]
}

public struct EndpointCoverage: Sendable, Hashable {
    public var endpointID: String
    public var method: String
    public var path: String
    public var file: String
    public var rows: [RowCoverage]
    /// The bounds the page states, each with the cases generated on its sides.
    public var bounds: [Bound] = []
    /// The documented parameters, each with the cases whose requests send it.
    public var parameters: [ParameterCoverage] = []

    public var covered: Int { rows.count { $0.isCovered } }
    public var explained: Int { rows.count { $0.isExplained } }
    public var uncovered: [RowCoverage] { rows.filter { !$0.isCovered && !$0.isExplained } }
}

/// One documented enum of an endpoint's answer, each value with the cases
/// aimed at it (an `equals` assertion of that value at that pointer) and,
/// after a run, the cases whose conforming answers held it.
public struct ValueCoverage: Sendable, Hashable {
    public struct Value: Sendable, Hashable {
        public var value: String
        package var aimedBy: [String]
        /// Cases whose conforming answers held the value (empty before a run).
        package var seenIn: [String]
    }
    public var endpointID: String
    public var pointer: String
    public var values: [Value]
    /// Undocumented values answered at this pointer, over the run.
    public var others: Int
}
