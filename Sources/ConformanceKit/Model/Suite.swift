import JSONKit
import JSONSchemaKit

/// One row of an endpoint's documented error table.
public struct DocumentedError: Sendable, Hashable {
    /// Stable id of the row within its endpoint, e.g. `404-widget`, `409-name-in-use`.
    public var id: String
    public var status: Int
    public var message: String
    public var description: String
    /// Why the row cannot be provoked from outside, when it cannot.
    public var notProvokable: String?
}

/// A documented endpoint, transcribed from one page of the vendor's docs.
public struct Endpoint: Sendable, Hashable {
    public var id: String
    public var title: String
    /// The page of the docs it comes from (file name in the docs folder).
    public var doc: String
    public var method: String
    /// Path template with `{PARAM}` placeholders, e.g. `/widgets/{WIDGET_ID}`.
    public var path: String
    /// The documented access line, verbatim.
    public var accessText: String
    /// Access levels the docs name for this endpoint (declared in `access.json`).
    package var accessLevels: [String]
    public var successStatus: Int
    /// Schema of the success response (a reference resolved at load time).
    public var responseSchema: String?
    public var requestSchema: String?
    public var errors: [DocumentedError]
    /// The documented access line as data: which level may act on which customers.
    public var accessRule: [AccessGrant]
    /// What an unauthenticated request answers (not on these pages: from the
    /// vendor's login documentation), when the spec states it.
    public var unauthenticated: (status: Int, message: String)?
    /// The documented path and query parameters (the page's "Param" and
    /// "Query" rows), in the page's order.
    public var parameters: [Parameter] = []
    /// Paging parameters, for list endpoints (their defaults and bounds come
    /// from the named query parameters' schemas).
    public var paging: Paging?
    /// Whether the endpoint changes state on the target.
    public var mutating: Bool
    /// The conformance level of its cases unless a case says otherwise.
    public var level: Level = .required
    /// The spec file it was loaded from.
    public var file: String
    /// Readings cited by the success response (`response.readings`): what
    /// else a conforming server may answer a success with.
    var responseReadings: [ReadingCitation] = []
    /// Readings cited by the access line (`access.readings`): levels a
    /// conforming server may read as others.
    var accessReadings: [ReadingCitation] = []
    /// Readings cited by `unauthenticated.readings`.
    var unauthenticatedReadings: [ReadingCitation] = []

    /// The documented rows a case may cover: `"success"`, each error row id,
    /// and `"unauthenticated"` when the spec states that behaviour.
    public var rowIDs: [String] { ["success"] + errors.map(\.id) + (unauthenticated == nil ? [] : ["unauthenticated"]) }

    /// Whether `id` is one of `rowIDs`, without making the array (the loader
    /// asks once per step of every case).
    public func hasRow(_ id: String) -> Bool {
        id == "success" || (id == "unauthenticated" && unauthenticated != nil) || errors.contains { $0.id == id }
    }

    /// The documented parameter `name` in `location`, if any.
    public func parameter(_ name: String, in location: Parameter.Location) -> Parameter? {
        parameters.first { $0.name == name && $0.location == location }
    }

    public static func == (a: Endpoint, b: Endpoint) -> Bool { a.id == b.id && a.file == b.file }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// Whether a case must pass for the target to be certifiable.
public enum Level: String, Sendable, Hashable, CaseIterable {
    case required
    case optional
}

/// One clause of an access line: a level, and which customers it may act on.
public struct AccessGrant: Sendable, Hashable {
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// The user belongs to the customer ("if user belongs to the customer").
        case customer
        /// The customer belongs to the user's reseller ("if customer belongs to the reseller").
        case reseller
        /// Any customer.
        case any
    }
    public var level: String
    public var scope: Scope
    public init(level: String, scope: Scope) {
        self.level = level
        self.scope = scope
    }
}

/// Which customer a cell of an access matrix asks about, relative to the
/// fixture customer; with a role's `RoleRelation` it decides the cell's answer.
public enum Relation: String, Sendable, Hashable, CaseIterable {
    /// The fixture customer itself: a customer role's own, a reseller role's reseller's.
    case own
    /// Another customer of the fixture customer's reseller.
    case sameReseller
    /// A customer of another reseller.
    case otherReseller
}

/// A documented path or query parameter of an endpoint (endpoint spec
/// `parameters`): the doc text verbatim and its type as a JSON Schema.
public struct Parameter: Sendable, Hashable {
    public enum Location: String, Sendable, Hashable, CaseIterable {
        case path
        case query
    }
    public var name: String
    public var location: Location
    public var required: Bool
    /// The page's text for the parameter, verbatim.
    public var description: String
    /// The page line that documents it, when the spec gives it.
    package var docLine: Int?
    package var docQuote: String?
    /// JSON Schema 2020-12 of the value (type, format, pattern, default, minimum, maximum, enum…).
    public var schema: JSON

    public init(
        name: String, location: Location, required: Bool, description: String, docLine: Int? = nil,
        docQuote: String? = nil, schema: JSON
    ) {
        self.name = name
        self.location = location
        self.required = required
        self.description = description
        self.docLine = docLine
        self.docQuote = docQuote
        self.schema = schema
    }

    /// The schema's integer `default`, `minimum` and `maximum`, when it states them.
    package var defaultInt: Int? { schema["default"]?.intValue }
    public var minimum: Int? { schema["minimum"]?.intValue }
    public var maximum: Int? { schema["maximum"]?.intValue }
}

/// Documented paging of a list endpoint. The names and echo pointers come
/// from the spec's `paging`; defaults and bounds from the named query
/// parameters' schemas (`parameters[].schema`).
public struct Paging: Sendable, Hashable {
    /// Where the items are, e.g. `/widgets`.
    public var items: JSONPointer
    public var total: JSONPointer
    package var offsetParam: String
    package var offsetPointer: JSONPointer
    package var defaultOffset: Int
    package var limitParam: String
    package var limitPointer: JSONPointer
    public var defaultLimit: Int
    public var minLimit: Int
    public var maxLimit: Int
}

/// A value in a request that may hold `{{variables}}`.
public struct Template: Sendable, Hashable {
    public var raw: JSON
    public init(_ raw: JSON) { self.raw = raw }

    /// Names of the variables used, in order of first use.
    public var variables: [String] {
        var out: [String] = []
        collectVariables(into: &out)
        return out
    }

    /// Appends to `out` each variable used not in it yet, in order of first
    /// use: `variables` without an array of its own for each template (the
    /// planner asks for every case's; perf, issue 24).
    func collectVariables(into out: inout [String]) {
        func visit(_ v: JSON) {
            switch v {
            case .string(let s):
                for name in Template.variableNames(in: s) where !out.contains(name) { out.append(name) }
            case .array(let a): a.forEach(visit)
            case .object(let o):
                for m in o {
                    for name in Template.variableNames(in: m.key) where !out.contains(name) { out.append(name) }
                    visit(m.value)
                }
            default: break
            }
        }
        visit(raw)
    }

    static func variableNames(in s: String) -> [String] {
        // Over the UTF-8 bytes (most strings hold no "{{" at all): a scan by
        // Character was a fifth of `run --list`'s start-up.
        referenceBytes(in: s).map(\.name)
    }

    /// The filter of each `{{NAME | FILTER}}` of `s`, in order (bytes, as `variableNames`).
    static func filterNames(in s: String) -> [String] {
        referenceBytes(in: s).compactMap(\.filter)
    }

    /// Every `{{NAME}}` or `{{NAME | FILTER}}` in `s`, in order, each part
    /// trimmed of spaces: what `references(in:)` finds, scanned over the
    /// UTF-8 bytes (the tests compare the two).
    static func referenceBytes(in s: String) -> [(name: String, filter: String?)] {
        var s = s
        return s.withUTF8 { bytes -> [(name: String, filter: String?)] in
            var out: [(name: String, filter: String?)] = []
            eachReference(bytes) { open, close, bar in
                // `NAME | FILTER`: the name is what stands before the bar.
                if let bar {
                    out.append((trimmed(bytes, open + 2, bar), trimmed(bytes, bar + 1, close)))
                } else {
                    out.append((trimmed(bytes, open + 2, close), nil))
                }
                return true
            }
            return out
        }
    }

    /// Each complete `{{…}}` of `bytes`, in order: where its `{{` starts,
    /// where its closing `}}` starts, and its first bar, if any; `body`
    /// returns false to stop. One scan for the loader (`referenceBytes`)
    /// and the filling (`filledASCII`).
    static func eachReference(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (_ open: Int, _ close: Int, _ bar: Int?) -> Bool) {
        let n = bytes.count
        var i = 0
        while i + 1 < n {
            guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
                i += 1
                continue
            }
            let from = i + 2
            var j = from
            while j + 1 < n, !(bytes[j] == UInt8(ascii: "}") && bytes[j + 1] == UInt8(ascii: "}")) { j += 1 }
            guard j + 1 < n else { return }  // no closing "}}"
            var bar: Int?
            for k in from..<j where bytes[k] == UInt8(ascii: "|") {
                bar = k
                break
            }
            guard body(i, j, bar) else { return }
            i = j + 2
        }
    }

    /// `bytes[a..<b]` without the spaces at either end, as a string.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String {
        var a = a, b = b
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
    }

    /// The scan by Character `variableNames` replaced (the tests compare the two).
    static func variableNamesByCharacter(in s: String) -> [String] {
        references(in: s).map(\.name)
    }

    /// What a `{{NAME | FILTER}}` may apply to the variable's text: a part
    /// of a fixture, for lookups that must be exact (an id's prefix, a
    /// number without its +).
    static let filters: [String: @Sendable (String) -> String] = [
        "dropLast": { String($0.dropLast()) },
        "dropFirst": { String($0.dropFirst()) },
    ]

    /// Every `{{NAME}}` or `{{NAME | FILTER}}` in `s`, in order.
    static func references(in s: String) -> [(name: String, filter: String?)] {
        var out: [(name: String, filter: String?)] = []
        var rest = Substring(s)
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            out.append(reference(after[after.startIndex..<close.lowerBound]))
            rest = after[close.upperBound...]
        }
        return out
    }

    /// `NAME` or `NAME | FILTER`, each trimmed of spaces.
    static func reference(_ inner: Substring) -> (name: String, filter: String?) {
        guard let bar = inner.firstIndex(of: "|") else { return (inner.trimmingSpaces(), nil) }
        return (inner[..<bar].trimmingSpaces(), inner[inner.index(after: bar)...].trimmingSpaces())
    }

    /// The filters used (`{{NAME | FILTER}}`), in order of first use.
    package var filterNames: [String] {
        var out: [String] = []
        func visit(_ v: JSON) {
            switch v {
            case .string(let s):
                for f in Template.filterNames(in: s) where !out.contains(f) { out.append(f) }
            case .array(let a): a.forEach(visit)
            case .object(let o): o.forEach { visit($0.value) }
            default: break
            }
        }
        visit(raw)
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        // ASCII over bytes (each byte one Character there): the Character walk
        // below was 1.5 % of a run's CPU (templates filled per request; issue 24).
        let u = utf8
        if !u.contains(where: { $0 >= 0x80 }) {
            var from = u.startIndex
            var to = u.endIndex
            while from < to, u[from] == 0x20 { from = u.index(after: from) }
            while to > from, u[u.index(before: to)] == 0x20 { to = u.index(before: to) }
            return String(self[from..<to])
        }
        return String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// One check on a value in the response body, by JSON Pointer.
public struct Assertion: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case equals(Template)
        case exists
        case absent
        case type(String)
    }
    public var pointer: JSONPointer
    public var kind: Kind
    /// Where the expectation comes from: `PAGE:LINE` (a line of a doc page
    /// that states it) or `reading:ID` (a reading of `readings.json`).
    public var source: String? = nil
}

/// A rule about a whole response (or several), beyond one value.
package enum Invariant: Sendable, Hashable {
    /// offset/limit echoed, total consistent, never more items than limit or the documented maximum.
    case page
    /// Walk every page with this limit: each item exactly once, as many as `total`.
    case walk(limit: Int, idPointer: JSONPointer)
    /// Every item (under the endpoint's paging items) has `pointer` equal to the value.
    case eachEquals(pointer: JSONPointer, value: Template)
    /// No item (under the endpoint's paging items) has `pointer` equal to the
    /// value: a negative search names the item that must not be found,
    /// rather than asking for an empty answer that other data may fill.
    case noneEquals(pointer: JSONPointer, value: Template)
    /// Every item contains the text (case-insensitively) in at least one of these fields.
    case eachContains(pointers: [JSONPointer], text: Template)
    /// Some item has `pointer` equal to the value (the fixture is among the
    /// matches); not judged when the page holds fewer items than `total`.
    case someEquals(pointer: JSONPointer, value: Template)
    /// In every item, `to` is `days` days after `from`: days of 24 hours, or
    /// calendar days in `timeZone` (an IANA name) when given.
    case eachDaysAfter(from: JSONPointer, to: JSONPointer, days: Int, timeZone: String? = nil)
}

public struct Expectation: Sendable, Hashable {
    public var status: Int
    /// The documented error message expected at the profile's error pointer (error rows only).
    public var errorMessage: String?
    /// Schema reference the body must satisfy (success rows default to the endpoint's response schema).
    public var schema: String?
    public var assertions: [Assertion]
    package var invariants: [Invariant] = []
    /// The source of each invariant, in the same order (`PAGE:LINE` or `reading:ID`).
    var invariantSources: [String] = []
    /// The access level whose view of the body is judged (the docs' field
    /// visibility); nil: the case's role's own level.
    package var visibilityLevel: String? = nil
    /// Documented rows any of which conforms (generated negative inputs: the
    /// rows for the broken field). Empty: the status and message above.
    public var oneOf: [ExpectedRow] = []
}

/// A documented (status, message) row a step may be answered with.
public struct ExpectedRow: Sendable, Hashable {
    public var row: String
    public var status: Int
    public var message: String
    public init(row: String, status: Int, message: String) {
        self.row = row
        self.status = status
        self.message = message
    }
    public var description: String { "\(status) \(message)" }
}

public struct RequestTemplate: Sendable, Hashable {
    public var pathParams: [String: Template]
    public var query: [(name: String, value: Template)]
    public var headers: [(name: String, value: Template)]
    public var body: Template?
    /// A body sent as this text, byte for byte (UTF-8), not as JSON: for
    /// what a server answers to a body that is not JSON. Excludes `body`.
    var rawBody: Template? = nil
    /// Path parameters percent-encode every byte but RFC 3986's unreserved
    /// ones (letters, digits, - . _ ~): `+` is sent as `%2B`.
    var encodeReserved: Bool = false

    public static func == (a: RequestTemplate, b: RequestTemplate) -> Bool {
        a.pathParams == b.pathParams && a.body == b.body && a.rawBody == b.rawBody && a.encodeReserved == b.encodeReserved
            && a.query.map(\.name) == b.query.map(\.name) && a.query.map(\.value) == b.query.map(\.value)
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }
    public func hash(into h: inout Hasher) {
        h.combine(pathParams)
        h.combine(body)
        h.combine(rawBody)
        h.combine(encodeReserved)
        for q in query {
            h.combine(q.name)
            h.combine(q.value)
        }
        for q in headers {
            h.combine(q.name)
            h.combine(q.value)
        }
    }

    /// Every variable the request uses.
    public var variables: [String] {
        var out: [String] = []
        collectVariables(into: &out)
        return out
    }

    /// Appends to `out` each variable the request uses not in it yet: path
    /// parameters (by name), query, headers, body, in order of first use,
    /// each template collecting into `out` (no array of templates, nor one
    /// of names per template: perf, issue 24).
    func collectVariables(into out: inout [String]) {
        if pathParams.count == 1, let only = pathParams.first {
            only.value.collectVariables(into: &out)
        } else if !pathParams.isEmpty {
            for p in pathParams.sorted(by: { $0.key < $1.key }) { p.value.collectVariables(into: &out) }
        }
        for q in query { q.value.collectVariables(into: &out) }
        for h in headers { h.value.collectVariables(into: &out) }
        body?.collectVariables(into: &out)
        rawBody?.collectVariables(into: &out)
    }
}

/// One request of a case and what must come back; a chain has several
/// (create, then read what was created), later ones using values captured
/// from earlier answers as `{{captured.NAME}}`.
public struct Step: Sendable, Hashable {
    public var endpoint: String
    /// The documented row this step exercises.
    public var covers: String
    public var request: RequestTemplate
    public var expect: Expectation
    /// Values to keep from this step's response body: name → pointer.
    var captures: [Capture]
    /// Readings the step itself cites (`expect.readings`), with what each option changes.
    public var citations: [ReadingCitation] = []
    /// The option `expect` follows for each reading that applies to the step
    /// (the suite's own reading, unless a profile pins another).
    public var readings: [ReadingChoice] = []
    /// What the step expects under every other combination of those readings'
    /// options: an answer that fails `expect` but meets one of these is
    /// `ambiguous`, not failed.
    public var alternatives: [StepAlternative] = []
    /// Other combinations of those readings' options that expect exactly what
    /// `expect` does (an answer meeting `expect` is consistent with them too).
    var alsoHeld: [[ReadingChoice]] = []

    public struct Capture: Sendable, Hashable {
        public var name: String
        public var pointer: JSONPointer
        /// Instead of one value: how many items, over every page the step's
        /// walk visits, have `pointer` equal to this (a count derived at run
        /// time rather than typed into a profile, where it would go stale).
        var countEquals: Template? = nil
        /// The docs do not promise the member ("if available"): an answer
        /// without it keeps the later steps from running, which is an error
        /// naming it, not the target's failure.
        public var optional: Bool = false
    }
    /// The role this step runs as, when not the case's (e.g. a wider role's
    /// view first, then the case's role compared with it).
    public var role: Role? = nil
    /// Send the request this many times at once: one answer is judged by
    /// `expect` (a success when there is one), each other must be the row
    /// `concurrentOthers` (e.g. two creates of one number: one succeeds, the
    /// other is 409 number).
    package var concurrent: Int? = nil
    var concurrentOthers: String? = nil
}

/// One behaviour of one endpoint: the request(s) to send and what must come back.
public struct Case: Sendable, Hashable {
    public var id: String
    public var title: String
    public var file: String
    public var endpoint: String
    /// The documented row it exercises: `success` or an error row id.
    public var covers: String
    public var role: Role
    public var tags: [String]
    public var steps: [Step]
    /// Required cases must pass for the target to be certifiable; optional ones are listed but do not block.
    public var level: Level = .required
    /// A cell of an access matrix (its expectation follows from the access rule),
    /// and the relation of that cell, if the matrix has relations.
    public var isMatrixCell = false
    public var relation: Relation?
    /// A case written by `import-docs` that is still to be filled in (what to do): it is
    /// planned but skipped, and covers nothing until the key is removed.
    public var skeleton: String?

    /// Whether any step changes state on the target.
    public func isMutating(in suite: Suite) -> Bool {
        steps.contains { suite.endpoint($0.endpoint)?.mutating == true }
    }

    /// Every fixture variable used (not captures), in order.
    package var fixtureVariables: [String] {
        var out: [String] = []
        // Each step's names gathered once each (a name twice in a step adds
        // nothing below): no arrays joined per step (perf, issue 24).
        var names: [String] = []
        for step in steps {
            names.removeAll(keepingCapacity: true)
            step.request.collectVariables(into: &names)
            for a in step.expect.assertions {
                if case .equals(let t) = a.kind { t.collectVariables(into: &names) }
            }
            for alternative in step.alternatives {
                for a in alternative.expect.assertions {
                    if case .equals(let t) = a.kind { t.collectVariables(into: &names) }
                }
            }
            for inv in step.expect.invariants {
                switch inv {
                case .eachEquals(_, let t), .noneEquals(_, let t), .eachContains(_, let t), .someEquals(_, let t): t.collectVariables(into: &names)
                default: break
                }
            }
            for n in names where !n.hasPrefix(capturedPrefix) && !out.contains(n) {
                out.append(n.hasPrefix(takePrefix) ? String(n.dropFirst(takePrefix.count)) : n)
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}

/// An expectation's `source` that names a reading: `reading:ID`.
let readingSourcePrefix = "reading:"

/// `{{captured.NAME}}` refers to a value captured by an earlier step.
let capturedPrefix = "captured."
/// `{{take POOL}}` takes the next unused element of an array fixture (one per case).
public let takePrefix = "take "

/// The whole suite, validated and cross-referenced.
public struct Suite: Sendable {
    public var root: String
    /// The documented access levels and the roles cases run as (`access.json`):
    /// whatever needs a role's level, relation, credential or order asks this.
    public var access = AccessModel()
    public var endpoints: [Endpoint]
    public var cases: [Case]
    /// Fixture names the suite knows, with what each must be.
    public var fixtures: [String: String]
    /// The type each fixture's value must have.
    var fixtureTypes: [String: FixtureType] = [:]
    /// Read-only requests that confirm fixtures before any case runs.
    public var preflight: [PreflightCheck] = []
    /// Fixtures no preflight request checks, with why (`Cases/fixtures.json`, `unchecked`).
    public var uncheckedFixtures: [String: String] = [:]
    /// Fixtures whose wrong value would show as a target failure and that no
    /// read can always confirm (`Cases/fixtures.json`, `confirmBeforeBlame`).
    public var confirmBeforeBlame: [String: BlameRule] = [:]
    /// Schema documents by their reference (`schemas/widget.schema.json`).
    public var schemas: [String: JSON]
    /// Every schema reference used by a spec or a case, compiled once.
    public var compiledSchemas: [String: CompiledSchema]
    /// For each compiled schema reference, the fields the docs restrict to some roles.
    public var visibility: [String: [VisibilityRule]] = [:]
    /// Members shown only under a condition (`x-onlyIf`), by schema reference.
    public var presence: [String: [PresenceRule]] = [:] {
        didSet { presencePlans = presence.mapValues(Presence.Plan.init) }
    }
    /// The documented enums of every endpoint's success answer (see `DocumentedValues`).
    package var documentedEnums: [DocumentedEnum] = [] {
        didSet { enumPlans = Dictionary(grouping: documentedEnums, by: \.endpointID).mapValues(DocumentedValues.Plan.init) }
    }
    /// `presence` and `documentedEnums` planned for reading answers, once
    /// each time they are set rather than for every answer (perf, issue 24).
    /// nil until they are set (a suite made with them): then planned when asked.
    var presencePlans: [String: Presence.Plan]? = nil
    var enumPlans: [String: DocumentedValues.Plan]? = nil

    /// The presence rules of schema `ref`, planned; nil where it has none.
    package func presencePlan(for ref: String) -> Presence.Plan? {
        guard let rules = presence[ref] else { return nil }
        return presencePlans?[ref] ?? Presence.Plan(rules)
    }

    /// The documented enums of endpoint `id`'s success answer, planned.
    package func enumPlan(for id: String) -> DocumentedValues.Plan {
        if let enumPlans { return enumPlans[id] ?? DocumentedValues.Plan([]) }
        return DocumentedValues.Plan(documentedEnums.filter { $0.endpointID == id })
    }
    /// What the suite reads into the docs where they are silent (`readings.json`).
    public var readings: [Reading] = []
    /// The seed the negative inputs were generated from, and how many cases (nil: none generated).
    public var generated: (seed: UInt64, cases: Int)?
    /// The bounds the pages state, each with the cases generated on its sides (endpoint specs' `bounds`).
    public var bounds: [Bound] = []
    /// The API as a whole (`api.json`), when the suite states it.
    public var api: APIInfo?
    /// Every file loading the suite read, relative to `root`, sorted: what
    /// the certification digest covers.
    public var files: [String] = []
    /// SHA-256 of each of `files` as loading read it, and of the whole suite:
    /// computed once, at load, for the reports and certification bundles.
    public var digest = SuiteDigest(files: [], sha256: "")
    public func reading(_ id: String) -> Reading? { readings.first { $0.id == id } }

    public func endpoint(_ id: String) -> Endpoint? { endpoints.first { $0.id == id } }
}

/// What the pages say of the API as a whole (`Cases/api.json`).
public struct APIInfo: Sendable, Hashable {
    public struct Server: Sendable, Hashable {
        public var url: String
        public var description: String?
    }
    public var title: String
    /// A label for the docs' state (the pages carry no version).
    public var version: String
    public var description: String?
    /// The hosts the pages' URLs use.
    public var servers: [Server]
}

/// The suite's digest: SHA-256 of every file loading it read (every file that
/// can change a verdict), and of the suite as a whole, the SHA-256 of the
/// lines "<sha256>  <path>\n" in path order (what `sha256sum` prints).
public struct SuiteDigest: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }
    public var files: [File]
    public var sha256: String

    public init(files: [File], sha256: String) {
        self.files = files
        self.sha256 = sha256
    }
}
