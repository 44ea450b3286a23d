import JSONKit

/// A read-only request sent before any case, to confirm fixtures on the
/// target (`Cases/fixtures.json`, `preflight`). An answer that contradicts a
/// fixture makes the cases using it `error`s that name the fixture: a wrong
/// profile is the profile's problem, not the target's.
public struct PreflightCheck: Sendable, Hashable {
    public var role: Role
    public var endpoint: String
    public var params: [String: Template]
    /// The status that confirms the fixtures.
    public var status: Int
    /// Statuses that contradict them (e.g. 404 for an account that must exist).
    /// Anything else (an error, 401, 5xx…) leaves them unconfirmed, and the cases run.
    public var refutedBy: [Int]
    /// The fixtures the request is about.
    public var fixtures: [String]
    /// Pointer in the answer → the fixture its value must equal, when present.
    public var fields: [(pointer: JSONPointer, fixture: String)]

    public static func == (a: PreflightCheck, b: PreflightCheck) -> Bool {
        a.role == b.role && a.endpoint == b.endpoint && a.params == b.params && a.status == b.status
            && a.fixtures == b.fixtures && a.fields.map(\.fixture) == b.fields.map(\.fixture)
            && a.fields.map(\.pointer) == b.fields.map(\.pointer)
    }
    public func hash(into h: inout Hasher) {
        h.combine(endpoint)
        h.combine(fixtures)
    }
}

/// What one preflight request found.
public struct PreflightOutcome: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// The answer agrees with the fixtures.
        case confirmed
        /// The answer contradicts them: the cases using them are not run against this target.
        case refuted
        /// No answer that settles it (no credential, a transport error, another status…).
        case unconfirmed
    }
    public var fixtures: [String]
    /// `GET /widgets/5a10… as SOME_ROLE`, credentials never included.
    public var request: String
    public var state: State
    public var detail: String
}
