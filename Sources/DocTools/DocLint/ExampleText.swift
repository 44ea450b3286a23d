import ConformanceKit
import JSONKit

// The documentation's examples are JavaScript object literals, not JSON:
// single quotes, unquoted keys, `...` elisions (`[ 'SOC1','SOC2',... ]`,
// `[ {...}, ... ]`) and the occasional missing comma. This file finds them on
// a page and turns them into JSON5 that `JSONParser` reads, remembering what
// had to be repaired and where each key was in the original text.

extension DocLint {
    /// An example's text made parseable as JSON5, with what the pre-pass did.
    public struct PreparedExample: Sendable, Hashable {
        /// One thing the pre-pass changed.
        public struct Repair: Sendable, Hashable {
            public enum Kind: String, Sendable, Hashable {
                /// A `...` elision (or a `{...}` element) was removed: intended by the author, not a defect.
                case elision
                /// A comma was inserted between a value and the next key or element: a defect of the example.
                case missingComma
            }
            public var kind: Kind
            /// Where: for a missing comma, the member or element that follows it; for an elision, the container.
            public var path: [JSONPathSegment]
            /// UTF-8 offset in the example's source text.
            public var offset: Int
            public var message: String
        }

        /// JSON5 text for `JSONParser.parse(_:dialect: .json5)`.
        public var text: String
        public var repairs: [Repair]
        /// UTF-8 offset in the source of every member key and array element, by key path.
        public var offsets: [[JSONPathSegment]: Int]

        /// The repairs that are defects of the example (everything but elisions).
        public var defects: [Repair] { repairs.filter { $0.kind != .elision } }
    }

    /// The tolerant pre-pass: removes elisions and inserts missing commas
    /// (recording each), leaving everything else to the JSON5 parser.
    public static func prepareExample(_ source: String) -> PreparedExample {
        ExamplePrepass(source: source).run()
    }
}

extension DocLint {
    // MARK: - Finding examples on a page

    /// An example object on a page.
    struct DocExample {
        /// The line introducing it: "Example", "Request body example", "Example - normal".
        var heading: String
        /// "request" or "response" when the heading or the section it is in says so.
        var section: String?
        /// UTF-8 offset of its opening brace in the page.
        var start: Int
        /// The text from the opening brace to the matching closing brace (or the end of the page).
        var source: String
        /// False when the braces never balance.
        var closed: Bool
    }

    enum ExampleFinder {
        /// Every example object on the page: a short heading line mentioning
        /// "example" whose next non-blank text starts with `{`. The extent is
        /// found by matching braces and brackets outside strings.
        static func find(in page: PageText) -> [DocExample] {
            var out: [DocExample] = []
            var section: String?
            var skipUntil = 0
            for (index, line) in page.lines.enumerated() {
                let start = page.lineStarts[index]
                if start < skipUntil { continue }
                let trimmed = line.dlTrimmed
                let lower = trimmed.lowercased()
                if lower == "request" || lower == "response" { section = lower }
                guard !trimmed.hasPrefix("|"), trimmed.count <= 60, lower.contains("example") else { continue }
                // The next non-blank byte after this line must open an object.
                var k = start + line.utf8.count
                while k < page.bytes.count, ExampleFinder.isSpace(page.bytes[k]) { k += 1 }
                guard k < page.bytes.count, page.bytes[k] == UInt8(ascii: "{") else { continue }
                let (end, closed) = matchBraces(page.bytes, from: k)
                let src = String(decoding: page.bytes[k..<end], as: UTF8.self)
                var sec = section
                if lower.contains("request") { sec = "request" } else if lower.contains("response") { sec = "response" }
                out.append(DocExample(heading: trimmed, section: sec, start: k, source: src, closed: closed))
                skipUntil = end
            }
            return out
        }

        /// End offset (exclusive) of the bracketed value opening at `from`.
        static func matchBraces(_ b: [UInt8], from: Int) -> (end: Int, closed: Bool) {
            var depth = 0
            var i = from
            while i < b.count {
                let c = b[i]
                if c == 0x27 || c == 0x22 {
                    i = skipString(b, from: i)
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return (i + 1, true) }
                }
                i += 1
            }
            return (b.count, false)
        }

        @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

        /// Offset just past the string literal opening at `from` (or the end of its line when unterminated).
        static func skipString(_ b: [UInt8], from: Int) -> Int {
            let quote = b[from]
            var i = from + 1
            while i < b.count {
                if b[i] == 0x5C {
                    i += 2
                    continue
                }
                if b[i] == quote { return i + 1 }
                if b[i] == 0x0A { return i }
                i += 1
            }
            return b.count
        }
    }

    // MARK: - The pre-pass

    private struct ExamplePrepass {
        enum Kind: Equatable {
            case lbrace, rbrace, lbracket, rbracket, colon, comma, ellipsis, string, word, other, elided
        }

        struct Token {
            var kind: Kind
            var start: Int
            var text: String
            /// The key this token names when it is one (decoded string or bare word).
            var name: String
        }

        let source: String
        let bytes: [UInt8]

        init(source: String) {
            self.source = source
            bytes = Array(source.utf8)
        }

        func run() -> DLPrepared {
            let tokens = removeElisions(tokenize())
            var walker = Walker(tokens: tokens)
            walker.walk()
            return DLPrepared(text: walker.out.joined(separator: " "), repairs: walker.repairs, offsets: walker.offsets)
        }

        // MARK: tokens

        func tokenize() -> [Token] {
            var out: [Token] = []
            var i = 0
            let b = bytes
            func slice(_ s: Int, _ e: Int) -> String { String(decoding: b[s..<e], as: UTF8.self) }
            while i < b.count {
                let c = b[i]
                if ExampleFinder.isSpace(c) {
                    i += 1
                    continue
                }
                let start = i
                switch c {
                case UInt8(ascii: "{"):
                    out.append(Token(kind: .lbrace, start: i, text: "{", name: ""))
                    i += 1
                case UInt8(ascii: "}"):
                    out.append(Token(kind: .rbrace, start: i, text: "}", name: ""))
                    i += 1
                case UInt8(ascii: "["):
                    out.append(Token(kind: .lbracket, start: i, text: "[", name: ""))
                    i += 1
                case UInt8(ascii: "]"):
                    out.append(Token(kind: .rbracket, start: i, text: "]", name: ""))
                    i += 1
                case UInt8(ascii: ":"):
                    out.append(Token(kind: .colon, start: i, text: ":", name: ""))
                    i += 1
                case UInt8(ascii: ","):
                    out.append(Token(kind: .comma, start: i, text: ",", name: ""))
                    i += 1
                case 0x27, 0x22:
                    let end = ExampleFinder.skipString(b, from: i)
                    let text = slice(start, end)
                    out.append(Token(kind: .string, start: start, text: text, name: unquote(text)))
                    i = end
                default:
                    if isEllipsis(at: i) {
                        var end = i + 3
                        while c == UInt8(ascii: "."), end < b.count, b[end] == UInt8(ascii: ".") { end += 1 }
                        out.append(Token(kind: .ellipsis, start: i, text: slice(i, end), name: ""))
                        i = end
                    } else if isWordByte(c) {
                        var end = i + 1
                        while end < b.count, isWordByte(b[end]), !isEllipsis(at: end) { end += 1 }
                        let text = slice(start, end)
                        out.append(Token(kind: .word, start: start, text: text, name: text))
                        i = end
                    } else {
                        // One UTF-8 character the parser will complain about.
                        var end = i + 1
                        while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
                        out.append(Token(kind: .other, start: start, text: slice(start, end), name: ""))
                        i = end
                    }
                }
            }
            return out
        }

        func isEllipsis(at i: Int) -> Bool {
            let b = bytes
            if i + 2 < b.count, b[i] == UInt8(ascii: "."), b[i + 1] == UInt8(ascii: "."), b[i + 2] == UInt8(ascii: ".")
            {
                return true
            }
            // U+2026 HORIZONTAL ELLIPSIS
            return i + 2 < b.count && b[i] == 0xE2 && b[i + 1] == 0x80 && b[i + 2] == 0xA6
        }

        func isWordByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F || c == 0x24 || c == 0x2B
                || c == 0x2D || c == 0x2E
        }

        func unquote(_ literal: String) -> String {
            var chars = Array(literal)
            guard let q = chars.first else { return literal }
            chars.removeFirst()
            if chars.last == q { chars.removeLast() }
            var out = ""
            var escaped = false
            for ch in chars {
                if escaped {
                    out.append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else {
                    out.append(ch)
                }
            }
            return out
        }

        /// Drops `...` and `{...}` array elements, leaving a zero-width `.elided`
        /// marker so that the walker can record where.
        func removeElisions(_ tokens: [Token]) -> [Token] {
            var out: [Token] = []
            var containers: [Kind] = []
            var i = 0
            while i < tokens.count {
                let t = tokens[i]
                if t.kind == .lbrace, i + 2 < tokens.count, tokens[i + 1].kind == .ellipsis,
                    tokens[i + 2].kind == .rbrace
                {
                    if containers.last == .lbracket {
                        out.append(Token(kind: .elided, start: t.start, text: "{...}", name: ""))
                    } else {
                        out.append(Token(kind: .elided, start: t.start, text: "{...}", name: ""))
                        out.append(Token(kind: .lbrace, start: t.start, text: "{", name: ""))
                        out.append(Token(kind: .rbrace, start: tokens[i + 2].start, text: "}", name: ""))
                    }
                    i += 3
                    continue
                }
                switch t.kind {
                case .ellipsis:
                    out.append(Token(kind: .elided, start: t.start, text: t.text, name: ""))
                    i += 1
                    continue
                case .lbrace, .lbracket: containers.append(t.kind)
                case .rbrace, .rbracket: _ = containers.popLast()
                default: break
                }
                out.append(t)
                i += 1
            }
            return out
        }

        // MARK: structure

        /// Follows the nesting to know the key path of every token, drops commas
        /// the elisions left dangling and inserts the ones the author forgot.
        struct Walker {
            enum ObjectState { case key, colon, value, commaOrEnd }
            enum ArrayState { case value, commaOrEnd }
            enum Frame {
                case object(ObjectState, lastKey: String?)
                case array(ArrayState, count: Int)
            }

            let tokens: [Token]
            var out: [String] = []
            var repairs: [DLPrepared.Repair] = []
            var offsets: [[JSONPathSegment]: Int] = [:]
            var stack: [Frame] = []
            var path: [JSONPathSegment] = []
            var rootDone = false
            var i = 0

            init(tokens: [Token]) { self.tokens = tokens }

            /// The next token that is not an elision marker.
            func next(after k: Int) -> Token? {
                var j = k + 1
                while j < tokens.count {
                    if tokens[j].kind != .elided { return tokens[j] }
                    j += 1
                }
                return nil
            }

            static func startsValue(_ k: Kind) -> Bool { k == .lbrace || k == .lbracket || k == .string || k == .word }

            mutating func walk() {
                while i < tokens.count {
                    let t = tokens[i]
                    step(t)
                    i += 1
                }
            }

            mutating func step(_ t: Token) {
                if t.kind == .elided {
                    repairs.append(
                        DLPrepared.Repair(
                            kind: .elision, path: path, offset: t.start, message: "elision '\(t.text)' removed"))
                    return
                }
                guard let top = stack.last else {
                    if !rootDone, Walker.startsValue(t.kind) {
                        beginValue(t)
                    } else {
                        out.append(t.text)
                    }
                    return
                }
                switch top {
                case .object(let state, let lastKey):
                    switch state {
                    case .key:
                        if t.kind == .string || t.kind == .word {
                            readKey(t)
                        } else if t.kind == .rbrace {
                            close(t)
                        } else if t.kind == .comma {
                            return  // dangling, left by an elision
                        } else {
                            out.append(t.text)
                        }
                    case .colon:
                        if t.kind == .colon { setTop(.object(.value, lastKey: lastKey)) }
                        out.append(t.text)
                    case .value:
                        if Walker.startsValue(t.kind) { beginValue(t) } else { out.append(t.text) }
                    case .commaOrEnd:
                        if t.kind == .comma {
                            if let n = next(after: i), n.kind == .rbrace { return }
                            setTop(.object(.key, lastKey: lastKey))
                            out.append(",")
                        } else if t.kind == .rbrace {
                            close(t)
                        } else if t.kind == .string || t.kind == .word, let n = next(after: i), n.kind == .colon {
                            out.append(",")
                            var at = path
                            at.append(.key(t.name))
                            let after = lastKey.map { " (after '\($0)')" } ?? ""
                            repairs.append(
                                DLPrepared.Repair(
                                    kind: .missingComma, path: at, offset: t.start,
                                    message: "missing comma before '\(t.name)'\(after)"))
                            setTop(.object(.key, lastKey: lastKey))
                            readKey(t)
                        } else {
                            out.append(t.text)
                        }
                    }
                case .array(let state, let count):
                    switch state {
                    case .value:
                        if t.kind == .rbracket {
                            close(t)
                        } else if t.kind == .comma {
                            return  // dangling, left by an elision
                        } else if Walker.startsValue(t.kind) {
                            beginValue(t)
                        } else {
                            out.append(t.text)
                        }
                    case .commaOrEnd:
                        if t.kind == .comma {
                            if let n = next(after: i), n.kind == .rbracket { return }
                            setTop(.array(.value, count: count))
                            out.append(",")
                        } else if t.kind == .rbracket {
                            close(t)
                        } else if Walker.startsValue(t.kind) {
                            out.append(",")
                            var at = path
                            at.append(.index(count))
                            repairs.append(
                                DLPrepared.Repair(
                                    kind: .missingComma, path: at, offset: t.start,
                                    message: "missing comma before element \(count)"))
                            setTop(.array(.value, count: count))
                            beginValue(t)
                        } else {
                            out.append(t.text)
                        }
                    }
                }
            }

            mutating func setTop(_ f: Frame) { stack[stack.count - 1] = f }

            mutating func readKey(_ t: Token) {
                path.append(.key(t.name))
                if offsets[path] == nil { offsets[path] = t.start }
                setTop(.object(.colon, lastKey: t.name))
                out.append(t.text)
            }

            mutating func beginValue(_ t: Token) {
                if case .array(_, let count)? = stack.last {
                    path.append(.index(count))
                    if offsets[path] == nil { offsets[path] = t.start }
                } else if stack.isEmpty {
                    offsets[path] = t.start
                }
                out.append(t.text)
                switch t.kind {
                case .lbrace: stack.append(.object(.key, lastKey: nil))
                case .lbracket: stack.append(.array(.value, count: 0))
                default: valueDone()
                }
            }

            mutating func close(_ t: Token) {
                out.append(t.text)
                stack.removeLast()
                valueDone()
            }

            /// The value in the current container (or the root) is complete.
            mutating func valueDone() {
                guard let top = stack.last else {
                    rootDone = true
                    return
                }
                switch top {
                case .object(_, let lastKey):
                    _ = path.popLast()
                    setTop(.object(.commaOrEnd, lastKey: lastKey))
                case .array(_, let count):
                    _ = path.popLast()
                    setTop(.array(.commaOrEnd, count: count + 1))
                }
            }
        }
    }

    private typealias DLPrepared = DocLint.PreparedExample
}
