import ConformanceKit
import Foundation
import JSONKit
import JSONSchemaKit

extension DocLint {
    /// A schema object in a registered document.
    struct SchemaNode {
        let uri: String
        let pointer: JSONPointer
        let value: JSON

        /// `<document uri>#<pointer>`, as `SchemaRegistry.compile` takes it.
        var reference: String { pointer.tokens.isEmpty ? uri : uri + "#" + pointer.description }
    }

    /// The suite's schemas (`<suite>/schemas/**/*.json`), registered as
    /// `SuiteLoader` registers them, with helpers to walk them by hand: follow
    /// `$ref`, list a level's properties, find annotations.
    struct DocSchemas {
        struct Document {
            let file: String
            let uri: String
            let json: JSON
            var xDoc: String? { json["x-doc"]?.stringValue }
            var node: SchemaNode { SchemaNode(uri: uri, pointer: .root, value: json) }
        }

        let documents: [Document]
        let registry: SchemaRegistry
        private let byURI: [String: JSON]

        init(suiteRoot: String) throws(DocLintError) {
            let dir = suiteRoot + "/schemas"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw DocLintError("schema folder not found: \(dir)")
            }
            var files: [String] = []
            if let e = FileManager.default.enumerator(atPath: dir) {
                while let rel = e.nextObject() as? String {
                    if rel.hasSuffix(".json") { files.append(rel) }
                }
            }
            files.sort()
            var docs: [Document] = []
            var byURI: [String: JSON] = [:]
            var registry = SchemaRegistry()
            for rel in files {
                let path = dir + "/" + rel
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw DocLintError("cannot read \(path)")
                }
                let json: JSON
                do {
                    json = try JSONParser.parse(Array(data), dialect: .json)
                } catch {
                    throw DocLintError("\(path): \(error.description)")
                }
                let uri = SuiteLoader.schemaBase + "schemas/" + rel
                do {
                    try registry.register(json, uri: uri)
                } catch {
                    throw DocLintError("\(path): \(error.description)")
                }
                docs.append(Document(file: rel, uri: uri, json: json))
                byURI[uri] = json
                if let id = json["$id"]?.stringValue {
                    let abs = DocSchemas.resolveURI(id, base: uri)
                    if byURI[abs] == nil { byURI[abs] = json }
                }
            }
            documents = docs
            self.byURI = byURI
            self.registry = registry
        }

        /// The schemas whose `x-doc` names `page`: all of them, and the roots
        /// (those no other schema of the page refers to), in file order.
        func schemas(forPage page: String) -> (roots: [Document], all: [Document]) {
            let all = documents.filter { $0.xDoc == page }
            var referenced = Set<String>()
            for d in all {
                for ref in DocSchemas.refs(in: d.json) {
                    let target = DocSchemas.resolveURI(ref, base: d.uri)
                    let base =
                        target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(
                            String.init) ?? target
                    if base != d.uri { referenced.insert(base) }
                }
            }
            let roots = all.filter { d in
                let id = d.json["$id"]?.stringValue.map { DocSchemas.resolveURI($0, base: d.uri) }
                return !referenced.contains(d.uri) && !(id.map(referenced.contains) ?? false)
            }
            return (roots, all)
        }

        func compile(_ reference: String) throws(DocLintError) -> CompiledSchema {
            do {
                return try registry.compile(
                    reference, options: SuiteLoader.apiValidation)
            } catch {
                throw DocLintError("schema \(reference) does not compile: \(error.description)")
            }
        }

        // MARK: walking

        /// The schema a `$ref` (relative to `uri`) designates.
        func resolve(ref: String, from uri: String) -> SchemaNode? {
            let abs = DocSchemas.resolveURI(ref, base: uri)
            let parts = abs.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let docURI = parts[0].isEmpty ? uri : parts[0]
            guard let doc = byURI[docURI] else { return nil }
            var pointer = JSONPointer.root
            if parts.count == 2, !parts[1].isEmpty {
                guard parts[1].hasPrefix("/"), let p = try? JSONPointer(parsing: "#" + parts[1]) else { return nil }
                pointer = p
            }
            guard let v = pointer.resolve(in: doc) else { return nil }
            return SchemaNode(uri: docURI, pointer: pointer, value: v)
        }

        /// The value at `<uri>#<pointer>` (a violation's absolute keyword location).
        func value(at location: String) -> (value: JSON, node: SchemaNode)? {
            let parts = location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let doc = byURI[parts[0]] else { return nil }
            let pointer = parts.count == 2 ? (try? JSONPointer(parsing: "#" + parts[1])) ?? .root : .root
            guard let v = pointer.resolve(in: doc) else { return nil }
            return (v, SchemaNode(uri: parts[0], pointer: pointer, value: v))
        }

        /// The node, the targets of its `$ref`s and the branches of its `allOf`/`anyOf`/`oneOf`, recursively.
        func expand(_ n: SchemaNode, depth: Int = 0) -> [SchemaNode] {
            guard depth < 12, case .object(let o) = n.value else { return [n] }
            var out = [n]
            if let r = o["$ref"]?.stringValue, let t = resolve(ref: r, from: n.uri) {
                out += expand(t, depth: depth + 1)
            }
            for k in ["allOf", "anyOf", "oneOf"] {
                guard case .array(let a)? = o[k] else { continue }
                for (i, s) in a.enumerated() {
                    out += expand(
                        SchemaNode(uri: n.uri, pointer: n.pointer.appending(k).appending(i), value: s), depth: depth + 1
                    )
                }
            }
            return out
        }

        /// The properties declared at this level, in schema order, each with its schema.
        func properties(_ n: SchemaNode) -> [(name: String, node: SchemaNode)] {
            var out: [(String, SchemaNode)] = []
            var seen = Set<String>()
            for e in expand(n) {
                guard case .object(let props)? = e.value["properties"] else { continue }
                for m in props where seen.insert(m.key).inserted {
                    out.append(
                        (
                            m.key,
                            SchemaNode(
                                uri: e.uri, pointer: e.pointer.appending("properties").appending(m.key), value: m.value)
                        ))
                }
            }
            return out
        }

        func property(_ n: SchemaNode, _ name: String) -> SchemaNode? {
            properties(n).first { $0.name == name }?.node
        }

        func items(_ n: SchemaNode) -> SchemaNode? {
            for e in expand(n) {
                if let v = e.value["items"], v.objectValue != nil {
                    return SchemaNode(uri: e.uri, pointer: e.pointer.appending("items"), value: v)
                }
            }
            return nil
        }

        /// The schema describing the instance at `path` under `root` (following properties and items).
        func node(at path: [JSONPathSegment], from root: SchemaNode) -> SchemaNode? {
            var cur = root
            for seg in path {
                switch seg {
                case .key(let k):
                    guard let n = property(cur, k) else { return nil }
                    cur = n
                case .index:
                    guard let n = items(cur) else { return nil }
                    cur = n
                }
            }
            return cur
        }

        /// The string values an `enum` or `const` at this level allows.
        func enumStrings(_ n: SchemaNode) -> [String] {
            var out: [String] = []
            for e in expand(n) {
                if case .array(let a)? = e.value["enum"] { out += a.compactMap(\.stringValue) }
                if let c = e.value["const"]?.stringValue { out.append(c) }
            }
            return out
        }

        func isObject(_ n: SchemaNode) -> Bool {
            for e in expand(n) {
                if e.value["properties"] != nil { return true }
                switch e.value["type"] {
                case .string("object")?: return true
                case .array(let a)? where a.contains(.string("object")): return true
                default: continue
                }
            }
            return false
        }

        /// Every property reachable from `root`, with its dotted path (`a.b`, `a[].b`), breadth first.
        func propertyPaths(from root: SchemaNode, maxDepth: Int = 8) -> [(path: String, name: String, node: SchemaNode)]
        {
            var out: [(String, String, SchemaNode)] = []
            var visited = Set<String>()
            var queue: [(SchemaNode, String, Int)] = [(root, "", 0)]
            var head = 0
            while head < queue.count {
                let (n, path, depth) = queue[head]
                head += 1
                guard depth < maxDepth, visited.insert(n.reference + "@" + path).inserted else { continue }
                for (name, child) in properties(n) {
                    let p = path.isEmpty ? name : path + "." + name
                    out.append((p, name, child))
                    queue.append((child, p, depth + 1))
                }
                if let it = items(n) { queue.append((it, path + "[]", depth + 1)) }
            }
            return out
        }

        /// Values of an annotation keyword (e.g. `x-doc-ambiguous`) reachable from `root`, with the dotted path.
        func annotations(_ keyword: String, from root: SchemaNode) -> [(path: String, text: String)] {
            var out: [(String, String)] = []
            var seen = Set<String>()
            func collect(_ n: SchemaNode, _ path: String) {
                for e in expand(n) {
                    if let t = e.value[keyword]?.stringValue, seen.insert(path + "\u{0}" + t).inserted {
                        out.append((path, t))
                    }
                }
            }
            collect(root, "")
            for (path, _, node) in propertyPaths(from: root) { collect(node, path) }
            return out
        }

        // MARK: URIs

        static func resolveURI(_ ref: String, base: String) -> String {
            if ref.contains("://") || ref.hasPrefix("urn:") { return ref }
            let baseNoFragment =
                base.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                ?? base
            if ref.hasPrefix("#") { return baseNoFragment + ref }
            if ref.hasPrefix("/") { return "file://" + ref }
            guard let slash = baseNoFragment.lastIndex(of: "/") else { return ref }
            var r = Substring(ref)
            while r.hasPrefix("./") { r = r.dropFirst(2) }
            return String(baseNoFragment[...slash]) + r
        }

        static func refs(in json: JSON) -> [String] {
            var out: [String] = []
            func walk(_ v: JSON) {
                switch v {
                case .object(let o):
                    for m in o {
                        if m.key == "$ref", let s = m.value.stringValue { out.append(s) } else { walk(m.value) }
                    }
                case .array(let a): a.forEach(walk)
                default: break
                }
            }
            walk(json)
            return out
        }
    }
}

/// Why the documentation could not be linted at all (a missing folder, an unreadable or broken schema).
public struct DocLintError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
