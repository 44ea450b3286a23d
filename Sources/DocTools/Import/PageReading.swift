import ConformanceKit
import JSONKit

/// What a vendor page states, read from its text: the request lines (URL,
/// method, access line, path and query parameters), the field tables of the
/// request body and the response, and the error table. The field tables come
/// from the doc-lint parser (`DocLint.TableParser`); this adds the lines that
/// parser leaves out.
public struct DocPage: Sendable {
    public struct Line: Sendable, Hashable {
        /// 1-based line on the page.
        public var number: Int
        /// The page line, trimmed.
        public var text: String
    }

    public struct Parameter: Sendable, Hashable {
        public var name: String
        /// "path" or "query".
        public var location: String
        public var required: Bool
        /// The doc text, verbatim, without a leading `[optional]`.
        public var description: String
        /// The type column, when the page gives one.
        public var type: String?
        public var line: Line
    }

    public struct ErrorRow: Sendable, Hashable {
        public var status: Int
        public var message: String
        public var description: String
        public var line: Line
    }

    /// The page's file name, e.g. `order-get.txt`.
    public var name: String
    public var title: String
    public var method: String?
    public var methodLine: Line?
    /// The path template, `{NAME}` for each path parameter.
    public var path: String?
    public var pathLine: Line?
    /// The access line as written (continuation lines joined with a line break).
    public var access: String?
    public var accessLine: Line?
    public var parameters: [Parameter] = []
    /// Field rows (and heading rows) of the request body table.
    var requestRows: [DocLint.DocTableRow] = []
    /// Field tables of the response, in page order (the first is the response itself).
    var responseTables: [[DocLint.DocTableRow]] = []
    public var errors: [ErrorRow] = []
    /// Example objects of the page (evidence of nesting where a table is ambiguous).
    var examples: [JSON] = []
    var lines: [String]

    /// The page name without `.txt`.
    public var id: String { name.hasSuffix(".txt") ? String(name.dropLast(4)) : name }

    func quote(_ number: Int) -> Line { Line(number: number, text: lines[number - 1].dlTrimmed) }
}

extension DocPage {
    /// Reads a page. Never fails: what the page does not state stays nil or empty
    /// (the importer reports what is missing).
    public init(name: String, text: String) {
        let page = DocLint.PageText(name: name, text: text)
        self.name = name
        lines = page.lines
        title = ""
        read(page)
    }

    private static let requestKeys = ["url", "method", "access level", "param", "params", "query", "body"]

    /// The first cells of a request line: `| Access level | … |` or `Access level …`.
    static func requestKey(_ line: String) -> (key: String, rest: [String])? {
        if line.hasPrefix("|") {
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).dlTrimmed }
            cells.removeFirst()
            if cells.last == "" { cells.removeLast() }
            guard let first = cells.first, requestKeys.contains(first.lowercased()) else { return nil }
            return (first.lowercased(), Array(cells.dropFirst()).filter { !$0.isEmpty })
        }
        let lower = line.lowercased()
        for k in requestKeys.sorted(by: { $0.count > $1.count }) where lower.hasPrefix(k + " ") || lower == k {
            let rest = String(line.dropFirst(k.count)).dlTrimmed
            return (k, rest.isEmpty ? [] : [rest])
        }
        return nil
    }

    private mutating func read(_ page: DocLint.PageText) {
        // Title: "API : Orders : List" → "Orders List".
        if let t = lines.first(where: { $0.dlTrimmed.hasPrefix("API :") || $0.dlTrimmed.hasPrefix("API:") }) {
            let body = t.dlTrimmed.drop { $0 != ":" }.dropFirst()
            title = body.split(separator: ":").map { String($0).dlTrimmed }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        var section = ""
        var lastKey: String?
        var pendingURL: (String, Line)?
        for (index, raw) in lines.enumerated() {
            let line = raw.dlTrimmed
            let number = index + 1
            let lower = line.lowercased()
            if ["request", "response", "errors"].contains(lower) {
                section = lower
                lastKey = nil
                continue
            }
            if section == "request", !lower.hasPrefix("query example") {
                if let (key, rest) = DocPage.requestKey(line) {
                    lastKey = key
                    switch key {
                    case "url": if let u = rest.first { pendingURL = (u, quote(number)) }
                    case "method":
                        method = rest.first?.split(separator: " ").first.map { String($0).uppercased() }
                        methodLine = quote(number)
                    case "access level":
                        access = rest.joined(separator: " ")
                        accessLine = quote(number)
                    case "param", "params": addParameter(rest, location: "path", line: number)
                    case "query": addParameter(rest, location: "query", line: number)
                    default: break
                    }
                    continue
                }
                // Continuation lines of the access line ("B_LEVEL." under "Access level A_LEVEL").
                if lastKey == "access level", !line.hasPrefix("|"), !line.isEmpty, access != nil {
                    access! += "\n" + line
                    continue
                }
                // Further query parameters, one a line, right under "Query …".
                if lastKey == "query", !line.hasPrefix("|"), !line.isEmpty,
                    let first = line.split(separator: " ").first, DocLint.TableParser.isFieldName(String(first))
                {
                    addParameter([line], location: "query", line: number)
                    continue
                }
                if line.isEmpty || !line.hasPrefix("|") { lastKey = lastKey == "access level" && line.isEmpty ? lastKey : nil }
            }
            if section == "errors", let row = DocPage.errorRow(line) {
                errors.append(ErrorRow(status: row.0, message: row.1, description: row.2, line: quote(number)))
            }
        }
        if let (url, line) = pendingURL { (path, pathLine) = (DocPage.pathTemplate(url, parameters: parameters), line) }
        // Field tables.
        let rows = DocLint.TableParser.parse(page)
        requestRows = rows.filter { $0.section == "request" }
        var byTable: [Int: [DocLint.DocTableRow]] = [:]
        var order: [Int] = []
        for r in rows where r.section == "response" {
            if byTable[r.table] == nil { order.append(r.table) }
            byTable[r.table, default: []].append(r)
        }
        responseTables = order.compactMap { byTable[$0] }.filter { $0.contains { !$0.isHeading } }
        // Examples, read leniently, as doc lint reads them.
        for ex in DocLint.ExampleFinder.find(in: page) {
            let prepared = DocLint.prepareExample(ex.source)
            if let json = try? JSONParser.parse(prepared.text, dialect: .json5) { examples.append(json) }
        }
    }

    /// `| Param | NAME | [Type |] text |`, `Query name [optional] text`.
    private mutating func addParameter(_ rest: [String], location: String, line number: Int) {
        var cells = rest
        if cells.count == 1 {
            // Whitespace-separated: the name is the first word.
            let words = cells[0].split(separator: " ", maxSplits: 1).map(String.init)
            cells = words
        }
        guard let name = cells.first, DocLint.TableParser.isFieldName(name) else { return }
        var type: String?
        var textCells = Array(cells.dropFirst())
        if textCells.count >= 2, DocLint.DocTypes.known.contains(textCells[0]) { type = textCells.removeFirst() }
        var text = textCells.joined(separator: " ").dlTrimmed
        var required = location == "path"
        if text.lowercased().hasPrefix("[optional]") {
            text = String(text.dropFirst("[optional]".count)).dlTrimmed
            required = false
        } else if location == "query" {
            required = text.lowercased().contains("[required]")
        }
        parameters.append(
            Parameter(name: name, location: location, required: required, description: text, type: type, line: quote(number)))
    }

    /// `404 | order | text` or `403 denied text`.
    static func errorRow(_ line: String) -> (Int, String, String)? {
        var cells: [String]
        if line.hasPrefix("|") {
            cells = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).dlTrimmed }
            cells.removeFirst()
            if cells.last == "" { cells.removeLast() }
        } else {
            cells = line.split(separator: " ", maxSplits: 2).map(String.init)
        }
        guard cells.count >= 2, cells[0].count == 3, let status = Int(cells[0]), (100...599).contains(status),
            !cells[1].isEmpty
        else { return nil }
        return (status, cells[1], cells.count > 2 ? cells[2...].filter { !$0.isEmpty }.joined(separator: " ") : "")
    }

    /// `https://host/orders/ORDER_ID` → `/orders/{ORDER_ID}`: a segment that is a
    /// documented path parameter, or written `{NAME}` or `:name`, is a placeholder.
    static func pathTemplate(_ url: String, parameters: [Parameter]) -> String {
        var s = Substring(url.split(separator: " ").first ?? Substring(url))
        if let scheme = s.range(of: "://") {
            s = s[scheme.upperBound...]
            s = s.firstIndex(of: "/").map { s[$0...] } ?? "/"
        }
        if let q = s.firstIndex(of: "?") { s = s[..<q] }
        let names = Set(parameters.filter { $0.location == "path" }.map(\.name))
        let segments = s.split(separator: "/", omittingEmptySubsequences: false).map { seg -> String in
            let t = String(seg)
            if names.contains(t) { return "{\(t)}" }
            if t.hasPrefix(":"), t.count > 1 { return "{\(t.dropFirst())}" }
            return t
        }
        let out = segments.joined(separator: "/")
        return out.isEmpty ? "/" : out
    }
}
