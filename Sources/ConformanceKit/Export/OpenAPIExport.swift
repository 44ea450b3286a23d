import Foundation
import JSONKit

/// The documented API as an OpenAPI 3.1.0 document, built from the suite's
/// endpoint specs and schema documents (and, for `securitySchemes`, from the
/// target profiles). It describes what the vendor's doc pages say, not what any
/// server does.
///
/// Deterministic: the same suite and profiles give the same bytes. Paths are
/// sorted by template, operations by method, responses by status, schema
/// components by file (each file followed by its hoisted `$defs`), security
/// schemes by name; every object keeps the insertion order written here.
///
/// Schema documents become Schema Objects almost unchanged (OpenAPI 3.1 uses
/// JSON Schema 2020-12): each file is a component named after the file
/// (`mvno-account.schema.json` → `MvnoAccount`), each top-level `$defs` entry
/// is hoisted to a component of its own prefixed with the file's stem
/// (`common.schema.json#/$defs/Id` → `common.Id`), every `$ref` is rewritten to
/// `#/components/schemas/…`, `$id` and `$schema` are dropped, and `format`
/// values (`objectid`, `e164`, `icc`) and `x-` annotations are kept. A `$ref`
/// this export cannot map (a plain-name `#anchor`, a file outside the suite) is
/// left as it is, which the tests catch.
public enum OpenAPIExport {
    public static let openAPIVersion = "3.1.0"
    public static let title = "TelecomX MVNO API (as documented)"
    /// The document's `info.version`: the docs carry no version, so a fixed label.
    public static let version = "docs-2025"
    /// The host every URL on the doc pages uses (`https://api.telecomx.dk/mvno/…`).
    public static let serverURL = "https://api.telecomx.dk"
    /// The error body component every documented error status refers to.
    public static let errorSchemaName = "Error"

    /// The OpenAPI document as an ordered JSON value.
    public static func document(suite: Suite, targets: [TargetProfile]) -> JSON {
        let names = ComponentNames(schemas: suite.schemas)
        var doc = JSONObject()
        doc["openapi"] = .string(openAPIVersion)
        doc["info"] = info(suite: suite)
        doc["servers"] = [
            [
                "url": .string(serverURL),
                "description": "The vendor's API, as the URLs on the doc pages give it.",
            ]
        ]
        let security = securitySchemes(targets: targets)
        doc["security"] = .array(security.map { .object(JSONObject(pairs: [($0.name, .array([]))])) })
        doc["paths"] = .object(paths(suite: suite, names: names))
        var components = JSONObject()
        components["schemas"] = .object(componentSchemas(suite: suite, names: names))
        components["securitySchemes"] = .object(JSONObject(pairs: security.map { ($0.name, $0.scheme) }))
        doc["components"] = .object(components)
        return .object(doc)
    }

    /// The document as pretty-printed JSON text (two-space indent, ending with a newline).
    public static func render(suite: Suite, targets: [TargetProfile]) -> String {
        JSONWriter(pretty: true).string(document(suite: suite, targets: targets)) + "\n"
    }

    // MARK: info

    static func info(suite: Suite) -> JSON {
        let pages = Set(suite.endpoints.map(\.doc)).sorted()
        let description = """
            The TelecomX MVNO API as the vendor's documentation describes it, exported by the conformance \
            harness from its transcription of the doc pages (endpoint specs and JSON Schemas in Cases/). \
            Doc pages: \(pages.joined(separator: ", ")). \
            This is what the docs say, not what any server does: no response field is required (\
            "properties holding no value may be omitted"); the error bodies are not documented (see the \
            Error schema); the 401 answers come from the vendor's login documentation, not from these pages. \
            Schema annotations: x-visibility (the only roles that see a field), x-sensitive (PINs, PUKs, \
            activation codes), x-doc-ambiguous (where a docs table is unclear), x-doc (the page a schema \
            comes from), x-object (schemas that transcribe the same object from different pages). Formats objectid (24 hexadecimal characters), e164 (E.164 phone number) and icc \
            (SIM ICC, 18-20 digits) are the API's own.
            """
        return [
            "title": .string(title),
            "version": .string(version),
            "description": .string(description),
        ]
    }

    // MARK: paths

    static func paths(suite: Suite, names: ComponentNames) -> JSONObject {
        var out = JSONObject()
        let byPath = Dictionary(grouping: suite.endpoints, by: \.path)
        for path in byPath.keys.sorted() {
            var item = JSONObject()
            let endpoints = byPath[path, default: []].sorted {
                ($0.method.lowercased(), $0.id) < ($1.method.lowercased(), $1.id)
            }
            for ep in endpoints {
                item[ep.method.lowercased()] = operation(ep, suite: suite, names: names)
            }
            out[path] = .object(item)
        }
        return out
    }

    static func operation(_ ep: Endpoint, suite: Suite, names: ComponentNames) -> JSON {
        var op = JSONObject()
        op["operationId"] = .string(ep.id)
        op["summary"] = .string(ep.title)
        op["description"] = .string(
            "Access level (as documented): \(ep.accessText)\n\nDoc page: \(ep.doc)."
                + (ep.mutating ? " Changes data on the server." : ""))
        let parameters = pathParameters(ep) + queryParameters(ep)
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let request = ep.requestSchema {
            op["requestBody"] = [
                "description": .string(schemaTitle(request, suite: suite) ?? "The request body."),
                "required": true,
                "content": ["application/json": ["schema": ["$ref": .string(names.componentRef(suiteRef: request))]]],
            ]
        }
        op["responses"] = .object(responses(ep, suite: suite, names: names))
        return .object(op)
    }

    // MARK: parameters

    /// Path parameters the docs describe, by name (the doc pages' "Param" rows, verbatim).
    static let documentedPathParameters: [String: (description: String, schema: JSON)] = [
        "ACCOUNT_ID": (
            "Id of the MVNO account (24 hex-char string) or E.164 phone number.",
            [
                "oneOf": [
                    [
                        "title": "MVNO account id",
                        "type": "string",
                        "format": "objectid",
                        "pattern": "^[0-9a-fA-F]{24}$",
                    ],
                    [
                        "title": "E.164 phone number",
                        "type": "string",
                        "format": "e164",
                        "pattern": "^\\+[1-9][0-9]{7,14}$",
                    ],
                ]
            ]
        )
    ]

    /// Query parameters a doc page documents, keyed by page (its "Query" rows,
    /// descriptions verbatim). The paging parameters take their names and
    /// bounds from the endpoint's `Paging`; only their text comes from here.
    /// Parameters that are not paging ones (the deleted-accounts list's
    /// `filter`) are added for an endpoint whose doc page (or id) is listed.
    static let documentedQueryParameters: [String: [(name: String, description: String)]] = [
        "mvno-deleted-list.txt": [
            ("offset", "Index of the first MVNO account to return, default 0."),
            ("limit", "The number of MVNO accounts to return, default 100, min 1, max 500."),
            (
                "filter",
                "To filter the MVNO accounts, this can be used. Number, deviceType, simNumber (ICC), IMSI and notes will be searched."
            ),
        ]
    ]
    /// Endpoint ids that stand for a documented page, should the spec name its page differently.
    static let pageOfEndpoint: [String: String] = ["mvno-deleted-list": "mvno-deleted-list.txt"]

    static func documentedQuery(_ ep: Endpoint) -> [(name: String, description: String)] {
        documentedQueryParameters[ep.doc] ?? pageOfEndpoint[ep.id].flatMap { documentedQueryParameters[$0] } ?? []
    }

    /// The `{NAME}` placeholders of a path template, in order.
    static func templateParameters(_ path: String) -> [String] {
        var out: [String] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            if !name.isEmpty, !out.contains(name) { out.append(name) }
            rest = after[after.index(after: close)...]
        }
        return out
    }

    static func pathParameters(_ ep: Endpoint) -> [JSON] {
        templateParameters(ep.path).map { name in
            let known = documentedPathParameters[name]
            return [
                "name": .string(name),
                "in": "path",
                "required": true,
                "description": .string(known?.description ?? "The {\(name)} of the path (not described in the docs)."),
                "schema": known?.schema ?? ["type": "string"],
            ]
        }
    }

    static func queryParameters(_ ep: Endpoint) -> [JSON] {
        let documented = documentedQuery(ep)
        func text(_ name: String) -> String? { documented.first { $0.name == name }?.description }
        var out: [JSON] = []
        if let p = ep.paging {
            out.append([
                "name": .string(p.offsetParam),
                "in": "query",
                "required": false,
                "description": .string(
                    text(p.offsetParam) ?? "Index of the first item to return, default \(p.defaultOffset)."),
                "schema": ["type": "integer", "minimum": 0, "default": .number(Double(p.defaultOffset))],
            ])
            out.append([
                "name": .string(p.limitParam),
                "in": "query",
                "required": false,
                "description": .string(
                    text(p.limitParam)
                        ?? "The number of items to return, default \(p.defaultLimit), min \(p.minLimit), max \(p.maxLimit)."
                ),
                "schema": [
                    "type": "integer",
                    "minimum": .number(Double(p.minLimit)),
                    "maximum": .number(Double(p.maxLimit)),
                    "default": .number(Double(p.defaultLimit)),
                ],
            ])
        }
        let paging = ep.paging.map { [$0.offsetParam, $0.limitParam] } ?? []
        for q in documented where !paging.contains(q.name) && !["offset", "limit"].contains(q.name) {
            out.append([
                "name": .string(q.name),
                "in": "query",
                "required": false,
                "description": .string(q.description),
                "schema": ["type": "string"],
            ])
        }
        return out
    }

    // MARK: responses

    static func responses(_ ep: Endpoint, suite: Suite, names: ComponentNames) -> JSONObject {
        var byStatus: [Int: [String]] = [:]
        for e in ep.errors {
            let line = "\(e.message): \(e.description)"
            if !byStatus[e.status, default: []].contains(line) { byStatus[e.status, default: []].append(line) }
        }
        if let u = ep.unauthenticated {
            let line =
                "\(u.message): missing or wrong credentials (not on the doc page: the vendor's login documentation)"
            if !byStatus[u.status, default: []].contains(line) { byStatus[u.status, default: []].append(line) }
        }
        var out = JSONObject()
        var success = JSONObject()
        let title = ep.responseSchema.flatMap { schemaTitle($0, suite: suite) }
        success["description"] = .string("Success" + (title.map { ": \($0)." } ?? "."))
        if let schema = ep.responseSchema {
            success["content"] = [
                "application/json": ["schema": ["$ref": .string(names.componentRef(suiteRef: schema))]]
            ]
        }
        let statuses = (Set(byStatus.keys).union([ep.successStatus])).sorted()
        for status in statuses {
            if status == ep.successStatus, byStatus[status] == nil {
                out[String(status)] = .object(success)
                continue
            }
            // A documented error row with the success status cannot happen in these docs; it would be listed here.
            out[String(status)] = [
                "description": .string(byStatus[status, default: []].joined(separator: "; ")),
                "content": [
                    "application/json": ["schema": ["$ref": .string("#/components/schemas/" + errorSchemaName)]]
                ],
            ]
        }
        return out
    }

    static func schemaTitle(_ suiteRef: String, suite: Suite) -> String? {
        let file = suiteRef.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return file.flatMap { suite.schemas[$0]?["title"]?.stringValue }
    }

    // MARK: components.schemas

    static func componentSchemas(suite: Suite, names: ComponentNames) -> JSONObject {
        var out = JSONObject()
        for file in names.files {
            guard let doc = suite.schemas[file], let name = names.byFile[file] else { continue }
            var schema = names.convert(doc, file: file, isRoot: true)
            if name == errorSchemaName { schema = errorSchema(from: schema) }
            out[name] = schema
            if case .object(let root) = doc, case .object(let defs)? = root["$defs"] {
                for m in defs {
                    guard let defName = names.defs[file]?[m.key] else { continue }
                    out[defName] = names.convert(m.value, file: file, isRoot: false)
                }
            }
        }
        if out[errorSchemaName] == nil { out[errorSchemaName] = errorSchema(from: nil) }
        return out
    }

    /// The error body: the docs give each error's status and message but not
    /// the body's shape. An object with a `message` string is assumed (where
    /// the profiles' errorMessagePointer looks, and what the simulator sends);
    /// a suite's own `error.schema.json` is kept and gains that member.
    static func errorSchema(from converted: JSON?) -> JSON {
        var o = converted?.objectValue ?? JSONObject()
        o["title"] = o["title"] ?? "Error body"
        o["description"] = .string(
            "Not documented: the doc pages give each error's status and message, but not the body's shape. "
                + "Assumed: a JSON object whose `message` holds the documented message (e.g. `access_denied`); "
                + "target profiles may place it elsewhere (errorMessagePointer).")
        o["type"] = "object"
        var props = o["properties"]?.objectValue ?? JSONObject()
        if props["message"] == nil {
            props["message"] = [
                "type": "string",
                "description": "The documented error message, e.g. `access_denied`, `mvnoAccount`, `number`.",
            ]
        }
        o["properties"] = .object(props)
        return .object(o)
    }

    // MARK: components.securitySchemes

    struct SecurityScheme {
        var name: String
        var scheme: JSON
    }

    /// One scheme per distinct credential placement among the profiles (a
    /// profile that logs in adds the login call to its placement's
    /// description). Without profiles: the docs' own style, `?token=`.
    static func securitySchemes(targets: [TargetProfile]) -> [SecurityScheme] {
        let placements =
            targets.isEmpty
            ? [(AuthPlacement.query(name: "token"), LoginSpec?.none)] : targets.map { ($0.auth, $0.login) }
        var logins: [String: Set<String>] = [:]
        var base: [String: (name: String, scheme: JSONObject)] = [:]
        for (auth, login) in placements {
            let (key, name, scheme) = describe(auth)
            if base[key] == nil { base[key] = (name, scheme) }
            if let login {
                logins[key, default: []].insert(
                    "How a token is obtained (profiles that log in): `POST \(login.path)` with a JSON body {\"username\", \"password\"}; "
                        + "the answer holds the token at `\(login.tokenPointer)` and its lifetime in minutes at "
                        + "`\(login.expiresPointer)` (default \(JSONWriter.formatNumber(login.defaultExpiresMinutes)))."
                )
            }
        }
        var used = Set<String>()
        var out: [SecurityScheme] = []
        for key in base.keys.sorted() {
            guard var (name, scheme) = base[key] else { continue }
            var unique = name
            var k = 2
            while !used.insert(unique).inserted {
                unique = "\(name)_\(k)"
                k += 1
            }
            name = unique
            if let sentences = logins[key] {
                let d = scheme["description"]?.stringValue ?? ""
                scheme["description"] = .string(([d] + sentences.sorted()).joined(separator: " "))
            }
            out.append(SecurityScheme(name: name, scheme: .object(scheme)))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// A key identifying the placement, the scheme's name, and the scheme.
    static func describe(_ auth: AuthPlacement) -> (key: String, name: String, scheme: JSONObject) {
        switch auth {
        case .query(let name):
            return (
                "query:\(name)", "query_" + sanitize(name),
                JSONObject(pairs: [
                    ("type", "apiKey"), ("in", "query"), ("name", .string(name)),
                    (
                        "description",
                        .string("The token as the query parameter `?\(name)=…`, the style the doc pages use.")
                    ),
                ])
            )
        case .header(let name, let prefix):
            if name.lowercased() == "authorization",
                prefix.trimmingCharacters(in: .whitespaces).lowercased() == "bearer"
            {
                return (
                    "bearer", "bearer",
                    JSONObject(pairs: [
                        ("type", "http"), ("scheme", "bearer"),
                        ("description", "The token in the header `Authorization: Bearer …`."),
                    ])
                )
            }
            let shown = prefix.isEmpty ? "`\(name): <token>`" : "`\(name): \(prefix)<token>`"
            return (
                "header:\(name.lowercased()):\(prefix)",
                "header_" + sanitize(name) + (prefix.isEmpty ? "" : "_" + sanitize(prefix)),
                JSONObject(pairs: [
                    ("type", "apiKey"), ("in", "header"), ("name", .string(name)),
                    ("description", .string("The token in the header \(shown).")),
                ])
            )
        case .cookie(let name):
            return (
                "cookie:\(name)", "cookie_" + sanitize(name),
                JSONObject(pairs: [
                    ("type", "apiKey"), ("in", "cookie"), ("name", .string(name)),
                    ("description", .string("The token in the cookie `\(name)`.")),
                ])
            )
        }
    }

    /// A component-name-safe form (`^[a-zA-Z0-9._-]+$`).
    static func sanitize(_ s: String) -> String {
        let mapped = String(
            s.unicodeScalars.map { c -> Character in
                (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "-" || c == "_"))
                    ? Character(c) : "_"
            })
        let trimmed = mapped.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return trimmed.isEmpty ? "x" : trimmed
    }
}

// MARK: - schema names and conversion

extension OpenAPIExport {
    /// Component names for the suite's schema files and their hoisted `$defs`,
    /// and the rewriting of references into `#/components/schemas/…`.
    struct ComponentNames {
        /// Schema file references (`schemas/x.schema.json`), sorted.
        var files: [String]
        /// File reference → component name (`MvnoAccount`).
        var byFile: [String: String] = [:]
        /// File reference → `$defs` key → component name (`common.Id`).
        var defs: [String: [String: String]] = [:]
        /// Absolute URI (its location, and its `$id` resolved) → file reference.
        var fileOfURI: [String: String] = [:]
        /// File reference → the base URI its relative references resolve against.
        var baseOfFile: [String: String] = [:]

        init(schemas: [String: JSON]) {
            files = schemas.keys.sorted()
            var used = Set<String>()
            func unique(_ name: String) -> String {
                var candidate = name
                var k = 2
                while !used.insert(candidate).inserted {
                    candidate = "\(name)_\(k)"
                    k += 1
                }
                return candidate
            }
            // The error body's name is taken by error.schema.json if there is one, otherwise reserved.
            let fileNames = files.map { ($0, ComponentNames.pascalCase(ComponentNames.stem($0))) }
            if !fileNames.contains(where: { $0.1 == OpenAPIExport.errorSchemaName }) {
                used.insert(OpenAPIExport.errorSchemaName)
            }
            for (file, name) in fileNames { byFile[file] = unique(name) }
            for file in files {
                let location = SuiteLoader.schemaBase + file
                fileOfURI[location] = file
                var base = location
                if let id = schemas[file]?["$id"]?.stringValue,
                    let resolved = ComponentNames.resolve(id, against: location)
                {
                    base = ComponentNames.withoutFragment(resolved)
                    if fileOfURI[base] == nil { fileOfURI[base] = file }
                }
                baseOfFile[file] = base
                if case .object(let defsObject)? = schemas[file]?["$defs"] {
                    let prefix = OpenAPIExport.sanitize(
                        ComponentNames.stem(file).replacingOccurrences(of: "/", with: "."))
                    var map: [String: String] = [:]
                    for m in defsObject { map[m.key] = unique(prefix + "." + OpenAPIExport.sanitize(m.key)) }
                    defs[file] = map
                }
            }
        }

        /// `schemas/sub/mvno-account.schema.json` → `sub/mvno-account`.
        static func stem(_ file: String) -> String {
            var s = file.hasPrefix("schemas/") ? String(file.dropFirst("schemas/".count)) : file
            for suffix in [".schema.json", ".json5", ".json"] where s.hasSuffix(suffix) {
                s = String(s.dropLast(suffix.count))
                break
            }
            return s
        }

        /// `mvno-account` → `MvnoAccount`, `sub/x_y` → `SubXY`.
        static func pascalCase(_ s: String) -> String {
            let parts = s.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
            let name = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            return name.isEmpty ? "Schema" : name
        }

        static func resolve(_ reference: String, against base: String) -> String? {
            guard let baseURL = URL(string: base), let url = URL(string: reference, relativeTo: baseURL) else {
                return nil
            }
            return url.absoluteString
        }

        static func withoutFragment(_ uri: String) -> String {
            uri.firstIndex(of: "#").map { String(uri[..<$0]) } ?? uri
        }

        /// A suite reference (`schemas/x.json` or `schemas/x.json#/$defs/Y`) as a component reference.
        func componentRef(suiteRef: String) -> String {
            let hash = suiteRef.firstIndex(of: "#")
            let file = hash.map { String(suiteRef[..<$0]) } ?? suiteRef
            let fragment = hash.map { String(suiteRef[suiteRef.index(after: $0)...]) } ?? ""
            return componentRef(file: file, fragment: fragment) ?? suiteRef
        }

        /// A `$ref` found in `file`, rewritten; nil when it cannot be mapped.
        func rewrite(_ ref: String, in file: String) -> String? {
            let hash = ref.firstIndex(of: "#")
            let path = hash.map { String(ref[..<$0]) } ?? ref
            let fragment = hash.map { String(ref[ref.index(after: $0)...]) } ?? ""
            let target: String
            if path.isEmpty {
                target = file
            } else {
                guard let base = baseOfFile[file], let uri = ComponentNames.resolve(path, against: base),
                    let f = fileOfURI[ComponentNames.withoutFragment(uri)]
                else { return nil }
                target = f
            }
            return componentRef(file: target, fragment: fragment)
        }

        func componentRef(file: String, fragment: String) -> String? {
            guard let name = byFile[file] else { return nil }
            if fragment.isEmpty { return "#/components/schemas/" + name }
            guard fragment.hasPrefix("/"), let pointer = try? JSONPointer(parsing: "#" + fragment) else { return nil }
            var tokens = pointer.tokens
            var component = name
            if tokens.count >= 2, tokens[0] == "$defs", let def = defs[file]?[tokens[1]] {
                component = def
                tokens.removeFirst(2)
            }
            let allowed = CharacterSet.urlFragmentAllowed.subtracting(CharacterSet(charactersIn: "/"))
            let rest = tokens.map {
                "/" + (JSONPointer.escape($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)
            }.joined()
            return "#/components/schemas/" + component + rest
        }

        static let schemaMapKeywords: Set<String> = [
            "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
        ]
        static let schemaKeywords: Set<String> = [
            "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames", "not",
            "if", "then", "else", "additionalItems", "contentSchema", "items",
        ]
        static let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]

        /// A property's schema that also admits `null`: the harness takes a
        /// member holding `null` as holding no value (`SuiteLoader.apiValidation`),
        /// and the export says the same to other tools.
        static func holdingNoValue(_ schema: JSON) -> JSON {
            guard case .object(let o) = schema else { return schema }
            var out = JSONObject()
            if let d = o["description"] { out["description"] = d }
            out["anyOf"] = [schema, ["type": "null"]]
            return .object(out)
        }

        /// A schema of `file` as an OpenAPI 3.1 Schema Object: references
        /// rewritten, `$id`/`$schema` dropped, the root's `$defs` hoisted.
        func convert(_ schema: JSON, file: String, isRoot: Bool) -> JSON {
            guard case .object(let o) = schema else { return schema }
            var out = JSONObject()
            for m in o {
                switch m.key {
                case "$id", "$schema":
                    continue
                case "$defs" where isRoot:
                    continue
                case "$ref":
                    if let s = m.value.stringValue {
                        out.append(key: m.key, value: .string(rewrite(s, in: file) ?? s))
                    } else {
                        out.append(key: m.key, value: m.value)
                    }
                case let k where ComponentNames.schemaMapKeywords.contains(k):
                    if case .object(let map) = m.value {
                        var converted = JSONObject()
                        for e in map {
                            let c = convert(e.value, file: file, isRoot: false)
                            converted.append(key: e.key, value: k == "properties" ? ComponentNames.holdingNoValue(c) : c)
                        }
                        out.append(key: k, value: .object(converted))
                    } else {
                        out.append(key: k, value: m.value)
                    }
                case let k where ComponentNames.schemaArrayKeywords.contains(k) && m.value.arrayValue != nil:
                    out.append(
                        key: k, value: .array((m.value.arrayValue ?? []).map { convert($0, file: file, isRoot: false) })
                    )
                case let k where ComponentNames.schemaKeywords.contains(k):
                    out.append(key: k, value: convert(m.value, file: file, isRoot: false))
                default:
                    out.append(key: m.key, value: m.value)
                }
            }
            return .object(out)
        }
    }
}
