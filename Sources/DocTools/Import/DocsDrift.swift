import ConformanceKit
import Foundation
import JSONKit

/// A difference between what a vendor page says now and what the suite holds.
public struct DriftFinding: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case endpointMissing, schemaMissing
        case methodChanged, pathChanged, accessChanged
        case errorAdded, errorRemoved
        case parameterAdded, parameterRemoved, parameterChanged
        case memberAdded, memberRemoved, retyped, enumChanged, boundsChanged, visibilityChanged

        public var label: String {
            switch self {
            case .endpointMissing: return "no endpoint spec"
            case .schemaMissing: return "no schema"
            case .methodChanged: return "method changed"
            case .pathChanged: return "path changed"
            case .accessChanged: return "access line changed"
            case .errorAdded: return "error row added"
            case .errorRemoved: return "error row removed"
            case .parameterAdded: return "parameter added"
            case .parameterRemoved: return "parameter removed"
            case .parameterChanged: return "parameter changed"
            case .memberAdded: return "member added"
            case .memberRemoved: return "member removed"
            case .retyped: return "retyped"
            case .enumChanged: return "enum changed"
            case .boundsChanged: return "bounds changed"
            case .visibilityChanged: return "visibility changed"
            }
        }
    }

    public var page: String
    /// Page line (0 when the page no longer has it).
    public var line: Int
    /// The field, parameter or row the finding is about ("" for the endpoint itself).
    public var field: String
    /// The suite file to update, relative to the suite folder's parent (`Cases/schemas/x.schema.json`).
    public var suiteFile: String
    public var kind: Kind
    public var message: String

    /// `page.txt:31: order.state: enum changed: page adds … (Cases/schemas/x.schema.json)`
    public var description: String {
        page + (line > 0 ? ":\(line)" : "") + ": " + (field.isEmpty ? "" : field + ": ") + kind.label + ": " + message
            + " (" + suiteFile + ")"
    }
}

/// `conformance docs-diff`: each page imported in memory (with the suite's
/// overrides) and compared with the suite's endpoint spec and schemas.
public enum DocsDrift {
    public static func check(docsDirectory: String, suiteRoot: String) throws(DocImportError) -> [DriftFinding] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: docsDirectory, isDirectory: &isDir), isDir.boolValue else {
            throw DocImportError("documentation folder not found: \(docsDirectory)")
        }
        let names = pageNames(docsDirectory: docsDirectory)
        guard !names.isEmpty else { throw DocImportError("no documentation pages (*.txt) in \(docsDirectory)") }
        var pages: [(String, String)] = []
        for n in names {
            guard let d = FileManager.default.contents(atPath: docsDirectory + "/" + n) else {
                throw DocImportError("cannot read \(docsDirectory)/\(n)")
            }
            pages.append((n, String(decoding: d, as: UTF8.self)))
        }
        return try check(pages: pages, suiteRoot: suiteRoot)
    }

    public static func check(pages: [(name: String, text: String)], suiteRoot: String) throws(DocImportError) -> [DriftFinding] {
        let overrides = try ImportOverrides.load(suiteRoot: suiteRoot)
        let endpoints = try readFolder(suiteRoot + "/endpoints")
        let schemas = try readFolder(suiteRoot + "/schemas")
        var out: [DriftFinding] = []
        for (name, text) in pages {
            let r = DocImport.importPage(name: name, text: text, overrides: overrides)
            out += compare(r, suiteRoot: suiteRoot, endpoints: endpoints, schemas: schemas)
        }
        return out
    }

    static func readFolder(_ dir: String) throws(DocImportError) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where f.hasSuffix(".json") {
            guard let d = FileManager.default.contents(atPath: dir + "/" + f) else { continue }
            do { out[f] = try JSONParser.parse(Array(d), dialect: .json5) } catch {
                throw DocImportError("\(dir)/\(f): \(error.description)")
            }
        }
        return out
    }

    static func compare(
        _ r: DocImport.Result, suiteRoot: String, endpoints: [String: JSON], schemas: [String: JSON]
    ) -> [DriftFinding] {
        let page = r.page
        var out: [DriftFinding] = []
        guard let imported = r.files.first(where: { $0.kind == "endpoint" })?.json else { return out }
        guard
            let (file, spec) = endpoints.first(where: { $0.value["doc"]?.stringValue == page.name })
                .map({ ($0.key, $0.value) }) ?? endpoints["\(r.endpointID).json"].map({ ("\(r.endpointID).json", $0) })
        else {
            return [DriftFinding(page: page.name, line: 0, field: "", suiteFile: suiteRoot + "/endpoints/",
                kind: .endpointMissing, message: "the suite has no endpoint spec whose doc is \(page.name); run import-docs on it")]
        }
        let specFile = suiteRoot + "/endpoints/" + file
        func add(_ kind: DriftFinding.Kind, _ line: Int, _ field: String, _ file: String, _ message: String) {
            out.append(DriftFinding(page: page.name, line: line, field: field, suiteFile: file, kind: kind, message: message))
        }
        // Method, path, access.
        for key in ["method", "path"] {
            let a = imported[key]?.stringValue ?? "", b = spec[key]?.stringValue ?? ""
            if a != b {
                add(key == "method" ? .methodChanged : .pathChanged, (key == "method" ? page.methodLine : page.pathLine)?.number ?? 0,
                    key, specFile, "page says '\(a)', suite has '\(b)'")
            }
        }
        let squash = { (s: String) in s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ") }
        let pageAccess = imported["access"]?["text"]?.stringValue ?? "", suiteAccess = spec["access"]?["text"]?.stringValue ?? ""
        if squash(pageAccess) != squash(suiteAccess) {
            add(.accessChanged, page.accessLine?.number ?? 0, "access.text", specFile, "page says '\(squash(pageAccess))', suite has '\(squash(suiteAccess))'")
        }
        let levels = { (j: JSON) in (j["access"]?["levels"]?.arrayValue ?? []).compactMap(\.stringValue) }
        if levels(imported) != levels(spec) {
            add(.accessChanged, page.accessLine?.number ?? 0, "access.levels", specFile,
                "page names \(levels(imported).joined(separator: ", ")), suite has \(levels(spec).joined(separator: ", "))")
        }
        let rule = { (j: JSON) in
            Set((j["access"]?["rule"]?.arrayValue ?? []).map { "\($0["level"]?.stringValue ?? "") \($0["scope"]?.stringValue ?? "")" })
        }
        if rule(imported) != rule(spec) {
            add(.accessChanged, page.accessLine?.number ?? 0, "access.rule", specFile,
                "page reads as \(rule(imported).sorted().joined(separator: ", ")), suite has \(rule(spec).sorted().joined(separator: ", "))")
        }
        // Error rows, as status, message and description (ids are the suite's names).
        let rowKey = { (e: JSON) in "\(e["status"]?.intValue ?? 0) \(e["message"]?.stringValue ?? ""): \(e["description"]?.stringValue ?? "")" }
        var suiteRows = (spec["errors"]?.arrayValue ?? []).map(rowKey)
        for e in page.errors {
            let k = "\(e.status) \(e.message): \(e.description)"
            if let i = suiteRows.firstIndex(of: k) { suiteRows.remove(at: i) } else {
                add(.errorAdded, e.line.number, "\(e.status) \(e.message)", specFile, "'\(k)' is on the page, not in the spec's errors")
            }
        }
        for k in suiteRows {
            add(.errorRemoved, 0, String(k.prefix { $0 != ":" }), specFile, "'\(k)' is in the spec's errors, no longer on the page")
        }
        // Parameters (only where the suite's spec declares them).
        if let suiteParams = spec["parameters"]?.arrayValue {
            let pageParams = imported["parameters"]?.arrayValue ?? []
            for p in pageParams {
                let name = p["name"]?.stringValue ?? ""
                let line = p["doc"]?["line"]?.intValue ?? 0
                guard let s = suiteParams.first(where: { $0["name"]?.stringValue == name }) else {
                    add(.parameterAdded, line, name, specFile, "the page documents \(p["in"]?.stringValue ?? "") parameter \(name); the spec does not")
                    continue
                }
                var diffs: [String] = []
                for k in ["in", "required", "description"] where p[k] != s[k] {
                    diffs.append("\(k): page \(show(p[k])), suite \(show(s[k]))")
                }
                for k in ["type", "format", "default", "minimum", "maximum", "enum"] where p["schema"]?[k] != s["schema"]?[k] {
                    diffs.append("schema.\(k): page \(show(p["schema"]?[k])), suite \(show(s["schema"]?[k]))")
                }
                if !diffs.isEmpty { add(.parameterChanged, line, name, specFile, diffs.joined(separator: "; ")) }
            }
            for s in suiteParams where !pageParams.contains(where: { $0["name"] == s["name"] }) {
                add(.parameterRemoved, 0, s["name"]?.stringValue ?? "", specFile, "the spec declares it; the page no longer documents it")
            }
        }
        // Paging bounds, where the spec has paging but no parameters yet (they then come from the parameters).
        if spec["parameters"] == nil, let paging = spec["paging"]?.objectValue {
            let pageParams = imported["parameters"]?.arrayValue ?? []
            for (key, names) in [("offset", ["default"]), ("limit", ["default", "min", "max"])] {
                guard let pg = paging[key]?.objectValue, let name = pg["param"]?.stringValue,
                    let p = pageParams.first(where: { $0["name"]?.stringValue == name })
                else { continue }
                let line = p["doc"]?["line"]?.intValue ?? 0
                let keyword = ["default": "default", "min": "minimum", "max": "maximum"]
                let diffs = names.filter { pg[$0] != nil && pg[$0] != p["schema"]?[keyword[$0]!] }.map {
                    "\($0): page \(show(p["schema"]?[keyword[$0]!])), spec's paging.\(key) \(show(pg[$0]))"
                }
                if !diffs.isEmpty { add(.parameterChanged, line, name, specFile, diffs.joined(separator: "; ")) }
            }
        }
        // Schemas: the request and response roots as the spec names them, further objects by file name.
        for f in r.files where f.kind == "schema" {
            let importedFile = String(f.path.dropFirst("schemas/".count))
            var suiteFile = importedFile
            for key in ["request", "response"] where imported[key]?["schema"]?.stringValue == f.path {
                if let s = spec[key]?["schema"]?.stringValue { suiteFile = String(s.split(separator: "/").last ?? Substring(s)) }
            }
            let shown = suiteRoot + "/schemas/" + suiteFile
            guard schemas[suiteFile] != nil else {
                add(.schemaMissing, 0, "", shown, "the page has a table for \(importedFile); the suite has no \(suiteFile)")
                continue
            }
            // The imported documents refer to each other by their imported names.
            var importDocs = schemas
            for g in r.files where g.kind == "schema" { importDocs[String(g.path.dropFirst("schemas/".count))] = g.json }
            let others = Set(r.files.filter { $0.kind == "schema" }.map { String($0.path.dropFirst("schemas/".count)) })
            let page = SchemaShapes.flatten(importedFile, documents: importDocs, stopAt: others)
            let suite = SchemaShapes.flatten(suiteFile, documents: schemas, stopAt: others)
            out += compareShapes(page: page, suite: suite, pageName: r.page.name, suiteFile: shown) { r.lines[importedFile + "|" + $0] ?? 0 }
        }
        return out
    }

    static func show(_ v: JSON?) -> String {
        guard let v else { return "none" }
        return JSONWriter().string(v)
    }

    static func compareShapes(
        page: [String: MemberShape], suite: [String: MemberShape], pageName: String, suiteFile: String, line: (String) -> Int
    ) -> [DriftFinding] {
        var out: [DriftFinding] = []
        func add(_ kind: DriftFinding.Kind, _ field: String, _ message: String) {
            out.append(DriftFinding(page: pageName, line: line(field), field: field, suiteFile: suiteFile, kind: kind, message: message))
        }
        for field in page.keys.sorted(by: { line($0) == line($1) ? $0 < $1 : line($0) < line($1) }) {
            let p = page[field]!
            guard let s = suite[field] else {
                // Items with no members of their own are only `[]`; a member under a removed parent is reported once.
                if !field.hasSuffix("[]") { add(.memberAdded, field, "on the page (\(p.typeText)), not in the schema") }
                continue
            }
            if p.values == nil, s.values == nil, p.typeText != s.typeText || p.type != s.type {
                add(.retyped, field, "page \(p.typeText), schema \(s.typeText)")
            } else if (p.values == nil) != (s.values == nil) {
                add(.retyped, field, "page \(p.typeText)\(p.values.map { " " + $0.joined(separator: ", ") } ?? ""), schema \(s.typeText)\(s.values.map { " " + $0.joined(separator: ", ") } ?? "")")
            } else if let pv = p.values, let sv = s.values, pv != sv {
                let added = pv.filter { !sv.contains($0) }, removed = sv.filter { !pv.contains($0) }
                add(.enumChanged, field, (added.isEmpty ? "" : "page adds \(added.joined(separator: ", "))") + (added.isEmpty || removed.isEmpty ? "" : "; ")
                    + (removed.isEmpty ? "" : "page drops \(removed.joined(separator: ", "))"))
            }
            if p.bounds != s.bounds {
                let keys = Set(p.bounds.keys).union(s.bounds.keys).sorted()
                let d = keys.filter { p.bounds[$0] != s.bounds[$0] }.map { k in
                    "\(k): page \(p.bounds[k].map(JSONWriter.formatNumber) ?? "none"), schema \(s.bounds[k].map(JSONWriter.formatNumber) ?? "none")"
                }
                add(.boundsChanged, field, d.joined(separator: "; "))
            }
            if p.visibility != s.visibility {
                add(.visibilityChanged, field, "page \(p.visibility?.joined(separator: "/") ?? "everyone"), schema \(s.visibility?.joined(separator: "/") ?? "everyone")")
            }
        }
        for field in suite.keys.sorted() where page[field] == nil && !field.hasSuffix("[]") {
            add(.memberRemoved, field, "in the schema, not on the page")
        }
        return out
    }

    /// One line per finding, then a total.
    public static func render(_ findings: [DriftFinding], pagesChecked: Int) -> [String] {
        var pages: [String] = []
        for f in findings where !pages.contains(f.page) { pages.append(f.page) }
        let n = findings.count
        return findings.map(\.description)
            + ["drift: \(n) finding\(n == 1 ? "" : "s") on \(pages.count) of \(pagesChecked) page\(pagesChecked == 1 ? "" : "s") checked"]
    }

    /// The pages `check(docsDirectory:…)` reads.
    public static func pageNames(docsDirectory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: docsDirectory)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }
}
