import ConformanceKit
import JSONKit

extension DocLint {
    /// A documentation page: its text, bytes and where each line starts.
    struct PageText {
        let name: String
        let bytes: [UInt8]
        /// The lines, without line terminators.
        let lines: [String]
        /// UTF-8 offset of each line's first byte.
        let lineStarts: [Int]

        init(name: String, text: String) {
            self.name = name
            bytes = Array(text.utf8)
            var lines: [String] = []
            var starts: [Int] = []
            var s = 0
            for (i, b) in bytes.enumerated() where b == 0x0A {
                starts.append(s)
                var e = i
                if e > s, bytes[e - 1] == 0x0D { e -= 1 }
                lines.append(String(decoding: bytes[s..<e], as: UTF8.self))
                s = i + 1
            }
            if s < bytes.count {
                starts.append(s)
                lines.append(String(decoding: bytes[s...], as: UTF8.self))
            }
            self.lines = lines
            lineStarts = starts
        }

        /// 1-based line and column (in characters) of a UTF-8 offset.
        func position(_ offset: Int) -> (line: Int, column: Int) {
            var lo = 0
            var hi = lineStarts.count - 1
            guard hi >= 0 else { return (1, 1) }
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            var col = 1
            var k = lineStarts[lo]
            while k < min(offset, bytes.count) {
                if bytes[k] & 0xC0 != 0x80 { col += 1 }
                k += 1
            }
            return (lo + 1, col)
        }
    }

    /// One row of a documentation table: a field (name, type, description) or a
    /// heading row inside the table ("Misc", "Purchase Info (ADMIN only)").
    struct DocTableRow {
        /// 1-based line on the page.
        var line: Int
        /// Which table on the page (tables are numbered in page order).
        var table: Int
        /// "request", "response", "errors" or "" (the page section the table is in).
        var section: String
        var isHeading: Bool
        /// The field name as written (`feature.highRate`, `dataSharingSims[].imsi`), or the heading text.
        var name: String
        /// The type column as written; nil when the row has none.
        var type: String?
        var description: String

        /// Path segments without array markers: `dataSharingSims[].imsi` → ["dataSharingSims", "imsi"].
        var segments: [String] { name.split(separator: ".").map { String($0).dlReplacingAll("[]", "") } }
        /// The parent field (`a.b` for `a.b.c`, "" at the top level).
        var parent: String { segments.dropLast().joined(separator: ".") }
        var isTopLevel: Bool { !name.contains(".") }
        /// The field's own name (last segment).
        var leaf: String { segments.last ?? name }
        /// The name as a container prefix (`dataSharingSims[]` → `dataSharingSims`).
        var path: String { segments.joined(separator: ".") }
        var isObjectish: Bool { !isHeading && DocTypes.isObjectish(type) }
    }

    /// The documentation's type vocabulary.
    enum DocTypes {
        static let known = [
            "Id", "ObjectID", "ObjectId", "String", "Number", "Integer", "Boolean", "Object", "Array", "Date",
        ]

        /// The closest known type and its edit distance.
        static func nearest(_ t: String) -> (type: String, distance: Int) {
            var best = (known[0], Int.max)
            for k in known {
                let d = DocLint.editDistance(t, k)
                if d < best.1 { best = (k, d) }
            }
            return best
        }

        /// The type (possibly misspelt by a letter or two) is Object or Array.
        static func isObjectish(_ t: String?) -> Bool {
            guard let t, !t.isEmpty else { return false }
            let (k, d) = nearest(t)
            return (k == "Object" || k == "Array") && d <= 2
        }

        /// Whether a word in a whitespace-separated table is the type column.
        static func looksLikeType(_ t: String) -> Bool {
            let (_, d) = nearest(t)
            return d == 0 || (d == 1 && t.count >= 4 && t.first?.isUppercase == true)
        }
    }

    enum TableParser {
        /// The rows of every table on the page: `| a | b | c |` tables, and
        /// whitespace-separated tables introduced by a "JSON object" heading.
        static func parse(_ page: PageText) -> [DocTableRow] {
            var rows: [DocTableRow] = []
            var section = ""
            var table = -1
            var inPipeTable = false
            var inTextTable = false
            for (index, raw) in page.lines.enumerated() {
                let line = raw.dlTrimmed
                let lineNo = index + 1
                let lower = line.lowercased()
                if ["request", "response", "errors"].contains(lower) { section = lower }

                if line.hasPrefix("|") {
                    if !inPipeTable { table += 1 }
                    inPipeTable = true
                    inTextTable = false
                    if let row = pipeRow(line, line: lineNo, table: table, section: section) { rows.append(row) }
                    continue
                }
                inPipeTable = false

                if line.isEmpty {
                    inTextTable = false
                    continue
                }
                let fw = firstWord(line)
                if lower.contains("json") && lower.contains("object")
                    && !(isFieldName(fw) && fw.first?.isLowercase == true)
                {
                    table += 1
                    inTextTable = true
                    rows.append(
                        DocTableRow(
                            line: lineNo, table: table, section: section, isHeading: true, name: line, type: nil,
                            description: ""))
                    continue
                }
                guard inTextTable else { continue }
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let first = words[0]
                if isFieldName(first), let c = first.first, c.isLowercase || c == "_" {
                    var type: String?
                    var descFrom = 1
                    if words.count >= 2, DocTypes.looksLikeType(words[1]),
                        words.count == 2 || startsDescription(words[2])
                    {
                        type = words[1]
                        descFrom = 2
                    }
                    rows.append(
                        DocTableRow(
                            line: lineNo, table: table, section: section, isHeading: false, name: first, type: type,
                            description: words[descFrom...].joined(separator: " ")))
                } else if var last = rows.last, last.table == table, !last.isHeading {
                    // A continuation of the previous row's description.
                    last.description += (last.description.isEmpty ? "" : " ") + line
                    rows[rows.count - 1] = last
                }
            }
            return rows
        }

        static func pipeRow(_ line: String, line lineNo: Int, table: Int, section: String) -> DocTableRow? {
            var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).dlTrimmed }
            if cells.first == "" { cells.removeFirst() }
            if cells.last == "" { cells.removeLast() }
            let nonEmpty = cells.filter { !$0.isEmpty }
            if nonEmpty.isEmpty { return nil }
            if nonEmpty.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" } }) { return nil }

            // A field row: name, type, description — possibly after a label cell ("| Body | customer | Id | ... |").
            for i in 0..<min(2, max(0, cells.count - 1)) {
                let name = cells[i]
                let type = cells[i + 1]
                guard isFieldName(name), isTypeToken(type) else { continue }
                let lowerName = name.first.map { $0.isLowercase || $0 == "_" } ?? false
                guard DocTypes.nearest(type).distance <= 2 || lowerName else { continue }
                let desc = cells[(i + 2)...].filter { !$0.isEmpty }.joined(separator: " ")
                return DocTableRow(
                    line: lineNo, table: table, section: section, isHeading: false, name: name, type: type,
                    description: desc)
            }
            // A field row with an empty type column.
            if cells.count >= 3, isFieldName(cells[0]), cells[0].first?.isLowercase == true, cells[1].isEmpty {
                let desc = cells[2...].filter { !$0.isEmpty }.joined(separator: " ")
                if !desc.isEmpty {
                    return DocTableRow(
                        line: lineNo, table: table, section: section, isHeading: false, name: cells[0], type: nil,
                        description: desc)
                }
            }
            if nonEmpty.count == 1 {
                return DocTableRow(
                    line: lineNo, table: table, section: section, isHeading: true, name: nonEmpty[0], type: nil,
                    description: "")
            }
            return nil
        }

        static func firstWord(_ s: String) -> String {
            String(s.prefix { $0 != " " && $0 != "\t" })
        }

        /// A description starts like a sentence: a capital, a digit or a bracket (`[optional]`).
        static func startsDescription(_ w: String) -> Bool {
            guard let c = w.first else { return false }
            return c.isUppercase || c.isNumber || c == "[" || c == "(" || c == "'"
        }

        /// `a`, `a.b`, `a[].b`, `_id`: identifiers joined by dots, each optionally followed by `[]`.
        static func isFieldName(_ s: String) -> Bool {
            guard !s.isEmpty else { return false }
            for seg in s.split(separator: ".", omittingEmptySubsequences: false) {
                var id = Substring(seg)
                if id.hasSuffix("[]") { id = id.dropLast(2) }
                guard let f = id.first, f.isASCII, f.isLetter || f == "_" || f == "$" else { return false }
                guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }) else {
                    return false
                }
            }
            return true
        }

        /// A capitalised single word that is not all capitals ("Id", "Boolean", "Objec"; not "GET").
        static func isTypeToken(_ s: String) -> Bool {
            guard let f = s.first, f.isUppercase, s.count >= 2, s.count <= 16 else { return false }
            return s.allSatisfy { $0.isASCII && $0.isLetter } && s.contains { $0.isLowercase }
        }
    }
}

// MARK: - small string helpers (file-independent names to stay clear of other extensions)

extension String {
    var dlTrimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }

    func dlReplacingAll(_ target: String, _ replacement: String) -> String { replacingOccurrences(target, replacement) }
}

extension DocLint {
    /// Edit distance, case-sensitive: the package's one (`editDistance` in
    /// the engine's Model, which also counts a swap of neighbours as one edit).
    static func editDistance(_ a: String, _ b: String) -> Int {
        ConformanceKit.editDistance(Array(a), Array(b))
    }
}
