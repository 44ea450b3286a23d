import ConformanceKit
import JSONKit

extension DocLint {
    /// Structural checks of the documentation tables. The rules follow from the
    /// tables' own structure (dotted member rows under an Object row); the
    /// schemas and examples are only consulted as evidence of where a row that
    /// lacks a prefix was meant to go.
    struct TableRules {
        /// When a page has several field tables: "in the request table, " by table number.
        let context: [Int: String]

        /// `evidence(container, member)`: some schema or example of the page has
        /// an object property named `container` with a member `member`.
        static func check(
            _ rows: [DocTableRow], evidence: (String, String) -> Bool, into c: inout FindingCollector
        ) {
            var tables: [Int: [DocTableRow]] = [:]
            for r in rows { tables[r.table, default: []].append(r) }
            let rules = TableRules(context: labels(tables))
            rules.run(rows, tables: tables, evidence: evidence, into: &c)
        }

        /// Names the field tables when there are several: by section, and by the
        /// table's heading row when two share a section.
        static func labels(_ tables: [Int: [DocTableRow]]) -> [Int: String] {
            let fieldTables = tables.keys.sorted().filter { tables[$0]?.contains { !$0.isHeading } ?? false }
            guard fieldTables.count > 1 else { return [:] }
            let sections = fieldTables.map { tables[$0]?.first?.section ?? "" }
            var out: [Int: String] = [:]
            for (i, t) in fieldTables.enumerated() {
                let rows = tables[t] ?? []
                var name = sections[i].isEmpty ? "the table" : "the \(sections[i]) table"
                if sections.filter({ $0 == sections[i] }).count > 1 {
                    if let h = rows.first, h.isHeading { name += " '\(h.name)'" } else { name = "table \(i + 1)" }
                }
                out[t] = "in \(name), "
            }
            return out
        }

        func at(_ r: DocTableRow) -> String { context[r.table] ?? "" }

        func run(
            _ rows: [DocTableRow], tables: [Int: [DocTableRow]], evidence: (String, String) -> Bool,
            into c: inout FindingCollector
        ) {
            typeSpelling(rows, into: &c)
            for key in tables.keys.sorted() {
                let t = tables[key] ?? []
                parentRows(t, into: &c)
                sandwiched(t, into: &c)
                afterMemberlessObject(t, evidence: evidence, into: &c)
                underHeading(t, evidence: evidence, into: &c)
            }
            for r in rows where !r.isHeading {
                booleanWithValues(r, into: &c)
                if r.type == nil {
                    var message = at(r) + "row '\(r.name)' has no type"
                    if let first = r.description.split(separator: " ").first.map(String.init),
                        DocTypes.known.contains(first)
                    {
                        message += " (the description begins '\(first) …')"
                    }
                    c.add(.missingType, field: r.name, message, line: r.line)
                } else if r.description.isEmpty {
                    c.add(
                        .missingDescription, field: r.name, at(r) + "row '\(r.name)' has no description", line: r.line)
                }
            }
        }

        /// Types that are not in the vocabulary (`Objec`), and a type spelt two ways on one page
        /// (`ObjectId`/`ObjectID`).
        func typeSpelling(_ rows: [DocTableRow], into c: inout FindingCollector) {
            let typed = rows.filter { !$0.isHeading && $0.type != nil }
            var spellings: [String: [String: Int]] = [:]
            var firstSeen: [String: [String]] = [:]
            for r in typed {
                let t = r.type!
                if !DocTypes.known.contains(t) {
                    let (k, d) = DocTypes.nearest(t)
                    let message =
                        d <= 2
                        ? at(r) + "type '\(t)' of row '\(r.name)' is not a documented type (did you mean '\(k)'?)"
                        : at(r) + "unknown type '\(t)' in row '\(r.name)'"
                    c.add(.tableTypo, field: r.name, message, line: r.line)
                    continue
                }
                let lower = t.lowercased()
                if spellings[lower]?[t] == nil { firstSeen[lower, default: []].append(t) }
                spellings[lower, default: [:]][t, default: 0] += 1
            }
            for r in typed {
                let t = r.type!
                guard let counts = spellings[t.lowercased()], counts.count > 1 else { continue }
                let order = firstSeen[t.lowercased()] ?? []
                let major = order.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) } ?? t
                if t != major {
                    let others = DocLint.count(counts[major] ?? 0, "other row")
                    let message = "type '\(t)' of row '\(r.name)' is written '\(major)' in \(others) of this page"
                    c.add(.tableTypo, field: r.name, at(r) + message, line: r.line)
                }
            }
        }

        /// Member rows (`alerts.notify`) whose parent row is missing or spelt differently (`Alerts`).
        func parentRows(_ t: [DocTableRow], into c: inout FindingCollector) {
            let fields = t.filter { !$0.isHeading }
            let names = Set(fields.map(\.path))
            var order: [String] = []
            var members: [String: [DocTableRow]] = [:]
            for r in fields where !r.isTopLevel {
                if members[r.parent] == nil { order.append(r.parent) }
                members[r.parent, default: []].append(r)
            }
            for parent in order where !names.contains(parent) {
                let ms = members[parent] ?? []
                let shown = ms.prefix(2).map { "'\($0.name)'" }.joined(separator: ", ") + (ms.count > 2 ? ", …" : "")
                let depth = parent.split(separator: ".").count
                if let r = fields.first(where: {
                    $0.path != parent && $0.segments.count == depth
                        && ($0.path.lowercased() == parent.lowercased() || DocLint.editDistance($0.path, parent) == 1)
                }) {
                    c.add(
                        .tableTypo, field: r.name,
                        at(r) + "row '\(r.name)' does not match its member rows \(shown) (did you mean '\(parent)'?)",
                        line: r.line)
                } else if let first = ms.first {
                    c.add(
                        .ambiguousNesting, field: parent, at(first) + "rows \(shown) have no parent row '\(parent)'",
                        line: first.line)
                }
            }
        }

        /// A row without a prefix between two rows of the same object (`invoicedUntil` among `smartWatch.*`).
        func sandwiched(_ t: [DocTableRow], into c: inout FindingCollector) {
            for k in t.indices where k > 0 && k + 1 < t.count {
                let r = t[k]
                let p = t[k - 1]
                let n = t[k + 1]
                guard !r.isHeading, r.isTopLevel, !r.isObjectish, !p.isHeading, !n.isHeading, !n.isTopLevel else {
                    continue
                }
                let before = p.isObjectish ? p.segments : Array(p.segments.dropLast())
                let after = Array(n.segments.dropLast())
                var common: [String] = []
                for (a, b) in zip(before, after) {
                    guard a == b else { break }
                    common.append(a)
                }
                guard !common.isEmpty else { continue }
                let container = common.joined(separator: ".")
                var message =
                    at(r) + "row '\(r.name)' is listed without a prefix between '\(p.name)' and '\(n.name)': "
                    + TableRules.question(container, r)
                if let other = t.first(where: { $0.line != r.line && !$0.isHeading && $0.name == r.name }) {
                    message += " (a top-level row '\(r.name)' is also listed, line \(other.line))"
                }
                c.add(.ambiguousNesting, field: container + "." + r.name, message, line: r.line)
            }
        }

        /// Rows without a prefix right after an Object row that has no member rows
        /// (`topUp` then `data`), when a schema or example nests them there.
        func afterMemberlessObject(
            _ t: [DocTableRow], evidence: (String, String) -> Bool, into c: inout FindingCollector
        ) {
            for (k, p) in t.enumerated() where p.isObjectish {
                let own = p.path.lowercased()
                guard !t.contains(where: { !$0.isHeading && $0.parent.lowercased() == own }) else { continue }
                var j = k + 1
                while j < t.count, !t[j].isHeading, t[j].isTopLevel, !t[j].isObjectish, evidence(p.leaf, t[j].name) {
                    let r = t[j]
                    let message =
                        "row '\(r.name)' is listed without a prefix right after the \(p.type ?? "Object") row "
                        + "'\(p.name)', which has no '\(p.path).' rows: " + TableRules.question(p.path, r)
                    c.add(.ambiguousNesting, field: p.path + "." + r.name, at(r) + message, line: r.line)
                    j += 1
                }
            }
        }

        /// Rows without a prefix under a heading row that names an object
        /// (`Purchase Info (ADMIN only)` then `orderId`), when a schema or example nests them there.
        func underHeading(_ t: [DocTableRow], evidence: (String, String) -> Bool, into c: inout FindingCollector) {
            for (k, h) in t.enumerated() where h.isHeading && k > 0 {
                let container = TableRules.camelCase(h.name)
                guard !container.isEmpty else { continue }
                var j = k + 1
                while j < t.count, !t[j].isHeading, t[j].isTopLevel, !t[j].isObjectish, evidence(container, t[j].name) {
                    let r = t[j]
                    let message =
                        "row '\(r.name)' is listed under the heading '\(h.name)' without a '\(container).' prefix: "
                        + TableRules.question(container, r)
                    c.add(.ambiguousNesting, field: container + "." + r.name, at(r) + message, line: r.line)
                    j += 1
                }
            }
        }

        /// A Boolean row whose description says to set it to enumerated values ("either RED or BLUE").
        func booleanWithValues(_ r: DocTableRow, into c: inout FindingCollector) {
            guard let type = r.type, DocTypes.nearest(type).type == "Boolean", DocTypes.nearest(type).distance <= 1
            else { return }
            let words = r.description.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(
                String.init)
            func isValue(_ w: String) -> Bool {
                w.count >= 2 && w.allSatisfy { ($0.isUppercase && $0.isLetter) || $0.isNumber || $0 == "_" }
                    && w.filter(\.isLetter).count >= 2
            }
            guard
                let j = words.indices.first(where: { i in
                    i > 0 && i + 1 < words.count && words[i] == "or" && isValue(words[i - 1]) && isValue(words[i + 1])
                })
            else { return }
            var values = [words[j + 1]]
            var i = j - 1
            while i >= 0, isValue(words[i]) {
                values.insert(words[i], at: 0)
                i -= 1
            }
            let list = values.dropLast().joined(separator: ", ") + " or " + values[values.count - 1]
            c.add(
                .contradiction, field: r.name,
                at(r) + "row '\(r.name)' is typed \(type), but its description says to set it to \(list)", line: r.line)
        }

        static func question(_ container: String, _ r: DocTableRow) -> String {
            "is it \(container).\(r.name) or a top-level field?"
        }

        /// "Order Info (X only)" → "orderInfo".
        static func camelCase(_ heading: String) -> String {
            var text = ""
            var depth = 0
            for ch in heading {
                if ch == "(" {
                    depth += 1
                } else if ch == ")" {
                    depth = max(0, depth - 1)
                } else if depth == 0 {
                    text.append(ch)
                }
            }
            let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
            guard let first = words.first else { return "" }
            return first.lowercased()
                + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
        }
    }

    /// Cheap semantic checks of the examples against what the tables say.
    enum SemanticRules {
        /// "This date is N days from when … <other>": field = other + N days.
        struct DayRule {
            var field: String
            var other: String
            var days: Int
        }

        static func dayRules(_ rows: [DocTableRow]) -> [DayRule] {
            var out: [DayRule] = []
            let dates = rows.filter { !$0.isHeading && $0.type.map { DocTypes.nearest($0).type == "Date" } == true }
            for r in dates {
                let words = r.description.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(
                    String.init)
                guard
                    let j = words.indices.first(where: { i in
                        i + 2 < words.count && Int(words[i]) != nil && words[i + 1].hasPrefix("day")
                    })
                else { continue }
                let n = Int(words[j]) ?? 0
                let sign: Int
                switch words[j + 2] {
                case "from", "after": sign = 1
                case "before": sign = -1
                default: continue
                }
                let rest = Set(words[(j + 2)...])
                guard
                    let other = dates.first(where: {
                        $0.table == r.table && $0.leaf != r.leaf && rest.contains($0.leaf.lowercased())
                    })
                else { continue }
                out.append(DayRule(field: r.leaf, other: other.leaf, days: sign * n))
            }
            return out
        }

        static func check(_ rows: [DocTableRow], examples: [ParsedExample], into c: inout FindingCollector) {
            let rules = dayRules(rows)
            guard !rules.isEmpty else { return }
            for ex in examples {
                visitObjects(ex.json, path: []) { obj, path in
                    for rule in rules {
                        guard let a = obj[rule.field]?.stringValue, let b = obj[rule.other]?.stringValue,
                            let sa = DayMath.lenientSeconds(a), let sb = DayMath.lenientSeconds(b)
                        else { continue }
                        let diff = sa - sb
                        guard abs(diff - rule.days * 86400) > 86400 else { continue }
                        let d = Int((Double(diff) / 86400).rounded())
                        let actual = d == 0 ? "on the same day as" : d < 0 ? "\(-d) days before" : "\(d) days after"
                        let documented = rule.days < 0 ? "\(-rule.days) days before" : "\(rule.days) days after"
                        let expected = DayMath.civil(Int((Double(sb) / 86400).rounded(.down)) + rule.days)
                        let at = path + [.key(rule.field)]
                        let message =
                            "'\(a)' is \(actual) \(rule.other) '\(b)', but the table documents it as "
                            + "\(documented) \(rule.other) (expected \(expected))"
                        c.add(.contradiction, field: JSONPathSegment.render(at), message, offset: ex.pageOffset(at))
                    }
                }
            }
        }

        static func visitObjects(_ v: JSON, path: [JSONPathSegment], _ body: (JSONObject, [JSONPathSegment]) -> Void) {
            switch v {
            case .object(let o):
                body(o, path)
                for m in o { visitObjects(m.value, path: path + [.key(m.key)], body) }
            case .array(let a):
                for (i, e) in a.enumerated() { visitObjects(e, path: path + [.index(i)], body) }
            default: break
            }
        }
    }
}
