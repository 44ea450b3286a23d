import ConformanceKit
import JSONKit

/// Builds a JSON Schema 2020-12 document from one field table of a page.
///
/// Nesting follows the table's own structure: dotted rows (`a.b`, `a[].b`)
/// under their Object/Array row. Where the table is ambiguous (the cases doc
/// lint reports), a row without a prefix is nested only on evidence:
/// - right after an Object row with no member rows, or under a heading row
///   naming an object ("Delivery Info (LEVEL only)"), when the page's example
///   nests it there (or an override says so); the rows after it follow it;
/// - between two rows of one object, when the same name is also listed at the
///   top level (it cannot be both).
/// Otherwise it stays a top-level member, as written.
struct SchemaBuilder {
    /// Evidence: some example of the page has an object `container` with a member `member`.
    var examples: [JSON]
    /// Overrides: container → members read as nested (hand decisions).
    var nest: [String: Set<String>]
    /// Member names marked `x-sensitive`.
    var sensitive: Set<String>
    /// Words of a description that name a format, with its keywords.
    var formats: [(word: String, keywords: JSONObject)] = []

    /// A member path: names, `[]` for array items.
    typealias Path = [String]

    struct Member {
        var path: Path
        var schema: JSONObject
        var line: Int
    }

    /// The table's members in table order, each with its schema keywords (without children).
    func members(_ rows: [DocLint.DocTableRow]) -> [Member] {
        let fields = rows.filter { !$0.isHeading }
        var topCount: [String: Int] = [:]
        for r in fields where r.isTopLevel { topCount[r.name, default: 0] += 1 }
        let dottedPrefixes = Set(fields.filter { !$0.isTopLevel }.compactMap { $0.name.split(separator: ".").first.map(String.init) })
        var members: [Member] = []
        var seen = Set<Path>()
        func add(_ path: Path, _ schema: JSONObject, line: Int) {
            guard seen.insert(path).inserted else { return }
            members.append(Member(path: path, schema: schema, line: line))
        }
        // A run of rows nested into a container: the container's path and whether a row already went in.
        var run: (container: Path, started: Bool)?
        for (k, r) in rows.enumerated() {
            if r.isHeading {
                run = nil
                let camel = DocLint.TableRules.camelCase(r.name)
                let (a, b) = (rows.dropFirst(k + 1).first { !$0.isHeading }, camel)
                if let a, !camel.isEmpty, a.isTopLevel, !a.isObjectish, evidence(b, a.name) {
                    var s = JSONObject(["type": "object"])
                    if let v = DescriptionRules.visibility(r.name) { s.append(key: "x-visibility", value: .array(v.map(JSON.string))) }
                    add([camel], s, line: r.line)
                    run = ([camel], true)
                }
                continue
            }
            var name = r.name
            // "Delivery" above "delivery.*": the members' spelling.
            if r.isTopLevel, r.isObjectish, !dottedPrefixes.contains(name),
                let fix = dottedPrefixes.first(where: { $0.lowercased() == name.lowercased() })
            {
                name = fix
            }
            var path = DocPathing.path(name)
            if r.isTopLevel && !r.isObjectish {
                if let cur = run, cur.started || evidence(cur.container.last ?? "", name) || (topCount[name] ?? 0) > 1 {
                    path = cur.container + [name]
                    run = (cur.container, true)
                } else if let c = sandwich(rows, k), (topCount[name] ?? 0) > 1 {
                    path = c + [name]
                    run = nil
                } else {
                    run = nil
                }
            } else if r.isTopLevel {
                let hasMembers = fields.contains { $0.name.lowercased().hasPrefix(name.lowercased() + ".") || $0.name.hasPrefix(name + "[]") }
                run = hasMembers ? nil : ([name], false)
            } else {
                run = nil
            }
            add(path, schema(for: r, leaf: path.last ?? name), line: r.line)
        }
        return members
    }

    /// The object a row without a prefix sits in the middle of (`b` among `a.*`).
    func sandwich(_ rows: [DocLint.DocTableRow], _ k: Int) -> Path? {
        guard k > 0, k + 1 < rows.count else { return nil }
        let p = rows[k - 1]
        let n = rows[k + 1]
        guard !p.isHeading, !n.isHeading, !n.isTopLevel else { return nil }
        let before = p.isObjectish ? DocPathing.path(p.name) : Array(DocPathing.path(p.name).dropLast())
        let after = Array(DocPathing.path(n.name).dropLast())
        guard !after.isEmpty, Array(before.prefix(after.count)) == after || before == after else { return nil }
        return after
    }

    func evidence(_ container: String, _ member: String) -> Bool {
        if nest[container]?.contains(member) == true { return true }
        func visit(_ v: JSON) -> Bool {
            switch v {
            case .object(let o):
                for m in o {
                    if m.key == container {
                        if let inner = m.value.objectValue, inner.contains(key: member) { return true }
                        if let a = m.value.arrayValue, a.contains(where: { $0.objectValue?.contains(key: member) == true }) {
                            return true
                        }
                    }
                    if visit(m.value) { return true }
                }
                return false
            case .array(let a): return a.contains(where: visit)
            default: return false
            }
        }
        return examples.contains(where: visit)
    }

    /// The schema keywords a row states: type, format, enum, bounds, default, visibility.
    func schema(for r: DocLint.DocTableRow, leaf: String) -> JSONObject {
        var s = JSONObject()
        var docType: String? = r.type.flatMap { t in
            let (k, d) = DocLint.DocTypes.nearest(t)
            return d <= 2 ? k : nil
        }
        // No type column, but the description begins "Array of …" / "Object …" (doc lint reports the missing type).
        var text = r.description
        if r.type == nil, let first = text.split(separator: " ").first.map(String.init), first == "Array" || first == "Object" {
            docType = first
            text = String(text.dropFirst(first.count)).dlTrimmed
        }
        var type: String?
        var format: String?
        var named: JSONObject?
        switch docType {
        case "Id", "ObjectID", "ObjectId": (type, format) = ("string", "objectid")
        case "Date": (type, format) = ("string", "date-time")
        case "String": type = "string"
        case "Number": type = "number"
        case "Integer": type = "integer"
        case "Boolean": type = "boolean"
        case "Object": type = "object"
        case "Array": type = "array"
        default: break
        }
        var values: (values: [String], isConst: Bool)?
        if type == "string" && format == nil {
            values = DescriptionRules.values(text)
            if values == nil {
                named = DescriptionRules.format(text, words: formats)
                if named == nil, let p = DescriptionRules.pattern(text) {
                    s.append(key: "type", value: "string")
                    s.append(key: "pattern", value: .string(p))
                    type = nil
                }
            }
        }
        if let values {
            if values.isConst, values.values.count == 1 {
                s.append(key: "const", value: .string(values.values[0]))
            } else {
                s.append(key: "enum", value: .array(values.values.map(JSON.string)))
            }
        } else if let type {
            s.append(key: "type", value: .string(type))
            if let format { s.append(key: "format", value: .string(format)) }
            if let named { s = s.applying(named) }
        }
        if !r.description.isEmpty { s.append(key: "description", value: .string(r.description)) }
        let b = DescriptionRules.bounds(DescriptionRules.withoutParentheses(text))
        switch type {
        case "array":
            if let lo = b.min { s.append(key: "minItems", value: .number(lo)) }
            if let hi = b.max { s.append(key: "maxItems", value: .number(hi)) }
        case "number", "integer":
            if let lo = b.min { s.append(key: "minimum", value: .number(lo)) }
            if let hi = b.max { s.append(key: "maximum", value: .number(hi)) }
        case "object":
            if let bytes = b.maxBytes { s.append(key: "x-max-bytes", value: .number(Double(bytes))) }
        default: break
        }
        if let t = type, let d = DescriptionRules.defaultValue(text, type: t) { s.append(key: "default", value: d) }
        if let v = DescriptionRules.visibility(text) { s.append(key: "x-visibility", value: .array(v.map(JSON.string))) }
        if sensitive.contains(leaf) { s.append(key: "x-sensitive", value: true) }
        if docType == nil {
            s.append(key: "x-doc-ambiguous", value: .string(r.type.map { "type '\($0)' is not a documented type" } ?? "no type in the docs"))
        }
        return s
    }

    /// The members as one schema tree, children in table order.
    static func assemble(_ members: [Member], root: JSONObject) -> JSONObject {
        var byPath: [Path: JSONObject] = [:]
        var children: [Path: [Path]] = [:]
        func register(_ p: Path) {
            guard !p.isEmpty, byPath[p] == nil else { return }
            let parent = Array(p.dropLast())
            register(parent)
            byPath[p] = JSONObject(["type": "object"])
            children[parent, default: []].append(p)
        }
        for m in members {
            register(Array(m.path.dropLast()))
            if byPath[m.path] == nil { children[Array(m.path.dropLast()), default: []].append(m.path) }
            byPath[m.path] = m.schema
        }
        func build(_ p: Path, _ base: JSONObject) -> JSONObject {
            var o = base
            let kids = children[p] ?? []
            let named = kids.filter { $0.last != "[]" }
            let items = kids.first { $0.last == "[]" }
            if !named.isEmpty {
                var props = JSONObject()
                for k in named { props.append(key: k.last ?? "", value: .object(build(k, byPath[k] ?? JSONObject()))) }
                if o["type"] == nil && o["enum"] == nil && o["const"] == nil { o.append(key: "type", value: "object") }
                o.append(key: "properties", value: .object(props))
            }
            if let items {
                o.append(key: "items", value: .object(build(items, byPath[items] ?? JSONObject(["type": "object"]))))
            }
            return o
        }
        return build([], root)
    }
}

enum DocPathing {
    /// `dataSharingSims[].imsi` → ["dataSharingSims", "[]", "imsi"].
    static func path(_ name: String) -> [String] {
        var out: [String] = []
        for seg in name.split(separator: ".") {
            var s = String(seg)
            var arrays = 0
            while s.hasSuffix("[]") {
                s.removeLast(2)
                arrays += 1
            }
            out.append(s)
            out += Array(repeating: "[]", count: arrays)
        }
        return out
    }

    /// ["a", "[]", "b"] → `a[].b`.
    static func render(_ path: [String]) -> String {
        var out = ""
        for seg in path {
            if seg == "[]" { out += "[]" } else { out += (out.isEmpty ? "" : ".") + seg }
        }
        return out
    }
}
