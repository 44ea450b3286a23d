import Foundation
import JSONKit

/// Variables a case may use besides fixtures.
struct VariableScope {
    var fixtures: [String: String]
    /// Names captured by earlier steps.
    var captured: Set<String> = []
    /// Whether `{{relation}}` is defined (matrix cases).
    var relation = false
    /// What an expectation's `source` may name: the doc pages the suite
    /// transcribes (`PAGE:LINE`) and the readings it declares (`reading:ID`).
    var pages: Set<String> = []
    var readings: Set<String> = []

    /// The `source` of an expectation (assertion, invariant) in `o`: required,
    /// `PAGE:LINE` with a page the suite transcribes and a line from 1, or
    /// `reading:ID` naming a declared reading. Nil, with a diagnostic, otherwise.
    func source(in o: ObjectNode) -> String? {
        guard let sn = o.object["source"].map({ o.node.child("source", $0) }) else {
            o.node.error(
                "expectation without a source: say where it comes from",
                hint: "add \"source\": \"PAGE:LINE\" (the doc line that states it, e.g. \"\(pages.sorted().first ?? "page.txt"):12\") or \"reading:ID\" (a reading of readings.json)")
            return nil
        }
        guard let s = sn.nonEmptyString else { return nil }
        if s.hasPrefix(readingSourcePrefix) {
            let id = String(s.dropFirst(readingSourcePrefix.count))
            guard readings.contains(id) else {
                sn.error(
                    "unknown reading '\(id)' in source '\(s)'",
                    hint: closestMatch(to: id, in: readings).map { "did you mean 'reading:\($0)'?" } ?? "declare it in readings.json")
                return nil
            }
            return s
        }
        guard let colon = s.lastIndex(of: ":"), let line = Int(s[s.index(after: colon)...]), line >= 1 else {
            sn.error("source '\(s)' is neither PAGE:LINE nor reading:ID", hint: "e.g. \"mvno-account-create.txt:57\" or \"reading:create-success-status\"")
            return nil
        }
        let page = String(s[..<colon])
        guard pages.contains(page) else {
            sn.error(
                "source '\(s)' names a page the suite does not transcribe",
                hint: closestMatch(to: page, in: pages).map { "did you mean '\($0)'?" } ?? "pages: \(pages.sorted().joined(separator: ", "))")
            return nil
        }
        return s
    }

    func check(_ t: Template, at node: Node) -> Bool {
        var ok = true
        let (variables, filterNames) = t.variablesAndFilters()
        for f in filterNames where Template.filters[f] == nil {
            node.error(
                "unknown filter '\(f)' in '{{NAME | \(f)}}'",
                hint: closestMatch(to: f, in: Template.filters.keys.sorted()).map { "did you mean '\($0)'?" }
                    ?? "filters: \(Template.filters.keys.sorted().joined(separator: ", "))")
            ok = false
        }
        for v in variables {
            if v == "relation" {
                if !relation {
                    node.error("'{{relation}}' is only defined in a case with a matrix of relations")
                    ok = false
                }
            } else if v.hasPrefix("relation.") {
                node.error(
                    "'{{\(v)}}' is only defined in a matrix whose every relation is an object with the member '\(v.dropFirst("relation.".count))'",
                    hint: "e.g. \"relations\": {\"own\": {\"customer\": \"{{account.customer}}\", \"ratePlan\": \"{{create.ratePlan}}\"}}")
                ok = false
            } else if v.hasPrefix(capturedPrefix) {
                let name = String(v.dropFirst(capturedPrefix.count))
                if !captured.contains(name) {
                    let hint = closestMatch(to: name, in: captured).map { "did you mean '{{captured.\($0)}}'?" }
                        ?? "capture it in an earlier step with \"capture\": {\"\(name)\": \"/pointer\"}"
                    node.error("'{{\(v)}}' is not captured by an earlier step", hint: hint)
                    ok = false
                }
            } else if v.hasPrefix(takePrefix) {
                let pool = String(v.dropFirst(takePrefix.count)).trimmingCharacters(in: " ")
                if fixtures[pool] == nil {
                    node.error(
                        "unknown fixture pool '\(pool)' in '{{\(v)}}'",
                        hint: closestMatch(to: pool, in: fixtures.keys).map { "did you mean '\($0)'?" } ?? "add it to fixtures.json")
                    ok = false
                }
            } else if fixtures[v] == nil {
                let hint = closestMatch(to: v, in: fixtures.keys).map { "did you mean '{{\($0)}}'?" }
                    ?? "add it to fixtures.json"
                node.error("unknown variable '{{\(v)}}'", hint: hint)
                ok = false
            }
        }
        return ok
    }
}

extension String {
    func trimmingCharacters(in c: Character) -> String {
        // Nothing to trim (the usual case): the string itself, not a reversed copy twice over.
        if first != c && last != c { return self }
        return String(drop(while: { $0 == c }).reversed().drop(while: { $0 == c }).reversed())
    }

    /// Whether the UTF-8 bytes of `needle` occur in the string (a byte scan; no Character or Foundation search).
    func containsBytes(_ needle: String) -> Bool {
        var me = self, needle = needle
        return me.withUTF8 { h in
            needle.withUTF8 { n in
                guard !n.isEmpty else { return true }
                guard h.count >= n.count else { return false }
                var i = 0
                while i + n.count <= h.count {
                    if h[i] == n[0] {
                        var k = 1
                        while k < n.count, h[i + k] == n[k] { k += 1 }
                        if k == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}

func findEndpoint(_ n: Node, _ endpoints: [Endpoint]) -> Endpoint? {
    findEndpointIndex(n, endpoints).map { endpoints[$0] }
}

/// Where in `endpoints` the endpoint `n` names is (the first of that id), or
/// nil with a diagnostic: the case reader takes it there, in place (an
/// `Endpoint` copied out of the array retained and released each of its
/// fields, for every case and step).
func findEndpointIndex(_ n: Node, _ endpoints: [Endpoint]) -> Int? {
    guard let s = n.string else { return nil }
    if let i = endpoints.firstIndex(where: { $0.id == s }) { return i }
    let hint = closestMatch(to: s, in: endpoints.map(\.id)).map { "did you mean '\($0)'?" }
        ?? "endpoints: \(endpoints.map(\.id).joined(separator: ", "))"
    n.error("unknown endpoint '\(s)'", hint: hint)
    return nil
}

func findRow(_ n: Node, _ s: String, in endpoint: Endpoint) -> String? {
    if endpoint.hasRow(s) { return s }
    let hint = closestMatch(to: s, in: endpoint.rowIDs).map { "did you mean '\($0)'?" }
        ?? "rows of \(endpoint.id): \(endpoint.rowIDs.joined(separator: ", "))"
    n.error("'\(s)' is not a documented row of \(endpoint.id)", hint: hint)
    return nil
}

/// What an expectation's `source` may name (`VariableScope.pages`,
/// `.readings`): made once per load, not once per case file.
struct CitableSources: Sendable {
    var pages: Set<String>
    var readings: Set<String>
    init(endpoints: [Endpoint], readings: [Reading]) {
        pages = Set(endpoints.map(\.doc) + readings.map(\.page))
        self.readings = Set(readings.map(\.id))
    }
}

/// The keys of a case file, a step, its request and its expectation, made once
/// (an array literal is an allocation at each call: several for every step).
let caseKeys = [
    "id", "title", "endpoint", "covers", "role", "tags", "request", "expect", "capture", "steps", "matrix", "level", "skeleton",
]
let stepKeys = ["endpoint", "covers", "role", "request", "expect", "capture", "concurrent"]
let requestKeys = ["params", "query", "headers", "body", "rawBody", "encodeReserved"]
let expectKeys = ["status", "error", "schema", "assert", "invariants", "readings", "oneOf"]

/// Reads a case file: one case, or several when it declares a `matrix`.
func readCases(
    _ node: Node, endpoints: [Endpoint], fixtures: [String: String], readings: [Reading] = [], access: AccessModel,
    sources: CitableSources? = nil
) -> [Case] {
    guard
        let o = node.object(keys: caseKeys)
    else { return [] }
    let id = o.required("id")?.nonEmptyString
    let title = o.required("title")?.nonEmptyString
    let endpointAt = o.required("endpoint").flatMap { findEndpointIndex($0, endpoints) }
    let tags = o.optional("tags")?.strings ?? []
    let level = o.optional("level").flatMap(readLevel) ?? endpointAt.map { endpoints[$0].level } ?? .required
    // The case's endpoint copied once: `endpoints[i]` as an argument is a copy at each
    // call (every field retained and released), and a step's reading and its row check each made one.
    let caseEndpoint = endpointAt.map { endpoints[$0] }
    let skeleton = o.optional("skeleton")?.nonEmptyString
    if let m = o.optional("matrix") {
        for k in ["role", "covers", "expect", "steps", "capture"] where o.object[k] != nil {
            node.child(k, .null).error("a matrix case derives '\(k)' from the endpoint's access rule; remove it")
        }
        guard let id, let title, let at = endpointAt else { return [] }
        var cells = readMatrix(m, id: id, title: title, tags: tags, requestNode: o.optional("request"), endpoint: endpoints[at],
            endpoints: endpoints, fixtures: fixtures, access: access, file: node.file)
        for i in cells.indices { cells[i].level = level }
        return cells
    }
    let role = o.required("role").flatMap(access.readRole)
    var covers: String?
    if let cn = o.required("covers"), let s = cn.string, let caseEndpoint { covers = findRow(cn, s, in: caseEndpoint) }

    var scope = VariableScope(fixtures: fixtures)
    let sources = sources ?? CitableSources(endpoints: endpoints, readings: readings)
    scope.pages = sources.pages
    scope.readings = sources.readings
    var steps: [Step] = []
    var ok = true
    if let sn = o.optional("steps") {
        for k in ["request", "expect", "capture"] where o.object[k] != nil {
            node.child(k, .null).error("give '\(k)' inside each step when the case has steps")
            ok = false
        }
        guard let list = sn.array, !list.isEmpty else {
            sn.error("must list at least one step")
            return []
        }
        for (k, stepNode) in list.enumerated() {
            guard let so = stepNode.object(keys: stepKeys) else {
                ok = false
                continue
            }
            let last = k == list.count - 1
            guard let epAt = so.optional("endpoint").flatMap({ findEndpointIndex($0, endpoints) }) ?? endpointAt else {
                ok = false
                continue
            }
            // The same id is the same index: both are the first endpoint of their id.
            let sameAsCase = epAt == endpointAt
            let stepEndpoint = if sameAsCase, let caseEndpoint { caseEndpoint } else { endpoints[epAt] }
            var stepCovers: String? = nil
            if let cn = so.optional("covers"), let s = cn.string { stepCovers = findRow(cn, s, in: stepEndpoint) }
            if last, sameAsCase, stepCovers == nil { stepCovers = covers }
            guard
                var step = readStep(
                    so.node, object: so, endpoint: stepEndpoint, covers: stepCovers ?? "success", scope: &scope,
                    readings: readings, access: access)
            else {
                ok = false
                continue
            }
            if let rn = so.optional("role") {
                guard let r = access.readRole(rn) else {
                    ok = false
                    continue
                }
                step.role = r
            }
            if let cn = so.optional("concurrent") {
                guard let co = cn.object(keys: ["count", "others"]), let count = co.required("count")?.int,
                    let othersNode = co.required("others"), let others = othersNode.string
                else {
                    ok = false
                    continue
                }
                guard (2...8).contains(count) else {
                    co.required("count")?.error("must be 2…8 (requests sent at once)")
                    ok = false
                    continue
                }
                guard findRow(othersNode, others, in: endpoints[epAt]) != nil else {
                    ok = false
                    continue
                }
                step.concurrent = count
                step.concurrentOthers = others
            }
            steps.append(step)
        }
    } else if let endpoint = caseEndpoint, let covers {
        if o.object["request"] == nil, !pathParameters(endpoint.path).isEmpty {
            node.error("missing request.params.\(pathParameters(endpoint.path)[0]), which \(endpoint.path) needs")
            ok = false
        } else if let step = readStep(
            node, object: o, endpoint: endpoint, covers: covers, scope: &scope, readings: readings, access: access)
        {
            steps.append(step)
        } else {
            ok = false
        }
    }
    guard let id, let title, let at = endpointAt, let covers, let role, ok, !steps.isEmpty else { return [] }
    return [
        Case(
            id: id, title: title, file: node.file, endpoint: endpoints[at].id, covers: covers, role: role, tags: tags, steps: steps,
            level: level, skeleton: skeleton)
    ]
}

/// Reads `request`, `expect` and `capture` of one step from `object`.
func readStep(
    _ node: Node, object o: ObjectNode, endpoint: Endpoint, covers: String, scope: inout VariableScope,
    readings: [Reading] = [], access: AccessModel
) -> Step? {
    var ok = true
    var request = RequestTemplate(pathParams: [:], query: [], headers: [], body: nil)
    let rn = o.optional("request")
    if let rn {
        if let ro = rn.object(keys: requestKeys) {
            if let p = ro.optional("params") {
                if case .object(let po) = p.value {
                    for m in po {
                        if case .string = m.value { request.pathParams[m.key] = Template(m.value) } else {
                            p.child(m.key, m.value).error("must be a string, found \(m.value.typeName)")
                            ok = false
                        }
                    }
                } else {
                    p.error("must be an object")
                    ok = false
                }
            }
            for key in ["query", "headers"] {
                guard let q = ro.optional(key) else { continue }
                guard case .object(let qo) = q.value else {
                    q.error("must be an object")
                    ok = false
                    continue
                }
                for m in qo {
                    if key == "headers" {
                        // Refused here rather than at send time: a header that would inject a line is the suite's error.
                        if !OutgoingRequest(method: "GET", url: "/", headers: [(m.key, "")], body: nil).isHeadSafe {
                            q.child(m.key, m.value).error(
                                "the header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only); a control character or space would inject into the request head")
                            ok = false
                            continue
                        }
                        if case .string(let v) = m.value, !OutgoingRequest.isFieldValue(v) {
                            q.child(m.key, m.value).error(
                                "the header value holds a control character (CR, LF, NUL or another), which would inject a line into the request head")
                            ok = false
                            continue
                        }
                    }
                    switch m.value {
                    case .string, .number, .bool:
                        if key == "query" { request.query.append((m.key, Template(m.value))) } else {
                            request.headers.append((m.key, Template(m.value)))
                        }
                    default:
                        q.child(m.key, m.value).error("must be a string, number or boolean, found \(m.value.typeName)")
                        ok = false
                    }
                }
            }
            if let b = ro.optional("body") { request.body = Template(b.value) }
            if let e = ro.optional("encodeReserved") {
                if case .bool(let v) = e.value { request.encodeReserved = v } else {
                    e.error("must be true or false, found \(e.value.typeName)")
                    ok = false
                }
            }
            if let b = ro.optional("rawBody") {
                if case .string = b.value, request.body == nil {
                    request.rawBody = Template(b.value)
                } else {
                    b.error(request.body == nil ? "must be a string (the text sent as the body), found \(b.value.typeName)" : "give body (JSON) or rawBody (text), not both")
                    ok = false
                }
            }
        } else {
            ok = false
        }
    }
    let names = pathParameters(endpoint.path)
    for name in names where request.pathParams[name] == nil {
        (rn ?? node).error("missing request.params.\(name), which \(endpoint.path) needs")
        ok = false
    }
    // Sorted only when one is undocumented (the diagnostics' order): no array per step otherwise.
    for name in request.pathParams.keys.contains(where: { !names.contains($0) }) ? request.pathParams.keys.sorted() : []
    where !names.contains(name) {
        node.child("request", .null).child("params", .null).child(name, .null).error(
            "\(endpoint.path) has no parameter '\(name)'",
            hint: closestMatch(to: name, in: names).map { "did you mean '\($0)'?" })
        ok = false
    }
    // The documented names gathered only for a step that sends a query.
    let documentedQuery = request.query.isEmpty ? [] : endpoint.parameters.filter { $0.location == .query }.map(\.name)
    for q in request.query where !documentedQuery.contains(q.name) {
        node.child("request", .null).child("query", .null).child(q.name, .null).error(
            "\(endpoint.id) documents no query parameter '\(q.name)'",
            hint: closestMatch(to: q.name, in: documentedQuery).map { "did you mean '\($0)'?" }
                ?? (documentedQuery.isEmpty
                    ? "its spec declares no query parameters" : "documented: \(documentedQuery.joined(separator: ", "))"))
        ok = false
    }
    if let rn {
        // In that order (path parameters by name, query, headers, body), each checked
        // where it is: no array of every template, nor a sorted copy of a single parameter.
        if request.pathParams.count == 1, let only = request.pathParams.first {
            if !scope.check(only.value, at: rn) { ok = false }
        } else {
            for p in request.pathParams.sorted(by: { $0.key < $1.key }) where !scope.check(p.value, at: rn) { ok = false }
        }
        for q in request.query where !scope.check(q.value, at: rn) { ok = false }
        for h in request.headers where !scope.check(h.value, at: rn) { ok = false }
        if let body = request.body, !scope.check(body, at: rn) { ok = false }
    }

    let row = endpoint.errors.first { $0.id == covers }
    var expect: Expectation?
    var citations: [ReadingCitation] = []
    if let en = o.required("expect"),
        let eo = en.object(keys: expectKeys)
    {
        // Only for a step that cites readings: `.step(scope)` is a copy of the scope (its sets retained).
        if let cited = eo.optional("readings") {
            citations = readCitations(cited, place: .step(scope), readings: readings, endpoint: endpoint, access: access)
        }
        var status = eo.optional("status")?.httpStatus
        var message = eo.optional("error")?.string
        var schema = eo.optional("schema")?.nonEmptyString
        if let row {
            if let s = status, s != row.status {
                eo.optional("status")?.error("\(s) contradicts the documented row '\(row.id)' (\(row.status) \(row.message))")
            }
            if let m = message, m != row.message {
                eo.optional("error")?.error("'\(m)' contradicts the documented row '\(row.id)' (message '\(row.message)')")
            }
            status = status ?? row.status
            message = message ?? row.message
        } else if covers == "unauthenticated", let u = endpoint.unauthenticated {
            status = status ?? u.status
            message = message ?? u.message
        } else {
            if message != nil { eo.optional("error")?.error("a step covering 'success' expects no error message") }
            if let s = status, s != endpoint.successStatus {
                eo.optional("status")?.error("\(s) contradicts the documented success status \(endpoint.successStatus)")
            }
            status = status ?? endpoint.successStatus
            schema = schema ?? endpoint.responseSchema
        }
        var assertions: [Assertion] = []
        if let list = eo.optional("assert")?.array {
            for n in list {
                if let a = readAssertion(n, scope: scope) { assertions.append(a) } else { ok = false }
            }
        }
        var invariants: [Invariant] = []
        var invariantSources: [String] = []
        if let list = eo.optional("invariants")?.array {
            if endpoint.paging == nil, !list.isEmpty {
                eo.optional("invariants")?.error("invariants apply to list endpoints; \(endpoint.id) declares no paging")
                ok = false
            }
            for n in list {
                if let (inv, source) = readSourcedInvariant(n, scope: scope) {
                    invariants.append(inv)
                    invariantSources.append(source)
                } else {
                    ok = false
                }
            }
        }
        var oneOf: [ExpectedRow] = []
        if let list = eo.optional("oneOf")?.array {
            for n in list {
                guard let s = n.string, let id = findRow(n, s, in: endpoint) else {
                    ok = false
                    continue
                }
                if let r = endpoint.errors.first(where: { $0.id == id }) {
                    oneOf.append(ExpectedRow(row: r.id, status: r.status, message: r.message))
                } else {
                    n.error("oneOf lists documented error rows; '\(id)' is not one")
                    ok = false
                }
            }
            if let row, !oneOf.contains(where: { $0.row == row.id }) {
                eo.optional("oneOf")?.error("must list the row the case covers ('\(row.id)')")
                ok = false
            }
        }
        if let status {
            expect = Expectation(
                status: status, errorMessage: message, schema: schema, assertions: assertions, invariants: invariants)
            expect?.oneOf = oneOf
            expect?.invariantSources = invariantSources
        }
    }
    var captures: [Step.Capture] = []
    if let cn = o.optional("capture") {
        if case .object(let co) = cn.value {
            let walks = expect?.invariants.contains { if case .walk = $0 { true } else { false } } ?? false
            for m in co {
                let n = cn.child(m.key, m.value)
                if case .object(let mo) = m.value, mo["count"] == nil {
                    guard let ko = n.object(keys: ["pointer", "optional"]), let p = readPointer(ko.required("pointer")),
                        let on = ko.required("optional")
                    else {
                        ok = false
                        continue
                    }
                    guard on.value == .bool(true) else {
                        on.error("must be true (leave the key out for a member the docs promise)")
                        ok = false
                        continue
                    }
                    captures.append(.init(name: m.key, pointer: p, optional: true))
                    scope.captured.insert(m.key)
                } else if case .object = m.value {
                    guard let ko = n.object(keys: ["count"]), let cnode = ko.required("count"),
                        let c = cnode.object(keys: ["pointer", "equals"]), let p = readPointer(c.required("pointer")),
                        let en = c.required("equals")
                    else {
                        ok = false
                        continue
                    }
                    guard walks else {
                        n.error("a count is taken over the pages of a walk: give this step a {walk: …} invariant")
                        ok = false
                        continue
                    }
                    let t = Template(en.value)
                    guard scope.check(t, at: en) else {
                        ok = false
                        continue
                    }
                    captures.append(.init(name: m.key, pointer: p, countEquals: t))
                    scope.captured.insert(m.key)
                } else if let p = readPointer(n) {
                    captures.append(.init(name: m.key, pointer: p))
                    scope.captured.insert(m.key)
                }
            }
        } else {
            cn.error("must be an object mapping names to JSON pointers")
            ok = false
        }
    }
    guard ok, let expect else { return nil }
    var step = Step(endpoint: endpoint.id, covers: covers, request: request, expect: expect, captures: captures)
    step.citations = citations
    return step
}

/// An assertion's keys and its kinds, made once (an array literal per assertion was an allocation each).
let assertionKeys = ["pointer", "equals", "exists", "absent", "type", "source"]
let assertionKinds = ["equals", "exists", "absent", "type"]

func readAssertion(_ n: Node, scope: VariableScope) -> Assertion? {
    guard let ao = n.object(keys: assertionKeys) else { return nil }
    let pointer = readPointer(ao.required("pointer"))
    let kinds = assertionKinds.filter { ao.object[$0] != nil }
    guard kinds.count == 1 else {
        n.error("give exactly one of equals, exists, absent, type (found \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))")
        return nil
    }
    // Every problem of the assertion is told, the missing source with the others.
    let source = scope.source(in: ao)
    if kinds[0] == "exists", ao.optional("exists")?.bool != true || source == nil {
        if ao.optional("exists")?.bool != true { ao.optional("exists")?.error("must be true (use absent: true for the opposite)") }
        return nil
    }
    if kinds[0] == "absent", ao.optional("absent")?.bool != true || source == nil {
        if ao.optional("absent")?.bool != true { ao.optional("absent")?.error("must be true (use exists: true for the opposite)") }
        return nil
    }
    guard let pointer, let source else { return nil }
    switch kinds[0] {
    case "equals":
        let t = Template(ao.object["equals"]!)
        guard scope.check(t, at: ao.optional("equals")!) else { return nil }
        return Assertion(pointer: pointer, kind: .equals(t), source: source)
    case "exists":
        guard ao.optional("exists")?.bool == true else {
            ao.optional("exists")?.error("must be true (use absent: true for the opposite)")
            return nil
        }
        return Assertion(pointer: pointer, kind: .exists, source: source)
    case "absent":
        guard ao.optional("absent")?.bool == true else {
            ao.optional("absent")?.error("must be true (use exists: true for the opposite)")
            return nil
        }
        return Assertion(pointer: pointer, kind: .absent, source: source)
    default:
        let types = ["null", "boolean", "number", "integer", "string", "array", "object"]
        guard let t = ao.optional("type")?.string else { return nil }
        guard types.contains(t) else {
            ao.optional("type")?.error("unknown type '\(t)'", hint: types.joined(separator: ", "))
            return nil
        }
        return Assertion(pointer: pointer, kind: .type(t), source: source)
    }
}

/// An invariant and its source (see `VariableScope.source(in:)`).
func readSourcedInvariant(_ n: Node, scope: VariableScope) -> (Invariant, String)? {
    guard let inv = readInvariant(n, scope: scope), let o = n.object(keys: invariantKinds + ["source"]),
        let source = scope.source(in: o)
    else { return nil }
    return (inv, source)
}

let invariantKinds = ["page", "walk", "eachEquals", "noneEquals", "eachContains", "eachDaysAfter", "someEquals"]

func readInvariant(_ n: Node, scope: VariableScope) -> Invariant? {
    let kinds = invariantKinds
    guard let o = n.object(keys: kinds + ["source"]) else { return nil }
    let given = kinds.filter { o.object[$0] != nil }
    guard given.count == 1 else {
        n.error("give exactly one of \(kinds.joined(separator: ", "))")
        return nil
    }
    let v = o.optional(given[0])!
    switch given[0] {
    case "page":
        guard let b = v.bool else { return nil }
        guard b else {
            v.error("must be true (leave the invariant out to skip the check)")
            return nil
        }
        return .page
    case "walk":
        guard let wo = v.object(keys: ["limit", "id"]), let limit = wo.required("limit")?.int,
            let id = readPointer(wo.required("id"))
        else { return nil }
        guard limit > 0 else {
            wo.optional("limit")?.error("must be at least 1")
            return nil
        }
        return .walk(limit: limit, idPointer: id)
    case "eachEquals":
        guard let eo = v.object(keys: ["pointer", "value"]), let p = readPointer(eo.required("pointer")),
            let vn = eo.required("value")
        else { return nil }
        let t = Template(vn.value)
        guard scope.check(t, at: vn) else { return nil }
        return .eachEquals(pointer: p, value: t)
    case "noneEquals":
        guard let eo = v.object(keys: ["pointer", "value"]), let p = readPointer(eo.required("pointer")),
            let vn = eo.required("value")
        else { return nil }
        let t = Template(vn.value)
        guard scope.check(t, at: vn) else { return nil }
        return .noneEquals(pointer: p, value: t)
    case "someEquals":
        guard let eo = v.object(keys: ["pointer", "value"]), let p = readPointer(eo.required("pointer")),
            let vn = eo.required("value")
        else { return nil }
        let t = Template(vn.value)
        guard scope.check(t, at: vn) else { return nil }
        return .someEquals(pointer: p, value: t)
    case "eachContains":
        guard let eo = v.object(keys: ["pointers", "text"]), let ps = eo.required("pointers")?.array,
            let tn = eo.required("text")
        else { return nil }
        let pointers = ps.compactMap { readPointer($0) }
        if ps.isEmpty { eo.optional("pointers")?.error("must list at least one pointer") }
        guard pointers.count == ps.count, !pointers.isEmpty else { return nil }
        let t = Template(tn.value)
        guard scope.check(t, at: tn) else { return nil }
        return .eachContains(pointers: pointers, text: t)
    default:
        guard let eo = v.object(keys: ["from", "to", "days", "timeZone"]), let from = readPointer(eo.required("from")),
            let to = readPointer(eo.required("to")), let days = eo.required("days")?.int
        else { return nil }
        var zone: String?
        if let zn = eo.optional("timeZone"), let name = zn.nonEmptyString {
            if TimeZone(identifier: name) == nil {
                zn.error("unknown time zone '\(name)'", hint: "an IANA name, e.g. \"Europe/Copenhagen\"")
                return nil
            }
            zone = name
        }
        return .eachDaysAfter(from: from, to: to, days: days, timeZone: zone)
    }
}

/// Expands an access matrix: each role × each relation, expecting success or
/// the documented denial from the endpoint's access rule, as the role's level
/// and relation (`access.json`) meet the rule's scopes; a role without a
/// credential expects the unauthenticated answer.
func readMatrix(
    _ m: Node, id: String, title: String, tags: [String], requestNode: Node?, endpoint: Endpoint,
    endpoints: [Endpoint], fixtures: [String: String], access: AccessModel, file: String
) -> [Case] {
    guard let mo = m.object(keys: ["roles", "relations"]) else { return [] }
    var roles = access.matrixRoles
    var roleNodes: [Node?] = roles.map { _ in nil }
    if let rn = mo.optional("roles"), let list = rn.array {
        if list.isEmpty {
            rn.error("must list at least one role (leave it out for the first role of every level and each role without a credential)")
            return []
        }
        let read = list.map { ($0, access.readRole($0)) }
        roles = read.compactMap(\.1)
        roleNodes = read.filter { $0.1 != nil }.map(\.0)
    } else {
        for level in endpoint.accessLevels where !access.roles.contains(where: { $0.level == level }) {
            m.warning(
                "no role holds level '\(level)' of \(endpoint.id): the matrix has no cell for it",
                hint: "declare a role with \"level\": \"\(level)\" in \(access.file)")
        }
    }
    var relations: [(Relation, JSON)] = []
    if let rn = mo.optional("relations") {
        guard case .object(let ro) = rn.value else {
            rn.error("must map own, sameReseller and otherReseller to values")
            return []
        }
        for mem in ro {
            guard let rel = Relation(rawValue: mem.key) else {
                rn.child(mem.key, mem.value).error(
                    "unknown relation '\(mem.key)'",
                    hint: closestMatch(to: mem.key, in: Relation.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" })
                continue
            }
            relations.append((rel, mem.value))
        }
    }
    if endpoint.accessRule.isEmpty {
        m.error("\(endpoint.file) has no access.rule to derive the matrix from")
        return []
    }
    guard let denied = access.denied else {
        m.error(
            "a matrix needs the answer to an insufficient access level, and \(access.file) states none",
            hint: "add \"denied\": {\"status\": …, \"message\": \"…\"} to \(access.file)")
        return []
    }
    let denial = access.deniedRow(of: endpoint)
    if denial == nil {
        m.error("\(endpoint.id) documents no \(denied.status) \(denied.message) row for denied cells (the denied answer of \(access.file))")
        return []
    }
    if let anonymous = roles.first(where: { !access.hasCredential($0) }), endpoint.unauthenticated == nil {
        m.error("\(endpoint.file) does not state what an unauthenticated request answers ('unauthenticated'); drop \(anonymous) or add it")
        return []
    }
    var cases: [Case] = []
    let cells: [(Relation?, JSON?)] = relations.isEmpty ? [(nil, nil)] : relations.map { ($0.0, $0.1) }
    for (role, roleNode) in zip(roles, roleNodes) {
        let credential = access.hasCredential(role)
        for (relation, value) in cells {
            let covers: String
            var allowed = false
            if !credential {
                covers = "unauthenticated"
            } else {
                guard let verdict = AccessGrant.allows(
                    endpoint.accessRule, level: access.level(of: role), user: access.relation(of: role) ?? .none, cell: relation)
                else {
                    (roleNode ?? m).error(
                        "whether \(role) (\(access.relation(of: role)?.rawValue ?? "") in \(access.file)) may act on \(relation.map(describe) ?? "its own customer") depends on the target's fixtures, not on the access rule",
                        hint: "drop \(role) from matrix.roles and write that case by hand, or drop the \(relation?.rawValue ?? "") relation")
                    continue
                }
                allowed = verdict
                covers = allowed ? "success" : denial!.id
            }
            // The request template with {{relation}} replaced by this cell's value.
            var scope = VariableScope(fixtures: fixtures)
            scope.relation = false
            var requestValue = requestNode?.value ?? .null
            if let value { requestValue = replacingRelation(in: requestValue, with: value) }
            var obj = JSONObject()
            if requestNode != nil { obj["request"] = requestValue }
            obj["expect"] = .object(JSONObject())
            let holder = Node(value: .object(obj), path: [], file: file, sink: m.sink)
            guard let ho = holder.object(keys: ["request", "expect"]),
                let step = readStep(holder, object: ho, endpoint: endpoint, covers: covers, scope: &scope, access: access)
            else { return [] }
            let cellID = [id, role.rawValue.lowercased().replacingOccurrences("_", "-"), relation.map { kebab($0.rawValue) }]
                .compactMap { $0 }.joined(separator: "-")
            let cellTitle = "\(title): \(role)\(relation.map { " on \(describe($0))" } ?? "") is \(!credential ? "unauthenticated" : allowed ? "allowed" : "denied")"
            var cell = Case(
                id: cellID, title: cellTitle, file: file, endpoint: endpoint.id, covers: covers, role: role,
                tags: tags + ["access-matrix"], steps: [step])
            cell.isMatrixCell = true
            cell.relation = relation
            cases.append(cell)
        }
    }
    return cases
}

func describe(_ r: Relation) -> String {
    switch r {
    case .own: return "the fixture customer"
    case .sameReseller: return "another customer of the fixture customer's reseller"
    case .otherReseller: return "a customer of another reseller"
    }
}

func kebab(_ s: String) -> String {
    // ASCII (every role and relation name): the same over bytes, without a Character or a case table per letter.
    if s.utf8.allSatisfy({ $0 < 0x80 }) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 4)
        for b in s.utf8 {
            if b >= 0x41 && b <= 0x5A {
                bytes.append(0x2D)
                bytes.append(b | 0x20)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    var out = ""
    for c in s {
        if c.isUppercase {
            out += "-" + c.lowercased()
        } else {
            out.append(c)
        }
    }
    return out
}

/// Replaces `{{relation}}` in every string: a string that is exactly
/// `{{relation}}` takes the relation's value (which may itself hold variables).
/// A relation given as an object supplies `{{relation.NAME}}` for each of its
/// members (e.g. the customer and a rate plan valid for that customer).
func replacingRelation(in v: JSON, with value: JSON) -> JSON {
    switch v {
    case .string(let s):
        // Most strings name no relation: left as they are without trimming or searching them.
        if !s.containsBytes("{{relation") { return v }
        if s.trimmingCharacters(in: " ") == "{{relation}}" { return value }
        if case .object(let members) = value {
            for m in members where s.trimmingCharacters(in: " ") == "{{relation.\(m.key)}}" { return m.value }
            var out = s
            for m in members { out = out.replacingOccurrences("{{relation.\(m.key)}}", m.value.textValue) }
            return .string(out)
        }
        if s.contains("{{relation}}") { return .string(s.replacingOccurrences("{{relation}}", value.textValue)) }
        return v
    case .array(let a): return .array(a.map { replacingRelation(in: $0, with: value) })
    case .object(let o): return .object(JSONObject(o.map { .init(key: $0.key, value: replacingRelation(in: $0.value, with: value)) }))
    default: return v
    }
}

extension Template {
    /// `variables` and `filterNames` in one walk of the value, each in order of
    /// first use (keys name variables, never filters, as in those two): two
    /// walks were 3 % of a 25,000-case load, which checks every template.
    func variablesAndFilters() -> (variables: [String], filters: [String]) {
        var names: [String] = []
        var filters: [String] = []
        func visit(_ v: JSON) {
            switch v {
            case .string(let s):
                for r in Template.referenceBytes(in: s) {
                    if !names.contains(r.name) { names.append(r.name) }
                    if let f = r.filter, !filters.contains(f) { filters.append(f) }
                }
            case .array(let a): a.forEach(visit)
            case .object(let o):
                for m in o {
                    for r in Template.referenceBytes(in: m.key) where !names.contains(r.name) { names.append(r.name) }
                    visit(m.value)
                }
            default: break
            }
        }
        visit(raw)
        return (names, filters)
    }
}
