import JSONKit

/// A place in a registered document.
struct Location: Sendable, Hashable {
    var document: String
    var pointer: JSONPointer

    var text: String { document + "#" + pointer.description }
}

/// What the registry knows about one registered document.
struct DocumentInfo: Sendable {
    let uri: String
    let root: JSON
    /// Pointer of every schema resource root (the document root included) → its base URI.
    var resourceBases: [JSONPointer: String] = [:]
    /// Pointer of every schema object that declares `$schema` → the meta-schema URI.
    var dialects: [JSONPointer: String] = [:]
}

/// Schema documents by URI, with the identifiers (`$id`, `$anchor`,
/// `$dynamicAnchor`) they declare. The JSON Schema 2020-12 meta-schemas are
/// always present.
public struct SchemaRegistry: Sendable {
    var documents: [String: DocumentInfo] = [:]
    /// Absolute URI (no fragment) of every resource → its root.
    var resources: [String: Location] = [:]
    /// "uri#name" → the schema declaring `$anchor` or `$dynamicAnchor` "name" in resource "uri".
    var anchors: [String: Location] = [:]
    /// Resource base URI → `$dynamicAnchor` name → the declaring schema.
    var dynamicAnchors: [String: [String: Location]] = [:]
    /// Compiled `pattern`/`patternProperties` regular expressions, by source.
    var patterns: [String: ECMARegex] = [:]

    init(empty: Void) {}

    static let empty = SchemaRegistry(empty: ())

    /// A registry holding the JSON Schema 2020-12 meta-schemas.
    public init() { self = SchemaRegistry.builtin }

    private static let builtin: SchemaRegistry = {
        var r = SchemaRegistry(empty: ())
        for (uri, text) in MetaSchemas.documents {
            do {
                try r.register(try JSONParser.parse(text), uri: uri)
            } catch {
                preconditionFailure("built-in meta-schema \(uri): \(error)")
            }
        }
        return r
    }()

    /// The URIs of the registered documents (the built-in meta-schemas included), sorted.
    public var documentURIs: [String] { documents.keys.sorted() }

    /// The document registered under `uri` (no fragment), if any.
    public func document(_ uri: String) -> JSON? {
        documents[URIs.split(URIs.absolute(uri)).base]?.root
    }

    /// Registers a schema document under a URI (e.g.
    /// "file:///Cases/schemas/account.schema.json"); a URI without a scheme is
    /// taken relative to `file:///`. When the document declares an `$id`, it is
    /// reachable under both. Throws a `SchemaError` with a JSON pointer into the
    /// document for malformed keywords (`minLength: "x"`, a bad regular
    /// expression, a duplicate `$id`, ...). On error the registry is unchanged.
    public mutating func register(_ document: JSON, uri: String) throws(SchemaError) {
        let (docURI, fragment) = URIs.split(URIs.absolute(uri))
        if let fragment, !fragment.isEmpty {
            throw SchemaError(uri: uri, pointer: .root, message: "a document URI must not have a fragment")
        }
        if let existing = documents[docURI] {
            if existing.root == document { return }
            throw SchemaError(
                uri: docURI, pointer: .root, message: "another document is already registered under this URI")
        }
        var copy = self
        var info = DocumentInfo(uri: docURI, root: document)
        var scanner = Scanner(registry: copy, docURI: docURI)
        try scanner.scanSchema(document, pointer: .root, base: docURI, dialect: nil, info: &info)
        copy = scanner.registry
        if copy.resources[docURI] == nil {
            copy.resources[docURI] = Location(document: docURI, pointer: .root)
        }
        copy.documents[docURI] = info
        self = copy
    }

    /// Compiles the schema at `reference` (an absolute URI with an optional
    /// fragment: a JSON pointer or an anchor name) and everything it reaches.
    /// An unresolvable `$ref` anywhere reachable is an error naming its
    /// document and the pointer of the `$ref`.
    public func compile(_ reference: String, options: ValidationOptions = .init()) throws(SchemaError) -> CompiledSchema
    {
        var compiler = Compiler(registry: self, options: options)
        let absolute = URIs.absolute(reference)
        guard let target = lookup(absolute) else {
            throw SchemaError(
                uri: URIs.split(absolute).base, pointer: .root, message: "no schema is registered at \(absolute)")
        }
        let root = try compiler.compileRoot(target)
        var compiled = CompiledSchema(program: compiler.finish(root: root), options: options)
        compiled.inPlaceCycle = compiler.inPlaceCycle(from: root)
        return compiled
    }

    /// The location an absolute URI with optional fragment designates, if registered.
    func lookup(_ absolute: String) -> Location? {
        let (base, fragment) = URIs.split(absolute)
        guard let root = resources[base] else { return nil }
        guard let fragment, !fragment.isEmpty else { return root }
        if fragment.hasPrefix("/") {
            guard let p = try? JSONPointer(parsing: "#" + fragment) else { return nil }
            let loc = Location(document: root.document, pointer: JSONPointer(tokens: root.pointer.tokens + p.tokens))
            guard let doc = documents[loc.document], loc.pointer.resolve(in: doc.root) != nil else { return nil }
            return loc
        }
        let name = fragment.removingPercentEncodingPortable() ?? fragment
        return anchors[base + "#" + name]
    }

    /// The base URI in effect at `loc`: that of the innermost enclosing resource.
    func baseURI(of loc: Location) -> String {
        guard let doc = documents[loc.document] else { return loc.document }
        var tokens = loc.pointer.tokens
        while true {
            if let b = doc.resourceBases[JSONPointer(tokens: tokens)] { return b }
            if tokens.isEmpty { return loc.document }
            tokens.removeLast()
        }
    }

    /// The `$schema` in effect at `loc` (the innermost one), if any, and where it is declared.
    func dialect(of loc: Location) -> (uri: String, at: JSONPointer)? {
        guard let doc = documents[loc.document] else { return nil }
        var tokens = loc.pointer.tokens
        while true {
            let p = JSONPointer(tokens: tokens)
            if let d = doc.dialects[p] { return (d, p) }
            if tokens.isEmpty { return nil }
            tokens.removeLast()
        }
    }
}

// MARK: - Scanning a document at registration

/// Keywords whose value is a schema.
let singleSchemaKeywords: Set<String> = [
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
]
/// Keywords whose value is an object of schemas.
let schemaMapKeywords: Set<String> = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]
/// Keywords whose value is a non-empty array of schemas.
let schemaArrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]

private struct Scanner {
    var registry: SchemaRegistry
    let docURI: String

    init(registry: SchemaRegistry, docURI: String) {
        self.registry = registry
        self.docURI = docURI
    }

    func error(_ pointer: JSONPointer, _ message: String) -> SchemaError {
        SchemaError(uri: docURI, pointer: pointer, message: message)
    }

    static func isAnchorName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.isASCIILetter || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "." || $0 == "_"
        }
    }

    mutating func scanSchema(
        _ value: JSON, pointer: JSONPointer, base: String, dialect: String?, info: inout DocumentInfo
    ) throws(SchemaError) {
        guard case .object(let obj) = value else {
            if case .bool = value {
                if pointer.tokens.isEmpty { info.resourceBases[pointer] = base }
                return
            }
            throw error(pointer, "a schema must be an object or a boolean, not \(value.typeName)")
        }
        var base = base
        if let id = obj["$id"] {
            guard case .string(let s) = id else { throw error(pointer.appending("$id"), "$id must be a string") }
            let resolved = URIs.resolve(s, against: base)
            let (b, frag) = URIs.split(resolved)
            if let frag, !frag.isEmpty {
                throw error(pointer.appending("$id"), "$id must not contain a non-empty fragment (use $anchor)")
            }
            base = b
            let loc = Location(document: docURI, pointer: pointer)
            if let existing = registry.resources[b], existing != loc {
                throw error(pointer.appending("$id"), "$id \"\(b)\" is already used by \(existing.text)")
            }
            registry.resources[b] = loc
            info.resourceBases[pointer] = b
        } else if pointer.tokens.isEmpty {
            info.resourceBases[pointer] = base
        }
        if pointer.tokens.isEmpty, base != docURI {
            // The document stays reachable under its registration URI.
            if let existing = registry.resources[docURI], existing != Location(document: docURI, pointer: .root) {
                throw error(.root, "URI \"\(docURI)\" is already used by \(existing.text)")
            }
            registry.resources[docURI] = Location(document: docURI, pointer: .root)
        }
        var dialect = dialect
        if let s = obj["$schema"] {
            guard case .string(let uri) = s else {
                throw error(pointer.appending("$schema"), "$schema must be a string")
            }
            let (u, _) = URIs.split(uri)
            let d = URIReference(parsing: u).isAbsolute ? u : URIs.resolve(u, against: base)
            info.dialects[pointer] = d
            dialect = d
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            guard let a = obj[key] else { continue }
            guard case .string(let name) = a, Scanner.isAnchorName(name) else {
                throw error(
                    pointer.appending(key),
                    "\(key) must be a name: a letter or '_', then letters, digits, '-', '_', '.'")
            }
            let loc = Location(document: docURI, pointer: pointer)
            let k = base + "#" + name
            if let existing = registry.anchors[k], existing != loc {
                throw error(
                    pointer.appending(key), "anchor \"\(name)\" is already declared in \(base) at \(existing.pointer)")
            }
            registry.anchors[k] = loc
            if key == "$dynamicAnchor" {
                registry.dynamicAnchors[base, default: [:]][name] = loc
            }
        }
        // Keyword syntax (compiling regular expressions into the registry's cache).
        var patterns: [String: ECMARegex] = [:]
        swap(&patterns, &registry.patterns)
        try Compiler.checkKeywords(
            obj, at: Location(document: docURI, pointer: pointer), legacy: dialect.map(Vocab.isLegacy) ?? false,
            patterns: &patterns)
        swap(&patterns, &registry.patterns)

        for m in obj.members {
            let key = m.key
            if singleSchemaKeywords.contains(key) {
                if key == "items" || key == "additionalItems", case .array(let arr) = m.value {
                    // Legacy tuple form (pre-2020-12 dialects); the compiler decides whether it is allowed.
                    for (i, s) in arr.enumerated() {
                        try scanSchema(
                            s, pointer: pointer.appending(key).appending(i), base: base, dialect: dialect, info: &info)
                    }
                    continue
                }
                try scanSchema(m.value, pointer: pointer.appending(key), base: base, dialect: dialect, info: &info)
            } else if schemaMapKeywords.contains(key) {
                guard case .object(let map) = m.value else {
                    throw error(pointer.appending(key), "\(key) must be an object of schemas")
                }
                for sm in map.members {
                    try scanSchema(
                        sm.value, pointer: pointer.appending(key).appending(sm.key), base: base, dialect: dialect,
                        info: &info)
                }
            } else if schemaArrayKeywords.contains(key) {
                guard case .array(let arr) = m.value, !arr.isEmpty else {
                    throw error(pointer.appending(key), "\(key) must be a non-empty array of schemas")
                }
                for (i, s) in arr.enumerated() {
                    try scanSchema(
                        s, pointer: pointer.appending(key).appending(i), base: base, dialect: dialect, info: &info)
                }
            } else if key == "dependencies", case .object(let map) = m.value {
                for sm in map.members where !(sm.value.arrayValue != nil) {
                    try scanSchema(
                        sm.value, pointer: pointer.appending(key).appending(sm.key), base: base, dialect: dialect,
                        info: &info)
                }
            }
        }
    }
}
