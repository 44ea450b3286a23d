import Foundation
import JSONKit
import Synchronization

public struct RunOptions: Sendable {
    /// Requests in flight at once.
    public var jobs: Int
    /// Per-request timeout, seconds.
    public var timeout: Double
    /// Overall deadline for the whole run, seconds.
    public var deadline: Double?
    /// Extra attempts after a transport failure (never after a wrong answer).
    public var retries: Int
    public var check: CheckOptions
    /// Set from outside (Ctrl-C, SIGTERM) to stop sending.
    public var stop: StopFlag?
    /// Called as each case finishes: (finished, total, that case).
    public var progress: (@Sendable (Int, Int, CaseResult) -> Void)?
    /// Where the deadline and token renewals read the time.
    public var clock: RunClock
    /// `--rate`: spaces every request the run sends; nil sends as fast as `jobs` allows.
    public var pacer: RequestPacer? = nil

    public init(
        jobs: Int = 8, timeout: Double = 30, deadline: Double? = nil, retries: Int = 0, check: CheckOptions = .init(),
        stop: StopFlag? = nil, progress: (@Sendable (Int, Int, CaseResult) -> Void)? = nil, clock: RunClock = .system
    ) {
        self.progress = progress
        self.clock = clock
        self.jobs = jobs
        self.timeout = timeout
        self.deadline = deadline
        self.retries = retries
        self.check = check
        self.stop = stop
    }
}

/// Tells a run to stop sending; the reason ends up in the unfinished cases' errors.
public final class StopFlag: Sendable {
    let state = Mutex<String?>(nil)
    /// Set by `halt`: cases not yet started are skipped, not errors (nothing went wrong with them).
    let haltedState = Mutex<Bool>(false)
    public init() {}
    public func stop(_ reason: String) { state.withLock { if $0 == nil { $0 = reason } } }
    /// Stops sending because judging more is pointless (`--max-failures`, an
    /// unreachable target): the cases not yet started are skipped with the reason.
    public func halt(_ reason: String) {
        state.withLock {
            if $0 == nil {
                $0 = reason
                haltedState.withLock { $0 = true }
            }
        }
    }
    public var reason: String? { state.withLock { $0 } }
    public var halted: Bool { haltedState.withLock { $0 } }
}

/// Sends each planned request, judges the answer, and returns plain results
/// in plan order whatever the concurrency.
public struct Runner: Sendable {
    public var suite: Suite
    public var target: TargetProfile
    public var credentials: Credentials
    public var transport: any Transport
    public var options: RunOptions
    /// When the overall deadline falls, on `options.clock` (set by `run`).
    var deadlineAt: Double?
    /// Fixtures the preflight found contradicted by the target, with why (set by `run`).
    var refuted: [String: String] = [:]
    /// Pool entries the preflight found free on the target in this run: `pool` NUL `PoolLedger.key(value)`.
    public var confirmedFree: Set<String> = []
    /// Fixtures the preflight confirmed in this run (set by `run`).
    var confirmed: Set<String> = []
    /// What the preflight said of a fixture it could not confirm (set by `run`).
    var unconfirmedWhy: [String: String] = [:]
    /// Credentials per role, logging in where the profile says so.
    public let tokens: TokenStore
    /// Members masked in reports: those the schemas mark `x-sensitive`.
    let sensitive: Set<String>

    public init(
        suite: Suite, target: TargetProfile, credentials: Credentials, transport: any Transport, options: RunOptions
    ) {
        self.suite = suite
        self.target = target
        self.credentials = credentials
        self.transport = transport
        self.options = options
        sensitive = SensitiveFields.names(in: suite.schemas)
        tokens = TokenStore(
            credentials: credentials, login: target.login, baseURL: target.baseURL, transport: transport,
            timeout: options.timeout, clock: options.clock)
    }

    /// Scrubs what the target sends back of every credential, password and
    /// token obtained so far.
    public func scrubber() async -> Scrubber {
        let secrets = credentials.secrets + (await tokens.issued)
        return scrubbers.scrubber(secrets: secrets, basicAuth: target.auth.isBasic)
    }

    /// The last scrubber made, reused while the secrets stay the same
    /// (they change only when a role logs in): each step asks for one, and
    /// deriving every encoded form of every secret is not free.
    let scrubbers = ScrubberCache()

    public func run(_ jobs: [Job]) async -> RunResult {
        var me = self
        // Clamped to a year: the deadline is Double seconds on the run's clock, kept finite.
        if let d = options.deadline { me.deadlineAt = options.clock.now() + min(max(d, 0), 365 * 86400) }
        let checked = jobs.contains { $0.skipReason == nil } ? await me.preflight() : []
        for o in checked where o.state == .refuted {
            for f in o.fixtures where me.refuted[f] == nil { me.refuted[f] = o.detail }
        }
        for o in checked where o.state == .confirmed {
            for f in o.fixtures where me.refuted[f] == nil { me.confirmed.insert(f) }
        }
        for o in checked where o.state == .unconfirmed {
            for f in o.fixtures where me.unconfirmedWhy[f] == nil { me.unconfirmedWhy[f] = o.detail }
        }
        var run = await me.runAll(jobs)
        run.preflight = checked
        return run
    }

    /// Sends the suite's read-only preflight requests (at most `jobs` at
    /// once) and says for each whether the target's answer confirms its
    /// fixtures, in the suite's order. Pool checks are `preflightPools`'.
    public func preflight() async -> [PreflightOutcome] {
        let checks = suite.preflight.filter { $0.pool == nil }
        var found = Array(repeating: [PreflightOutcome](), count: checks.count)
        await withTaskGroup(of: (Int, [PreflightOutcome]).self) { group in
            var next = 0
            let width = max(1, options.jobs)
            while next < checks.count && next < width {
                let (i, check) = (next, checks[next])
                group.addTask { (i, await self.preflight(check)) }
                next += 1
            }
            while let (i, outcomes) = await group.next() {
                found[i] = outcomes
                if next < checks.count {
                    let (k, check) = (next, checks[next])
                    group.addTask { (k, await self.preflight(check)) }
                    next += 1
                }
            }
        }
        return found.flatMap { $0 }
    }

    /// The request of a preflight check with `bindings`, ready to send.
    func planned(_ check: PreflightCheck, _ endpoint: Endpoint, bindings: [String: JSON]) -> PlannedRequest {
        var step = Step(
            endpoint: endpoint.id, covers: "success",
            request: RequestTemplate(
                pathParams: check.params, query: check.query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, headers: [],
                body: nil),
            expect: Expectation(status: check.status, errorMessage: nil, schema: nil, assertions: []), captures: [])
        step.readings = []
        return Planner.resolve(step, endpoint: endpoint, bindings: bindings)
    }

    /// Sends one preflight request and judges what it says of its fixtures.
    func preflight(_ check: PreflightCheck) async -> [PreflightOutcome] {
        guard let endpoint = suite.endpoint(check.endpoint) else { return [] }
        // What the request and its identification need; a field or text without its fixture is left out.
        let names =
            check.fixtures + check.identifiedBy.map(\.fixture) + (check.find.map { [$0.fixture] } ?? [])
            + check.params.values.flatMap(\.variables) + check.query.values.flatMap(\.variables)
        guard names.allSatisfy({ target.fixtures[$0] != nil }) else { return [] }  // the cases skip anyway
        let planned = planned(check, endpoint, bindings: target.fixtures)
        let shown = "\(endpoint.method) \(planned.path)\(planned.query.isEmpty ? "" : "?" + planned.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")) as \(check.role)"
        var out: [PreflightOutcome] = []
        // A check about fields only (no fixtures of its own) speaks of those fields' fixtures.
        let about = check.fixtures.isEmpty ? check.fields.map(\.fixture) + check.contains.map(\.fixture) : check.fixtures
        func outcome(_ state: PreflightOutcome.State, _ detail: String, _ fixtures: [String]? = nil) {
            out.append(PreflightOutcome(fixtures: fixtures ?? about, request: shown, state: state, detail: detail))
        }
        guard credentials.has(check.role) else {
            outcome(.unconfirmed, "no credential for \(check.role)")
            return out
        }
        let secret: String?
        do { secret = try await tokens.token(for: check.role) } catch {
            outcome(.unconfirmed, error.message)
            return out
        }
        var ignored: [String] = []
        let exchange: HTTPExchange
        switch await send(wire(planned, role: check.role, secret: secret).0, attempts: &ignored) {
        case .success(let e): exchange = e
        case .failure(let why):
            outcome(.unconfirmed, why.message)
            return out
        }
        let list = check.fixtures.map { "'\($0)'" }.joined(separator: ", ")
        if check.refutedBy.contains(exchange.status) {
            outcome(
                .refuted,
                "fixture \(list) does not hold on the target: \(shown) answered \(exchange.status), not \(check.status); fix it in \(target.file)")
            return out
        }
        guard exchange.status == check.status else {
            outcome(.unconfirmed, "\(shown) answered \(exchange.status)")
            return out
        }
        let body = try? JSONParser.parse(exchange.body)
        let scrub = await scrubber()
        for (pointer, fixture) in check.identifiedBy {
            // Another thing than the fixtures describe (or none shown): nothing is settled.
            guard let got = body.flatMap({ pointer.resolve(in: $0) }), let want = target.fixtures[fixture], Checker.matches(got, want)
            else {
                outcome(.unconfirmed, "\(shown) answered \(exchange.status), but not with '\(fixture)' at \(pointer): not the thing the fixtures describe, so nothing is settled")
                return out
            }
        }
        var contradicted: [String] = []
        var agreeing: [String] = []
        for (pointer, fixture) in check.fields {
            guard let got = body.flatMap({ pointer.resolve(in: $0) }), !got.isNull, let want = target.fixtures[fixture]
            else { continue }
            if Checker.matches(got, want) {
                agreeing.append(fixture)
                continue
            }
            contradicted.append(fixture)
            outcome(
                .refuted,
                "fixtures \(list) and '\(fixture)' disagree on the target: \(shown) has \(pointer) = \(shorten(scrub(got.description), to: 40)), not \(shorten(want.description, to: 40)); fix them in \(target.file)",
                check.fixtures + [fixture])
        }
        if let find = check.find, let want = target.fixtures[find.fixture] {
            // The item the fixture names, then what the other fixtures say of it.
            let items = body.flatMap { find.items.resolve(in: $0)?.arrayValue } ?? []
            guard let item = items.first(where: { find.pointer.resolve(in: $0).map { Checker.matches($0, want) } ?? false }) else {
                outcome(.unconfirmed, "\(shown) lists no item with \(find.pointer) = \(shorten(want.description, to: 40)) (a wrong fixture or a wrong answer: the cases tell)")
                return out
            }
            agreeing.append(find.fixture)
            for (pointer, fixture) in check.contains {
                guard let text = pointer.resolve(in: item)?.stringValue, let part = target.fixtures[fixture]?.stringValue else {
                    outcome(.unconfirmed, "the item \(shown) lists for '\(find.fixture)' has no text at \(pointer)", [fixture])
                    continue
                }
                if text.lowercased().contains(part.lowercased()) {
                    outcome(.confirmed, "the item \(shown) lists for '\(find.fixture)' has it in \(pointer)", [fixture])
                } else {
                    outcome(
                        .refuted,
                        "fixture '\(fixture)' does not hold on the target: the deleted item \(shown) lists for '\(find.fixture)' has \(pointer) = \(shorten(scrub(text), to: 40)), which does not contain \(shorten(part, to: 40)); fix it in \(target.file)",
                        [fixture])
                }
            }
        }
        if check.find == nil, let body {
            for (pointer, fixture) in check.contains {
                guard let part = target.fixtures[fixture]?.stringValue else { continue }
                guard let text = pointer.resolve(in: body)?.stringValue else {
                    outcome(.unconfirmed, "\(shown) has no text at \(pointer)", [fixture])
                    continue
                }
                if text.lowercased().contains(part.lowercased()) {
                    outcome(.confirmed, "\(shown) has it in \(pointer)", [fixture])
                } else {
                    contradicted.append(fixture)
                    outcome(
                        .refuted,
                        "fixture '\(fixture)' does not hold on the target: \(shown) has \(pointer) = \(shorten(scrub(text), to: 40)), which does not contain \(shorten(part, to: 40)); fix it in \(target.file)",
                        [fixture])
                }
            }
        }
        if contradicted.isEmpty {
            outcome(.confirmed, "\(shown) answered \(exchange.status)", check.fixtures + agreeing)
        }
        return out
    }

    /// Asks the target about each entry of the pools a preflight check names
    /// (at most `jobs` requests at once), except the entries in `skipping`
    /// (pool → keys, e.g. those earlier runs took).
    /// The overall deadline binds these requests too (from when they start),
    /// and a pool whose requests fail in transport is given up at once: an
    /// unreachable or silent server costs one timeout, not one per entry.
    public func preflightPools(skipping: [String: Set<String>] = [:]) async -> PoolPreflight {
        var me = self
        if let d = options.deadline, me.deadlineAt == nil { me.deadlineAt = options.clock.now() + min(max(d, 0), 365 * 86400) }
        return await me.checkPools(skipping: skipping)
    }

    func checkPools(skipping: [String: Set<String>]) async -> PoolPreflight {
        var result = PoolPreflight()
        for check in suite.preflight {
            guard let pool = check.pool, let endpoint = suite.endpoint(check.endpoint),
                case .array(let entries)? = target.fixtures[pool]
            else { continue }
            let todo = entries.filter { !(skipping[pool] ?? []).contains(PoolLedger.key($0)) }
            guard !todo.isEmpty else { continue }
            guard credentials.has(check.role), let secret = try? await tokens.token(for: check.role) else {
                result.notes.append("\(pool): not checked (no credential for \(check.role))")
                continue
            }
            var states = Array(repeating: 0, count: todo.count)  // 1 free, 2 in use, 0 unsettled, -1 no answer
            var unreachable: String?
            await withTaskGroup(of: (Int, Int, String?).self) { group in
                var next = 0
                let width = max(1, options.jobs)
                func add(_ i: Int) {
                    var bindings = target.fixtures
                    bindings[pool] = todo[i]
                    let request = planned(check, endpoint, bindings: bindings)
                    group.addTask {
                        var ignored: [String] = []
                        switch await self.send(self.wire(request, role: check.role, secret: secret).0, attempts: &ignored) {
                        case .failure(let why): return (i, -1, why.message)
                        case .success(let e): return (i, e.status == check.status ? 1 : check.refutedBy.contains(e.status) ? 2 : 0, nil)
                        }
                    }
                }
                while next < todo.count && next < width {
                    add(next)
                    next += 1
                }
                while let (i, state, why) = await group.next() {
                    states[i] = state
                    if let why, unreachable == nil { unreachable = why }
                    if unreachable == nil, next < todo.count {
                        add(next)
                        next += 1
                    }
                }
            }
            for (entry, state) in zip(todo, states) {
                if state == 1 { result.free.insert(pool + "\u{0}" + PoolLedger.key(entry)) }
                if state == 2 { result.inUse[pool, default: []].append(PoolLedger.key(entry)) }
            }
            if let unreachable {
                result.notes.append("\(pool): not checked: \(unreachable)")
                continue
            }
            let used = result.inUse[pool]?.count ?? 0, free = states.count { $0 == 1 }
            result.notes.append(
                "\(pool): \(free) of \(todo.count) entries free on the target (\(endpoint.method) \(endpoint.path) as \(check.role) answered \(check.status))"
                    + (used > 0 ? "; \(used) in use, skipped: \(result.inUse[pool]!.prefix(3).joined(separator: ", "))\(used > 3 ? ", …" : "")" : "")
                    + (todo.count - free - used > 0 ? "; \(todo.count - free - used) unsettled" : ""))
        }
        return result
    }

    func runAll(_ jobs: [Job]) async -> RunResult {
        let started = Date()
        var results: [CaseResult] = []
        results.reserveCapacity(jobs.count)
        let width = max(1, options.jobs)
        let order = Runner.longestFirst(jobs)
        await withTaskGroup(of: CaseResult.self) { group in
            var next = 0
            while next < order.count && next < width {
                let job = jobs[order[next]]
                group.addTask { await self.execute(job) }
                next += 1
            }
            while let r = await group.next() {
                results.append(r)
                options.progress?(results.count, jobs.count, r)
                if next < order.count {
                    let job = jobs[order[next]]
                    group.addTask { await self.execute(job) }
                    next += 1
                }
            }
        }
        results.sort { $0.seq < $1.seq }
        results = Runner.consistency(results, readings: suite.readings)
        let endpoints = suite.endpoints.map { EndpointInfo(id: $0.id, title: $0.title, method: $0.method, path: $0.path) }
        var run = RunResult(
            targetName: target.name, baseURL: target.baseURL, startedAt: started, finishedAt: Date(),
            endpoints: endpoints, results: results, coverage: Coverage.compute(suite))
        run.values = ValueCoverage.compute(suite, results: results)
        run.readings = suite.readings
        run.roles = suite.access.roleNames
        run.pinnedReadings = target.readings
        run.generatedSeed = suite.generated?.seed
        run.generatedCases = suite.generated?.cases ?? 0
        return run
    }

    /// The order to start jobs in: the longest first (by `estimatedRequests`,
    /// ties in plan order). A case's requests run one after another, so a long
    /// case started last would keep the run waiting after every other lane has
    /// finished; started first, it runs beside the short ones. Results are put
    /// back in plan order whatever the order of execution.
    static func longestFirst(_ jobs: [Job]) -> [Int] {
        let cost = jobs.map(estimatedRequests)
        return jobs.indices.sorted { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }
    }

    /// Requests a job is expected to make: one per step, plus, for a walk, the
    /// pages of a thousand items at its limit (the real total is only known
    /// once the first page is in; a smaller limit means more pages).
    static func estimatedRequests(_ job: Job) -> Int {
        if job.skipReason != nil { return 0 }
        var n = 0
        for step in job.steps {
            n += 1
            for case .walk(let limit, _) in step.expect.invariants {
                n += (1000 + max(1, limit) - 1) / max(1, limit)
            }
        }
        return n
    }

    /// The last answer a case read, from which its excerpt is written once
    /// the case's verdict is known (not once per step, and for a case that
    /// passes only as much as its report keeps).
    struct LastAnswer {
        var body: [UInt8]
        var parsed: JSON?
        var scrub: Scrubber
    }

    func execute(_ job: Job) async -> CaseResult {
        var last: LastAnswer?
        var result = await executeSteps(job, last: &last)
        if let a = last {
            // A passing case keeps `passedExcerptLimit` bytes of the excerpt: a JSON
            // answer is written only that far (plus the mark's length, so that the
            // cut below falls where it would on the full excerpt: the writer's
            // output is a prefix of the whole text, cut at a character boundary).
            let limit =
                result.verdict.conforms && a.parsed != nil
                ? Runner.passedExcerptLimit + Runner.truncatedMark.utf8.count : Runner.excerptLimit
            result.responseExcerpt = excerpt(a.body, parsed: a.parsed, scrub: a.scrub, limit: limit)
        }
        if result.verdict.conforms { result.responseExcerpt = result.responseExcerpt.map(Runner.passedExcerpt) }
        return result
    }

    func executeSteps(_ job: Job, last: inout LastAnswer?) async -> CaseResult {
        let c = job.testCase
        var result = CaseResult(
            seq: job.seq, caseID: c.id, title: c.title, file: c.file, endpointID: c.endpoint, covers: c.covers,
            role: c.role, verdict: .skipped(job.skipReason ?? "not planned"), findings: [], request: nil, status: nil,
            responseExcerpt: nil, durationSeconds: 0)
        result.required = c.level == .required
        if job.skipReason != nil { return result }
        if let stop = options.stop, let reason = stop.reason {
            result.verdict = stop.halted ? .skipped("not run: \(reason)") : .error("interrupted (\(reason)) before it ran")
            return result
        }
        if let fixture = c.fixtureVariables.first(where: { refuted[$0] != nil }), let why = refuted[fixture] {
            result.verdict = .error("not judged: " + why)
            return result
        }
        var bindings = job.fixtures
        var lastBody: JSON?
        let chained = job.steps.count > 1
        for (k, step) in job.steps.enumerated() {
            guard let endpoint = suite.endpoint(step.endpoint) else { continue }
            let label = chained ? "step \(k + 1) (\(endpoint.method) \(endpoint.path)): " : ""
            let planned = Planner.resolve(step, endpoint: endpoint, bindings: bindings)
            let role = step.role ?? c.role
            let secret: String?
            do {
                secret = try await tokens.token(for: role)
            } catch {
                result.verdict = .error(label + error.message)
                return result
            }
            let scrub = await scrubber()
            let (outgoing, summary) = wire(planned, role: role, secret: secret)
            result.request = summary
            let exchange: HTTPExchange
            var concurrentFindings: [Finding] = []
            if let count = step.concurrent, count > 1 {
                // The same request `count` times at once: one answer is judged
                // below (a success when there is one), the others here.
                let answers = await withTaskGroup(of: (Int, Result<HTTPExchange, SendFailure>).self) { group in
                    for k in 0..<count {
                        group.addTask {
                            var ignored: [String] = []
                            return (k, await self.send(outgoing, attempts: &ignored))
                        }
                    }
                    var out: [(Int, Result<HTTPExchange, SendFailure>)] = []
                    for await a in group { out.append(a) }
                    return out.sorted { $0.0 < $1.0 }.map(\.1)
                }
                result.requests += count
                var got: [HTTPExchange] = []
                for a in answers {
                    switch a {
                    case .success(let e): got.append(e)
                    case .failure(let why):
                        result.verdict = .error(label + "one of \(count) requests sent at once: " + why.message)
                        return result
                    }
                }
                let chosen = got.firstIndex { (200..<300).contains($0.status) } ?? 0
                exchange = got[chosen]
                got.remove(at: chosen)
                concurrentFindings = concurrentOthers(got, step: step, endpoint: endpoint, count: count)
            } else {
                let before = result.attempts.count
                let sent = await send(outgoing, attempts: &result.attempts)
                result.requests += 1 + result.attempts.count - before
                switch sent {
                case .success(let e): exchange = e
                case .failure(let why):
                    result.verdict = .error(label + why.message)
                    return result
                }
            }
            result.durationSeconds += exchange.seconds
            result.status = exchange.status
            var context = Checker.Context(
                expect: step.expect, endpoint: endpoint, role: role, request: planned, bindings: bindings,
                now: Date().timeIntervalSince1970)
            var j = Checker.judge(exchange, context: context, suite: suite, target: target, options: options.check)
            // Each alternative is judged once, and only where its verdict is read.
            let judgedAlternatives = judgeAlternatives(step, exchange, context, heldPassed: j.verdict == .passed)
            for (reading, took) in optionsTaken(step, judgedAlternatives, heldPassed: j.verdict == .passed) {
                let before = result.readingOptions[reading].map(Set.init) ?? took
                result.readingOptions[reading] = before.intersection(took).sorted()
            }
            if j.verdict == .failed, let (alt, judged, taken) = alternative(judgedAlternatives) {
                // The answer departs from the suite's reading but meets a
                // documented alternative: ambiguous, not failed.
                context.expect = alt.expect
                j = judged
                j.findings = readingFindings(step.readings, taken) + j.findings
            } else if j.verdict == .failed, exchange.status != context.expect.status,
                let (alt, judged) = statusAlternative(judgedAlternatives, exchange)
            {
                // The status is one an alternative takes (an accepted bad value,
                // a 201) but the answer does not conform to it: judged as that
                // alternative, the failure names what is wrong in the answer,
                // not the status the suite's own reading expected.
                context.expect = alt.expect
                j = judged
                j.findings = j.findings.map { taking(alt.choices, held: step.readings, $0) }
            }
            if j.verdict == .failed, exchange.status == 409, context.expect.status != 409, let why = usedEntry(job) {
                // "Already in use" for a value the case took from a pool: the
                // profile's entry was used before this run, unless the preflight saw it free.
                last = LastAnswer(body: exchange.body, parsed: j.body, scrub: scrub)
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            if j.verdict == .failed, let why = refusedFixture(job, step, context, exchange, j.body) {
                // A documented refusal of the very value a fixture gave: the
                // fixture may be wrong (a rate plan the target does not have).
                last = LastAnswer(body: exchange.body, parsed: j.body, scrub: scrub)
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            result.findings += (j.findings + concurrentFindings).map { prefixed(Runner.scrubbed(maskFinding($0), scrub), label) }
            if j.verdict.conforms && concurrentFindings.contains(where: { $0.severity == .failure }) { j.verdict = .failed }
            if (200..<300).contains(exchange.status), let body = j.body {
                let enums = suite.documentedEnums.filter { $0.endpointID == endpoint.id }
                result.observedValues = DocumentedValues.merge(
                    result.observedValues + DocumentedValues.observe(body, enums: enums, conforms: j.verdict.conforms),
                    enums: enums)
            }
            last = LastAnswer(body: exchange.body, parsed: j.body, scrub: scrub)
            lastBody = j.body
            if case .error(let why) = j.verdict {
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            // Later steps would build on a wrong answer, but this step's own
            // checks are independent: a schema finding on the first page does
            // not keep the walk from checking every page.
            let stepFailed = j.verdict == .failed
            for inv in context.expect.invariants where exchange.status == context.expect.status {
                guard case .walk(let limit, let idPointer) = inv, let paging = endpoint.paging else { continue }
                let counts = step.captures.compactMap { cap in
                    cap.countEquals.map { (cap.name, cap.pointer, Planner.substitute($0, bindings)) }
                }
                // Every later page is judged as the first was (schema,
                // visibility, the step's item rules), not only counted.
                var pageContext = context
                pageContext.expect.assertions = []
                pageContext.expect.invariants.removeAll { if case .walk = $0 { return true } else { return false } }
                let pageBase = pageContext
                let (suite, target, checkOptions) = (self.suite, self.target, options.check)
                let judgePage: @Sendable (HTTPExchange, PlannedRequest) -> [Finding] = { page, request in
                    var c = pageBase
                    c.request = request
                    return Checker.judge(page, context: c, suite: suite, target: target, options: checkOptions).findings
                }
                switch await walk(
                    planned, endpoint: endpoint, paging: paging, limit: limit, idPointer: idPointer, role: role,
                    counting: counts.map { ($0.1, $0.2) }, judgePage: judgePage)
                {
                case .success(let (findings, pages, counted)):
                    result.findings += findings.map { prefixed(Runner.scrubbed($0, scrub), label) }
                    result.requests += pages
                    for (k, c) in counts.enumerated() { bindings[capturedPrefix + c.0] = .number(Double(counted[k])) }
                case .failure(let e):
                    if stepFailed { break }  // the failure found already stands; the walk could not add to it
                    result.verdict = .error(label + "while walking the pages: " + e.message)
                    return result
                }
            }
            if stepFailed {
                result.verdict = unblamable(c, result.findings, body: lastBody).map(Verdict.error) ?? .failed
                return result
            }
            for capture in step.captures where capture.countEquals == nil {
                if let v = j.body.flatMap({ capture.pointer.resolve(in: $0) }) {
                    bindings[capturedPrefix + capture.name] = v
                } else if capture.optional {
                    result.verdict = .error(
                        label + "not judged: the answer has no \(capture.pointer), which the docs do not promise and the next step needs as '\(capture.name)'; choose a fixture whose answer shows it")
                    return result
                } else {
                    result.findings.append(
                        prefixed(
                            Finding(
                                check: .capture, pointer: capture.pointer.description, expected: "a value to capture as '\(capture.name)'",
                                actual: "missing", message: "\(capture.pointer) is missing, so '\(capture.name)' cannot be captured for the next step"),
                            label))
                }
            }
            if result.findings.contains(where: { $0.severity == .failure }) { break }
        }
        result.verdict =
            result.findings.contains { $0.severity == .failure }
            ? .failed : result.findings.contains { $0.severity == .ambiguous } ? .ambiguous : .passed
        if result.verdict == .failed, let why = unblamable(c, result.findings, body: lastBody) {
            result.verdict = .error(why)
        }
        if result.verdict == .ambiguous, c.fixtureVariables.contains(where: unvouched) {
            // An alternative met with a fixture nothing confirmed may be the
            // fixture's doing (a wrong notes text finds nothing, as exact case
            // would): the case does not testify to the target's option.
            result.readingOptions = [:]
        }
        return result
    }

    /// The answers of a concurrent step other than the one judged by its
    /// expectation: each must be the documented row `step.concurrentOthers`
    /// (status and message), so that of N requests at once exactly one succeeds.
    func concurrentOthers(_ others: [HTTPExchange], step: Step, endpoint: Endpoint, count: Int) -> [Finding] {
        guard let rowID = step.concurrentOthers, let row = endpoint.errors.first(where: { $0.id == rowID }) else { return [] }
        var out: [Finding] = []
        for e in others {
            let message = (try? JSONParser.parse(e.body)).flatMap { target.errorMessagePointer.resolve(in: $0)?.stringValue }
            if e.status == row.status && message == row.message { continue }
            let got = "\(e.status)" + (message.map { " " + shorten($0, to: 40) } ?? "")
            out.append(
                Finding(
                    check: e.status == row.status ? .errorMessage : .status, expected: "\(row.status) \(row.message)", actual: got,
                    message: (200..<300).contains(e.status)
                        ? "of \(count) identical requests sent at once, more than one succeeded (\(got)): exactly one may, the others must answer \(row.status) \(row.message)"
                        : "of \(count) identical requests sent at once, one answered \(got): the others than the one that succeeds must answer \(row.status) \(row.message)"))
        }
        return out
    }

    /// Why a step that expected success, answered with a documented refusal
    /// (403, 404 or 409) whose message names a request member a fixture
    /// filled, is the profile's: nothing confirmed that fixture in this run
    /// (no preflight, no pool check, not in the profile's
    /// `confirmedFixtures`), so "Rate plan not found" may mean a wrong
    /// `create.ratePlan` as well as a wrong target. Nil otherwise.
    func refusedFixture(_ job: Job, _ step: Step, _ context: Checker.Context, _ exchange: HTTPExchange, _ body: JSON?) -> String? {
        guard (200..<300).contains(context.expect.status), [403, 404, 409].contains(exchange.status),
            let message = body.flatMap({ target.errorMessagePointer.resolve(in: $0)?.stringValue }), message != "access_denied",
            let sent = step.request.body?.raw
        else { return nil }
        // Pool entries are in the steps already (`{{take POOL}}` replaced): known by their value.
        let members = Runner.values(at: message, in: sent)
        let pools = job.taken.sorted { $0.key < $1.key }.filter { t in members.contains(t.value) }.map(\.key)
        let named = (Runner.fixtures(filling: message, in: sent) + pools).filter { f in
            guard refuted[f] == nil, !confirmed.contains(f), target.confirmedFixtures[f] == nil else { return false }
            if let entry = job.taken[f], confirmedFree.contains(f + "\u{0}" + PoolLedger.key(entry)) { return false }
            return true
        }
        guard let fixture = named.first else { return nil }
        return "not judged: the target answered \(exchange.status) \(message) to the \(message) fixture '\(fixture)' gave, "
            + "and no read confirmed that fixture on the target, so it may be the profile's (a value the target does not have or cannot use here) as well as the target's; "
            + "check '\(fixture)' in \(target.file), and once you know it holds, list it under confirmedFixtures there (with how you know) so that this case judges the target"
    }

    /// The fixtures whose `{{variables}}` fill the request member `dotted`
    /// (`a.b`; list items are stepped through, so `dataSharingSims.simNumber`
    /// names `dataSharingSims[].simNumber`), in order of first use.
    static func fixtures(filling dotted: String, in body: JSON) -> [String] {
        var out: [String] = []
        for v in values(at: dotted, in: body) {
            for name in Template(v).variables {
                let fixture = name.hasPrefix("take ") ? String(name.dropFirst(5)).trimmingCharacters(in: .whitespaces) : name
                if !out.contains(fixture) { out.append(fixture) }
            }
        }
        return out
    }

    /// The values of the request member `dotted` (list items stepped through).
    static func values(at dotted: String, in body: JSON) -> [JSON] {
        var values = [body]
        for key in dotted.split(separator: ".").map(String.init) {
            values = values.flatMap { v -> [JSON] in (v.arrayValue ?? [v]).compactMap { $0[key] } }
        }
        return values
    }

    /// A `confirmBeforeBlame` fixture that neither the preflight nor the profile confirmed.
    func unvouched(_ fixture: String) -> Bool {
        guard let rule = suite.confirmBeforeBlame[fixture] else { return false }
        return !(rule.preflightConfirms && confirmed.contains(fixture)) && target.confirmedFixtures[fixture] == nil
    }

    /// Why a case that failed only on its own assertions is not the
    /// target's: it rests on a `confirmBeforeBlame` fixture that neither the
    /// preflight nor the profile confirmed (a wrong value would fail it
    /// alike), or, confirmed, the answer does list what the fixture is about
    /// (so what failed is a promise of the fixture no read can check). Nil
    /// when the failure is the target's.
    func unblamable(_ c: Case, _ findings: [Finding], body: JSON?) -> String? {
        let failures = findings.filter { $0.severity == .failure }
        guard !failures.isEmpty, failures.allSatisfy({ $0.check == .assertion }) else { return nil }
        for fixture in c.fixtureVariables.sorted() {
            guard let rule = suite.confirmBeforeBlame[fixture] else { continue }
            let first = failures[0].message
            guard !unvouched(fixture) else {
                let asked = unconfirmedWhy[fixture].map { "the preflight could not confirm it (\($0))" } ?? "no preflight request could confirm it"
                return "not judged: the answer departs from what fixture '\(fixture)' promises (\(first)), and \(rule.why); "
                    + "\(asked). Check '\(fixture)' in \(target.file), and once you know it holds, list it under confirmedFixtures there (with how you know) so that this case judges the target"
            }
            if let m = rule.missing, let want = target.fixtures[m.fixture],
                let items = body.flatMap({ m.items.resolve(in: $0)?.arrayValue }),
                items.contains(where: { m.pointer.resolve(in: $0).map { Checker.matches($0, want) } ?? false })
            {
                return "not judged: the answer lists the item fixture '\(m.fixture)' names, so '\(fixture)' (confirmed) was searched; "
                    + "what failed (\(first)) is the fixture's promise that no other item holds it, which no read can check (\(rule.why)); "
                    + "choose a value in \(target.file) that only that item holds"
            }
        }
        return nil
    }

    /// Why a 409 to `job` is the profile's: the pool entries it took that the
    /// preflight did not confirm free in this run; nil when it took none such.
    func usedEntry(_ job: Job) -> String? {
        let doubtful = job.taken.sorted { $0.key < $1.key }.filter { !confirmedFree.contains($0.key + "\u{0}" + PoolLedger.key($0.value)) }
        guard !doubtful.isEmpty else { return nil }
        let named = doubtful.map { "'\($0.key)'" }.joined(separator: ", ")
        return "not judged: the target answered 409 (in use) to the entry this case took from fixture pool \(named) (the request shows it): "
            + "it was probably used before this run (an entry a case buys stays bought), which is the profile's, not the target's; "
            + "give fresh entries in \(target.file) (conformance fixtures --target \(target.file) shows what is left)"
    }

    /// The step's alternatives, each judged against the answer: read when the
    /// answer failed the suite's own reading, or when the step rests on a
    /// reading the one-option check follows (not pinned, not asked per case).
    /// Otherwise none is judged: a passing answer costs one judgement.
    func judgeAlternatives(
        _ step: Step, _ exchange: HTTPExchange, _ context: Checker.Context, heldPassed: Bool
    ) -> [(alt: StepAlternative, judgement: Checker.Judgement)] {
        guard !step.alternatives.isEmpty, !heldPassed || step.readings.contains(where: followsOneOption) else { return [] }
        return step.alternatives.map { alt in
            var ctx = context
            ctx.expect = alt.expect
            return (alt, Checker.judge(exchange, context: ctx, suite: suite, target: target, options: options.check))
        }
    }

    /// Whether the one-option check follows this reading in this run.
    func followsOneOption(_ held: ReadingChoice) -> Bool {
        target.readings[held.reading] == nil && suite.reading(held.reading).map { !$0.perCase } == true
    }

    /// The first of the step's alternatives (other options of the readings it
    /// rests on) that the answer meets without a failure, with its judgement.
    /// Every alternative the answer meets is named (member-named and other-4xx
    /// may both allow one answer).
    func alternative(
        _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)]
    ) -> (StepAlternative, Checker.Judgement, taken: [[ReadingChoice]])? {
        let passing = judged.filter { $0.judgement.verdict == .passed }
        guard let first = passing.first else { return nil }
        return (first.alt, first.judgement, passing.flatMap { [$0.alt.choices] + $0.alt.also })
    }

    /// The first of the step's alternatives whose status the answer has,
    /// judged as that alternative (it failed: no alternative passed).
    func statusAlternative(
        _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)], _ exchange: HTTPExchange
    ) -> (StepAlternative, Checker.Judgement)? {
        judged.first { j in
            let statuses = j.alt.expect.oneOf.isEmpty ? [j.alt.expect.status] : j.alt.expect.oneOf.map(\.status)
            return statuses.contains(exchange.status)
        }.map { ($0.alt, $0.judgement) }
    }

    /// A failure of an answer judged as an alternative, saying which options it took.
    func taking(_ taken: [ReadingChoice], held: [ReadingChoice], _ f: Finding) -> Finding {
        guard f.severity == .failure else { return f }
        let differ = taken.filter { !held.contains($0) }
        guard !differ.isEmpty else { return f }
        var f = f
        let options = differ.map { ch in
            "'\(ch.reading)' option \(ch.option)" + (suite.reading(ch.reading)?.option(ch.option).map { " (\($0.says))" } ?? "")
        }
        f.message = "answered as reading \(options.joined(separator: ", ")), but " + f.message
        return f
    }

    /// For each reading the step rests on (and the profile does not pin): the
    /// options whose expectation the answer meets, where that is some of the
    /// reading's options but not all (an answer every option allows says nothing).
    func optionsTaken(
        _ step: Step, _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)], heldPassed: Bool
    ) -> [String: Set<String>] {
        guard !judged.isEmpty else { return [:] }
        var passing: [[ReadingChoice]] = heldPassed ? [step.readings] + step.alsoHeld : []
        for (alt, j) in judged where j.verdict == .passed { passing += [alt.choices] + alt.also }
        var out: [String: Set<String>] = [:]
        for held in step.readings where followsOneOption(held) {
            guard let reading = suite.reading(held.reading) else { continue }
            let took = Set(passing.joined().filter { $0.reading == held.reading }.map(\.option))
            if !took.isEmpty, took.count < reading.options.count { out[held.reading] = took }
        }
        return out
    }

    /// One option per reading per target: a target whose answers in one run
    /// agree with no common option of a reading (it accepts 4001 bytes of
    /// custom, which only the 4096-bytes reading allows, and refuses 4096,
    /// which only the 4000-bytes reading allows) fails both cases, each
    /// finding naming the reading and the other case. Cases are compared in
    /// plan order: each is held to the options the earlier ones share.
    static func consistency(_ results: [CaseResult], readings: [Reading]) -> [CaseResult] {
        var out = results
        for reading in readings where !reading.perCase {
            var common: Set<String>?
            var seen: [(index: Int, took: Set<String>)] = []
            for (i, r) in out.enumerated() {
                guard let options = r.readingOptions[reading.id] else { continue }
                let took = Set(options)
                defer { seen.append((i, took)) }
                guard let shared = common else {
                    common = took
                    continue
                }
                if !shared.isDisjoint(with: took) {
                    common = shared.intersection(took)
                    continue
                }
                let other = seen.first { $0.took.isDisjoint(with: took) } ?? seen[0]
                flag(&out[i], reading, took: took, other: out[other.index].caseID, otherTook: other.took)
                flag(&out[other.index], reading, took: other.took, other: out[i].caseID, otherTook: took)
            }
        }
        return out
    }

    static func flag(_ r: inout CaseResult, _ reading: Reading, took: Set<String>, other: String, otherTook: Set<String>) {
        guard !r.findings.contains(where: { $0.check == .reading && $0.severity == .failure && $0.reading == reading.id })
        else { return }
        func says(_ options: Set<String>) -> String {
            options.sorted().map { id in reading.option(id).map { "\(id) (\($0.says))" } ?? id }.joined(separator: " or ")
        }
        var f = Finding(
            check: .reading, severity: .failure, expected: "one option of reading '\(reading.id)' throughout the run",
            actual: "\(took.sorted().joined(separator: " or ")) here, \(otherTook.sorted().joined(separator: " or ")) in case '\(other)'",
            message: "reading '\(reading.id)' (\(reading.page):\(reading.line) “\(reading.quote)”): this answer takes \(says(took)), "
                + "but case '\(other)' took \(says(otherTook)) in the same run: a target takes one option of a reading throughout")
        f.reading = reading.id
        r.findings.append(f)
        if case .error = r.verdict { return }
        r.verdict = .failed
    }

    /// One `reading` finding for each reading whose option the answer took
    /// differs from the one the step was held to.
    /// `taken` holds every combination of options whose expectation the answer
    /// met (several when they expect the same): a reading gets a finding when
    /// none of them has the step's option, naming each option they have.
    func readingFindings(_ held: [ReadingChoice], _ taken: [[ReadingChoice]]) -> [Finding] {
        held.compactMap { mine in
            var options: [String] = []
            for ch in taken.joined() where ch.reading == mine.reading && !options.contains(ch.option) { options.append(ch.option) }
            guard !options.isEmpty, !options.contains(mine.option), let reading = suite.reading(mine.reading),
                let ours = reading.option(mine.option)
            else { return nil }
            let theirs = options.compactMap(reading.option)
            var f = Finding(
                check: .reading, severity: .ambiguous, expected: "\(ours.id): \(ours.says)",
                actual: theirs.map { "\($0.id): \($0.says)" }.joined(separator: "; or "),
                message: "reading '\(reading.id)' (\(reading.page):\(reading.line) “\(reading.quote)”): "
                    + "we read \(ours.id) (\(ours.says)); the target took the alternative "
                    + theirs.map { "\($0.id) (\($0.says))" }.joined(separator: " or "))
            f.reading = reading.id
            return f
        }
    }

    /// Excerpts keep 4000 bytes of the answer for a case that did not pass,
    /// where they explain the verdict, and 1000 for one that passed, where they
    /// only show what came back: a 10,000-case run keeps every result in memory.
    static let excerptLimit = 4000
    static let passedExcerptLimit = 1000

    static func passedExcerpt(_ text: String) -> String {
        guard text.utf8.count > passedExcerptLimit + truncatedMark.utf8.count else { return text }
        return clipped(Array(text.utf8), to: passedExcerptLimit)
    }

    /// `bytes` as text, cut to at most `limit` bytes on a character boundary
    /// and marked as cut.
    static func clipped(_ bytes: [UInt8], to limit: Int) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[..<bytes.utf8Boundary(atMost: limit)], as: UTF8.self) + truncatedMark
    }

    static let truncatedMark = "\n… (truncated)"

    /// Sends with the per-request timeout, the overall deadline, the stop flag
    /// and transport-only retries; earlier failed attempts are recorded.
    func send(_ out: OutgoingRequest, attempts: inout [String]) async -> Result<HTTPExchange, SendFailure> {
        while true {
            if let reason = options.stop?.reason { return .failure(SendFailure("interrupted (\(reason)) before the request was sent")) }
            if let pacer = options.pacer {
                await pacer.wait()
                if let reason = options.stop?.reason { return .failure(SendFailure("interrupted (\(reason)) before the request was sent")) }
            }
            var timeout = options.timeout
            var deadlineBinds = false
            if let d = deadlineAt {
                let remaining = d - options.clock.now()
                if remaining <= 0 {
                    return .failure(SendFailure("not sent: the overall deadline (--deadline \(formatSeconds(options.deadline ?? 0))) was reached"))
                }
                if remaining < timeout {
                    timeout = remaining
                    deadlineBinds = true
                }
            }
            do throws(TransportError) {
                return .success(try await transport.send(out, timeout: timeout))
            } catch {
                if let reason = options.stop?.reason { return .failure(SendFailure("interrupted (\(reason)) while waiting for the answer")) }
                if deadlineBinds, error.kind == .timeout {
                    return .failure(SendFailure("the overall deadline (--deadline \(formatSeconds(options.deadline ?? 0))) was reached while waiting for the answer"))
                }
                if error.isRetryable, attempts.count < options.retries {
                    attempts.append(error.message)
                    continue
                }
                return .failure(SendFailure(attempts.isEmpty ? error.message : "\(error.message) (after \(attempts.count + 1) attempts)"))
            }
        }
    }

    func prefixed(_ f: Finding, _ label: String) -> Finding {
        guard !label.isEmpty else { return f }
        var f = f
        f.message = label + f.message
        return f
    }

    /// Walks every page of a list with the given limit and checks that each
    /// item comes exactly once and that their number equals `total`.
    func walk(
        _ first: PlannedRequest, endpoint: Endpoint, paging: Paging, limit: Int, idPointer: JSONPointer, role: Role,
        counting: [(JSONPointer, JSON)] = [], judgePage: (@Sendable (HTTPExchange, PlannedRequest) -> [Finding])? = nil
    ) async -> Result<([Finding], Int, [Int]), TransportError> {
        // Findings about later pages' items, at most this many kept (a
        // leak in every item of 10,000 pages must not grow the report).
        let maxPageFindings = 20
        var pageFindings = 0
        var droppedFailure = false
        var seen: [String: Int] = [:]
        // Per count: the ids of the items that match (each item counts once, however often it comes).
        var matching = Array(repeating: Set<String>(), count: counting.count)
        var findings: [Finding] = []
        var offset = 0
        var total: Int?
        var pages = 0
        let maxPages = 10_000
        while pages < maxPages {
            var req = first
            req.query.removeAll { $0.name == paging.offsetParam || $0.name == paging.limitParam }
            req.query.append(.init(name: paging.offsetParam, value: String(offset)))
            req.query.append(.init(name: paging.limitParam, value: String(limit)))
            let secret: String?
            do { secret = try await tokens.token(for: role) } catch { return .failure(TransportError(error.message)) }
            let (outgoing, _) = wire(req, role: role, secret: secret)
            var ignored: [String] = []
            let exchange: HTTPExchange
            switch await send(outgoing, attempts: &ignored) {
            case .success(let e): exchange = e
            case .failure(let why): return .failure(TransportError(why.message))
            }
            pages += 1
            guard exchange.status == endpoint.successStatus, let body = try? exchange.json(),
                let items = paging.items.resolve(in: body)?.arrayValue
            else {
                findings.append(
                    Finding(check: .invariant, expected: "status \(endpoint.successStatus) with \(paging.items)",
                        actual: "status \(exchange.status)", message: "page at offset \(offset) did not answer with a list (status \(exchange.status))"))
                return .success((findings, pages, matching.map(\.count)))
            }
            if offset > 0, let judgePage {
                // The first page is the step's own answer, judged already.
                for f in judgePage(exchange, req) {
                    pageFindings += 1
                    guard pageFindings <= maxPageFindings else {
                        droppedFailure = droppedFailure || f.severity == .failure
                        continue
                    }
                    var f = f
                    f.message = "page at offset \(offset): " + f.message
                    findings.append(f)
                }
            }
            let pageTotal = paging.total.resolve(in: body)?.intValue
            if total == nil { total = pageTotal }
            if let t = total, let pt = pageTotal, t != pt {
                findings.append(Finding(check: .invariant, pointer: paging.total.description, expected: "\(t)", actual: "\(pt)",
                    message: "total changed while walking the pages: \(t) at first, \(pt) at offset \(offset)"))
            }
            for (i, item) in items.enumerated() {
                let id = idPointer.resolve(in: item)?.textValue ?? "(no id at offset \(offset + i))"
                seen[id, default: 0] += 1
                for (k, c) in counting.enumerated() where Checker.matches(c.0.resolve(in: item), c.1) {
                    matching[k].insert(id)
                }
            }
            if items.count > limit {
                findings.append(Finding(check: .invariant, pointer: paging.items.description, expected: "at most \(limit) items",
                    actual: "\(items.count)", message: "page at offset \(offset) holds \(items.count) items, more than the limit \(limit)"))
            }
            if items.isEmpty || (total.map { offset + items.count >= $0 } ?? false) { break }
            offset += items.count
        }
        if pageFindings > maxPageFindings {
            findings.append(Finding(check: .invariant, severity: droppedFailure ? .failure : .warning,
                pointer: paging.items.description, expected: "every page's items as documented",
                actual: "\(pageFindings) findings", message: "later pages held \(pageFindings) findings in all; the first \(maxPageFindings) are shown"))
        }
        let duplicates = seen.filter { $0.value > 1 }.keys.sorted()
        if !duplicates.isEmpty {
            findings.append(Finding(check: .invariant, pointer: paging.items.description, expected: "each item once",
                actual: "\(duplicates.count) repeated", message: "walking the pages with limit \(limit) returned \(duplicates.count) item(s) more than once, e.g. \(duplicates.prefix(3).joined(separator: ", "))"))
        }
        let distinct = seen.count
        if let total, distinct != total {
            findings.append(Finding(check: .invariant, pointer: paging.total.description, expected: "\(total) distinct items",
                actual: "\(distinct)", message: "walking the pages with limit \(limit) found \(distinct) distinct items, but total says \(total)"))
        }
        return .success((findings, pages, matching.map(\.count)))
    }

    /// What each step of a job would send, secrets redacted and values captured
    /// at run time shown as their `{{captured.NAME}}` placeholders (for --dry-run).
    public func describe(_ job: Job) -> [RequestSummary] {
        job.steps.compactMap { step in
            guard let endpoint = suite.endpoint(step.endpoint) else { return nil }
            var bindings = job.fixtures
            for other in job.steps.flatMap(\.captures) {
                bindings[capturedPrefix + other.name] = .string("{{\(capturedPrefix)\(other.name)}}")
            }
            let planned = Planner.resolve(step, endpoint: endpoint, bindings: bindings)
            let placeholder = credentials.has(job.testCase.role) ? "***" : nil
            var summary = wire(planned, role: job.testCase.role, secret: placeholder).1
            summary.url = summary.url.replacingOccurrences("%7B%7B", "{{").replacingOccurrences("%7D%7D", "}}")
            return summary
        }
    }

    /// The request as sent (with the credential) and as shown (with `***`).
    func wire(_ p: PlannedRequest, role: Role, secret: String?) -> (OutgoingRequest, RequestSummary) {
        var headers = p.headers.map { (name: $0.name, value: $0.value) }
        var bodyBytes: [UInt8]?
        if let text = p.rawBody {
            bodyBytes = Array(text.utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append((name: "Content-Type", value: "application/json"))
            }
        } else if let body = p.body {
            bodyBytes = JSONWriter().bytes(body)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append((name: "Content-Type", value: "application/json"))
            }
        }
        // Logged-in roles have no variable of their own: the curl line names one to set.
        let variable = "${\(target.credentialVariables[role] ?? "TOKEN_\(role.rawValue)")}"
        let base = target.baseURL.hasSuffix("/") ? String(target.baseURL.dropLast()) : target.baseURL

        /// The request with the credential written as `credential` (the value,
        /// `***`, or a shell variable reference), or without it (`inline`
        /// false: curl adds a query credential itself, percent-encoded).
        /// Headers and cookies carry the credential byte for byte; only the
        /// query percent-encodes it, as it does every query value.
        func render(_ credential: String?, encode: Bool, inline: Bool = true) -> (url: String, headers: [(name: String, value: String)]) {
            var q = p.query.map { encodeQuery($0.name) + "=" + encodeQuery($0.value) }
            var h = headers
            if let credential {
                switch target.auth {
                case .query(let name): if inline { q.append(encodeQuery(name) + "=" + (encode ? encodeQuery(credential) : credential)) }
                case .header(let name, let prefix): h.append((name, prefix + credential))
                case .cookie(let name): h.append((name: "Cookie", value: "\(name)=\(credential)"))
                }
            }
            return (base + p.path + (q.isEmpty ? "" : "?" + q.joined(separator: "&")), h)
        }
        let real = render(secret, encode: true)
        let shown = render(secret == nil ? nil : "***", encode: false)
        let out = OutgoingRequest(method: p.method, url: real.url, headers: real.headers, body: bodyBytes)

        // A ready-to-paste curl line that sends what the harness sent: the
        // credential as an environment-variable reference, byte for byte in a
        // header or cookie, percent-encoded by curl in the query (--url-query,
        // appended last, where the harness puts it).
        let forShell = render(secret == nil ? nil : variable, encode: false, inline: false)
        var curl = "curl -sS -X \(p.method) \(shellDoubleQuoted(forShell.url, keeping: variable))"
        if secret != nil, case .query(let name) = target.auth {
            curl += " --url-query \(shellDoubleQuoted(encodeQuery(name) + "=" + variable, keeping: variable))"
        }
        for h in forShell.headers { curl += " -H \(shellDoubleQuoted("\(h.name): \(h.value)", keeping: variable))" }
        if let bodyBytes { curl += " --data-binary " + shellSingleQuoted(String(decoding: bodyBytes, as: UTF8.self)) }

        let summary = RequestSummary(
            method: p.method, url: shown.url, headers: shown.headers.map { "\($0.name): \($0.value)" },
            body: p.rawBody ?? p.body.map { JSONWriter().string(SensitiveFields.mask($0, names: sensitive)) }, curl: curl)
        return (out, summary)
    }

    /// The start of the answer, scrubbed of secrets before it is cut.
    /// `limit` applies to a JSON answer (a text answer is cut at `excerptLimit`).
    func excerpt(_ body: [UInt8], parsed: JSON?, scrub: Scrubber, limit jsonLimit: Int = Runner.excerptLimit) -> String? {
        guard !body.isEmpty else { return nil }
        // Only the first 4000 bytes are written (masked and scrubbed as they
        // are written): a 500-account page costs an excerpt, not a copy and a
        // megabyte of text.
        var limit = Runner.excerptLimit
        if let parsed {
            limit = jsonLimit
            let rewrite: ((String) -> String)? = scrub.isEmpty ? nil : { scrub($0) }
            let (text, truncated) = JSONWriter(pretty: true).prefix(
                parsed, limit: limit, masked: sensitive, scrub: rewrite)
            return truncated ? text + Runner.truncatedMark : text
        }
        // Not JSON: scrub enough bytes that a secret running past the limit
        // is replaced whole, then cut.
        let head = Array(body.prefix(limit + scrub.longestForm))
        let text = Runner.clipped(scrub.bytes(head), to: limit)
        return head.count < body.count && !text.hasSuffix(Runner.truncatedMark) ? text + Runner.truncatedMark : text
    }

    /// A finding about a sensitive field shows no value.
    func maskFinding(_ f: Finding) -> Finding {
        guard let p = f.pointer, let ptr = try? JSONPointer(parsing: p),
            ptr.tokens.contains(where: sensitive.contains)
        else { return f }
        var m = f
        if m.actual != "missing" { m.actual = "***" }
        m.message = "\(p): \(f.check.rawValue) check failed (expected \(f.expected); value masked)"
        return m
    }

    /// A finding with the target's values in it scrubbed: the value quoted
    /// (`actual`), the names in its pointer, and the same texts where the
    /// message quotes them. The rest of the message is our own sentence: it
    /// is scrubbed only of secrets long enough not to be one of our words
    /// (`Scrubber.sentenceMinimum`), so a credential `1` or `true` leaves
    /// "expected status 200, got 401" alone. A status finding quotes a number only.
    static func scrubbed(_ f: Finding, _ scrub: Scrubber) -> Finding {
        guard !scrub.isEmpty, f.check != .status else { return f }
        var g = f
        var message = f.message
        let actual = scrub(f.actual)
        if actual != f.actual {
            g.actual = actual
            message = message.replacingOccurrences(f.actual, actual)
        }
        if let p = f.pointer, let ptr = try? JSONPointer(parsing: p) {
            let tokens = ptr.tokens.map { t in t.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? t : scrub(t) }
            if tokens != ptr.tokens {
                let shown = JSONPointer(tokens: tokens).description
                g.pointer = shown
                message = message.replacingOccurrences(p, shown)
            }
        }
        g.message = scrubbedSentence(message, scrub)
        return g
    }

    /// A sentence of ours that may quote the target (a reason for an error).
    static func scrubbedSentence(_ s: String, _ scrub: Scrubber) -> String {
        scrub.sentences(s)
    }
}

struct SendFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Percent-encodes a query name or value (RFC 3986 unreserved characters kept).
func encodeQuery(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
            out.append(Character(Unicode.Scalar(b)))
        default:
            out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
        }
    }
    return out
}

/// `"…"` for a POSIX shell, escaping everything but the one variable reference we mean to expand.
func shellDoubleQuoted(_ s: String, keeping reference: String) -> String {
    func esc(_ part: Substring) -> String {
        var out = ""
        for c in part {
            if c == "\"" || c == "\\" || c == "$" || c == "`" { out.append("\\") }
            out.append(c)
        }
        return out
    }
    let parts = s.split(separator: reference, omittingEmptySubsequences: false)
    return "\"" + parts.map(esc).joined(separator: reference) + "\""
}

/// `'…'` for a POSIX shell.
func shellSingleQuoted(_ s: String) -> String {
    "'" + s.replacingOccurrences("'", "'\\''") + "'"
}

/// One scrubber, for the secrets it was made of (one entry: bounded).
final class ScrubberCache: Sendable {
    private let last = Mutex<(secrets: [String], basicAuth: Bool, scrubber: Scrubber)?>(nil)

    func scrubber(secrets: [String], basicAuth: Bool) -> Scrubber {
        if let l = last.withLock({ $0 }), l.secrets == secrets, l.basicAuth == basicAuth { return l.scrubber }
        let made = Scrubber(secrets: secrets, basicAuth: basicAuth)
        last.withLock { $0 = (secrets, basicAuth, made) }
        return made
    }
}
