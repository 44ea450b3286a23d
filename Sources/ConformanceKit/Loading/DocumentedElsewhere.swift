import JSONKit

/// Members one page documents for an object that another page also shows.
///
/// Two pages' response tables may describe the same object, each with
/// members the other lacks (a get page's table and a create page's). A server that sends the whole account from both endpoints sends
/// members the docs do describe, only on the other page. Each schema that
/// transcribes such an object names it with `x-object` (data: which tables
/// are the same object is a reading of the pages); this derives the union in
/// one place: every object location of a schema gains, as a `$ref` to the
/// other page's transcription, each member another schema of the same
/// `x-object` documents at the same place. So such a member is described
/// (no warning, and `--strict` passes it) and still type-checked. Tables
/// only: what an example shows is not documentation (examples lose to tables).
/// The suite's own files keep each page's table as it is (lint-docs and the
/// visibility rules read those); only the schemas answers are validated
/// against get the union.
enum DocumentedElsewhere {
    /// `schemas` (suite-relative file → document) with the members documented
    /// elsewhere added; `base` is the URI prefix the files are registered under.
    static func augmented(_ schemas: [String: JSON], base: String) -> [String: JSON] {
        // kind → object location ("/"-joined names, "[]" for items) → member → where it is documented.
        var documented: [String: [String: [(name: String, uri: String)]]] = [:]
        func collect(_ node: JSON, file: String, at pointer: [String], location: [String], kind: String, depth: Int) {
            guard depth < 32, case .object(let o) = node else { return }
            if case .object(let props)? = o["properties"] {
                let here = location.joined(separator: "/")
                for m in props {
                    let p = pointer + ["properties", m.key]
                    if !(documented[kind, default: [:]][here, default: []].contains { $0.name == m.key }) {
                        documented[kind, default: [:]][here, default: []].append(
                            (m.key, base + file + "#" + JSONPointer(tokens: p).description))
                    }
                    collect(m.value, file: file, at: p, location: location + [m.key], kind: kind, depth: depth + 1)
                }
            }
            if let items = o["items"] {
                collect(items, file: file, at: pointer + ["items"], location: location + ["[]"], kind: kind, depth: depth + 1)
            }
        }
        let kinds = schemas.compactMapValues { $0["x-object"]?.stringValue }
        for (file, kind) in kinds.sorted(by: { $0.key < $1.key }) {
            collect(schemas[file]!, file: file, at: [], location: [], kind: kind, depth: 0)
        }

        func augment(_ node: JSON, location: [String], kind: String, depth: Int) -> JSON {
            guard depth < 32, case .object(var o) = node else { return node }
            if case .object(let own)? = o["properties"] {
                var props = JSONObject(
                    own.members.map {
                        JSONObject.Member(key: $0.key, value: augment($0.value, location: location + [$0.key], kind: kind, depth: depth + 1))
                    })
                for other in documented[kind]?[location.joined(separator: "/")] ?? [] where props[other.name] == nil {
                    props[other.name] = ["$ref": .string(other.uri)]
                }
                o["properties"] = .object(props)
            }
            if let items = o["items"] { o["items"] = augment(items, location: location + ["[]"], kind: kind, depth: depth + 1) }
            return .object(o)
        }
        var out = schemas
        for (file, kind) in kinds { out[file] = augment(schemas[file]!, location: [], kind: kind, depth: 0) }
        return out
    }
}
