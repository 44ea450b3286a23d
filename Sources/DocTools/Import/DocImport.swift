import ConformanceKit
import Foundation
import JSONKit

/// `conformance import-docs`: a vendor page → the suite files it implies, as
/// plain values (writing them is `DocImport.write`).
///
/// From a page it makes the endpoint spec (method, path, parameters with their
/// texts, the access line with its levels and rule, the error rows with ids),
/// one schema per field table (request body, response, and each further object
/// table of the response), and a skeleton case per documented row (success and
/// each error row) that loads and plans but is skipped, and that coverage shows
/// as not yet provoked. What the page leaves to a hand decision comes from
/// `ImportOverrides`.
public enum DocImport {
    /// One file the import would write, relative to the suite folder.
    public struct File: Sendable, Hashable {
        public var path: String
        public var json: JSON
        /// What the file is, for the command's output ("endpoint", "schema", "case").
        public var kind: String
    }

    /// Where a member or row came from, for drift findings.
    public struct Origin: Sendable, Hashable {
        public var schemaFile: String
        public var field: String
        public var line: Int
    }

    public struct Result: Sendable {
        public var page: DocPage
        public var endpointID: String
        public var files: [File]
        /// Levels the access line names, in order.
        public var levels: [String]
        /// Page line of each member of each imported schema: `file|field` → line.
        public var lines: [String: Int]
        /// What the page does not state that a spec needs (reported, never guessed).
        public var notes: [String]
    }

    /// Imports one page (its file name and text) with the suite's overrides.
    public static func importPage(name: String, text: String, overrides: ImportOverrides = ImportOverrides()) -> Result {
        let page = DocPage(name: name, text: text)
        let o = overrides.pages[name] ?? ImportOverrides.Page()
        let id = o.endpoint ?? page.id
        var notes: [String] = []
        var files: [File] = []
        var lines: [String: Int] = [:]
        let builder = SchemaBuilder(
            examples: page.examples, nest: o.nest, sensitive: overrides.sensitive, formats: overrides.formats)

        func schemaFile(_ key: String, _ fallback: String) -> (String, JSONObject) {
            if let s = o.schemas[key] { return (s.file, s.set) }
            return (fallback, JSONObject())
        }
        func makeSchema(_ key: String, rows: [DocLint.DocTableRow], file: String, set: JSONObject, title: String) -> JSON {
            var members = builder.members(rows)
            for (field, kw) in o.fields[key] ?? [:] {
                let path = DocPathing.path(field)
                if let i = members.firstIndex(where: { $0.path == path }) {
                    members[i].schema = members[i].schema.applying(kw)
                } else {
                    members.append(SchemaBuilder.Member(path: path, schema: JSONObject().applying(kw), line: 0))
                }
            }
            for m in members { lines[file + "|" + DocPathing.render(m.path)] = m.line }
            let root = JSONObject([
                "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": .string(file), "title": .string(title),
                "x-doc": .string(name), "type": "object",
            ])
            return .object(SchemaBuilder.assemble(members, root: root.applying(set)))
        }

        // Schemas: the request body, the response, and further object tables of the response.
        var requestSchema: String?
        if page.requestRows.contains(where: { !$0.isHeading }) {
            let (file, set) = schemaFile("request", "\(id)-request.schema.json")
            files.append(File(path: "schemas/" + file, json: makeSchema("request", rows: page.requestRows, file: file, set: set,
                title: "\(page.title) (request body)"), kind: "schema"))
            requestSchema = "schemas/" + file
        }
        var responseSchema: String?
        var objectFiles: [(heading: String, file: String)] = []
        for (k, table) in page.responseTables.enumerated() where k > 0 {
            let heading = table.first?.isHeading == true ? table[0].name : "object \(k)"
            let (file, _) = schemaFile(heading, "\(id)-\(kebab(heading)).schema.json")
            objectFiles.append((heading, file))
        }
        for (k, table) in page.responseTables.enumerated() {
            let key = k == 0 ? "response" : objectFiles[k - 1].heading
            let (file, set) = schemaFile(key, k == 0 ? "\(id)-response.schema.json" : objectFiles[k - 1].file)
            var rows = table
            // An Array/Object row "see definition below" refers to the next object table.
            var json = makeSchema(key, rows: rows, file: file, set: set,
                title: k == 0 ? "\(page.title) (response)" : "\(page.title): \(key)")
            if k == 0, let ref = objectFiles.first?.file {
                json = linkBelow(json, rows: &rows, ref: ref)
            }
            files.append(File(path: "schemas/" + file, json: json, kind: "schema"))
            if k == 0 { responseSchema = "schemas/" + file }
        }
        if responseSchema == nil { notes.append("\(name): no response table; the spec's response has no schema") }

        // The endpoint spec.
        var spec = JSONObject(["$schema": "../meta/endpoint.schema.json", "id": .string(id), "title": .string(page.title.isEmpty ? id : page.title),
            "doc": .string(name)])
        if let m = page.method { spec.append(key: "method", value: .string(m)) } else { notes.append("\(name): no Method line") }
        if let p = page.path { spec.append(key: "path", value: .string(p)) } else { notes.append("\(name): no URL line") }
        // A method other than GET or HEAD changes state: its cases run only where a profile allows mutations.
        if let m = page.method, m != "GET", m != "HEAD" { spec.append(key: "mutating", value: true) }
        if !page.parameters.isEmpty {
            spec.append(
                key: "parameters",
                value: .array(page.parameters.map { parameter($0, set: o.parameters[$0.name], formats: overrides.formats) }))
        }
        let access = page.access ?? ""
        if page.access == nil { notes.append("\(name): no Access level line") }
        let (levels, rule) = AccessLine.read(access, exclude: titleWords(page.title))
        spec.append(key: "access", value: [
            "text": .string(access), "levels": .array(levels.map(JSON.string)),
            "rule": o.accessRule ?? .array(rule.map { ["level": .string($0.level), "scope": .string($0.scope)] }),
        ])
        if let requestSchema { spec.append(key: "request", value: ["schema": .string(requestSchema)]) }
        var response = JSONObject(["status": 200])
        if let responseSchema { response.append(key: "schema", value: .string(responseSchema)) }
        spec.append(key: "response", value: .object(response))
        let rowIDs = errorIDs(page.errors, overrides: o.errorIDs)
        spec.append(key: "errors", value: .array(zip(page.errors, rowIDs).map { e, rid in
            ["id": .string(rid), "status": .number(Double(e.status)), "message": .string(e.message), "description": .string(e.description)]
        }))
        files.insert(File(path: "endpoints/\(id).json", json: .object(spec), kind: "endpoint"), at: 0)

        // A skeleton case per documented row.
        // The skeletons run as the level the (final) rule lets act on any customer, else the last one named.
        let finalRule = (spec["access"]?["rule"]?.arrayValue ?? []).map {
            (level: $0["level"]?.stringValue ?? "", scope: $0["scope"]?.stringValue ?? "")
        }
        let role = finalRule.first { $0.scope == "any" }?.level ?? levels.last ?? "ANONYMOUS"
        var params = JSONObject()
        for p in page.parameters where p.location == "path" { params.append(key: p.name, value: "TODO") }
        let rows: [(String, String, Int)] = [("success", "the documented response", page.methodLine?.number ?? 0)]
            + zip(page.errors, rowIDs).map { e, rid in (rid, "\(e.status) \(e.message) (\(e.description))", e.line.number) }
        for (rid, what, line) in rows {
            var c = JSONObject(["$schema": "../../meta/case.schema.json", "id": .string("\(id)-todo-\(rid)"),
                "title": .string("To write: \(what)"), "endpoint": .string(id), "covers": .string(rid), "role": .string(role),
                "skeleton": .string("Written by import-docs from \(name)\(line > 0 ? ":\(line)" : ""). Replace the request and the role with ones that provoke this row, then remove this key.")])
            if !params.isEmpty { c.append(key: "request", value: ["params": .object(params)]) }
            c.append(key: "expect", value: [:])
            files.append(File(path: "cases/\(id)/todo-\(rid).json", json: .object(c), kind: "case"))
        }
        return Result(page: page, endpointID: id, files: files, levels: levels, lines: lines, notes: notes)
    }

    /// The array (or object) row of the first table whose description says "below" (or the only
    /// memberless array) takes the next table's object as its items.
    static func linkBelow(_ json: JSON, rows: inout [DocLint.DocTableRow], ref: String) -> JSON {
        guard var root = json.objectValue, var props = root["properties"]?.objectValue else { return json }
        let candidates = props.filter { m in
            m.value["type"]?.stringValue == "array" && m.value["items"] == nil
        }
        let pick = candidates.first { ($0.value["description"]?.stringValue ?? "").lowercased().contains("below") }
            ?? (candidates.count == 1 ? candidates.first : nil)
        guard let pick, var member = pick.value.objectValue else { return json }
        member = member.applying(["items": ["$ref": .string(ref)]])
        props = props.applying([pick.key: .object(member)])
        root = root.applying(["properties": .object(props)])
        return .object(root)
    }

    /// Ids as the suite writes them: `STATUS-message`, and where several rows share
    /// both, an override's id or `STATUS-message-N` in page order.
    static func errorIDs(_ rows: [DocPage.ErrorRow], overrides: [String: String]) -> [String] {
        var count: [String: Int] = [:]
        for r in rows { count["\(r.status)-\(r.message)", default: 0] += 1 }
        var seen: [String: Int] = [:]
        return rows.map { r in
            if let id = overrides["\(r.status) \(r.message): \(r.description)"] { return id }
            let base = "\(r.status)-\(r.message)"
            guard (count[base] ?? 0) > 1 else { return base }
            seen[base, default: 0] += 1
            return "\(base)-\(seen[base]!)"
        }
    }

    /// A parameter in the endpoint spec's format: texts verbatim, a schema read from them.
    static func parameter(_ p: DocPage.Parameter, set: JSONObject?, formats: [(word: String, keywords: JSONObject)]) -> JSON {
        var schema = JSONObject()
        let text = p.description
        let b = DescriptionRules.bounds(text)
        let def = DescriptionRules.tokens(text).split(separator: ",").compactMap { part -> String? in
            part.first?.lowercased() == "default" && part.count >= 2 ? part[part.startIndex + 1] : nil
        }.first
        // Each format word the text names is an alternative ("an X (word one) or word two").
        var alternatives: [JSONObject] = []
        for f in formats where DescriptionRules.format(text, words: [f]) != nil {
            alternatives.append(JSONObject(["type": "string"]).applying(f.keywords))
        }
        if alternatives.isEmpty, p.type.map({ ["Id", "ObjectID", "ObjectId"].contains($0) }) == true {
            alternatives.append(JSONObject(["type": "string", "format": "objectid"]))
        }
        let numeric = [b.min, b.max].contains { $0 != nil } || def.flatMap(Double.init) != nil
        if alternatives.count > 1 {
            schema.append(key: "oneOf", value: .array(alternatives.map(JSON.object)))
        } else if let a = alternatives.first {
            schema = a
        } else if p.type == "Boolean" || def == "true" || def == "false" {
            schema.append(key: "type", value: "boolean")
            if let def { schema.append(key: "default", value: .bool(def == "true")) }
        } else if numeric || p.type == "Number" || p.type == "Integer" {
            let isInt = p.type != "Number" && ([b.min, b.max, def.flatMap(Double.init)].compactMap { $0 }.allSatisfy { $0 == $0.rounded() })
            schema.append(key: "type", value: isInt ? "integer" : "number")
            if let d = def.flatMap(Double.init) { schema.append(key: "default", value: .number(d)) }
            if let lo = b.min { schema.append(key: "minimum", value: .number(lo)) }
            if let hi = b.max { schema.append(key: "maximum", value: .number(hi)) }
        } else {
            schema.append(key: "type", value: "string")
            if let def { schema.append(key: "default", value: .string(def)) }
        }
        if let set { schema = schema.applying(set) }
        return [
            "name": .string(p.name), "in": .string(p.location), "required": .bool(p.required),
            "description": .string(p.description),
            "doc": ["line": .number(Double(p.line.number)), "quote": .string(p.line.text)],
            "schema": .object(schema),
        ]
    }

    /// Capitalised words of the title (an acronym of the API), never read as levels.
    static func titleWords(_ title: String) -> Set<String> {
        Set(title.split(separator: " ").map(String.init).filter(DescriptionRules.isCaps))
    }

    /// "Order item object (JSON)" → "order-item".
    static func kebab(_ heading: String) -> String {
        // In steps, typed: as one chain it took 0.8 s to type-check.
        let lowered: String = DescriptionRules.withoutParentheses(heading).lowercased()
        let pieces: [Substring] = lowered.split(whereSeparator: { (c: Character) -> Bool in !(c.isLetter || c.isNumber) })
        let words: [String] = pieces.map(String.init).filter { $0 != "object" && $0 != "json" }
        return words.isEmpty ? "object" : words.joined(separator: "-")
    }
}

/// Reads an access line: the levels it names, and per level the customers it may
/// act on — a condition naming a scope ("… belongs to the customer", "… to the
/// reseller") limits the levels before it to that scope; a level with no
/// condition may act on any.
enum AccessLine {
    static func read(_ text: String, exclude: Set<String>) -> (levels: [String], rule: [(level: String, scope: String)]) {
        let words = DescriptionRules.tokens(text.replacingOccurrences("\n", " "))
        var levels: [String] = []
        var rule: [(String, String)] = []
        var pending: [String] = []
        var condition: [String] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let scopeWords = condition.map { $0.lowercased() }
            let scopes = AccessGrant.Scope.allCases.map(\.rawValue)
            // The scope is the last scope name the condition mentions ("if X belongs to the reseller" → reseller).
            let scope = scopeWords.last(where: { scopes.contains($0) }) ?? "any"
            for l in pending { rule.append((l, scope)) }
            pending = []
            condition = []
        }
        for w in words {
            if DescriptionRules.isCaps(w), !exclude.contains(w), w.count >= 3 {
                if !condition.isEmpty { flush() }
                if !levels.contains(w) { levels.append(w) }
                pending.append(w)
            } else if w == "." {
                flush()
            } else if !pending.isEmpty, ![",", "or", "and"].contains(w) {
                condition.append(w)
            }
        }
        flush()
        return (levels, rule)
    }
}
