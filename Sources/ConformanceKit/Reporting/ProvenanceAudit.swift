import JSONKit

/// Where every expectation of the suite comes from (`conformance readings
/// --audit`): a page line that states it, or a reading the suite takes where
/// the page is silent. Hand-written and generated cases alike; the reading
/// alternatives' own assertions too.
public enum ProvenanceAudit {
    public struct Entry: Sendable, Hashable {
        public var caseID: String
        /// What is expected, e.g. `status 404 customer`, `assert /number equals`, `invariant page`.
        public var what: String
        /// `PAGE:LINE`, `PAGE` (a whole table, for a schema), `reading:ID`, or nil: no source.
        public var source: String?

        /// Whether the source is a reading rather than a page.
        package var isRead: Bool { source?.hasPrefix(readingSourcePrefix) == true }
    }

    /// Every expectation of every case, in case order. `pages` maps a doc page's
    /// file name to its lines, to find the line of a documented row; without
    /// a page, a row's source is `PAGE (row ID)`.
    public static func entries(_ suite: Suite, pages: [String: [String]] = [:]) -> [Entry] {
        var out: [Entry] = []
        for c in suite.cases {
            for (k, step) in c.steps.enumerated() {
                guard let endpoint = suite.endpoint(step.endpoint) else { continue }
                let label = c.steps.count > 1 ? "\(c.id) step \(k + 1)" : c.id
                func add(_ what: String, _ source: String?) { out.append(Entry(caseID: label, what: what, source: source)) }
                let e = step.expect
                let cited = Set(step.citations.map(\.reading))
                // The status and message.
                let answer = e.errorMessage.map { "status \(e.status) \($0)" } ?? "status \(e.status)"
                if !e.oneOf.isEmpty, let r = cited.first(where: { $0 == "generated-negative-answer" }) ?? cited.sorted().first {
                    add("status one of \(e.oneOfSummary())", readingSourcePrefix + r)
                } else if step.covers == "success" {
                    let reading = endpoint.responseReadings.first?.reading
                    add(answer, reading.map { readingSourcePrefix + $0 } ?? line(of: "Response", on: endpoint.doc, pages))
                } else if step.covers == "unauthenticated" {
                    add(answer, endpoint.unauthenticatedReadings.first.map { readingSourcePrefix + $0.reading })
                } else if let row = endpoint.errors.first(where: { $0.id == step.covers }) {
                    add(answer, rowSource(row, on: endpoint.doc, pages))
                } else {
                    add(answer, nil)
                }
                if let ref = e.schema {
                    let doc = suite.schemas[ref]?["x-doc"]?.stringValue
                    add("schema \(ref)", doc)
                }
                for a in e.assertions { add("assert \(a.pointer) \(kind(a.kind))", a.source) }
                for (n, inv) in e.invariants.enumerated() {
                    add("invariant \(name(inv))", n < e.invariantSources.count ? e.invariantSources[n] : nil)
                }
                // What the readings' alternatives assert instead.
                var seen = Set<Assertion>(e.assertions)
                for alt in step.alternatives {
                    for a in alt.expect.assertions where seen.insert(a).inserted {
                        add("assert \(a.pointer) \(kind(a.kind)) (under \(alt.choices.map(\.description).joined(separator: ", ")))", a.source)
                    }
                }
            }
        }
        return out
    }

    /// The audit for people: expectations grouped by source, stated first,
    /// then read, then those without a source, with counts.
    public static func text(_ suite: Suite, pages: [String: [String]] = [:]) -> [String] {
        let all = entries(suite, pages: pages)
        let stated = all.filter { $0.source != nil && !$0.isRead }
        let read = all.filter(\.isRead)
        let none = all.filter { $0.source == nil }
        var out = ["\(all.count) expectations in \(suite.cases.count) cases: \(stated.count) stated by a page, \(read.count) read (a reading), \(none.count) without a source"]
        func group(_ title: String, _ list: [Entry]) {
            let sources = Dictionary(grouping: list, by: { $0.source ?? "(none)" })
            out.append("")
            out.append("\(title): \(list.count) expectations, \(sources.count) sources")
            for s in sources.keys.sorted(by: { sortKey($0) < sortKey($1) }) {
                let items = sources[s] ?? []
                out.append("  \(s) (\(items.count))")
                for i in items { out.append("    \(i.caseID): \(i.what)") }
            }
        }
        group("stated", stated)
        group("read", read)
        group("without a source", none)
        // What a schema constrains, member by member: each with its page line.
        let members = schemaMembers(suite)
        let unlined = members.filter { $0.source == nil }
        out.append("")
        out.append(
            "schema members: \(members.count) in \(Set(members.map(\.schema)).count) schemas, \(members.count - unlined.count) with their page line (x-doc-line), \(unlined.count) without")
        for m in unlined { out.append("  \(m.schema) \(m.member): no x-doc-line") }
        return out
    }

    /// Every member (`a.b`, list items as `a[].b`) of every schema that names
    /// its page (`x-doc`), with `PAGE:LINE` from its `x-doc-line`, or nil.
    package static func schemaMembers(_ suite: Suite) -> [(schema: String, member: String, source: String?)] {
        var out: [(schema: String, member: String, source: String?)] = []
        for ref in suite.schemas.keys.sorted() {
            guard let root = suite.schemas[ref], let page = root["x-doc"]?.stringValue else { continue }
            func walk(_ node: JSON, _ path: String) {
                guard case .object(let props)? = node["properties"] else { return }
                for m in props {
                    let name = path.isEmpty ? m.key : path + "." + m.key
                    let line = m.value["x-doc-line"]?.intValue
                    out.append((ref, name, line.map { "\(page):\($0)" }))
                    walk(m.value, name)
                    if let items = m.value["items"] { walk(items, name + "[]") }
                }
            }
            walk(root, "")
        }
        return out
    }

    /// `page.txt:9` before `page.txt:10`.
    static func sortKey(_ s: String) -> String {
        guard let colon = s.lastIndex(of: ":"), let n = Int(s[s.index(after: colon)...]) else { return s }
        let digits = String(n)
        return String(s[..<colon]) + ":" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static func kind(_ k: Assertion.Kind) -> String {
        switch k {
        case .equals: return "equals"
        case .exists: return "exists"
        case .absent: return "absent"
        case .type(let t): return "type \(t)"
        }
    }

    static func name(_ inv: Invariant) -> String {
        switch inv {
        case .page: return "page"
        case .walk(let limit, _): return "walk (limit \(limit))"
        case .eachEquals(let p, _): return "eachEquals \(p)"
        case .noneEquals(let p, _): return "noneEquals \(p)"
        case .eachContains: return "eachContains"
        case .someEquals(let p, _): return "someEquals \(p)"
        case .eachDaysAfter(_, _, let days, let zone): return "eachDaysAfter (\(days) \(zone.map { "calendar days in \($0)" } ?? "days"))"
        }
    }

    /// The line of the page's error table that documents `row`.
    static func rowSource(_ row: DocumentedError, on page: String, _ pages: [String: [String]]) -> String {
        guard let lines = pages[page] else { return "\(page) (row \(row.id))" }
        let cells = "| \(row.status) | \(row.message) |"
        let start = String(row.description.prefix(24))
        let k = lines.firstIndex { $0.contains(cells) && $0.contains(start) } ?? lines.firstIndex { $0.contains(cells) }
        return k.map { "\(page):\($0 + 1)" } ?? "\(page) (row \(row.id))"
    }

    /// The first line of the page that starts with `prefix`, else the page.
    static func line(of prefix: String, on page: String, _ pages: [String: [String]]) -> String {
        guard let k = pages[page]?.firstIndex(where: { $0.hasPrefix(prefix) }) else { return page }
        return "\(page):\(k + 1)"
    }
}
