import ConformanceKit
import Foundation
import JSONKit

extension DocImport {
    /// What a write did (or, with `dryRun`, would do), by suite-relative path.
    public struct WriteReport: Sendable {
        public var written: [String] = []
        /// Existing files replaced (with `force`); what the page does not own in them was kept.
        public var replaced: [String] = []
        /// Levels added to `access.json`.
        public var addedLevels: [String] = []
        /// Levels the pages name that the suite declares nowhere (no `access.json` to add them to).
        public var undeclaredLevels: [String] = []
    }

    /// The keys of an endpoint spec a page states; everything else in an existing
    /// spec (readings, bounds, negatives, paging, the unauthenticated answer,
    /// comments, notProvokable reasons) is the suite's own and survives a re-import.
    static let pageOwned: [String: Set<String>] = [
        "": ["id", "title", "doc", "method", "path", "mutating", "parameters", "access", "request", "response", "errors"],
        "access": ["text", "levels", "rule"], "response": ["schema"], "request": ["schema"],
    ]

    /// Writes the files under `suiteRoot`. Refuses (naming them) to replace
    /// existing files unless `force`; never writes outside the suite folder.
    /// With `force`, an existing endpoint spec keeps what the page does not own.
    public static func write(
        _ results: [Result], suiteRoot: String, force: Bool, dryRun: Bool
    ) throws(DocImportError) -> WriteReport {
        var report = WriteReport()
        let fm = FileManager.default
        let root = URL(fileURLWithPath: suiteRoot).standardizedFileURL.path
        var planned: [(path: String, json: JSON)] = []
        var existing: [String] = []
        for r in results {
            for f in r.files {
                let full = URL(fileURLWithPath: root + "/" + f.path).standardizedFileURL.path
                guard full.hasPrefix(root + "/"), !f.path.contains("..") else {
                    throw DocImportError("refusing to write \(f.path): outside the suite folder \(suiteRoot)")
                }
                var json = f.json
                if fm.fileExists(atPath: full) {
                    existing.append(suiteRoot + "/" + f.path)
                    if f.kind == "endpoint", let data = fm.contents(atPath: full),
                        let old = try? JSONParser.parse(Array(data), dialect: .json5)
                    {
                        json = keepSuiteOwned(new: json, old: old)
                    }
                }
                planned.append((full, json))
            }
        }
        if !existing.isEmpty && !force {
            throw DocImportError(
                "refusing to overwrite \(existing.count) existing file\(existing.count == 1 ? "" : "s") (pass --force to replace them; "
                    + "what the page does not own in an endpoint spec is kept): " + existing.joined(separator: ", "))
        }
        report.replaced = existing
        // Levels: those the pages name that access.json does not declare are added to it.
        let accessPath = root + "/access.json"
        var accessJSON: JSON?
        if let data = fm.contents(atPath: accessPath) {
            do { accessJSON = try JSONParser.parse(Array(data), dialect: .json5) } catch {
                throw DocImportError("\(suiteRoot)/access.json: \(error.description)")
            }
        }
        let named = results.flatMap { r in r.levels.map { (r.page.name, $0) } }
        if case .object(var a)? = accessJSON {
            var levels = a["levels"]?.arrayValue ?? []
            let declared = Set(levels.compactMap { $0["name"]?.stringValue })
            for (page, level) in named where !declared.contains(level) && !report.addedLevels.contains(level) {
                report.addedLevels.append(level)
                levels.append([
                    "name": .string(level),
                    "description": .string("Named by the access line of \(page) (added by import-docs; describe it)."),
                ])
            }
            if !report.addedLevels.isEmpty {
                a = a.applying(["levels": .array(levels)])
                planned.append((accessPath, .object(a)))
            }
        } else {
            var seen = Set<String>()
            report.undeclaredLevels = named.map(\.1).filter { seen.insert($0).inserted }
        }
        let writer = JSONWriter(pretty: true)
        for (path, json) in planned {
            report.written.append(String(path.dropFirst(root.count + 1)))
            if dryRun { continue }
            let dir = (path as NSString).deletingLastPathComponent
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try Data((writer.string(json) + "\n").utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw DocImportError("cannot write \(path): \(error.localizedDescription)")
            }
        }
        return report
    }

    /// `new` (from the page) with the keys of `old` the page does not own, and
    /// each error row's own keys (notProvokable, comments) by row id.
    static func keepSuiteOwned(new: JSON, old: JSON) -> JSON {
        guard var n = new.objectValue, let o = old.objectValue else { return new }
        for m in o where !(pageOwned[""]!.contains(m.key)) && n[m.key] == nil { n.append(key: m.key, value: m.value) }
        for key in ["access", "response", "request"] {
            guard var inner = n[key]?.objectValue, let oldInner = o[key]?.objectValue else { continue }
            for m in oldInner where !(pageOwned[key]?.contains(m.key) ?? false) {
                inner = inner.applying([m.key: m.value])
            }
            n = n.applying([key: .object(inner)])
        }
        if let rows = n["errors"]?.arrayValue, let oldRows = o["errors"]?.arrayValue {
            let merged = rows.map { row -> JSON in
                guard var r = row.objectValue, let id = r["id"]?.stringValue,
                    let prev = oldRows.first(where: { $0["id"]?.stringValue == id })?.objectValue
                else { return row }
                for m in prev where r[m.key] == nil { r.append(key: m.key, value: m.value) }
                return .object(r)
            }
            n = n.applying(["errors": .array(merged)])
        }
        return .object(n)
    }
}
