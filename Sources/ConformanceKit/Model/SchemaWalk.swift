import JSONKit

/// Walks a schema of the suite from a reference: every subschema object
/// reachable through `properties`, `items`, `$ref` (across the suite's
/// schema files) and `allOf`/`anyOf`/`oneOf`, with the path of the value it
/// describes (`*` for any array element). Each `$ref` is followed once per
/// path, and the walk stops 32 levels down. What the docs annotate
/// (`x-visibility`) and enumerate (`enum`) is read through it.
enum SchemaWalk {
    /// `schemas/x.json#/$defs/y` → (`schemas/x.json`, `/$defs/y`).
    static func splitReference(_ ref: String) -> (file: String, fragment: String?) {
        guard let hash = ref.firstIndex(of: "#") else { return (ref, nil) }
        return (String(ref[..<hash]), String(ref[ref.index(after: hash)...]))
    }

    static func visit(_ ref: String, schemas: [String: JSON], _ body: (JSONObject, [String]) -> Void) {
        var seen = Set<String>()
        func resolve(_ ref: String, from file: String) -> (JSON, String)? {
            let (f, fragment) = splitReference(ref)
            let targetFile = f.isEmpty ? file : (f.contains("/") ? f : directory(of: file) + f)
            guard var node = schemas[targetFile] else { return nil }
            if let fragment, !fragment.isEmpty {
                guard let p = try? JSONPointer(parsing: fragment), let v = p.resolve(in: node) else { return nil }
                node = v
            }
            return (node, targetFile)
        }
        func walk(_ schema: JSON, file: String, path: [String], depth: Int) {
            guard depth < 32, case .object(let o) = schema else { return }
            body(o, path)
            if let r = o["$ref"]?.stringValue {
                let key = file + "|" + r + "|" + path.joined(separator: "/")
                if seen.insert(key).inserted, let (target, tf) = resolve(r, from: file) {
                    walk(target, file: tf, path: path, depth: depth + 1)
                }
            }
            if case .object(let props)? = o["properties"] {
                for m in props { walk(m.value, file: file, path: path + [m.key], depth: depth + 1) }
            }
            if let items = o["items"] { walk(items, file: file, path: path + ["*"], depth: depth + 1) }
            for k in ["allOf", "anyOf", "oneOf"] {
                if case .array(let subs)? = o[k] { for sub in subs { walk(sub, file: file, path: path, depth: depth + 1) } }
            }
        }
        let (f, _) = splitReference(ref)
        if let (root, file) = resolve(ref, from: f) { walk(root, file: file, path: [], depth: 0) }
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return String(file[...slash])
    }
}
