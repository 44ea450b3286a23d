import JSONKit

/// One case, ready to run (or the reason it will not).
public struct Job: Sendable {
    package var seq: Int
    /// The planned suite's cases (one array every job of a plan shares, not
    /// a copy of its case: a job is a few words, whatever its case holds) and
    /// the position of this job's case in it.
    fileprivate let cases: [Case]
    fileprivate let index: Int
    /// The case's steps with the target's readings pinned, when pinning changes them.
    fileprivate let pinnedSteps: [Step]?
    /// The case, its steps pinned to the target's readings.
    public var testCase: Case {
        var c = cases[index]
        if let pinnedSteps { c.steps = pinnedSteps }
        return c
    }
    /// The case's steps with `{{take POOL}}` already replaced by the values taken for this case.
    public var steps: [Step]
    /// Fixture values the steps' variables resolve to.
    public var fixtures: [String: JSON]
    public var skipReason: String?
    /// Pool name → the value this job took from it (`{{take POOL}}`).
    public var taken: [String: JSON] = [:]
}

/// The planned jobs in plan order (endpoint id, then case id), each made
/// when it is read: the plan keeps the suite's cases, the order as 4-byte
/// positions, the pinned steps once per distinct steps array, and only for
/// the jobs that have them a skip reason or the values taken from pools. A
/// plan of 100,000 cases holds about 0.4 MB, not a job of 80 bytes each.
public struct Plan: RandomAccessCollection, Sendable {
    fileprivate let cases: [Case]
    /// Plan position → position of the case in `cases`.
    fileprivate let order: [Int32]
    /// Steps array storage (as an address) → the steps pinned to the target's
    /// readings, for the arrays pinning changes. The addresses stay put while
    /// `cases` holds the arrays.
    fileprivate let pinned: [Int: [Step]]
    fileprivate let fixtures: [String: JSON]
    /// Plan position → why the job is skipped.
    fileprivate let skipReasons: [Int32: String]
    /// Plan position → the steps with `{{take POOL}}` replaced and the values taken.
    fileprivate let takes: [Int32: ([Step], [String: JSON])]

    public var startIndex: Int { 0 }
    public var endIndex: Int { order.count }

    public subscript(seq: Int) -> Job {
        let index = Int(order[seq])
        let steps = cases[index].steps
        let pinnedSteps = Plan.storage(of: steps).flatMap { pinned[$0] }
        var job = Job(
            seq: seq, cases: cases, index: index, pinnedSteps: pinnedSteps, steps: pinnedSteps ?? steps, fixtures: fixtures,
            skipReason: skipReasons[Int32(seq)])
        if let (taken, values) = takes[Int32(seq)] {
            job.steps = taken
            job.taken = values
        }
        return job
    }

    /// Whether any job is to run (not skipped), without making the jobs.
    public var hasJobsToRun: Bool { skipReasons.count < order.count }

    /// The plan positions of the jobs that took values from pools, in order.
    var takingPositions: [Int] { takes.keys.map(Int.init).sorted() }

    fileprivate static func storage(of steps: [Step]) -> Int? {
        steps.withUnsafeBufferPointer { $0.baseAddress.map { Int(bitPattern: UnsafeRawPointer($0)) } }
    }
}

public enum Planner {
    /// Cases in a stable order (endpoint id, then case id), numbered, with
    /// fixtures checked and pool values taken. Captures resolve at run time.
    /// `used`: pool entries earlier runs against this target consumed (see
    /// `PoolLedger`), skipped; `ledger` names where they are recorded.
    public static func plan(
        suite: Suite, target: TargetProfile, credentials: Credentials, used: PoolLedger = PoolLedger(), ledger: String? = nil
    ) -> Plan {
        let usedKeys = used.used.mapValues(Set.init)
        // The order as positions (not a sorted copy of every case); each job
        // is made when it is read, sharing its case's steps with the suite
        // unless pinning changes them.
        let cases = suite.cases
        let order = Planner.order(cases)
        var poolNext: [String: Int] = [:]
        // Cases that share one steps array (copies, as generated cases are)
        // share one pinned array too: keyed by the array's storage.
        var pinnedByStorage: [Int: [Step]?] = [:]
        var skipReasons: [Int32: String] = [:]
        var takes: [Int32: ([Step], [String: JSON])] = [:]
        for (seq, index) in order.enumerated() {
            var c = cases[Int(index)]
            let storage = Plan.storage(of: c.steps)
            let changed: [Step]?
            if let storage, let shared = pinnedByStorage[storage] {
                changed = shared
            } else {
                let pinnedSteps = c.steps.map { pinned($0, target.readings) }
                changed = pinnedSteps != c.steps ? pinnedSteps : nil
                if let storage { pinnedByStorage[storage] = changed }
            }
            if let changed { c.steps = changed }
            var skipReason: String?
            if let todo = c.skeleton {
                skipReason = "skeleton case, not written yet (\(c.file)): \(todo)"
            } else if let missing = c.fixtureVariables.first(where: { target.fixtures[$0] == nil }) {
                skipReason =
                    "target \(target.name) has no fixture '\(missing)' (\(suite.fixtures[missing] ?? "")); add it to \(target.file)"
            } else if let role = ([c.role] + c.steps.compactMap(\.role)).first(where: {
                suite.access.hasCredential($0) && !credentials.has($0)
            }) {
                skipReason = "no credential for role \(role): "
                    + (credentials.missing[role]
                        ?? "\(target.file) names no environment variable for \(role) under credentials")
            } else if c.isMutating(in: suite), !target.allowMutations {
                skipReason =
                    "mutating case; target \(target.name) does not allow mutations (set \"allowMutations\": true in \(target.file))"
            } else {
                switch takePools(c, fixtures: target.fixtures, next: &poolNext, used: usedKeys, ledger: ledger) {
                case .success(let (steps, taken)):
                    if !taken.isEmpty { takes[Int32(seq)] = (steps, taken) }
                case .failure(let why): skipReason = why.message
                }
            }
            if let skipReason { skipReasons[Int32(seq)] = skipReason }
        }
        return Plan(
            cases: cases, order: order, pinned: pinnedByStorage.compactMapValues { $0 }, fixtures: target.fixtures,
            skipReasons: skipReasons, takes: takes)
    }

    /// The suite's cases in plan order, as `run --list` prints them: the
    /// plan without its making. A listing reads a case's endpoint, id, role,
    /// `covers`, tags and number of steps, none of which planning changes
    /// (pinning a step to the target's readings keeps the steps, and skip
    /// reasons and pool takes are not listed), so the steps are not pinned,
    /// the fixtures not checked and no pool taken: that was a tenth of
    /// `run --list`'s CPU.
    public static func listing(_ suite: Suite) -> [Case] {
        order(suite.cases).map { suite.cases[Int($0)] }
    }

    /// The plan order: the positions of `cases` by endpoint id, then case id.
    static func order(_ cases: [Case]) -> [Int32] {
        (0..<Int32(cases.count)).sorted { a, b in
            (cases[Int(a)].endpoint, cases[Int(a)].id) < (cases[Int(b)].endpoint, cases[Int(b)].id)
        }
    }

    struct PoolError: Error { var message: String }

    /// The step as a target with these pinned readings (reading id → option
    /// id) is held to it: the pinned option's expectation is the one to meet,
    /// and only alternatives that agree with every pin remain. Alternatives
    /// that expect nothing different are dropped.
    package static func pinned(_ step: Step, _ pins: [String: String]) -> Step {
        var s = step
        func agrees(_ choices: [ReadingChoice]) -> Bool {
            choices.allSatisfy { ch in pins[ch.reading].map { $0 == ch.option } ?? true }
        }
        let wanted = step.readings.map { ch in ReadingChoice(reading: ch.reading, option: pins[ch.reading] ?? ch.option) }
        if wanted != step.readings, let alt = step.alternatives.first(where: { $0.choices == wanted }) {
            s.expect = alt.expect
            s.readings = wanted
        }
        var kept: [StepAlternative] = []
        var alsoHeld: [[ReadingChoice]] = []
        for alt in step.alternatives + [StepAlternative(choices: step.readings, expect: step.expect)]
        where alt.choices != s.readings && agrees(alt.choices) {
            if alt.expect == s.expect {
                alsoHeld.append(alt.choices)
            } else if let k = kept.firstIndex(where: { $0.expect == alt.expect }) {
                kept[k].also.append(alt.choices)
            } else {
                kept.append(alt)
            }
        }
        s.alternatives = kept
        s.alsoHeld = alsoHeld
        return s
    }

    /// Replaces each distinct `{{take POOL}}` of a case with the next unused
    /// element of the array fixture POOL (the same value wherever it appears in the case).
    static func takePools(
        _ c: Case, fixtures: [String: JSON], next: inout [String: Int], used: [String: Set<String>] = [:], ledger: String? = nil
    ) -> Result<([Step], [String: JSON]), PoolError> {
        var byPool: [String: JSON] = [:]
        var taken: [String: JSON] = [:]
        var names: [String] = []
        for step in c.steps {
            for v in step.request.variables where v.hasPrefix(takePrefix) && !names.contains(v) { names.append(v) }
            for a in step.expect.assertions {
                if case .equals(let t) = a.kind {
                    for v in t.variables where v.hasPrefix(takePrefix) && !names.contains(v) { names.append(v) }
                }
            }
        }
        for v in names {
            let pool = String(v.dropFirst(takePrefix.count)).trimmingCharacters(in: " ")
            guard case .array(let values)? = fixtures[pool] else {
                return .failure(PoolError(message: "fixture '\(pool)' must be an array to take values from"))
            }
            var k = next[pool, default: 0]
            let skip = used[pool] ?? []
            while k < values.count, skip.contains(PoolLedger.key(values[k])) { k += 1 }
            guard k < values.count else {
                let earlier = values.count { skip.contains(PoolLedger.key($0)) }
                if earlier > 0 {
                    return .failure(
                        PoolError(
                            message: "fixture pool '\(pool)' is exhausted: \(earlier) of its \(values.count) values were taken by earlier runs against this target"
                                + (ledger.map { " (recorded in \($0); --reset-pools forgets them)" } ?? "") + "; add fresh ones to the target profile"))
                }
                return .failure(PoolError(message: "fixture pool '\(pool)' is exhausted (\(values.count) values); add more to the target profile"))
            }
            next[pool] = k + 1
            taken[v] = values[k]
            byPool[pool] = values[k]
        }
        if taken.isEmpty { return .success((c.steps, [:])) }
        return .success((
            c.steps.map { step in
                var s = step
                s.request.pathParams = s.request.pathParams.mapValues { Template(substitute($0, taken, keepUnknown: true)) }
                s.request.query = s.request.query.map { ($0.name, Template(substitute($0.value, taken, keepUnknown: true))) }
                s.request.headers = s.request.headers.map { ($0.name, Template(substitute($0.value, taken, keepUnknown: true))) }
                s.request.body = s.request.body.map { Template(substitute($0, taken, keepUnknown: true)) }
                func taking(_ assertions: [Assertion]) -> [Assertion] {
                    assertions.map { a in
                        guard case .equals(let t) = a.kind else { return a }
                        return Assertion(pointer: a.pointer, kind: .equals(Template(substitute(t, taken, keepUnknown: true))))
                    }
                }
                s.expect.assertions = taking(s.expect.assertions)
                for k in s.alternatives.indices {
                    s.alternatives[k].expect.assertions = taking(s.alternatives[k].expect.assertions)
                }
                return s
            }, byPool))
    }

    /// The concrete request of a step, with every variable bound.
    public static func resolve(_ step: Step, endpoint: Endpoint, bindings: [String: JSON]) -> PlannedRequest {
        var path = ""
        var rest = Substring(endpoint.path)
        while let open = rest.firstIndex(of: "{") {
            path += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            let value = step.request.pathParams[name].map { substitute($0, bindings).textValue } ?? ""
            path += percentEncodePathSegment(value, reserved: step.request.encodeReserved)
            rest = after[after.index(after: close)...]
        }
        path += rest
        return PlannedRequest(
            method: endpoint.method, path: path,
            query: step.request.query.map { .init(name: $0.name, value: substitute($0.value, bindings).textValue) },
            headers: step.request.headers.map { .init(name: $0.name, value: substitute($0.value, bindings).textValue) },
            body: step.request.body.map { substitute($0, bindings) },
            rawBody: step.request.rawBody.map { substitute($0, bindings).textValue })
    }

    /// Replaces `{{name}}` in every string. A string that is exactly one
    /// variable takes the bound JSON value (so numbers stay numbers).
    /// Unbound variables become empty, or stay as written with `keepUnknown`.
    public static func substitute(_ t: Template, _ bindings: [String: JSON], keepUnknown: Bool = false) -> JSON {
        t.filled(bindings, keepUnknown: keepUnknown)
    }

    /// `s` with every byte but ASCII letters, digits and the marks a path
    /// segment keeps (`-._~`, and unless `reserved` the sub-delimiters,
    /// `:` and `@`) written `%HH`: over the bytes, with a table (a
    /// `Character` made and classified per byte was 1.5 % of a keep-alive
    /// run's client CPU: perf, issue 24).
    static func percentEncodePathSegment(_ s: String, reserved: Bool = false) -> String {
        let keep = reserved ? keptInPathSegmentReserved : keptInPathSegment
        let utf8 = s.utf8
        if utf8.allSatisfy({ keep[Int($0)] }) { return s }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for b in utf8 {
            if keep[Int(b)] {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), upperHex[Int(b >> 4)], upperHex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let upperHex = Array("0123456789ABCDEF".utf8)
    static let keptInPathSegment = keptBytes("-._~+:@!$&'()*,;=")
    static let keptInPathSegmentReserved = keptBytes("-._~")

    /// By byte value: an ASCII letter or digit, or one of `marks`.
    static func keptBytes(_ marks: String) -> [Bool] {
        (0..<256).map { b in
            (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || marks.utf8.contains(UInt8(b))
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

extension Substring {
    func trimmingCharactersSpaces() -> String { self.trimmingSpaces() }
}

extension JSONReading {
    /// The value as it reads in a URL or header: strings bare, others as JSON.
    var textValue: String { stringValue ?? materialize().description }
}
