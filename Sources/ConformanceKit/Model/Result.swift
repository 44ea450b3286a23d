import Foundation
import JSONKit

/// Which check produced a finding.
public enum CheckKind: String, Sendable, Hashable, CaseIterable {
    case status
    case contentType = "content-type"
    case errorMessage = "error-message"
    case schema
    case assertion
    /// A field the docs restrict to other roles was shown to this one.
    case visibility
    /// A rule about the whole answer (paging, filtering, dates) was broken.
    case invariant
    /// A value needed by a later step of a chain was missing.
    case capture
    case undocumentedField = "undocumented-field"
    /// A member the docs do not describe, close in name to a documented member
    /// the same object lacks: the server renamed it.
    case renamed
    /// The target departs from the suite's reading of the docs, and takes a
    /// documented alternative instead (`Cases/readings.json`).
    case reading
}

/// One way a response departs from what the case and the docs expect.
public struct Finding: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable {
        case failure, warning
        /// The target took an alternative reading of the docs: not a failure, not blocking.
        case ambiguous
    }
    public var check: CheckKind
    public var severity: Severity
    /// JSON Pointer into the response body, when the finding is about a value;
    /// reports print its `description` (RFC 6901 string form).
    public var pointer: JSONPointer?
    /// Schema keyword path, for schema findings.
    public var keyword: String?
    public var expected: String
    public var actual: String
    public var message: String
    /// The reading a `reading` finding is about (an id in `Cases/readings.json`).
    public var reading: String? = nil

    public init(
        check: CheckKind, severity: Severity = .failure, pointer: JSONPointer? = nil, keyword: String? = nil,
        expected: String, actual: String, message: String
    ) {
        self.check = check
        self.severity = severity
        self.pointer = pointer
        self.keyword = keyword
        self.expected = expected
        self.actual = actual
        self.message = message
    }
}

extension Verdict {
    /// Passed, or ambiguous: nothing the docs state was broken.
    public var conforms: Bool { self == .passed || self == .ambiguous }
}

public enum Verdict: Sendable, Hashable {
    case passed
    /// The target does not conform (see the findings).
    case failed
    /// Something kept the harness from judging: transport error, timeout, unreadable body.
    case error(String)
    /// Not run, with the reason (missing fixture or credential, mutations not allowed).
    case skipped(String)
    /// Conforms, but where the docs are silent the target took a documented
    /// alternative to the suite's reading (see the `reading` findings). Not a
    /// failure and not blocking; a profile that pins the reading makes it strict.
    case ambiguous

    public var label: String {
        switch self {
        case .passed: return "passed"
        case .ambiguous: return "ambiguous"
        case .failed: return "failed"
        case .error: return "error"
        case .skipped: return "skipped"
        }
    }
}

/// What was sent, as safe to show: secrets already replaced with `***`.
public struct RequestSummary: Sendable, Hashable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: String?
    /// A ready-to-paste curl command; credentials appear as `${VARIABLE}` references.
    package var curl: String?
    public init(method: String, url: String, headers: [String] = [], body: String? = nil, curl: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.curl = curl
    }
    public var line: String { "\(method) \(url)" }
}

/// The judgement of one case. Plain data: reporters read only this.
public struct CaseResult: Sendable, Hashable {
    package var seq: Int
    public var caseID: String
    public var title: String
    public var file: String
    public var endpointID: String
    public var covers: String
    public var role: Role
    public var verdict: Verdict
    public var findings: [Finding]
    public var request: RequestSummary?
    public var status: Int?
    /// Response body excerpt, sensitive fields masked, secrets redacted.
    package var responseExcerpt: String?
    public var durationSeconds: Double
    /// Earlier attempts that failed in transport (with --retries), oldest first.
    package var attempts: [String] = []
    /// HTTP exchanges this case made (steps, pages walked, retries).
    public var requests: Int = 0
    /// Whether the case must pass for the target to be certifiable.
    public var required: Bool = true
    /// Documented enum values this case's answers held (bounded: see `ValueObservation`).
    var observedValues: [ValueObservation] = []
    /// Reading id → the options (sorted ids) of that reading the case's answers
    /// agree with, where they tell some options apart: a run's cases must
    /// share at least one option of each reading (checked once the run is over).
    package var readingOptions: [String: [String]] = [:]

    /// Passed (or ambiguous), but only after a retry.
    public var isFlaky: Bool { verdict.conforms && !attempts.isEmpty }

    public var failures: [Finding] { findings.filter { $0.severity == .failure } }
    public var warnings: [Finding] { findings.filter { $0.severity == .warning } }
    /// The readings where the target took an alternative.
    package var ambiguities: [Finding] { findings.filter { $0.severity == .ambiguous } }
}

public struct EndpointInfo: Sendable, Hashable {
    public var id: String
    public var title: String
    public var method: String
    public var path: String
}

/// A whole run. Results are sorted by `seq`, whatever the concurrency was.
public struct RunResult: Sendable {
    public var targetName: String
    public var baseURL: String
    public var startedAt: Date
    public var finishedAt: Date
    public var endpoints: [EndpointInfo]
    /// In plan order; spooled to a file for `conformance run` (see `CaseResults`).
    public var results: CaseResults
    /// The documented-row coverage of the suite that ran.
    public var coverage: [EndpointCoverage] = []
    /// The suite's roles in declared order (`access.json`), the order reports list roles in.
    public var roles: [Role] = []
    /// The suite's readings register, and the options the target's profile pins.
    public var readings: [Reading] = []
    /// The seed the negative inputs were generated from and how many cases it made (nil: none).
    var generatedSeed: UInt64?
    var generatedCases = 0
    var pinnedReadings: [String: String] = [:]
    /// What the read-only preflight found about the target's fixtures.
    public var preflight: [PreflightOutcome] = []
    /// Each documented enum value with the cases aimed at it and those whose answers held it.
    public var values: [ValueCoverage] = []

    public init(
        targetName: String, baseURL: String, startedAt: Date, finishedAt: Date, endpoints: [EndpointInfo],
        results: CaseResults, coverage: [EndpointCoverage] = []
    ) {
        self.targetName = targetName
        self.baseURL = baseURL
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.endpoints = endpoints
        self.results = results
        self.coverage = coverage
    }

    public init(
        targetName: String, baseURL: String, startedAt: Date, finishedAt: Date, endpoints: [EndpointInfo],
        results: [CaseResult], coverage: [EndpointCoverage] = []
    ) {
        self.init(
            targetName: targetName, baseURL: baseURL, startedAt: startedAt, finishedAt: finishedAt, endpoints: endpoints,
            results: CaseResults(results), coverage: coverage)
    }

    // Counted from the results' glances: nothing is read back.
    public var passed: Int { results.glances.count { $0.kind == .passed } }
    /// Conforming cases where the target took a documented alternative reading.
    public var ambiguous: Int { results.glances.count { $0.kind == .ambiguous } }
    public var failed: Int { results.glances.count { $0.kind == .failed } }
    public var errors: Int { results.glances.count { $0.kind == .error } }
    public var skipped: Int { results.glances.count { $0.kind == .skipped } }
    public var flaky: Int { results.glances.count { $0.isFlaky } }
    public var durationSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    /// Certifiable only if every required case passed, without a retry
    /// (flaky) and without being skipped; optional cases never block.
    static func blocks(_ g: CaseGlance) -> Bool { g.required && (!g.conforms || g.isFlaky) }
    public var blockingCases: [CaseResult] { Array(results.matching(Self.blocks)) }
    /// How many cases block certification (none read back).
    public var blockingCount: Int { results.glances.count(where: Self.blocks) }
    public var isCertifiable: Bool { !results.glances.contains(where: Self.blocks) }
}
