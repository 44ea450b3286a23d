import JSONKit

let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

/// `{NAME}` placeholders of a path template, in order.
func pathParameters(_ template: String) -> [String] {
    var names: [String] = []
    // ASCII (every documented path): the same scan over bytes (by Character it was a
    // percent of a large load: every step of every case asks).
    if template.utf8.allSatisfy({ $0 < 0x80 }) {
        let u = template.utf8
        var at = u.startIndex
        while let open = u[at...].firstIndex(of: UInt8(ascii: "{")) {
            let after = u.index(after: open)
            guard let close = u[after...].firstIndex(of: UInt8(ascii: "}")) else { break }
            names.append(String(template[after..<close]))
            at = u.index(after: close)
        }
        return names
    }
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
        let after = rest[rest.index(after: open)...]
        guard let close = after.firstIndex(of: "}") else { break }
        names.append(String(after[..<close]))
        rest = after[after.index(after: close)...]
    }
    return names
}

func readEndpoint(_ node: Node, readings: [Reading] = [], access: AccessModel) -> Endpoint? {
    guard
        let o = node.object(keys: [
            "id", "title", "doc", "method", "path", "mutating", "access", "response", "request", "errors",
            "unauthenticated", "paging", "level", "bounds", "negatives", "parameters",
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
    var levels: [String] = []
    var rule: [AccessGrant] = []
    var accessCitations: Node?
    var responseCitations: Node?
    if let a = o.required("access"), let ao = a.object(keys: ["text", "levels", "rule", "readings"]) {
        accessCitations = ao.optional("readings")
        accessText = ao.required("text")?.string ?? ""
        if let ls = ao.required("levels")?.array {
            for n in ls {
                guard let level = access.readLevel(n) else { continue }
                levels.append(level)
                if !access.roles.contains(where: { $0.level == level }) {
                    n.warning(
                        "no role holds level '\(level)': no case can run as it",
                        hint: "declare a role with \"level\": \"\(level)\" in \(access.file)")
                }
            }
        }
        if let rs = ao.optional("rule")?.array {
            for r in rs {
                guard let ro = r.object(keys: ["level", "scope"]), let lv = ro.required("level").flatMap(access.readLevel),
                    let sn = ro.required("scope"), let sc = sn.string
                else { continue }
                guard let scope = AccessGrant.Scope(rawValue: sc) else {
                    sn.error("unknown scope '\(sc)'", hint: AccessGrant.Scope.allCases.map(\.rawValue).joined(separator: ", "))
                    continue
                }
                rule.append(AccessGrant(level: lv, scope: scope))
            }
            let ruled = Set(rule.map(\.level)), listed = Set(levels)
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
    let parameters = o.optional("parameters").map { readParameters($0, path: path) } ?? []
    if o.optional("parameters") == nil, let path, let pn = o.optional("path") {
        for name in pathParameters(path) {
            pn.error(
                "{\(name)} has no path parameter",
                hint: "declare it under parameters: {\"name\": \"\(name)\", \"in\": \"path\", \"required\": true, \"description\": …, \"schema\": …}")
        }
    }
    var paging: Paging?
    if let pn = o.optional("paging") { paging = readPaging(pn, parameters: parameters) }
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
    endpoint.parameters = parameters
    endpoint.accessReadings = readCitations(
        accessCitations, place: .access, readings: readings, endpoint: endpoint, access: access)
    endpoint.responseReadings = readCitations(
        responseCitations, place: .response, readings: readings, endpoint: endpoint, access: access)
    endpoint.unauthenticatedReadings = readCitations(
        unauthenticatedCitations, place: .unauthenticated, readings: readings, endpoint: endpoint, access: access)
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

/// The spec's `parameters`: every documented path and query parameter, with
/// its doc text and schema. Every `{NAME}` of the path needs a path
/// parameter, and every path parameter a `{NAME}`. Whether each schema
/// compiles is checked by the loader, with the suite's schemas registered.
func readParameters(_ node: Node, path: String?) -> [Parameter] {
    guard let list = node.array else { return [] }
    var out: [Parameter] = []
    for item in list {
        guard let o = item.object(keys: ["name", "in", "required", "description", "doc", "schema"]) else { continue }
        let name = o.required("name")?.nonEmptyString
        var location: Parameter.Location?
        if let ln = o.required("in"), let s = ln.string {
            location = Parameter.Location(rawValue: s)
            if location == nil {
                let names = Parameter.Location.allCases.map(\.rawValue)
                ln.error(
                    "unknown parameter location '\(s)'",
                    hint: closestMatch(to: s, in: names).map { "did you mean '\($0)'?" } ?? names.joined(separator: " or "))
            }
        }
        let required = o.optional("required")?.bool ?? false
        let description = o.required("description")?.nonEmptyString
        var line: Int?
        var quote: String?
        if let dn = o.optional("doc"), let d = dn.object(keys: ["line", "quote"]) {
            if let ln = d.required("line"), let l = ln.int {
                if l >= 1 { line = l } else { ln.error("a page line is 1 or more, found \(l)") }
            }
            quote = d.required("quote")?.nonEmptyString
        }
        var schema: JSON?
        if let sn = o.required("schema") {
            switch sn.value {
            case .object(let so):
                schema = sn.value
                if let d = so["default"]?.numberValue {
                    if let lo = so["minimum"]?.numberValue, d < lo {
                        sn.child("default", so["default"]!).error(
                            "the default \(JSONWriter.formatNumber(d)) is below the minimum \(JSONWriter.formatNumber(lo))",
                            hint: "transcribe the page's default and bounds again")
                    }
                    if let hi = so["maximum"]?.numberValue, d > hi {
                        sn.child("default", so["default"]!).error(
                            "the default \(JSONWriter.formatNumber(d)) is above the maximum \(JSONWriter.formatNumber(hi))",
                            hint: "transcribe the page's default and bounds again")
                    }
                }
            case .bool:
                schema = sn.value
            default:
                sn.error(
                    "must be a JSON Schema (an object), found \(sn.value.typeName)",
                    hint: "e.g. {\"type\": \"integer\", \"default\": 100, \"minimum\": 1, \"maximum\": 500}")
            }
        }
        guard let name, let location, let description, let schema else { continue }
        if location == .path {
            if o.optional("required")?.value != .bool(true) {
                (o.optional("required") ?? item).error(
                    "a path parameter is always required", hint: "set \"required\": true")
            }
            if let path, !pathParameters(path).contains(name) {
                o.optional("name")?.error(
                    "the path \(path) has no {\(name)}",
                    hint: closestMatch(to: name, in: pathParameters(path)).map { "did you mean '\($0)'?" }
                        ?? "add {\(name)} to path, or declare the parameter \"in\": \"query\"")
            }
        }
        if out.contains(where: { $0.name == name && $0.location == location }) {
            o.optional("name")?.error("the \(location.rawValue) parameter '\(name)' is declared twice")
            continue
        }
        out.append(
            Parameter(
                name: name, location: location, required: location == .path || required, description: description,
                docLine: line, docQuote: quote, schema: schema))
    }
    if let path {
        for name in pathParameters(path) where !out.contains(where: { $0.name == name && $0.location == .path }) {
            node.error(
                "{\(name)} of the path \(path) has no path parameter",
                hint: "add {\"name\": \"\(name)\", \"in\": \"path\", \"required\": true, \"description\": …, \"schema\": …}")
        }
    }
    return out
}

/// The spec's `paging`: where the items and total are, and which query
/// parameters are the offset and limit (with the pointers that echo them).
/// Their defaults and bounds are the parameters' schema `default`,
/// `minimum` and `maximum`: stated once, where the page states them.
func readPaging(_ node: Node, parameters: [Parameter]) -> Paging? {
    guard let o = node.object(keys: ["items", "total", "offset", "limit"]) else { return nil }
    let items = readPointer(o.required("items"))
    let total = readPointer(o.required("total"))
    func side(_ key: String) -> (Parameter, JSONPointer)? {
        guard let n = o.required(key) else { return nil }
        let moved = ["default", "min", "max"]
        guard case .object(let raw) = n.value else {
            n.error("must be an object, found \(n.value.typeName)")
            return nil
        }
        for k in moved where raw[k] != nil {
            n.child(k, raw[k]!).error(
                "paging.\(key) takes its \(k) from the query parameter's schema",
                hint: "remove it here and state it in parameters[].schema (\(k == "default" ? "default" : k == "min" ? "minimum" : "maximum"))")
        }
        guard let po = Node(value: .object(JSONObject(raw.filter { !moved.contains($0.key) })), path: n.path, file: n.file, sink: n.sink)
            .object(keys: ["param", "pointer"])
        else { return nil }
        let pointer = readPointer(po.required("pointer"))
        guard let pn = po.required("param"), let name = pn.nonEmptyString else { return nil }
        guard let param = parameters.first(where: { $0.name == name && $0.location == .query }) else {
            let queries = parameters.filter { $0.location == .query }.map(\.name)
            pn.error(
                "'\(name)' is not a declared query parameter",
                hint: closestMatch(to: name, in: queries).map { "did you mean '\($0)'?" }
                    ?? "declare it under parameters with \"in\": \"query\" and its schema (type integer, default, minimum, maximum)")
            return nil
        }
        guard let pointer else { return nil }
        return (param, pointer)
    }
    let offset = side("offset")
    let limit = side("limit")
    guard let items, let total, let offset, let limit else { return nil }
    if limit.0.defaultInt == nil {
        o.optional("limit")?.child("param", .string(limit.0.name)).error(
            "the query parameter '\(limit.0.name)' states no integer default; the page checks need the documented default",
            hint: "add \"default\" to its schema under parameters")
        return nil
    }
    return Paging(
        items: items, total: total, offsetParam: offset.0.name, offsetPointer: offset.1,
        defaultOffset: offset.0.defaultInt ?? 0, limitParam: limit.0.name, limitPointer: limit.1,
        defaultLimit: limit.0.defaultInt ?? 0, minLimit: limit.0.minimum ?? 0, maxLimit: limit.0.maximum ?? Int.max)
}
