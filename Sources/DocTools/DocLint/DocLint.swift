import ConformanceKit
import Foundation
import JSONKit
import JSONSchemaKit

/// Doc lint: reads the vendor's documentation pages and reports the docs'
/// own defects, each with the page and the field.
///
/// For every page (`<docs>/*.txt`):
/// - its example objects are read leniently (JavaScript object literals with
///   `...` elisions; a missing comma is repaired and reported) and validated
///   against the suite schema whose `x-doc` names the page (formats asserted,
///   undescribed keys reported with a "did you mean");
/// - its tables are checked for structure: rows listed without their parent's
///   prefix, row names that do not match their members, misspelt or missing
///   types, missing descriptions, a Boolean described with enumerated values;
/// - cheap semantic rules: a date documented as "N days from" another must be
///   so in the example;
/// - the schemas' own `x-doc-ambiguous` notes not already covered are added.
public enum DocLint {
    /// Lints every `*.txt` page of `docsDirectory` against the schemas of the
    /// suite at `suiteRoot` (the `Cases` folder). Findings come in page order
    /// (by file name), then document order. Throws `DocLintError` when a
    /// folder is missing or a schema is unreadable.
    public static func lint(docsDirectory: String, suiteRoot: String) throws -> [DocFinding] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: docsDirectory, isDirectory: &isDir), isDir.boolValue else {
            throw DocLintError("documentation folder not found: \(docsDirectory)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: docsDirectory).filter { $0.hasSuffix(".txt") }
                .sorted()
        } catch {
            throw DocLintError("cannot list \(docsDirectory): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw DocLintError("no documentation pages (*.txt) in \(docsDirectory)") }
        let schemas = try DocSchemas(suiteRoot: suiteRoot)
        var out: [DocFinding] = []
        for name in names {
            let path = docsDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DocLintError("cannot read \(path)")
            }
            out += try lintPage(PageText(name: name, text: String(decoding: data, as: UTF8.self)), schemas: schemas)
        }
        return out
    }

    static func lintPage(_ page: PageText, schemas: DocSchemas) throws(DocLintError) -> [DocFinding] {
        var c = FindingCollector(page: page)
        let rows = TableParser.parse(page)
        let (roots, all) = schemas.schemas(forPage: page.name)

        // Examples: find, repair, parse.
        var examples: [ParsedExample] = []
        for ex in ExampleFinder.find(in: page) {
            if !ex.closed {
                c.add(.malformedExample, field: "", "the example's braces never close", offset: ex.start)
            }
            let prepared = prepareExample(ex.source)
            for d in prepared.defects {
                c.add(.malformedExample, field: JSONPathSegment.render(d.path), d.message, offset: ex.start + d.offset)
            }
            do {
                let json = try JSONParser.parse(prepared.text, dialect: .json5)
                examples.append(ParsedExample(example: ex, prepared: prepared, json: json))
            } catch {
                let at = prepared.offset(of: error.path)
                c.add(
                    .malformedExample, field: error.keyPath,
                    "cannot be read even leniently: \(error.message)", offset: ex.start + at)
            }
        }

        // Each example against the schema of its section.
        for ex in examples {
            guard let schema = try chooseSchema(for: ex, among: roots, schemas: schemas) else { continue }
            let checker = ExampleChecker(schemas: schemas, example: ex, document: schema)
            try checker.check(into: &c)
            presenceContradictions(ex, schema: schema, schemas: schemas, into: &c)
        }

        // The tables' structure, with the schemas and examples as evidence of nesting.
        let members = memberIndex(schemas: schemas, documents: all, examples: examples)
        TableRules.check(
            rows, evidence: { container, member in members[container]?.contains(member) ?? false }, into: &c)
        SemanticRules.check(rows, examples: examples, into: &c)

        // The transcription's own notes about ambiguities, when nothing above covers them.
        let tableKinds: Set<DocFinding.Kind> = [.ambiguousNesting, .tableTypo, .missingType, .contradiction]
        for d in all {
            for (path, text) in schemas.annotations("x-doc-ambiguous", from: d.node) where !path.isEmpty {
                let leaf = leafName(path)
                let covered = c.findings.contains { f in
                    tableKinds.contains(f.kind)
                        && f.field.split(separator: ".").map { leafName(String($0)) }.contains(leaf)
                }
                if covered { continue }
                let lower = text.lowercased()
                let kind: DocFinding.Kind =
                    lower.contains("contradict")
                    ? .contradiction : lower.contains("no type") ? .missingType : .ambiguousNesting
                let row = rows.first { !$0.isHeading && ($0.path == path || $0.leaf == leaf) }
                c.add(
                    kind, field: path, "noted by the schema transcription (\(d.file)): \(text)",
                    line: row?.line ?? page.lines.count)
            }
        }
        return c.sorted()
    }

    /// A member the example shows although its table row says "only if …" and
    /// the example's own values do not meet the condition (the schemas'
    /// `x-onlyIf`): a contradiction between example and table, the table
    /// winning. Values the suite's reading of "only if" lets through as its
    /// alternative (dnd false beside pbx 0) are not reported.
    static func presenceContradictions(
        _ ex: ParsedExample, schema: DocSchemas.Document, schemas: DocSchemas, into c: inout FindingCollector
    ) {
        var byFile: [String: JSON] = [:]
        for d in schemas.documents { byFile["schemas/" + d.file] = d.json }
        let rules = Presence.rules(for: "schemas/" + schema.file, schemas: byFile)
        for f in Presence.violations(in: ex.json, rules: rules) where f.severity == .failure {
            guard let p = f.pointer else { continue }
            let path = p.tokens.map { t in Int(t).map(JSONPathSegment.index) ?? .key(t) }
            c.add(
                .contradiction, field: JSONPathSegment.render(path),
                "the example shows \(f.actual), but the table says \(f.expected) (the table wins)",
                offset: ex.pageOffset(path))
        }
    }

    /// The schema an example is validated against: the page's only root
    /// schema, or the one naming the example's section ("request",
    /// "response"), or else the one it fits best.
    static func chooseSchema(
        for ex: ParsedExample, among roots: [DocSchemas.Document], schemas: DocSchemas
    ) throws(DocLintError) -> DocSchemas.Document? {
        if roots.count <= 1 { return roots.first }
        var candidates = roots
        if let section = ex.example.section {
            let named = roots.filter {
                $0.file.lowercased().contains(section)
                    || ($0.json["title"]?.stringValue ?? "").lowercased().contains(section)
            }
            if !named.isEmpty { candidates = named }
        }
        if candidates.count == 1 { return candidates[0] }
        var best: (DocSchemas.Document, Int)?
        for d in candidates {
            let r = try schemas.compile(d.uri).validate(ex.json)
            let score = r.violations.count + r.undescribed.count
            if best == nil || score < best!.1 { best = (d, score) }
        }
        return best?.0
    }

    /// For every object field name seen in the page's schemas or examples, the member names it has.
    static func memberIndex(
        schemas: DocSchemas, documents: [DocSchemas.Document], examples: [ParsedExample]
    ) -> [String: Set<String>] {
        var members: [String: Set<String>] = [:]
        for d in documents {
            for (_, name, node) in schemas.propertyPaths(from: d.node) {
                var names = schemas.properties(node).map(\.name)
                if let it = schemas.items(node) { names += schemas.properties(it).map(\.name) }
                if !names.isEmpty { members[name, default: []].formUnion(names) }
            }
        }
        func visit(_ v: JSON) {
            switch v {
            case .object(let o):
                for m in o {
                    if let inner = m.value.objectValue { members[m.key, default: []].formUnion(inner.keys) }
                    visit(m.value)
                }
            case .array(let a): a.forEach(visit)
            default: break
            }
        }
        for ex in examples { visit(ex.json) }
        return members
    }

    static func leafName(_ path: String) -> String {
        String(path.split(separator: ".").last ?? Substring(path)).dlReplacingAll("[]", "")
    }
}

extension DocLint {
    /// An example read from a page.
    struct ParsedExample {
        let example: DocExample
        let prepared: DocLint.PreparedExample
        let json: JSON

        /// Page offset of the value at `path` (or of its nearest ancestor that has one).
        func pageOffset(_ path: [JSONPathSegment]) -> Int { example.start + prepared.offset(of: path) }
    }
}

extension DocLint.PreparedExample {
    /// Source offset of the value at `path`, or of its nearest recorded ancestor.
    func offset(of path: [JSONPathSegment]) -> Int {
        var p = path
        while true {
            if let o = offsets[p] { return o }
            if p.isEmpty { return 0 }
            p.removeLast()
        }
    }
}
