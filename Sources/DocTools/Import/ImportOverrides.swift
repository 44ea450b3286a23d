import ConformanceKit
import Foundation
import JSONKit

/// Hand decisions the importer applies (`Cases/import-overrides.json`): where a
/// page is ambiguous or silent, what the suite reads, each with its reason.
/// Recorded as data so a re-import reproduces the suite and the decisions stay
/// visible and few.
public struct ImportOverrides: Sendable {
    public struct Page: Sendable {
        /// Endpoint id, when not the page's file name.
        public var endpoint: String?
        /// Schema files by table key ("request", "response", or an object table's heading),
        /// with keywords set on the schema's root.
        public var schemas: [String: (file: String, set: JSONObject)] = [:]
        /// Error row ids by "STATUS message: description".
        public var errorIDs: [String: String] = [:]
        /// Rows without a prefix read as members of an object: container → members.
        public var nest: [String: Set<String>] = [:]
        /// Keywords set on a member (`null` removes one): table key → field path → keywords.
        public var fields: [String: [String: JSONObject]] = [:]
        /// The access rule, when the access line does not say it.
        public var accessRule: JSON?
        /// Parameter schemas' keywords to set, by parameter name.
        public var parameters: [String: JSONObject] = [:]
    }

    /// Member names marked `x-sensitive` (masked in reports) wherever they are imported.
    public var sensitive: Set<String> = []
    /// Words of a description that name a format (`"ABC": {"format": "abc"}`), in file order:
    /// a String row or a parameter whose text has the word gets the keywords.
    public var formats: [(word: String, keywords: JSONObject)] = []
    public var pages: [String: Page] = [:]

    public init() {}

    public static let fileName = "import-overrides.json"

    /// Reads `<suite>/import-overrides.json`; no file is no overrides.
    public static func load(suiteRoot: String) throws(DocImportError) -> ImportOverrides {
        let path = suiteRoot + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return ImportOverrides() }
        let json: JSON
        do {
            json = try JSONParser.parse(Array(data), dialect: .json5)
        } catch {
            throw DocImportError("\(path): \(error.description)")
        }
        return try read(json, file: path)
    }

    static func read(_ json: JSON, file: String) throws(DocImportError) -> ImportOverrides {
        func fail(_ at: String, _ message: String) -> DocImportError { DocImportError("\(file): \(at): \(message)") }
        guard let o = json.objectValue else { throw fail("(top level)", "must be an object") }
        var out = ImportOverrides()
        for m in o where !m.key.hasPrefix("$") {
            switch m.key {
            case "sensitive":
                guard let a = m.value.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else {
                    throw fail("sensitive", "must be an array of member names")
                }
                out.sensitive = Set(a.compactMap(\.stringValue))
            case "formats":
                guard let f = m.value.objectValue else { throw fail("formats", "must be an object: word → schema keywords") }
                for w in f where !w.key.hasPrefix("$") {
                    guard let kw = w.value.objectValue else { throw fail("formats.\(w.key)", "must be an object of schema keywords") }
                    out.formats.append((w.key, kw))
                }
            case "pages":
                guard let pages = m.value.objectValue else { throw fail("pages", "must be an object: page file name → overrides") }
                for p in pages { out.pages[p.key] = try readPage(p.value, at: "pages.\(p.key)", fail: fail) }
            default:
                let hint = closestMatch(to: m.key, in: ["sensitive", "formats", "pages"]).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(m.key, "unknown key '\(m.key)'\(hint); allowed: sensitive, formats, pages")
            }
        }
        return out
    }

    static func readPage(
        _ v: JSON, at: String, fail: (String, String) -> DocImportError
    ) throws(DocImportError) -> Page {
        guard let o = v.objectValue else { throw fail(at, "must be an object") }
        let keys = ["endpoint", "schemas", "errors", "nest", "fields", "accessRule", "parameters"]
        var page = Page()
        for m in o where !m.key.hasPrefix("$") {
            let here = at + "." + m.key
            switch m.key {
            case "endpoint":
                guard let s = m.value.stringValue else { throw fail(here, "must be a string") }
                page.endpoint = s
            case "schemas":
                guard let s = m.value.objectValue else { throw fail(here, "must be an object: table → {file, set}") }
                for t in s where !t.key.hasPrefix("$") {
                    guard let file = t.value["file"]?.stringValue else {
                        throw fail(here + "." + t.key + ".file", "missing: the schema file name, e.g. 'x.schema.json'")
                    }
                    page.schemas[t.key] = (file, t.value["set"]?.objectValue ?? JSONObject())
                }
            case "errors":
                guard let s = m.value.objectValue else { throw fail(here, "must be an object: 'STATUS message: description' → id") }
                for e in s where !e.key.hasPrefix("$") {
                    guard let id = e.value.stringValue else { throw fail(here + "." + e.key, "must be a row id (a string)") }
                    page.errorIDs[e.key] = id
                }
            case "nest":
                guard let s = m.value.objectValue else { throw fail(here, "must be an object: container → [member]") }
                for n in s where !n.key.hasPrefix("$") {
                    guard let a = n.value.arrayValue?.compactMap(\.stringValue) else {
                        throw fail(here + "." + n.key, "must be an array of member names")
                    }
                    page.nest[n.key] = Set(a)
                }
            case "fields":
                guard let s = m.value.objectValue else { throw fail(here, "must be an object: table → field → keywords") }
                for t in s where !t.key.hasPrefix("$") {
                    guard let fs = t.value.objectValue else { throw fail(here + "." + t.key, "must be an object: field → keywords") }
                    for f in fs where !f.key.hasPrefix("$") {
                        guard let kw = f.value.objectValue else {
                            throw fail(here + "." + t.key + "." + f.key, "must be an object of schema keywords")
                        }
                        page.fields[t.key, default: [:]][f.key] = kw
                    }
                }
            case "accessRule":
                guard m.value.arrayValue != nil else { throw fail(here, "must be an array of {level, scope}") }
                page.accessRule = m.value
            case "parameters":
                guard let s = m.value.objectValue else { throw fail(here, "must be an object: parameter → schema keywords") }
                for p in s where !p.key.hasPrefix("$") {
                    guard let kw = p.value.objectValue else { throw fail(here + "." + p.key, "must be an object of schema keywords") }
                    page.parameters[p.key] = kw
                }
            default:
                let hint = closestMatch(to: m.key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(here, "unknown key '\(m.key)'\(hint); allowed: \(keys.joined(separator: ", "))")
            }
        }
        return page
    }
}

/// Why an import could not be done (an unreadable page or overrides file, a refused write).
public struct DocImportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONObject {
    /// Sets (or, for `null`, removes) each of `keywords`; keys already present keep their place.
    func applying(_ keywords: JSONObject) -> JSONObject {
        var pairs: [(String, JSON)] = members.map { ($0.key, $0.value) }
        for k in keywords where !k.key.hasPrefix("$") {
            if let i = pairs.firstIndex(where: { $0.0 == k.key }) {
                if k.value.isNull { pairs.remove(at: i) } else { pairs[i].1 = k.value }
            } else if !k.value.isNull {
                pairs.append((k.key, k.value))
            }
        }
        return JSONObject(pairs: pairs)
    }

    func applying(_ pairs: KeyValuePairs<String, JSON>) -> JSONObject { applying(JSONObject(pairs)) }
}
