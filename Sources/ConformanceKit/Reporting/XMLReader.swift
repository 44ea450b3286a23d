/// A small reader of XML 1.0 documents in UTF-8, for what the harness reads
/// back of its own reports (`conformance merge`, the certification bundle's
/// counts): elements, attributes, text, CDATA, comments and processing
/// instructions. No DOCTYPE (so no entity of a DTD can expand), no encoding
/// but UTF-8.
///
/// Why not FoundationXML's `XMLDocument`: it brings libxml2 into the
/// executable, and with FoundationNetworking's libcurl it was about 5.5 ms of
/// every start of the process (issue 24, `run --list` start-up), for a command
/// few runs use.
struct XMLReader {
    struct ParseError: Error, CustomStringConvertible {
        var message: String
        var offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    /// An element: its name, attributes in document order, content, and the
    /// bytes it spans in the input (to copy it as it was written).
    final class Element {
        enum Content {
            case text(String)
            case element(Element)
        }
        let name: String
        let attributes: [(name: String, value: String)]
        fileprivate(set) var content: [Content] = []
        let start: Int
        fileprivate(set) var end: Int = 0

        init(name: String, attributes: [(name: String, value: String)], start: Int) {
            self.name = name
            self.attributes = attributes
            self.start = start
        }

        func attribute(_ name: String) -> String? { attributes.last { $0.name == name }?.value }

        func elements(named name: String) -> [Element] {
            content.compactMap { if case .element(let e) = $0, e.name == name { return e } else { return nil } }
        }

        /// The text of the element and of all its descendants, in order.
        var text: String {
            var out = ""
            var stack: [(Element, Int)] = [(self, 0)]
            while let (e, i) = stack.popLast() {
                guard i < e.content.count else { continue }
                stack.append((e, i + 1))
                switch e.content[i] {
                case .text(let t): out += t
                case .element(let child): stack.append((child, 0))
                }
            }
            return out
        }
    }

    /// Deeper nesting than this is refused rather than read (a report of ours nests four deep).
    static let maxDepth = 256

    /// The root element of `bytes`, or why they are not a document this reader reads.
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> Element {
        var r = XMLReader(b: bytes)
        return try r.document()
    }

    private let b: [UInt8]
    private var i = 0

    private init(b: [UInt8]) { self.b = b }

    private func fail(_ message: String, at offset: Int? = nil) -> ParseError {
        ParseError(message: message, offset: offset ?? i)
    }

    private func starts(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        return s.withUTF8Buffer { p in
            for k in 0..<n where b[i + k] != p[k] { return false }
            return true
        }
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    /// Skips to just after `terminator`, or fails naming `what`.
    private mutating func skip(past terminator: StaticString, what: String) throws(ParseError) -> Range<Int> {
        let from = i
        while i < b.count {
            if starts(terminator) {
                let r = from..<i
                i += terminator.utf8CodeUnitCount
                return r
            }
            i += 1
        }
        throw fail("unterminated \(what)", at: from)
    }

    /// Skips a comment or a processing instruction at `i`; false when neither starts there.
    private mutating func skipCommentOrInstruction() throws(ParseError) -> Bool {
        if starts("<!--") {
            i += 4
            _ = try skip(past: "-->", what: "comment")
        } else if starts("<?") {
            i += 2
            _ = try skip(past: "?>", what: "processing instruction")
        } else {
            return false
        }
        return true
    }

    /// Comments, processing instructions and white space between elements.
    private mutating func misc() throws(ParseError) {
        while true {
            skipSpace()
            if try skipCommentOrInstruction() { continue }
            if starts("<!DOCTYPE") { throw fail("a DOCTYPE is not read (no entity of a DTD is expanded)") }
            return
        }
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        c >= 0x80 || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == 0x5F || c == 0x3A || c == 0x2D || c == 0x2E
    }

    private mutating func name() throws(ParseError) -> String {
        let from = i
        while i < b.count, Self.isNameByte(b[i]) { i += 1 }
        guard i > from, !(b[from] >= 0x30 && b[from] <= 0x39), b[from] != 0x2D, b[from] != 0x2E else {
            throw fail("expected a name", at: from)
        }
        return try string(from..<i)
    }

    private func string(_ r: Range<Int>) throws(ParseError) -> String {
        guard let s = String(validating: b[r], as: UTF8.self) else { throw fail("not UTF-8", at: r.lowerBound) }
        return s
    }

    /// Text with its references replaced (`&amp;`, `&#10;`, …); `<` is not allowed in it.
    private func decoded(_ r: Range<Int>) throws(ParseError) -> String {
        guard b[r].contains(0x26) else {
            if let lt = b[r].firstIndex(of: 0x3C) { throw fail("'<' in a value", at: lt) }
            return try string(r)
        }
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var k = r.lowerBound
        while k < r.upperBound {
            let c = b[k]
            if c == 0x3C { throw fail("'<' in a value", at: k) }
            guard c == 0x26 else {
                out.append(c)
                k += 1
                continue
            }
            guard let semi = b[k..<r.upperBound].firstIndex(of: 0x3B), semi - k <= 12 else {
                throw fail("an '&' that starts no reference", at: k)
            }
            let ref = b[(k + 1)..<semi]
            var scalar: UInt32?
            switch String(decoding: ref, as: UTF8.self) {
            case "lt": scalar = 0x3C
            case "gt": scalar = 0x3E
            case "amp": scalar = 0x26
            case "quot": scalar = 0x22
            case "apos": scalar = 0x27
            case let s where s.hasPrefix("#x"): scalar = UInt32(s.dropFirst(2), radix: 16)
            case let s where s.hasPrefix("#"): scalar = UInt32(s.dropFirst(), radix: 10)
            default: throw fail("an unknown entity '&\(String(decoding: ref, as: UTF8.self));'", at: k)
            }
            guard let v = scalar, let u = Unicode.Scalar(v) else { throw fail("a character reference to no character", at: k) }
            out += Array(String(Character(u)).utf8)
            k = semi + 1
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("not UTF-8", at: r.lowerBound) }
        return s
    }

    private mutating func document() throws(ParseError) -> Element {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        if starts("<?xml") {
            let from = i
            let decl = try skip(past: "?>", what: "XML declaration")
            let text = String(decoding: b[decl], as: UTF8.self).lowercased()
            if let r = text.range(of: "encoding=") {
                let value = text[r.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
                guard value == "utf-8" || value == "utf8" else {
                    throw fail("encoding \(value) is not read (UTF-8 only)", at: from)
                }
            }
        }
        try misc()
        guard i < b.count, b[i] == 0x3C else { throw fail(i < b.count ? "expected an element" : "no root element") }
        let root = try element()
        try misc()
        guard i == b.count else { throw fail("content after the root element") }
        return root
    }

    /// The element at `<`, read with a stack of its open elements (no recursion, so nesting costs no native stack).
    private mutating func element() throws(ParseError) -> Element {
        var open: [Element] = []
        var root: Element?
        while true {
            if open.isEmpty, let root { return root }
            guard i < b.count else { throw fail("unterminated element <\(open.last?.name ?? "")>") }
            if b[i] != 0x3C {
                // Text up to the next markup.
                let from = i
                while i < b.count, b[i] != 0x3C { i += 1 }
                guard let parent = open.last else { throw fail("text outside the root element", at: from) }
                parent.content.append(.text(try decoded(from..<i)))
                continue
            }
            if try skipCommentOrInstruction() { continue }
            if starts("<![CDATA[") {
                i += 9
                let r = try skip(past: "]]>", what: "CDATA section")
                open.last?.content.append(.text(try string(r)))
                continue
            }
            if starts("</") {
                let at = i
                i += 2
                let n = try name()
                skipSpace()
                guard i < b.count, b[i] == 0x3E else { throw fail("expected '>'") }
                i += 1
                guard let e = open.popLast(), e.name == n else {
                    throw fail("</\(n)> closes no open <\(n)>", at: at)
                }
                e.end = i
                continue
            }
            if starts("<!") { throw fail("markup declarations are not read") }
            // A start tag.
            let start = i
            i += 1
            let n = try name()
            var attributes: [(name: String, value: String)] = []
            while true {
                let before = i
                skipSpace()
                guard i < b.count else { throw fail("unterminated start tag <\(n)>", at: start) }
                if b[i] == 0x3E || starts("/>") { break }
                guard i > before else { throw fail("expected white space before an attribute") }
                let a = try name()
                skipSpace()
                guard i < b.count, b[i] == 0x3D else { throw fail("expected '=' after attribute \(a)") }
                i += 1
                skipSpace()
                guard i < b.count, b[i] == 0x22 || b[i] == 0x27 else { throw fail("expected a quoted value for \(a)") }
                let quote = b[i]
                i += 1
                let from = i
                while i < b.count, b[i] != quote { i += 1 }
                guard i < b.count else { throw fail("unterminated value of \(a)", at: from) }
                let value = try decoded(from..<i)
                i += 1
                guard !attributes.contains(where: { $0.name == a }) else { throw fail("attribute \(a) given twice", at: from) }
                attributes.append((a, value))
            }
            let e = Element(name: n, attributes: attributes, start: start)
            if let parent = open.last {
                parent.content.append(.element(e))
            } else if root == nil {
                root = e
            }
            if starts("/>") {
                i += 2
                e.end = i
            } else {
                i += 1
                guard open.count < Self.maxDepth else { throw fail("elements nested deeper than \(Self.maxDepth)", at: start) }
                open.append(e)
            }
        }
    }
}
