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
    /// Where the results are spooled as cases finish (a private file in a
    /// fresh folder under this directory, see `CaseResults`); nil keeps them
    /// in memory. `conformance run` spools, so its memory does not grow with the cases.
    public var resultSpool: String? = nil

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
    var halted: Bool { haltedState.withLock { $0 } }
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

    /// Judges each step's answer; the runner asks it after each exchange
    /// (a chain needs the verdict before its next step) and judges nothing itself.
    let judge: StepJudge

    /// Assembled only by `Conformance.engine`, the engine's one entry point,
    /// which hands in the judge.
    init(
        suite: Suite, target: TargetProfile, credentials: Credentials, transport: any Transport, options: RunOptions,
        judge: StepJudge
    ) {
        self.judge = judge
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
    package func scrubber() async -> Scrubber {
        let secrets = credentials.secrets + (await tokens.issued)
        return scrubbers.scrubber(secrets: secrets, basicAuth: target.auth.isBasic)
    }

    /// The last scrubber made, reused while the secrets stay the same
    /// (they change only when a role logs in): each step asks for one, and
    /// deriving every encoded form of every secret is not free.
    let scrubbers = ScrubberCache()

    /// Sends `jobs`; `Conformance.run` adds what the report stage computes (coverage).
    func run(_ jobs: Plan) async -> RunResult {
        var me = self
        // Clamped to a year: the deadline is Double seconds on the run's clock, kept finite.
        if let d = options.deadline { me.deadlineAt = options.clock.now() + min(max(d, 0), 365 * 86400) }
        let checked = jobs.hasJobsToRun ? await me.preflight() : []
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
        let body = try? exchange.json()
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

    func runAll(_ jobs: Plan) async -> RunResult {
        let started = Date()
        // A spool that cannot be made (no temporary folder) leaves the results in memory: the same results.
        var results: CaseResults = options.resultSpool.flatMap { try? CaseResults.spooled(directory: $0) } ?? []
        results.reserveCapacity(jobs.count)
        let width = max(1, options.jobs)
        let order = Runner.longestFirst(jobs)
        // The cases, and this loop that collects them, prefer the pool's
        // executor: a case resumed by the worker that read its answer is
        // judged on that worker's thread (`WorkerExecutor`, issue 24). Their
        // child tasks (a page walk's) inherit the preference.
        await withTaskExecutorPreference(WorkerExecutor.shared) {
            await withTaskGroup(of: CaseResult.self) { group in
                var next = 0
                while next < order.count && next < width {
                    let job = jobs[Int(order[next])]
                    group.addTask { await self.execute(job) }
                    next += 1
                }
                while let r = await group.next() {
                    results.append(r)
                    options.progress?(results.count, jobs.count, r)
                    if next < order.count {
                        let job = jobs[Int(order[next])]
                        group.addTask { await self.execute(job) }
                        next += 1
                    }
                }
            }
        }
        // The preference ends here, and with it the worker's thread: the task
        // goes on on Swift's own threads (what follows, coverage, reports and
        // closing the pool, which waits for its workers, must not run on a
        // worker; WorkerExecutorTests holds the runtime to it).
        results.sortBySeq()
        let endpoints = suite.endpoints.map { EndpointInfo(id: $0.id, title: $0.title, method: $0.method, path: $0.path) }
        var run = RunResult(
            targetName: target.name, baseURL: target.baseURL, startedAt: started, finishedAt: Date(),
            endpoints: endpoints, results: results)
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
    /// Positions and costs as 4-byte integers: two arrays of the plan's length, not of jobs.
    static func longestFirst(_ jobs: Plan) -> [Int32] {
        let cost = jobs.map { Int32(clamping: estimatedRequests($0)) }
        return (0..<Int32(jobs.count)).sorted { cost[Int($0)] != cost[Int($1)] ? cost[Int($0)] > cost[Int($1)] : $0 < $1 }
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

    /// The value at `pointer` in an answer, made from its tape (the whole tree is not made).
    static func value(at pointer: JSONPointer, in parsed: ParsedJSON) -> JSON? {
        parsed.tape.withRoot { pointer.resolve(in: $0)?.materialize() }
    }

    /// The last answer a case read, from which its excerpt is written once
    /// the case's verdict is known (not once per step, and for a case that
    /// passes only as much as its report keeps).
    struct LastAnswer {
        var body: [UInt8]
        var parsed: ParsedJSON?
        var scrub: Scrubber
        /// The excerpt at the full limit, written before a walk let the
        /// answer go (`passedExcerpt` cuts it as it cuts one written to the
        /// passing limit: the writer's output is a prefix of the whole text).
        var written: String?? = nil
    }

    func execute(_ job: Job) async -> CaseResult {
        var last: LastAnswer?
        var result = await executeSteps(job, last: &last)
        if let a = last, let written = a.written {
            result.responseExcerpt = written
        } else if let a = last {
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
        // `fixtureVariables` scans the case's templates: not asked when no fixture was refuted (perf, issue 24).
        if !refuted.isEmpty, let fixture = c.fixtureVariables.first(where: { refuted[$0] != nil }), let why = refuted[fixture] {
            result.verdict = .error("not judged: " + why)
            return result
        }
        var bindings = job.fixtures
        var lastBody: ParsedJSON?
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
            var exchange: HTTPExchange
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
                concurrentFindings = judge.concurrentOthers(got, step: step, endpoint: endpoint, count: count)
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
            // No copy of the judgement beside `j`: a walk below lets its tree go.
            var j: Checker.Judgement
            let taken: [String: Set<String>]
            (j, taken) = judge.judge(step, exchange, &context)
            for (reading, took) in taken {
                let before = result.readingOptions[reading].map(Set.init) ?? took
                result.readingOptions[reading] = before.intersection(took).sorted()
            }
            if j.verdict == .failed, exchange.status == 409, context.expect.status != 409, let why = usedEntry(job) {
                // "Already in use" for a value the case took from a pool: the
                // profile's entry was used before this run, unless the preflight saw it free.
                last = LastAnswer(body: exchange.body, parsed: j.parsed, scrub: scrub)
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            if j.verdict == .failed, let why = refusedFixture(job, step, context, exchange, j.parsed) {
                // A documented refusal of the very value a fixture gave: the
                // fixture may be wrong (a rate plan the target does not have).
                last = LastAnswer(body: exchange.body, parsed: j.parsed, scrub: scrub)
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            result.findings += (j.findings + concurrentFindings).map { prefixed(Runner.scrubbed(maskFinding($0), scrub), label) }
            if j.verdict.conforms && concurrentFindings.contains(where: { $0.severity == .failure }) { j.verdict = .failed }
            if (200..<300).contains(exchange.status), let parsed = j.parsed {
                let plan = suite.enumPlan(for: endpoint.id)
                let conforms = j.verdict.conforms
                let observed = parsed.tape.withRoot { DocumentedValues.observe($0, plan: plan, conforms: conforms) }
                // A case's first answer: what observe found is already merged.
                result.observedValues =
                    result.observedValues.isEmpty && plan.distinctPointers
                    ? observed : DocumentedValues.merge(result.observedValues + observed, enums: plan.enums)
            }
            last = LastAnswer(body: exchange.body, parsed: j.parsed, scrub: scrub)
            lastBody = j.parsed
            if case .error(let why) = j.verdict {
                result.verdict = .error(label + Runner.scrubbedSentence(why, scrub))
                return result
            }
            // Later steps would build on a wrong answer, but this step's own
            // checks are independent: a schema finding on the first page does
            // not keep the walk from checking every page.
            let stepFailed = j.verdict == .failed
            let answered = exchange.status
            var captured: [JSON?] = []
            if answered == context.expect.status, endpoint.paging != nil,
                context.expect.invariants.contains(where: { if case .walk = $0 { return true } else { return false } })
            {
                // This answer's tree is not held while the walk fetches and
                // judges the other pages: the walks run first, in every lane at
                // once, and with 500-item pages each held about 4 MB (memory,
                // issue 24). What the case needs of it later is taken now: the
                // excerpt, the captures, and the tree itself only where a
                // fixture's rule may search its items (`unblamable`).
                captured = step.captures.map { cap in cap.countEquals == nil ? j.parsed.flatMap { Runner.value(at: cap.pointer, in: $0) } : nil }
                last = LastAnswer(body: [], parsed: nil, scrub: scrub, written: excerpt(exchange.body, parsed: j.parsed, scrub: scrub))
                if !c.fixtureVariables.contains(where: { suite.confirmBeforeBlame[$0]?.missing != nil }) { lastBody = nil }
                j.parsed = nil
                exchange.body = []  // and with it the tape read from it
            }
            for inv in context.expect.invariants where answered == context.expect.status {
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
                let (judge, checkOptions) = (self.judge, options.check)
                let judgePage: @Sendable (HTTPExchange, PlannedRequest) -> [Finding] = { page, request in
                    var c = pageBase
                    c.request = request
                    return judge.check(page, context: c, options: checkOptions).findings
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
            for (i, capture) in step.captures.enumerated() where capture.countEquals == nil {
                if let v = captured.isEmpty ? j.parsed.flatMap({ Runner.value(at: capture.pointer, in: $0) }) : captured[i] {
                    bindings[capturedPrefix + capture.name] = v
                } else if capture.optional {
                    result.verdict = .error(
                        label + "not judged: the answer has no \(capture.pointer), which the docs do not promise and the next step needs as '\(capture.name)'; choose a fixture whose answer shows it")
                    return result
                } else {
                    result.findings.append(prefixed(judge.missingCapture(capture), label))
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

    /// Why a step that expected success, answered with a documented refusal
    /// (403, 404 or 409) whose message names a request member a fixture
    /// filled, is the profile's: nothing confirmed that fixture in this run
    /// (no preflight, no pool check, not in the profile's
    /// `confirmedFixtures`), so "Rate plan not found" may mean a wrong
    /// `create.ratePlan` as well as a wrong target. Nil otherwise.
    func refusedFixture(_ job: Job, _ step: Step, _ context: Checker.Context, _ exchange: HTTPExchange, _ body: ParsedJSON?) -> String? {
        let pointer = target.errorMessagePointer
        guard (200..<300).contains(context.expect.status), [403, 404, 409].contains(exchange.status),
            let message = body.flatMap({ b in b.tape.withRoot { pointer.resolve(in: $0)?.stringValue } }), message != "access_denied",
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
    func unblamable(_ c: Case, _ findings: [Finding], body: ParsedJSON?) -> String? {
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
                let body,
                body.tape.withRoot({ root in
                    m.items.resolve(in: root)?.containsElement { m.pointer.resolve(in: $0).map { Checker.matches($0, want) } ?? false } ?? false
                })
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

    /// Fetches every page of a list with the given limit, each handed to a
    /// `PageWalk` (Checking/), which judges it and says whether to go on.
    func walk(
        _ first: PlannedRequest, endpoint: Endpoint, paging: Paging, limit: Int, idPointer: JSONPointer, role: Role,
        counting: [(JSONPointer, JSON)] = [], judgePage: (@Sendable (HTTPExchange, PlannedRequest) -> [Finding])? = nil
    ) async -> Result<([Finding], Int, [Int]), TransportError> {
        var judged = PageWalk(
            endpoint: endpoint, paging: paging, limit: limit, idPointer: idPointer, counting: counting, judgePage: judgePage)
        var pages = 0
        let maxPages = 10_000
        walking: while pages < maxPages {
            var req = first
            req.query.removeAll { $0.name == paging.offsetParam || $0.name == paging.limitParam }
            req.query.append(.init(name: paging.offsetParam, value: String(judged.offset)))
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
            switch judged.take(exchange, request: req) {
            case .next: continue
            case .done: break walking
            case .stopped: return .success((judged.findings, pages, judged.counted))
            }
        }
        return .success((judged.finished(), pages, judged.counted))
    }
}

struct SendFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
