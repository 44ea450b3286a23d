import Foundation
import JSONKit

/// Reads `Cases/readings.json`, the register of what the suite reads into
/// the docs where they are silent (see `Reading`).
func loadReadings(root: String, display: String, sink: DiagnosticSink) -> [Reading] {
    let file = display + "/readings.json"
    guard FileManager.default.fileExists(atPath: root + "/readings.json") else { return [] }
    guard let node = SuiteFiles.parse(path: root + "/readings.json", display: file, sink: sink),
        let o = node.object(keys: ["readings"]), let list = o.required("readings")?.array
    else { return [] }
    var out: [Reading] = []
    for n in list {
        guard
            let ro = n.object(keys: ["id", "page", "line", "quote", "question", "because", "ours", "alternatives", "perCase"]),
            let id = ro.required("id")?.nonEmptyString
        else { continue }
        if out.contains(where: { $0.id == id }) {
            ro.optional("id")?.error("duplicate reading id '\(id)'")
            continue
        }
        func option(_ n: Node?) -> Reading.Option? {
            guard let n, let oo = n.object(keys: ["id", "says"]), let oid = oo.required("id")?.nonEmptyString,
                let says = oo.required("says")?.nonEmptyString
            else { return nil }
            return Reading.Option(id: oid, says: says)
        }
        let page = ro.required("page")?.nonEmptyString
        let line = ro.required("line")?.int
        let quote = ro.required("quote")?.nonEmptyString
        let question = ro.required("question")?.nonEmptyString
        let because = ro.required("because")?.nonEmptyString
        let ours = option(ro.required("ours"))
        var alternatives: [Reading.Option] = []
        if let an = ro.optional("alternatives"), let items = an.array {
            for item in items {
                guard let alt = option(item) else { continue }
                if alt.id == ours?.id || alternatives.contains(where: { $0.id == alt.id }) {
                    item.child("id", .string(alt.id)).error("option id '\(alt.id)' is used twice in reading '\(id)'")
                    continue
                }
                alternatives.append(alt)
            }
        }
        var perCase = false
        if let pn = ro.optional("perCase") {
            guard let b = pn.bool else { continue }
            perCase = b
        }
        guard let page, let line, let quote, let question, let because, let ours else { continue }
        var reading = Reading(
            id: id, page: page, line: line, quote: quote, question: question, because: because, ours: ours,
            alternatives: alternatives)
        reading.perCase = perCase
        out.append(reading)
    }
    return out
}

/// Which parts of an expectation a citation at some place may change.
enum CitationPlace {
    /// An endpoint's `response.readings`: the success status.
    case response
    /// An endpoint's `access.readings`: levels read as others.
    case access
    /// An endpoint's `unauthenticated.readings`: what else a request without credentials may answer.
    case unauthenticated
    /// A case's (or step's) `expect.readings`: anything the step expects.
    case step(VariableScope)

    var keys: [String] {
        switch self {
        case .response: return ["status"]
        case .access: return ["levelAs"]
        case .unauthenticated: return ["status", "error"]
        case .step: return ["covers", "status", "error", "schema", "assert", "invariants"]
        }
    }
}

/// Reads `{READING: {OPTION: effect}}`, checking every reading and option
/// against the register.
func readCitations(
    _ node: Node?, place: CitationPlace, readings: [Reading], endpoint: Endpoint, access: AccessModel
) -> [ReadingCitation] {
    guard let node else { return [] }
    guard case .object(let o) = node.value else {
        node.error("must map reading ids (Cases/readings.json) to {option: what changes}")
        return []
    }
    var out: [ReadingCitation] = []
    for m in o where !m.key.hasPrefix("$") {
        let rn = node.child(m.key, m.value)
        guard let reading = readings.first(where: { $0.id == m.key }) else {
            rn.error(
                "unknown reading '\(m.key)'",
                hint: closestMatch(to: m.key, in: readings.map(\.id)).map { "did you mean '\($0)'?" }
                    ?? "declare it in Cases/readings.json")
            continue
        }
        guard case .object(let effects) = m.value else {
            rn.error("must map options of '\(reading.id)' to what each changes")
            continue
        }
        var parsed: [String: ReadingEffect] = [:]
        for e in effects where !e.key.hasPrefix("$") {
            let en = rn.child(e.key, e.value)
            guard reading.option(e.key) != nil else {
                en.error(
                    "'\(reading.id)' has no option '\(e.key)'",
                    hint: "options: \(reading.options.map(\.id).joined(separator: ", "))")
                continue
            }
            if let effect = readEffect(en, place: place, endpoint: endpoint, access: access) { parsed[e.key] = effect }
        }
        if parsed.isEmpty, !reading.alternatives.isEmpty {
            rn.error("say what at least one option of '\(reading.id)' changes here")
            continue
        }
        out.append(ReadingCitation(reading: reading.id, effects: parsed, file: node.file, keyPath: rn.keyPath))
    }
    return out
}

func readEffect(_ n: Node, place: CitationPlace, endpoint: Endpoint, access: AccessModel) -> ReadingEffect? {
    guard let o = n.object(keys: place.keys) else { return nil }
    var e = ReadingEffect()
    var ok = true
    if let s = o.optional("status") {
        if let st = s.httpStatus { e.status = st } else { ok = false }
    }
    if let c = o.optional("covers"), let s = c.string {
        if let row = findRow(c, s, in: endpoint) { e.covers = row } else { ok = false }
    }
    if let en = o.optional("error") {
        if en.value.isNull { e.errorMessage = .some(nil) } else if let s = en.string { e.errorMessage = .some(s) } else { ok = false }
    }
    if let s = o.optional("schema") {
        if s.value.isNull { e.schema = .some(nil) } else if let ref = s.nonEmptyString { e.schema = .some(ref) } else { ok = false }
    }
    if case .step(let scope) = place {
        if let list = o.optional("assert")?.array {
            var assertions: [Assertion] = []
            for a in list {
                if let x = readAssertion(a, scope: scope) { assertions.append(x) } else { ok = false }
            }
            e.assertions = assertions
        }
        if let list = o.optional("invariants")?.array {
            var invariants: [Invariant] = []
            for a in list {
                if let (x, _) = readSourcedInvariant(a, scope: scope) { invariants.append(x) } else { ok = false }
            }
            e.invariants = invariants
        }
    }
    if let ln = o.optional("levelAs") {
        guard case .object(let lo) = ln.value, !lo.isEmpty else {
            ln.error("must map access levels to the level each is read as: {\"LEVEL\": \"LEVEL\"}, levels from \(access.file)")
            return nil
        }
        var map: [String: String] = [:]
        for m in lo {
            let from = access.readLevel(Node(value: .string(m.key), path: ln.child(m.key, m.value).path, file: n.file, sink: n.sink))
            let to = access.readLevel(ln.child(m.key, m.value))
            if let from, let to { map[from] = to } else { ok = false }
        }
        e.levelAs = map
    }
    return ok ? e : nil
}

/// The expectation a step has when it covers `covers` of `endpoint`, with
/// nothing but what the row (or the success response) implies.
func rowExpectation(_ covers: String, endpoint: Endpoint) -> Expectation {
    if let row = endpoint.errors.first(where: { $0.id == covers }) {
        return Expectation(status: row.status, errorMessage: row.message, schema: nil, assertions: [])
    }
    if covers == "unauthenticated", let u = endpoint.unauthenticated {
        return Expectation(status: u.status, errorMessage: u.message, schema: nil, assertions: [])
    }
    return Expectation(status: endpoint.successStatus, errorMessage: nil, schema: endpoint.responseSchema, assertions: [])
}

/// How many combinations of reading options one step may carry.
let maxReadingCombinations = 64

/// What a step's reading alternatives take from its endpoint, its role's
/// access level and its own citations, and not from the case: which readings
/// apply, every combination of their options, and what each choice of a
/// combination changes where its reading is cited. A step that cites nothing
/// has the plan of its endpoint and level (`ReadingPlans`, made once per load:
/// the same for every such step of the endpoint at that level).
struct ReadingPlan: Sendable {
    /// One option of one applicable reading, and what choosing it changes
    /// where the reading is cited.
    struct Option: Sendable {
        var choice: ReadingChoice
        /// The access line's: the level the case's is read as.
        var levelAs: String?
        /// The step's own citation's effect.
        var step: ReadingEffect?
        /// The success response's status, for a step covering success.
        var successStatus: Int?
        /// The unauthenticated answer's status and message, for a step covering it.
        var unauthenticatedStatus: Int?
        var unauthenticatedMessage: String??
    }
    /// Each applicable reading of the register, with its options (ours first).
    var readings: [[Option]] = []
    /// In a combination's index, what one option of each reading counts (the
    /// first reading's is the most significant digit, as the combinations go).
    var strides: [Int] = []
    /// How many readings apply (none: the step keeps no readings), and how many combinations of options they make.
    var applicable = 0
    var count = 0
    /// The suite's own combination (every reading's own option), and the others
    /// (filled only when there are at most `maxReadingCombinations`), each with its index.
    var ours: [ReadingChoice] = []
    var others: [(index: Int, choices: [ReadingChoice])] = []

    /// The option of reading `p` in the combination numbered `index`.
    func option(_ p: Int, in index: Int) -> Int { index / strides[p] % readings[p].count }

    init(endpoint ep: Endpoint, level: String?, citations: [ReadingCitation], reading: (String) -> Reading?) {
        func citesLevel(_ cit: ReadingCitation) -> Bool {
            cit.effects.values.contains { $0.levelAs?[level ?? ""] != nil }
        }
        // The ids of the readings cited (access line for this level, the step, the
        // success and unauthenticated responses), each once, in that order: a few
        // at most, so a scan, not a set.
        var ids: [String] = []
        func cite(_ id: String) { if !ids.contains(id) { ids.append(id) } }
        let accessCited = ep.accessReadings.filter(citesLevel)
        for cit in accessCited { cite(cit.reading) }
        for cit in citations { cite(cit.reading) }
        for cit in ep.responseReadings { cite(cit.reading) }
        for cit in ep.unauthenticatedReadings { cite(cit.reading) }
        applicable = ids.count
        guard !ids.isEmpty else { return }
        // Each option's effects found once (the first citation of its reading at
        // each place, as a scan finds it), not once per combination holding it.
        count = 1
        for id in ids {
            guard let r = reading(id) else { continue }
            let access = accessCited.first { $0.reading == r.id }
            let step = citations.first { $0.reading == r.id }
            let response = ep.responseReadings.first { $0.reading == r.id }
            let unauthenticated = ep.unauthenticatedReadings.first { $0.reading == r.id }
            var options: [Option] = []
            options.reserveCapacity(1 + r.alternatives.count)
            for o in -1..<r.alternatives.count {
                let id = o < 0 ? r.ours.id : r.alternatives[o].id
                var made = Option(choice: ReadingChoice(reading: r.id, option: id))
                if let map = access?.effects[id]?.levelAs, let from = level { made.levelAs = map[from] }
                made.step = step?.effects[id]
                made.successStatus = response?.effects[id]?.status
                if let e = unauthenticated?.effects[id] {
                    made.unauthenticatedStatus = e.status
                    made.unauthenticatedMessage = e.errorMessage
                }
                options.append(made)
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: options.count)
            count = overflow ? Int.max : product
            readings.append(options)
        }
        // Every reading's own option comes first, so the first combination is
        // the suite's own reading of them all.
        ours = readings.map { $0[0].choice }
        guard count > 1, count <= maxReadingCombinations else { return }
        strides = Array(repeating: 1, count: readings.count)
        for p in readings.indices.dropLast().reversed() { strides[p] = strides[p + 1] * readings[p + 1].count }
        others.reserveCapacity(count - 1)
        for index in 1..<count {
            let choices = readings.indices.map { readings[$0][option($0, in: index)].choice }
            if choices != ours { others.append((index, choices)) }
        }
    }
}

/// The reading plan of a step that cites no reading, for each endpoint and
/// each role's level: made once per load, before the case files are read on
/// every core (each such step took its endpoint's readings apart again, a
/// sixth of a large load).
struct ReadingPlans: Sendable {
    /// By endpoint index, then by the index of the role in the access model
    /// (one more: a role it does not declare, which has no level).
    let plans: [[ReadingPlan]]
    let roles: [Role]

    init(endpoints: [Endpoint], access: AccessModel, reading: (String) -> Reading?) {
        roles = access.roles.map(\.role)
        let levels = access.roles.map(\.level) + [nil]
        plans = endpoints.map { ep in levels.map { ReadingPlan(endpoint: ep, level: $0, citations: [], reading: reading) } }
    }

    /// The plan for a step of `endpoint` (an index into the load's endpoints) run as `role`.
    func plan(endpoint: Int, role: Role) -> ReadingPlan {
        plans[endpoint][roles.firstIndex(of: role) ?? roles.count]
    }
}

/// Gives every step of `c` its alternatives: one expectation for each
/// combination of the options of the readings that apply to it (cited by the
/// step itself, by its endpoint's access line for the case's level, or by its
/// endpoint's success response). The step's own `expect` stays the one with
/// every reading as the suite takes it. In place: a case the caller owns alone
/// gets its steps' alternatives without a copy of its steps (a large load does
/// this once per case). With `plans`, a step that cites no reading takes its
/// endpoint's and level's plan, and its alternatives share their choices.
func addReadingAlternatives(
    _ c: inout Case, endpoints: [Endpoint], readings: [Reading], access: AccessModel, sink: DiagnosticSink,
    readingByID: [String: Reading]? = nil, endpointIndex: [String: Int]? = nil, plans: ReadingPlans? = nil
) {
    // A lookup per citation, not a scan of the register (a large suite calls this once per case).
    func reading(_ id: String) -> Reading? {
        if let readingByID { return readingByID[id] }
        return readings.first { $0.id == id }
    }
    // By index: an `enumerated()` iterator holds the steps array, so setting a
    // step's alternatives below copied every step of the case. The step and its
    // endpoint are read in place, not copied (each copy retained and released
    // every field, for every step of every case).
    for k in c.steps.indices {
        // The first endpoint of that id, as the scan finds it; by the caller's index when it made one.
        let found =
            endpointIndex.map { $0[c.steps[k].endpoint] }
            ?? endpoints.firstIndex { $0.id == c.steps[k].endpoint }
        guard let at = found else { continue }
        let role = c.steps[k].role ?? c.role
        let plan =
            if let plans, c.steps[k].citations.isEmpty {
                plans.plan(endpoint: at, role: role)
            } else {
                ReadingPlan(endpoint: endpoints[at], level: access.level(of: role), citations: c.steps[k].citations, reading: reading)
            }
        guard plan.applicable > 0 else { continue }
        if plan.count > maxReadingCombinations {
            sink.add(
                Diagnostic(
                    file: c.file, keyPath: "",
                    message: "case '\(c.id)' step \(k + 1) cites \(plan.applicable) readings: \(plan.count) combinations, more than \(maxReadingCombinations)"))
            continue
        }
        guard plan.count > 1 else {
            c.steps[k].readings = plan.ours
            c.steps[k].alternatives = []
            continue
        }
        var alternatives: [StepAlternative] = []
        alternatives.reserveCapacity(plan.others.count)
        // By index: a `for … in` copies each combination (its arrays and strings retained).
        for n in plan.others.indices {
            let index = plan.others[n].index
            var covers = c.steps[k].covers
            var expect = c.steps[k].expect
            func recover(_ newCovers: String) {
                guard newCovers != covers else { return }
                let base = rowExpectation(newCovers, endpoint: endpoints[at])
                expect.status = base.status
                expect.errorMessage = base.errorMessage
                expect.schema = base.schema
                expect.assertions = []
                expect.invariants = []
                expect.invariantSources = []
                expect.oneOf = []
                covers = newCovers
            }
            // Access first (it decides the row), then the step's own readings,
            // then the success status (which applies to whatever is success by then).
            for p in plan.readings.indices {
                let o = plan.option(p, in: index)
                guard let mapped = plan.readings[p][o].levelAs else { continue }
                expect.visibilityLevel = mapped
                if c.isMatrixCell, !endpoints[at].accessRule.isEmpty,
                    let denial = access.deniedRow(of: endpoints[at])
                {
                    let allowed = AccessGrant.allows(
                        endpoints[at].accessRule, level: mapped, user: access.relation(of: role) ?? .none, cell: c.relation)
                    if allowed == nil {
                        let ch = plan.readings[p][o].choice
                        sink.add(
                            Diagnostic(
                                file: c.file, keyPath: "matrix",
                                message: "cell '\(c.id)': read as \(mapped) (reading '\(ch.reading)', option '\(ch.option)'), whether \(role) may act on \(c.relation.map(describe) ?? "its own customer") depends on the target's fixtures",
                                hint: "drop \(role) from matrix.roles and write that case by hand"))
                    }
                    recover(allowed == true ? "success" : denial.id)
                    expect.visibilityLevel = mapped
                }
            }
            for p in plan.readings.indices {
                let o = plan.option(p, in: index)
                guard let e = plan.readings[p][o].step else { continue }
                if let cv = e.covers { recover(cv) }
                if let s = e.status { expect.status = s }
                if let m = e.errorMessage { expect.errorMessage = m }
                if let s = e.schema { expect.schema = s }
                if let a = e.assertions { expect.assertions = a }
                if let i = e.invariants {
                    expect.invariants = i
                    expect.invariantSources = i.map { _ in readingSourcePrefix + plan.readings[p][o].choice.reading }
                }
                if let rows = e.oneOf, let first = rows.first {
                    expect.oneOf = rows
                    expect.status = first.status
                    expect.errorMessage = first.message
                    expect.schema = nil
                    expect.assertions = []
                }
            }
            if covers == "success" {
                for p in plan.readings.indices {
                    if let s = plan.readings[p][plan.option(p, in: index)].successStatus { expect.status = s }
                }
            } else if covers == "unauthenticated" {
                for p in plan.readings.indices {
                    let o = plan.option(p, in: index)
                    if let s = plan.readings[p][o].unauthenticatedStatus { expect.status = s }
                    if let m = plan.readings[p][o].unauthenticatedMessage { expect.errorMessage = m }
                }
            }
            alternatives.append(StepAlternative(choices: plan.others[n].choices, expect: expect))
        }
        c.steps[k].readings = plan.ours
        c.steps[k].alternatives = alternatives
    }
}
