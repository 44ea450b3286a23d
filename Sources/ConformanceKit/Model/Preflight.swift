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
    var refutedBy: [Int]
    /// The fixtures the request is about.
    public var fixtures: [String]
    /// Pointer in the answer → the fixture its value must equal, when present.
    public var fields: [(pointer: JSONPointer, fixture: String)]
    /// Query parameters, with `{{fixture}}` variables.
    public var query: [String: Template] = [:]
    /// A pool (array fixture) checked entry by entry: one request per entry,
    /// `{{POOL}}` standing for the entry. `status` says it is free, a
    /// `refutedBy` status that it is in use (the run skips it).
    public var pool: String?
    /// In a list answer: the items (`items`) and the one whose `pointer`
    /// equals the fixture `fixture`. Found, the `contains` members of that
    /// item are checked; not found, nothing is settled.
    public var find: (items: JSONPointer, pointer: JSONPointer, fixture: String)?
    /// Pointer in the found item (in the answer, without `find`) → the
    /// fixture its text must contain (letter case ignored).
    public var contains: [(pointer: JSONPointer, fixture: String)] = []
    /// Pointer in the answer → the fixture it must equal for the answer to be
    /// about the thing the fixtures describe (e.g. the SIM of a deleted
    /// account read by its number). Another value settles nothing.
    var identifiedBy: [(pointer: JSONPointer, fixture: String)] = []

    public init(
        role: Role, endpoint: String, params: [String: Template], status: Int, refutedBy: [Int], fixtures: [String],
        fields: [(pointer: JSONPointer, fixture: String)]
    ) {
        self.role = role
        self.endpoint = endpoint
        self.params = params
        self.status = status
        self.refutedBy = refutedBy
        self.fixtures = fixtures
        self.fields = fields
    }

    public static func == (a: PreflightCheck, b: PreflightCheck) -> Bool {
        a.role == b.role && a.endpoint == b.endpoint && a.params == b.params && a.status == b.status
            && a.fixtures == b.fixtures && a.fields.map(\.fixture) == b.fields.map(\.fixture)
            && a.fields.map(\.pointer) == b.fields.map(\.pointer) && a.query == b.query && a.pool == b.pool
            && a.find?.fixture == b.find?.fixture && a.find?.pointer == b.find?.pointer && a.find?.items == b.find?.items
            && a.contains.map(\.fixture) == b.contains.map(\.fixture) && a.contains.map(\.pointer) == b.contains.map(\.pointer)
            && a.identifiedBy.map(\.fixture) == b.identifiedBy.map(\.fixture)
            && a.identifiedBy.map(\.pointer) == b.identifiedBy.map(\.pointer)
    }
    public func hash(into h: inout Hasher) {
        h.combine(endpoint)
        h.combine(fixtures)
    }
}

/// What the preflight of the pools found: entries free on the target, and
/// entries already in use (a run skips them).
public struct PoolPreflight: Sendable, Hashable {
    /// `pool` NUL the entry's ledger key, for each entry the target answered free.
    public var free: Set<String> = []
    /// Pool → entries in use on the target (their JSON text), in profile order.
    public var inUse: [String: [String]] = [:]
    /// One line per pool: what was asked and found.
    public var notes: [String] = []
    public init() {}
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
    package var detail: String
}

/// A fixture whose wrong value would show as a target failure of the cases
/// using it, and that no read can always confirm (`Cases/fixtures.json`,
/// `confirmBeforeBlame`): when such a case fails only on its own assertions,
/// the target is blamed only if the fixture was confirmed (by the preflight
/// in this run, or by the profile's `confirmedFixtures`); otherwise the case
/// is an `error` naming the fixture.
public struct BlameRule: Sendable, Hashable {
    /// Why a failure cannot be told from a wrong fixture without a confirmation.
    public var why: String
    /// Even with the fixture confirmed, the target is blamed only when the
    /// answer's `items` lack the one whose `pointer` equals `fixture` (the
    /// thing the fixture is about): listed with others, the fixture's promise
    /// of uniqueness (not checkable) is what failed.
    public var missing: (items: JSONPointer, pointer: JSONPointer, fixture: String)?
    /// Whether a preflight confirmation counts. False where the preflight's
    /// read is the very answer the case judges (the state of a values.*
    /// account): then only the profile's `confirmedFixtures` confirms.
    var preflightConfirms = true

    public init(why: String, missing: (items: JSONPointer, pointer: JSONPointer, fixture: String)? = nil) {
        self.why = why
        self.missing = missing
    }

    public static func == (a: BlameRule, b: BlameRule) -> Bool {
        a.why == b.why && a.preflightConfirms == b.preflightConfirms && a.missing?.items == b.missing?.items && a.missing?.pointer == b.missing?.pointer
            && a.missing?.fixture == b.missing?.fixture
    }
    public func hash(into h: inout Hasher) { h.combine(why) }
}
