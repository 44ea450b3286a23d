import ConformanceKit
/// A defect of the vendor's documentation itself: which page, which field,
/// what kind of defect and why.
public struct DocFinding: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The example cannot be read as written, even leniently (e.g. a missing comma).
        case malformedExample
        /// An example value violates the table's schema (a bad date, an id that is not 24 hex characters,
        /// a value not in the enum...).
        case invalidExample
        /// The example has a key the table does not have.
        case undocumentedExampleKey
        /// A table row whose place in the nesting is ambiguous (listed without its parent's prefix).
        case ambiguousNesting
        /// A misspelling in a table: a row name that does not match its members, a misspelt type.
        case tableTypo
        /// A table row without a type.
        case missingType
        /// A table row without a description.
        case missingDescription
        /// Two statements of the page that cannot both be true.
        case contradiction

        /// How the kind reads in a rendered line.
        public var label: String {
            switch self {
            case .malformedExample: return "malformed example"
            case .invalidExample: return "invalid example value"
            case .undocumentedExampleKey: return "example key not in the table"
            case .ambiguousNesting: return "ambiguous nesting"
            case .tableTypo: return "table typo"
            case .missingType: return "missing type"
            case .missingDescription: return "missing description"
            case .contradiction: return "contradiction"
            }
        }
    }

    /// The page's file name, e.g. `widget-get.txt`.
    public var page: String
    /// The field as a dotted path (`order.date`, `widgets[0].deleted`); empty for the whole example.
    public var field: String
    public var kind: Kind
    public var message: String
    /// Where on the page (1-based): the table row, or the example key the finding is about.
    public var line: Int
    public var column: Int

    public init(page: String, field: String, kind: Kind, message: String, line: Int = 0, column: Int = 0) {
        self.page = page
        self.field = field
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    /// `widget-get.txt: order.date: invalid example value: '2020-20-20T00:00:00Z' is not a valid
    /// date-time: month 20 is out of range`
    public var description: String {
        page + ": " + (field.isEmpty ? "" : field + ": ") + kind.label + ": " + message
    }
}

extension DocLint {
    /// One line per finding, then a count line per page (in the order the
    /// pages first appear) and a total line.
    public static func render(_ findings: [DocFinding]) -> [String] {
        var lines = findings.map(\.description)
        var pages: [String] = []
        var byPage: [String: [DocFinding]] = [:]
        for f in findings {
            if byPage[f.page] == nil { pages.append(f.page) }
            byPage[f.page, default: []].append(f)
        }
        for page in pages {
            let fs = byPage[page] ?? []
            let parts = DocFinding.Kind.allCases.compactMap { kind -> String? in
                let n = fs.filter { $0.kind == kind }.count
                return n == 0 ? nil : "\(n) \(kind.label)"
            }
            lines.append("\(page): \(count(fs.count, "finding")) (\(parts.joined(separator: ", ")))")
        }
        lines.append("total: \(count(findings.count, "finding")) on \(count(pages.count, "page"))")
        return lines
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

extension DocLint {
    /// Collects a page's findings with their positions; hands them back in document order.
    struct FindingCollector {
        let page: PageText
        private var items: [DocFinding] = []

        init(page: PageText) { self.page = page }

        var findings: [DocFinding] { items }

        mutating func add(_ kind: DocFinding.Kind, field: String, _ message: String, offset: Int) {
            let (line, column) = page.position(offset)
            add(kind, field: field, message, line: line, column: column)
        }

        mutating func add(_ kind: DocFinding.Kind, field: String, _ message: String, line: Int, column: Int = 1) {
            items.append(
                DocFinding(page: page.name, field: field, kind: kind, message: message, line: line, column: column))
        }

        /// Document order (line, column, then the order found), without duplicates.
        func sorted() -> [DocFinding] {
            var seen = Set<DocFinding>()
            return items.enumerated()
                .sorted { a, b in
                    (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
                }
                .map(\.element)
                .filter { seen.insert($0).inserted }
        }
    }
}
