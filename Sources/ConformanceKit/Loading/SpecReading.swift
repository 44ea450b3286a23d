import JSONKit

let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

/// `{NAME}` placeholders of a path template, in order.
func pathParameters(_ template: String) -> [String] {
    var names: [String] = []
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
        let after = rest[rest.index(after: open)...]
        guard let close = after.firstIndex(of: "}") else { break }
        names.append(String(after[..<close]))
        rest = after[after.index(after: close)...]
    }
    return names
}

func readRole(_ node: Node) -> Role? {
    guard let s = node.string else { return nil }
    let role = Role(rawValue: s)
    guard Role.all.contains(role) else {
        let hint = closestMatch(to: s, in: Role.all.map(\.rawValue)).map { "did you mean '\($0)'?" }
            ?? "roles: \(Role.all.map(\.rawValue).joined(separator: ", "))"
        node.error("unknown role '\(s)'", hint: hint)
        return nil
    }
    return role
}

func readEndpoint(_ node: Node, readings: [Reading] = []) -> Endpoint? {
    guard
        let o = node.object(keys: [
            "id", "title", "doc", "method", "path", "mutating", "access", "response", "request", "errors",
            "unauthenticated", "paging", "level", "bounds", "negatives",
            // Written by import-docs (format A); read by the parameters reader of issue #15 item 1.
            "parameters",
        ])
    else { return nil }
    let id = o.required("id")?.nonEmptyString
    let title = o.required("title")?.nonEmptyString
    let doc = o.required("doc")?.nonEmptyString
    var method: String?
    if let m = o.required("method"), let s = m.string {
        if httpMethods.contains(s) { method = s } else { m.error("unknown HTTP method '\(s)'", hint: httpMethods.joined(separator: ", ")) }
    }
    var path: String?
    if let p = o.required("path"), let s = p.string {
        if s.hasPrefix("/") { path = s } else { p.error("must start with '/'") }
    }
    let mutating = o.optional("mutating")?.bool ?? false

    var accessText = ""
    var levels: [Role] = []
    var rule: [AccessGrant] = []
    var accessCitations: Node?
    var responseCitations: Node?
    if let a = o.required("access"), let ao = a.object(keys: ["text", "levels", "rule", "readings"]) {
        accessCitations = ao.optional("readings")
        accessText = ao.required("text")?.string ?? ""
        if let ls = ao.required("levels")?.array { levels = ls.compactMap(readRole) }
        if let rs = ao.optional("rule")?.array {
            for r in rs {
                guard let ro = r.object(keys: ["level", "scope"]), let lv = ro.required("level").flatMap(readRole),
                    let sn = ro.required("scope"), let sc = sn.string
                else { continue }
                guard let scope = AccessGrant.Scope(rawValue: sc) else {
                    sn.error("unknown scope '\(sc)'", hint: AccessGrant.Scope.allCases.map(\.rawValue).joined(separator: ", "))
                    continue
                }
                rule.append(AccessGrant(level: lv.rawValue, scope: scope))
            }
            let ruled = Set(rule.map(\.level)), listed = Set(levels.map(\.rawValue))
            if ruled != listed {
                ao.optional("rule")?.error(
                    "the rule's levels (\(ruled.sorted().joined(separator: ", "))) differ from access.levels (\(listed.sorted().joined(separator: ", ")))")
            }
        }
    }
    var unauthenticated: (Int, String)?
    var unauthenticatedCitations: Node?
    if let u = o.optional("unauthenticated"), let uo = u.object(keys: ["status", "message", "source", "readings"]) {
        unauthenticatedCitations = uo.optional("readings")
        if let st = uo.required("status")?.httpStatus, let m = uo.required("message")?.nonEmptyString {
            unauthenticated = (st, m)
        }
        _ = uo.required("source")?.nonEmptyString
    }
    var paging: Paging?
    if let pn = o.optional("paging") { paging = readPaging(pn) }
    let level = o.optional("level").flatMap(readLevel) ?? .required

    var successStatus: Int?
    var responseSchema: String?
    if let r = o.required("response"), let ro = r.object(keys: ["status", "schema", "readings"]) {
        responseCitations = ro.optional("readings")
        successStatus = ro.required("status")?.httpStatus
        responseSchema = ro.optional("schema")?.nonEmptyString
    }
    var requestSchema: String?
    if let r = o.optional("request"), let ro = r.object(keys: ["schema"]) {
        requestSchema = ro.optional("schema")?.nonEmptyString
    }

    var errors: [DocumentedError] = []
    if let list = o.required("errors")?.array {
        for n in list {
            guard let eo = n.object(keys: ["id", "status", "message", "description", "notProvokable"]) else { continue }
            guard let eid = eo.required("id")?.nonEmptyString, let status = eo.required("status")?.httpStatus,
                let message = eo.required("message")?.string, let description = eo.required("description")?.string
            else { continue }
            if eid == "success" {
                eo.optional("id")?.error("'success' is reserved for the documented success response")
                continue
            }
            if errors.contains(where: { $0.id == eid }) {
                eo.optional("id")?.error("duplicate error row id '\(eid)'")
                continue
            }
            let reason = eo.optional("notProvokable")?.nonEmptyString
            errors.append(
                DocumentedError(id: eid, status: status, message: message, description: description, notProvokable: reason))
        }
    }
    guard let id, let title, let doc, let method, let path, let successStatus else { return nil }
    var endpoint = Endpoint(
        id: id, title: title, doc: doc, method: method, path: path, accessText: accessText, accessLevels: levels,
        successStatus: successStatus, responseSchema: responseSchema, requestSchema: requestSchema, errors: errors,
        accessRule: rule, unauthenticated: unauthenticated, paging: paging, mutating: mutating, level: level,
        file: node.file)
    endpoint.accessReadings = readCitations(accessCitations, place: .access, readings: readings, endpoint: endpoint)
    endpoint.responseReadings = readCitations(responseCitations, place: .response, readings: readings, endpoint: endpoint)
    endpoint.unauthenticatedReadings = readCitations(
        unauthenticatedCitations, place: .unauthenticated, readings: readings, endpoint: endpoint)
    return endpoint
}

func readLevel(_ n: Node) -> Level? {
    guard let s = n.string else { return nil }
    guard let l = Level(rawValue: s) else {
        n.error("unknown level '\(s)'", hint: "required or optional")
        return nil
    }
    return l
}

func readPointer(_ n: Node?) -> JSONPointer? {
    guard let n, let s = n.string else { return nil }
    do { return try JSONPointer(parsing: s) } catch {
        n.error(error.description)
        return nil
    }
}

func readPaging(_ node: Node) -> Paging? {
    guard let o = node.object(keys: ["items", "total", "offset", "limit"]) else { return nil }
    let items = readPointer(o.required("items"))
    let total = readPointer(o.required("total"))
    var offset: (String, JSONPointer, Int)?
    if let on = o.required("offset"), let oo = on.object(keys: ["param", "pointer", "default"]) {
        if let p = oo.required("param")?.nonEmptyString, let ptr = readPointer(oo.required("pointer")),
            let d = oo.required("default")?.int
        {
            offset = (p, ptr, d)
        }
    }
    var limit: (String, JSONPointer, Int, Int, Int)?
    if let ln = o.required("limit"), let lo = ln.object(keys: ["param", "pointer", "default", "min", "max"]) {
        if let p = lo.required("param")?.nonEmptyString, let ptr = readPointer(lo.required("pointer")),
            let d = lo.required("default")?.int, let mn = lo.required("min")?.int, let mx = lo.required("max")?.int
        {
            if !(mn <= d && d <= mx) { ln.error("default \(d) is outside min \(mn) … max \(mx)") }
            limit = (p, ptr, d, mn, mx)
        }
    }
    guard let items, let total, let offset, let limit else { return nil }
    return Paging(
        items: items, total: total, offsetParam: offset.0, offsetPointer: offset.1, defaultOffset: offset.2,
        limitParam: limit.0, limitPointer: limit.1, defaultLimit: limit.2, minLimit: limit.3, maxLimit: limit.4)
}

