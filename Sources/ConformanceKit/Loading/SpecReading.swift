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

func readEndpoint(_ node: Node) -> Endpoint? {
    guard
        let o = node.object(keys: [
            "id", "title", "doc", "method", "path", "mutating", "access", "response", "request", "errors",
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
    if let a = o.required("access"), let ao = a.object(keys: ["text", "levels"]) {
        accessText = ao.required("text")?.string ?? ""
        if let ls = ao.required("levels")?.array { levels = ls.compactMap(readRole) }
    }

    var successStatus: Int?
    var responseSchema: String?
    if let r = o.required("response"), let ro = r.object(keys: ["status", "schema"]) {
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
    return Endpoint(
        id: id, title: title, doc: doc, method: method, path: path, accessText: accessText, accessLevels: levels,
        successStatus: successStatus, responseSchema: responseSchema, requestSchema: requestSchema, errors: errors,
        mutating: mutating, file: node.file)
}

func readCase(_ node: Node, endpoints: [Endpoint], fixtures: [String: String]) -> Case? {
    guard
        let o = node.object(keys: ["id", "title", "endpoint", "covers", "role", "tags", "request", "expect"])
    else { return nil }
    let id = o.required("id")?.nonEmptyString
    let title = o.required("title")?.nonEmptyString
    var endpoint: Endpoint?
    if let en = o.required("endpoint"), let s = en.string {
        endpoint = endpoints.first { $0.id == s }
        if endpoint == nil {
            let hint = closestMatch(to: s, in: endpoints.map(\.id)).map { "did you mean '\($0)'?" }
                ?? "endpoints: \(endpoints.map(\.id).joined(separator: ", "))"
            en.error("unknown endpoint '\(s)'", hint: hint)
        }
    }
    let role = o.required("role").flatMap(readRole)
    let tags = o.optional("tags")?.strings ?? []

    var covers: String?
    var row: DocumentedError?
    if let cn = o.required("covers"), let s = cn.string, let endpoint {
        if s == "success" {
            covers = s
        } else if let r = endpoint.errors.first(where: { $0.id == s }) {
            covers = s
            row = r
        } else {
            let hint = closestMatch(to: s, in: endpoint.rowIDs).map { "did you mean '\($0)'?" }
                ?? "rows of \(endpoint.id): \(endpoint.rowIDs.joined(separator: ", "))"
            cn.error("'\(s)' is not a documented row of \(endpoint.id)", hint: hint)
        }
    }

    var request = RequestTemplate(pathParams: [:], query: [], headers: [], body: nil)
    var requestOK = true
    if let rn = o.optional("request") {
        if let ro = rn.object(keys: ["params", "query", "headers", "body"]) {
            if let p = ro.optional("params") {
                if case .object(let po) = p.value {
                    for m in po {
                        let n = p.child(m.key, m.value)
                        if case .string = m.value { request.pathParams[m.key] = Template(m.value) } else {
                            n.error("must be a string, found \(m.value.typeName)")
                            requestOK = false
                        }
                    }
                } else {
                    p.error("must be an object")
                    requestOK = false
                }
            }
            for (key, setter) in [("query", 0), ("headers", 1)] {
                guard let q = ro.optional(key) else { continue }
                guard case .object(let qo) = q.value else {
                    q.error("must be an object")
                    requestOK = false
                    continue
                }
                for m in qo {
                    let n = q.child(m.key, m.value)
                    switch m.value {
                    case .string, .number, .bool:
                        let t = Template(m.value)
                        if setter == 0 { request.query.append((m.key, t)) } else { request.headers.append((m.key, t)) }
                    default:
                        n.error("must be a string, number or boolean, found \(m.value.typeName)")
                        requestOK = false
                    }
                }
            }
            if let b = ro.optional("body") { request.body = Template(b.value) }
        } else {
            requestOK = false
        }
    }
    if let endpoint {
        let names = pathParameters(endpoint.path)
        for name in names where request.pathParams[name] == nil {
            (o.optional("request") ?? node).error(
                "missing request.params.\(name), which \(endpoint.path) needs")
            requestOK = false
        }
        for name in request.pathParams.keys.sorted() where !names.contains(name) {
            node.child("request", .null).child("params", .null).child(name, .null).error(
                "\(endpoint.path) has no parameter '\(name)'",
                hint: closestMatch(to: name, in: names).map { "did you mean '\($0)'?" })
            requestOK = false
        }
    }
    // Variables must be known to the suite's fixture catalogue.
    if let rn = o.optional("request") {
        for v in request.variables where fixtures[v] == nil {
            let hint = closestMatch(to: v, in: fixtures.keys).map { "did you mean '{{\($0)}}'?" }
                ?? "add it to fixtures.json"
            rn.error("unknown variable '{{\(v)}}'", hint: hint)
            requestOK = false
        }
    }

    var expect: Expectation?
    if let en = o.required("expect"), let eo = en.object(keys: ["status", "error", "schema", "assert"]) {
        var status = eo.optional("status")?.httpStatus
        var message = eo.optional("error")?.string
        var schema = eo.optional("schema")?.nonEmptyString
        if let endpoint, covers != nil {
            if let row {
                if let s = status, s != row.status {
                    eo.optional("status")?.error(
                        "\(s) contradicts the documented row '\(row.id)' (\(row.status) \(row.message))")
                }
                if let m = message, m != row.message {
                    eo.optional("error")?.error(
                        "'\(m)' contradicts the documented row '\(row.id)' (message '\(row.message)')")
                }
                status = status ?? row.status
                message = message ?? row.message
            } else {
                if message != nil {
                    eo.optional("error")?.error("a case covering 'success' expects no error message")
                }
                status = status ?? endpoint.successStatus
                schema = schema ?? endpoint.responseSchema
            }
        }
        var assertions: [Assertion] = []
        if let list = eo.optional("assert")?.array {
            for n in list {
                guard let ao = n.object(keys: ["pointer", "equals", "exists", "absent", "type"]) else { continue }
                guard let ps = ao.required("pointer")?.string else { continue }
                let pointer: JSONPointer
                do {
                    pointer = try JSONPointer(parsing: ps)
                } catch {
                    ao.optional("pointer")?.error(error.description)
                    continue
                }
                let kinds = ["equals", "exists", "absent", "type"].filter { ao.object[$0] != nil }
                guard kinds.count == 1 else {
                    n.error("give exactly one of equals, exists, absent, type (found \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))")
                    continue
                }
                switch kinds[0] {
                case "equals":
                    let t = Template(ao.object["equals"]!)
                    for v in t.variables where fixtures[v] == nil {
                        ao.optional("equals")?.error("unknown variable '{{\(v)}}'",
                            hint: closestMatch(to: v, in: fixtures.keys).map { "did you mean '{{\($0)}}'?" })
                    }
                    assertions.append(Assertion(pointer: pointer, kind: .equals(t)))
                case "exists":
                    if ao.optional("exists")?.bool == true { assertions.append(Assertion(pointer: pointer, kind: .exists)) }
                case "absent":
                    if ao.optional("absent")?.bool == true { assertions.append(Assertion(pointer: pointer, kind: .absent)) }
                default:
                    let types = ["null", "boolean", "number", "integer", "string", "array", "object"]
                    if let t = ao.optional("type")?.string {
                        if types.contains(t) {
                            assertions.append(Assertion(pointer: pointer, kind: .type(t)))
                        } else {
                            ao.optional("type")?.error("unknown type '\(t)'", hint: types.joined(separator: ", "))
                        }
                    }
                }
            }
        }
        if let status { expect = Expectation(status: status, errorMessage: message, schema: schema, assertions: assertions) }
    }
    guard let id, let title, let endpoint, let covers, let role, let expect, requestOK else { return nil }
    return Case(
        id: id, title: title, file: node.file, endpoint: endpoint.id, covers: covers, role: role, tags: tags,
        request: request, expect: expect)
}
