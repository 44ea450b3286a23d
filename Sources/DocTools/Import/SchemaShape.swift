import ConformanceKit
import JSONKit

/// What a schema documents about each member, whatever way it is written
/// (`$ref` to a shared type, inline keywords, `allOf` pieces): the member's
/// type, format, pattern, enumerated values, bounds and visibility. Two
/// schemas that say the same thing have the same shapes; descriptions and
/// layout do not count.
struct MemberShape: Sendable, Hashable {
    var type: String?
    var format: String?
    var pattern: String?
    var values: [String]?
    var bounds: [String: Double] = [:]
    var visibility: [String]?

    static let boundKeywords = ["minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "x-max-bytes"]

    var typeText: String {
        var t = values != nil ? "enum" : (type ?? "untyped")
        if let format { t += " (format \(format))" }
        if let pattern { t += " (pattern \(pattern))" }
        return t
    }
}

enum SchemaShapes {
    /// Every member reachable from `file` (in `documents`, by file name), by dotted path (`a[].b`).
    /// Members inside documents named in `stopAt` (compared on their own) are left out.
    static func flatten(_ file: String, documents: [String: JSON], stopAt: Set<String> = []) -> [String: MemberShape] {
        var out: [String: MemberShape] = [:]
        guard let root = documents[file] else { return out }
        walk(root, file: file, path: [], documents: documents, stopAt: stopAt.subtracting([file]), depth: 0, into: &out)
        out[""] = nil
        return out
    }

    /// The node and everything it applies in place (`$ref`, `allOf`/`anyOf`/`oneOf`), with the file each is in.
    static func expand(_ n: JSON, file: String, documents: [String: JSON], depth: Int) -> [(JSON, String)] {
        guard depth < 16, let o = n.objectValue else { return [(n, file)] }
        var out = [(n, file)]
        if let ref = o["$ref"]?.stringValue, let (t, f) = resolve(ref, from: file, documents: documents) {
            out += expand(t, file: f, documents: documents, depth: depth + 1)
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            for s in o[k]?.arrayValue ?? [] { out += expand(s, file: file, documents: documents, depth: depth + 1) }
        }
        return out
    }

    static func resolve(_ ref: String, from file: String, documents: [String: JSON]) -> (JSON, String)? {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var target = parts[0].isEmpty ? file : parts[0]
        if let slash = target.lastIndex(of: "/") { target = String(target[target.index(after: slash)...]) }
        guard var node = documents[target] else { return nil }
        if parts.count == 2, !parts[1].isEmpty {
            guard let p = try? JSONPointer(parsing: "#" + parts[1]), let v = p.resolve(in: node) else { return nil }
            node = v
        }
        return (node, target)
    }

    static func walk(
        _ n: JSON, file: String, path: [String], documents: [String: JSON], stopAt: Set<String>, depth: Int,
        into out: inout [String: MemberShape]
    ) {
        guard depth < 24 else { return }
        let pieces = expand(n, file: file, documents: documents, depth: 0)
        if pieces.contains(where: { stopAt.contains($0.1) }) {
            out[DocPathing.render(path)] = MemberShape(type: "object")
            return
        }
        var shape = MemberShape()
        var properties: [(String, JSON, String)] = []
        var items: (JSON, String)?
        for (p, f) in pieces {
            guard let o = p.objectValue else { continue }
            if shape.type == nil, let t = o["type"] {
                shape.type = t.stringValue ?? t.arrayValue?.compactMap(\.stringValue).filter { $0 != "null" }.joined(separator: "|")
            }
            if shape.format == nil { shape.format = o["format"]?.stringValue }
            if shape.pattern == nil { shape.pattern = o["pattern"]?.stringValue }
            if shape.values == nil {
                if let e = o["enum"]?.arrayValue { shape.values = e.compactMap(\.stringValue).sorted() }
                if let c = o["const"]?.stringValue { shape.values = [c] }
            }
            for k in MemberShape.boundKeywords where shape.bounds[k] == nil {
                if let v = o[k]?.numberValue { shape.bounds[k] = v }
            }
            if shape.visibility == nil, let v = o["x-visibility"]?.arrayValue { shape.visibility = v.compactMap(\.stringValue).sorted() }
            for m in o["properties"]?.objectValue ?? JSONObject() where !properties.contains(where: { $0.0 == m.key }) {
                properties.append((m.key, m.value, f))
            }
            if items == nil, let it = o["items"], it.objectValue != nil { items = (it, f) }
        }
        if shape.values != nil { shape.type = nil }
        if shape.type == nil, shape.values == nil, !properties.isEmpty { shape.type = "object" }
        out[DocPathing.render(path)] = shape
        for (name, child, f) in properties {
            walk(child, file: f, path: path + [name], documents: documents, stopAt: stopAt, depth: depth + 1, into: &out)
        }
        if let (it, f) = items { walk(it, file: f, path: path + ["[]"], documents: documents, stopAt: stopAt, depth: depth + 1, into: &out) }
    }
}
