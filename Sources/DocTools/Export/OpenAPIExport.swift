import ConformanceKit
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
/// (`order-item.schema.json` → `OrderItem`), each top-level `$defs` entry
/// is hoisted to a component of its own prefixed with the file's stem
/// (`common.schema.json#/$defs/Id` → `common.Id`), every `$ref` is rewritten to
/// `#/components/schemas/…`, `$id` and `$schema` are dropped, and `format`
/// values (`objectid`, `e164`, `icc`) and `x-` annotations are kept. A `$ref`
/// this export cannot map (a plain-name `#anchor`, a file outside the suite) is
/// left as it is, which the tests catch.
public enum OpenAPIExport {
    public static let openAPIVersion = "3.1.0"
    /// The error body component every documented error status refers to.
    public static let errorSchemaName = "Error"
    /// Where the documented message sits in an error body when no profile says (`errorMessagePointer`'s default).
    public static let defaultErrorMessagePointer = JSONPointer(tokens: ["message"])

    /// The OpenAPI document as an ordered JSON value. With `target` (a
    /// profile: `conformance openapi --target F`) the document is one that
    /// tools can test that server with: its base URL and credential
    /// placement, the error body with the message required at the profile's
    /// `errorMessagePointer` and, per status of each operation, the
    /// documented messages as an enum, and the profile's fixtures as
    /// parameter and request body examples.
    public static func document(suite: Suite, targets: [TargetProfile], target: TargetProfile? = nil) -> JSON {
        let names = ComponentNames(schemas: suite.schemas)
        let profiles = target.map { [$0] } ?? targets
        var doc = JSONObject()
        doc["openapi"] = .string(openAPIVersion)
        doc["info"] = info(suite: suite, target: target)
        let servers = self.servers(suite: suite, target: target)
        if !servers.isEmpty { doc["servers"] = .array(servers) }
        let security = securitySchemes(targets: profiles)
        doc["security"] = .array(security.map { .object(JSONObject(pairs: [($0.name, .array([]))])) })
        doc["paths"] = .object(paths(suite: suite, names: names, target: target))
        var components = JSONObject()
        components["schemas"] = .object(
            componentSchemas(
                suite: suite, names: names, messagePointer: target?.errorMessagePointer ?? defaultErrorMessagePointer))
        components["securitySchemes"] = .object(JSONObject(pairs: security.map { ($0.name, $0.scheme) }))
        doc["components"] = .object(components)
        return .object(doc)
    }

    /// The document as pretty-printed JSON text (two-space indent, ending with a newline).
    public static func render(suite: Suite, targets: [TargetProfile], target: TargetProfile? = nil) -> String {
        JSONWriter(pretty: true).string(document(suite: suite, targets: targets, target: target)) + "\n"
    }

    // MARK: info

    static func info(suite: Suite, target: TargetProfile?) -> JSON {
        let pages = Set(suite.endpoints.map(\.doc)).sorted()
        let title = suite.api?.title ?? "The API documented by the suite in \((suite.root as NSString).lastPathComponent)"
        var description = suite.api?.description.map { $0 + " " } ?? ""
        description += """
            Exported by the conformance harness from its transcription of the doc pages (endpoint specs and \
            JSON Schemas in the suite). Doc pages: \(pages.joined(separator: ", ")). \
            This is what the docs say, not what any server does: no response field is required (\
            "properties holding no value may be omitted"); the error bodies are not documented (see the \
            Error schema); the unauthenticated answers come from the endpoint specs' `unauthenticated.source`, \
            not from the pages' error tables. \
            Schema annotations: x-visibility (the only roles that see a field), x-sensitive (PINs, PUKs, \
            activation codes), x-doc-ambiguous (where a docs table is unclear), x-doc (the page a schema \
            comes from), x-object (schemas that transcribe the same object from different pages).
            """
        if let target {
            description += """
                 For the target profile \(target.name) (\(target.file)): its base URL and credential placement, \
                error bodies with the message at \(target.errorMessagePointer.description) holding one of the \
                documented messages of that operation and status, and the profile's fixtures as examples.
                """
        }
        return [
            "title": .string(title),
            "version": .string(suite.api?.version ?? "docs"),
            "description": .string(description),
        ]
    }

    static func servers(suite: Suite, target: TargetProfile?) -> [JSON] {
        if let target {
            return [
                [
                    "url": .string(target.baseURL),
                    "description": .string("The target profile \(target.name) (\(target.file))."),
                ]
            ]
        }
        return (suite.api?.servers ?? []).map { s in
            var o = JSONObject()
            o["url"] = .string(s.url)
            if let d = s.description { o["description"] = .string(d) }
            return .object(o)
        }
    }

    // MARK: paths

    static func paths(suite: Suite, names: ComponentNames, target: TargetProfile?) -> JSONObject {
        var out = JSONObject()
        let byPath = Dictionary(grouping: suite.endpoints, by: \.path)
        for path in byPath.keys.sorted() {
            var item = JSONObject()
            let endpoints = byPath[path, default: []].sorted {
                ($0.method.lowercased(), $0.id) < ($1.method.lowercased(), $1.id)
            }
            for ep in endpoints {
                item[ep.method.lowercased()] = operation(ep, suite: suite, names: names, target: target)
            }
            out[path] = .object(item)
        }
        return out
    }

    static func operation(_ ep: Endpoint, suite: Suite, names: ComponentNames, target: TargetProfile?) -> JSON {
        let examples = target.map { Examples.of(ep, suite: suite, target: $0) }
        var op = JSONObject()
        op["operationId"] = .string(ep.id)
        op["summary"] = .string(ep.title)
        op["description"] = .string(
            "Access level (as documented): \(ep.accessText)\n\nDoc page: \(ep.doc)."
                + (ep.mutating ? " Changes data on the server." : ""))
        let parameters = self.parameters(ep, names: names, examples: examples?.parameters ?? [:])
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let request = ep.requestSchema {
            var media = JSONObject()
            media["schema"] = ["$ref": .string(names.componentRef(suiteRef: request))]
            if let body = examples?.body {
                media["examples"] = [
                    "documented-success": [
                        "summary": .string("The body of the case \(body.caseID), with the fixtures of \(target?.name ?? "the profile")"),
                        "value": body.value,
                    ]
                ]
            }
            op["requestBody"] = [
                "description": .string(schemaTitle(request, suite: suite) ?? "The request body."),
                "required": true,
                "content": ["application/json": .object(media)],
            ]
        }
        op["responses"] = .object(
            responses(ep, suite: suite, names: names, messagePointer: target?.errorMessagePointer))
        return .object(op)
    }

    // MARK: parameters

    /// The spec's documented parameters (`parameters`), in its order: the
    /// page's text verbatim, the schema with its references rewritten, and
    /// an example from the profile's fixtures where one was found.
    static func parameters(_ ep: Endpoint, names: ComponentNames, examples: [String: JSON]) -> [JSON] {
        ep.parameters.map { p in
            var o = JSONObject()
            o["name"] = .string(p.name)
            o["in"] = .string(p.location.rawValue)
            o["required"] = .bool(p.required)
            o["description"] = .string(p.description)
            o["schema"] = names.convert(p.schema, file: nil, isRoot: false)
            if let example = examples[p.location.rawValue + ":" + p.name] { o["example"] = example }
            return .object(o)
        }
    }

    // MARK: responses

    static func responses(
        _ ep: Endpoint, suite: Suite, names: ComponentNames, messagePointer: JSONPointer?
    ) -> JSONObject {
        var byStatus: [Int: [String]] = [:]
        var messages: [Int: [String]] = [:]
        func add(_ status: Int, line: String, message: String) {
            if !byStatus[status, default: []].contains(line) { byStatus[status, default: []].append(line) }
            if !messages[status, default: []].contains(message) { messages[status, default: []].append(message) }
        }
        for e in ep.errors { add(e.status, line: "\(e.message): \(e.description)", message: e.message) }
        if let u = ep.unauthenticated {
            add(u.status, line: "\(u.message): missing or wrong credentials (not in the page's error table)", message: u.message)
        }
        // What the readings allow besides (Cases/readings.json): every status and message a
        // step of this operation accepts under another option, so that a tool testing with
        // this document does not fail a server that takes a documented alternative.
        let allowed = readingAnswers(ep, suite: suite)
        var anyMessage = Set<Int>()
        for a in allowed.errors {
            if let m = a.message {
                if !messages[a.status, default: []].contains(m) {
                    add(a.status, line: "\(m): allowed by reading \(a.readings)", message: m)
                }
            } else {
                anyMessage.insert(a.status)
                let line = "any message: allowed by reading \(a.readings)"
                if !byStatus[a.status, default: []].contains(line) { byStatus[a.status, default: []].append(line) }
            }
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
        let successStatuses = Set([ep.successStatus]).union(allowed.success.keys)
        let statuses = (Set(byStatus.keys).union(successStatuses)).sorted()
        for status in statuses {
            if successStatuses.contains(status), byStatus[status] == nil {
                var s = success
                if let why = allowed.success[status], status != ep.successStatus {
                    s["description"] = .string((success["description"]?.stringValue ?? "Success.") + " Allowed by reading \(why).")
                }
                out[String(status)] = .object(s)
                continue
            }
            // A documented error row with the success status cannot happen in these docs; it would be listed here.
            let errorRef: JSON = ["$ref": .string("#/components/schemas/" + errorSchemaName)]
            var schema = errorRef
            if let messagePointer {
                // Only this operation's rows for this status (and the unauthenticated answer, and
                // what the readings allow: any message where an option leaves it open).
                schema = [
                    "allOf": [
                        errorRef,
                        messageSchema(at: messagePointer, enum: anyMessage.contains(status) ? nil : messages[status, default: []]),
                    ]
                ]
            }
            out[String(status)] = [
                "description": .string(byStatus[status, default: []].joined(separator: "; ")),
                "content": ["application/json": ["schema": schema]],
            ]
        }
        return out
    }

    /// The answers the suite's readings allow on `ep` besides its documented
    /// rows: the expectation of every step on it under every other option of
    /// the readings it rests on. Success statuses (status → the options, as
    /// `reading=option`) and error statuses with their message (nil: any).
    static func readingAnswers(
        _ ep: Endpoint, suite: Suite
    ) -> (success: [Int: String], errors: [(status: Int, message: String?, readings: String)]) {
        var success: [Int: String] = [:]
        var errors: [(status: Int, message: String?, readings: String)] = []
        for c in suite.cases {
            for step in c.steps where step.endpoint == ep.id {
                for alt in step.alternatives {
                    let why = alt.choices.filter { !step.readings.contains($0) }.map(\.description).joined(separator: ", ")
                    let e = alt.expect
                    let rows: [(Int, String?)] = e.oneOf.isEmpty ? [(e.status, e.errorMessage)] : e.oneOf.map { ($0.status, $0.message) }
                    for (status, message) in rows {
                        if (200..<300).contains(status) {
                            if success[status] == nil { success[status] = why }
                        } else if !errors.contains(where: { $0.status == status && $0.message == message }) {
                            errors.append((status, message, why))
                        }
                    }
                }
            }
        }
        return (success, errors)
    }

    /// An object schema holding, at `pointer`, a string: with `enum` the
    /// documented messages only, otherwise any string. Every object on the
    /// way is required to hold the next member.
    static func messageSchema(at pointer: JSONPointer, enum values: [String]?) -> JSON {
        var leaf = JSONObject()
        leaf["type"] = "string"
        if let values {
            leaf["enum"] = .array(values.map { .string($0) })
        } else {
            leaf["description"] = "The documented error message (the pages' Message column)."
        }
        var schema = JSON.object(leaf)
        for token in pointer.tokens.reversed() {
            var o = JSONObject()
            o["type"] = "object"
            o["required"] = [.string(token)]
            o["properties"] = .object(JSONObject(pairs: [(token, schema)]))
            schema = .object(o)
        }
        return schema
    }

    static func schemaTitle(_ suiteRef: String, suite: Suite) -> String? {
        let file = suiteRef.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        return file.flatMap { suite.schemas[$0]?["title"]?.stringValue }
    }

    // MARK: components.schemas

    static func componentSchemas(suite: Suite, names: ComponentNames, messagePointer: JSONPointer) -> JSONObject {
        var out = JSONObject()
        let examples = documentedMessages(suite)
        for file in names.files {
            guard let doc = suite.schemas[file], let name = names.byFile[file] else { continue }
            var schema = names.convert(doc, file: file, isRoot: true)
            if name == errorSchemaName {
                schema = errorSchema(from: schema, messagePointer: messagePointer, examples: examples)
            }
            out[name] = schema
            if case .object(let root) = doc, case .object(let defs)? = root["$defs"] {
                for m in defs {
                    guard let defName = names.defs[file]?[m.key] else { continue }
                    out[defName] = names.convert(m.value, file: file, isRoot: false)
                }
            }
        }
        if out[errorSchemaName] == nil {
            out[errorSchemaName] = errorSchema(from: nil, messagePointer: messagePointer, examples: examples)
        }
        return out
    }

    /// The suite's documented error messages, most used first (then by name), for the Error schema's text.
    static func documentedMessages(_ suite: Suite) -> [String] {
        var count: [String: Int] = [:]
        for ep in suite.endpoints {
            for e in ep.errors { count[e.message, default: 0] += 1 }
        }
        return count.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }

    /// The error body: the docs give each error's status and message but not
    /// the body's shape. An object holding the message as a string at the
    /// profile's `errorMessagePointer` (default `/message`, what the simulator
    /// sends) is required; a suite's own `error.schema.json` is kept and gains it.
    static func errorSchema(from converted: JSON?, messagePointer: JSONPointer, examples: [String]) -> JSON {
        var o = converted?.objectValue ?? JSONObject()
        o["title"] = o["title"] ?? "Error body"
        let shown = examples.prefix(3).map { "`\($0)`" }.joined(separator: ", ")
        o["description"] = .string(
            "Not documented: the doc pages give each error's status and message, but not the body's shape. "
                + "Assumed: a JSON object holding the documented message at \(messagePointer.description)"
                + (shown.isEmpty ? "" : " (e.g. \(shown))")
                + "; target profiles say where (errorMessagePointer).")
        let required = messageSchema(at: messagePointer, enum: nil)
        guard let first = messagePointer.tokens.first, let r = required.objectValue else { return .object(o) }
        o["type"] = "object"
        var props = o["properties"]?.objectValue ?? JSONObject()
        if props[first] == nil { props[first] = r["properties"]?[first] ?? [:] }
        o["properties"] = .object(props)
        var req = o["required"]?.arrayValue ?? []
        if !req.contains(.string(first)) { req.append(.string(first)) }
        o["required"] = .array(req)
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
        /// File reference → component name (`OrderItem`).
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

        /// `schemas/sub/order-item.schema.json` → `sub/order-item`.
        static func stem(_ file: String) -> String {
            var s = file.hasPrefix("schemas/") ? String(file.dropFirst("schemas/".count)) : file
            for suffix in [".schema.json", ".json5", ".json"] where s.hasSuffix(suffix) {
                s = String(s.dropLast(suffix.count))
                break
            }
            return s
        }

        /// `order-item` → `OrderItem`, `sub/x_y` → `SubXY`.
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

        /// A `$ref` found in `file` (nil: in an endpoint spec, whose
        /// references are relative to the suite folder), rewritten; nil when
        /// it cannot be mapped.
        func rewrite(_ ref: String, in file: String?) -> String? {
            let hash = ref.firstIndex(of: "#")
            let path = hash.map { String(ref[..<$0]) } ?? ref
            let fragment = hash.map { String(ref[ref.index(after: $0)...]) } ?? ""
            let target: String
            if path.isEmpty {
                guard let file else { return nil }
                target = file
            } else {
                let base = file.map { baseOfFile[$0] } ?? SuiteLoader.schemaBase
                guard let base, let uri = ComponentNames.resolve(path, against: base),
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
        func convert(_ schema: JSON, file: String?, isRoot: Bool) -> JSON {
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

// MARK: - examples from a target profile

extension OpenAPIExport {
    /// Example values for one operation, from the profile's fixtures, picked
    /// by the cases that use them: the success cases of the endpoint (hand
    /// written before generated ones, plain cases before matrix cells, then
    /// by id), their path and query values and body with every fixture
    /// substituted (a `{{take POOL}}` takes the pool's first value). A value
    /// that needs something only a run has (a captured value, a fixture the
    /// profile lacks) is no example.
    struct Examples {
        /// `path:NAME` / `query:NAME` → value.
        var parameters: [String: JSON] = [:]
        var body: (caseID: String, value: JSON)?

        static func of(_ ep: Endpoint, suite: Suite, target: TargetProfile) -> Examples {
            var bindings = target.fixtures
            for (name, value) in target.fixtures {
                if case .array(let a) = value, let first = a.first { bindings[takePrefix + name] = first }
            }
            func resolved(_ t: Template) -> JSON? {
                for v in t.variables where bindings[v] == nil { return nil }
                return Planner.substitute(t, bindings)
            }
            let candidates = suite.cases.flatMap { c in
                c.steps.filter { $0.endpoint == ep.id && $0.covers == "success" }.map { (c, $0) }
            }.sorted { a, b in
                let ka = (a.0.tags.contains("generated") ? 1 : 0, a.0.isMatrixCell ? 1 : 0, a.0.id)
                let kb = (b.0.tags.contains("generated") ? 1 : 0, b.0.isMatrixCell ? 1 : 0, b.0.id)
                return ka < kb
            }
            var out = Examples()
            for (c, step) in candidates {
                for p in ep.parameters {
                    let key = p.location.rawValue + ":" + p.name
                    guard out.parameters[key] == nil else { continue }
                    let template: Template? =
                        p.location == .path
                        ? step.request.pathParams[p.name] : step.request.query.last { $0.name == p.name }?.value
                    if let t = template, let v = resolved(t) { out.parameters[key] = v }
                }
                if out.body == nil, let t = step.request.body, let v = resolved(t) {
                    let schema = ep.requestSchema.flatMap { suite.compiledSchemas[$0] }
                    if schema?.validate(v).isValid ?? true { out.body = (c.id, v) }
                }
            }
            return out
        }
    }
}
