#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON document parsed into a tape: one array of 64-bit words in document
/// order, and no tree of Swift values. Strings are not made: a string's
/// words give where its bytes are (in the input itself, or, for a string
/// with escapes, unescaped in a side buffer), and a `String` is made only
/// when someone asks for one. An array or an object records where it ends
/// and how many elements or members it has, so a reader can step over it.
///
/// The runner reads every answer into a tape (Benchmarks.md, "Round 2",
/// tenth to twelfth passes): JSONSchemaKit's `CompiledSchema.validate(_:
/// JSONTape)` validates it, and the checks read it through `JSONReading`;
/// the tree is made only where a case needs it (a capture's value, a
/// failure's explanation). The tape reads the same grammar as `JSONParser` in its
/// `.json` dialect: the parser's own routines read its numbers, literals,
/// escapes and whitespace (or, for the common case, a reader of its own that
/// JSONTapeTests holds to them: JSONTapeFast.swift), and a document the tape refuses is read again by
/// `JSONParser` so that the error (message, line, column, key path) is the
/// tree's, word for word. `materialize()` equals what
/// `JSONParser.parse` returns, member order and number bits included (a
/// differential test holds the two to that).
///
/// Layout, for the curious: a value's first word carries its kind in the top
/// four bits. null, false and true are one word; a number is two (the second
/// is the `Double`'s bits); a string is two (where its bytes start; their
/// count, with the top bit set when they are in the side buffer); an array
/// or an object is two (the index just past its last value; the count), then
/// its elements, or its members as a key string followed by a value. The
/// tape keeps the input; its words take at most 8 bytes per byte of input,
/// plus 16 (an array of one-digit numbers comes closest), and about 1.2 for
/// an API answer (the 522 KB page of the benchmark: 77,018 words). A body
/// capped in size makes a tape capped in size.
public struct JSONTape: Sendable {
    let words: TapeStorage
    let input: [UInt8]
    let side: [UInt8]

    /// Lends `body` a view of the document's value. The view (and every view
    /// read from it) points into the tape: like the pointer of
    /// `withUnsafeBufferPointer`, it must not be kept past `body`. That is
    /// what lets a reader step through the tape without counting references.
    public func withRoot<R>(_ body: (JSONView) throws -> R) rethrows -> R {
        try withExtendedLifetime(words) {
            try input.withUnsafeBufferPointer { i in
                try side.withUnsafeBufferPointer { s in
                    try body(JSONView(words: UnsafePointer(words.base), input: i.baseAddress, side: s.baseAddress, index: 0))
                }
            }
        }
    }

    /// The document as the tree: equal to what `JSONParser.parse` returns for the same bytes.
    public func materialize() -> JSON { withRoot { $0.materialize() } }

    /// Words on the tape (a figure for benchmarks: 8 bytes each).
    public var wordCount: Int { words.count }

    /// Parses a whole document of the `.json` dialect. The errors are
    /// `JSONParser.parse`'s for the same bytes.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> JSONTape {
        // The reader of the common case first (JSONTapeFast.swift); what it refuses is read as before.
        let fast = bytes.withUnsafeBufferPointer { buf in
            var p = Parser(buf: buf, json5: false, maxDepth: maxDepth, caching: false)
            defer { p.release() }
            return fastWords(buf, maxDepth: maxDepth, &p)
        }
        if let fast { return JSONTape(words: fast.words, input: bytes, side: fast.side) }
        return try parseGeneral(bytes, maxDepth: maxDepth)
    }

    /// `parse` without its reader of the common case: the reader of every
    /// document, and of every refused one's error (JSONTapeTests compare the two readers).
    static func parseGeneral(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONParseError) -> JSONTape {
        // About one value per 12 bytes in API answers; the buffer grows past that when it must.
        var writer = TapeWriter(words: TapeWords(capacity: bytes.count / 6 + 4))
        let read = bytes.withUnsafeBufferPointer { buf -> Bool in
            var p = Parser(buf: buf, json5: false, maxDepth: maxDepth, caching: false)
            defer { p.release() }
            do throws(Failure) {
                try p.tapeDocument(&writer)
                return true
            } catch {
                return false
            }
        }
        if !read {
            // The same grammar, read again by the tree for the tree's error.
            _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
            // Not reached while the two agree (the differential tests hold them to it).
            throw JSONParseError(
                message: "the tape refused a document that JSONParser accepts (a bug in JSONTape)", line: 1, column: 1,
                offset: 0, path: [])
        }
        let side = writer.side
        return JSONTape(words: writer.words.stored(), input: bytes, side: side)
    }
}

/// The words and the side buffer of a tape being written.
struct TapeWriter: ~Copyable {
    var words: TapeWords
    var side: [UInt8] = []
}

/// The words of a tape being written, in a buffer of our own: an array asks
/// the runtime whether its storage is shared at every append, two or three
/// times a value (perf, issue 24). Freed here unless handed to a `TapeStorage`.
struct TapeWords: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) mutating func append(_ word: UInt64) {
        if count == capacity { grow() }
        base[count] = word
        count += 1
    }

    /// A word already appended, rewritten (a container's two words, once its end is known).
    @inline(__always) mutating func set(_ index: Int, _ word: UInt64) {
        precondition(index < count)
        base[index] = word
    }

    private mutating func grow() { (base, capacity) = TapeWords.grown(base, count: count, capacity: capacity) }

    /// Words moved to a buffer twice the size (`base` freed), and its capacity:
    /// how this buffer and the fast reader's (JSONTapeFast.swift) grow.
    static func grown(_ base: UnsafeMutablePointer<UInt64>, count: Int, capacity: Int) -> (UnsafeMutablePointer<UInt64>, Int) {
        let bigger = capacity * 2
        let moved = UnsafeMutablePointer<UInt64>.allocate(capacity: bigger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        return (moved, bigger)
    }

    /// The words, handed over to be read (and freed with the last tape that holds them).
    consuming func stored() -> TapeStorage {
        let storage = TapeStorage(base: base, count: count)
        discard self
        return storage
    }
}

/// A parsed tape's words. Written only while the tape is parsed, never
/// after: immutable once shared, which is what makes it `Sendable`.
final class TapeStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt64>
    let count: Int

    init(base: UnsafeMutablePointer<UInt64>, count: Int) {
        self.base = base
        self.count = count
    }

    deinit { base.deallocate() }
}

/// The kinds of value, in the top four bits of a value's first word.
@usableFromInline enum TapeTag {
    @usableFromInline static let shift: UInt64 = 60
    @usableFromInline static let payload: UInt64 = (1 << 60) - 1
    @usableFromInline static let null: UInt64 = 0
    @usableFromInline static let `false`: UInt64 = 1
    @usableFromInline static let `true`: UInt64 = 2
    @usableFromInline static let number: UInt64 = 3
    @usableFromInline static let string: UInt64 = 4
    @usableFromInline static let array: UInt64 = 5
    @usableFromInline static let object: UInt64 = 6
    /// In a string's second word: its bytes are in the side buffer.
    @usableFromInline static let side: UInt64 = 1 << 63
}

extension Parser {
    mutating func tapeDocument(_ t: inout TapeWriter) throws(Failure) {
        if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
        try skipSpace()
        guard i < buf.count else { throw Failure(message: "empty document", offset: i) }
        try tapeValue(&t)
        try skipSpace()
        if i < buf.count {
            throw Failure(message: "unexpected \(describe(i)) after the end of the document", offset: i)
        }
    }

    /// Inlined, as `tapeString`, into the container's loop: a call a value
    /// less (the page of `conformance-bench schema`: 687–718 MB/s before,
    /// 795–810 MB/s after; perf, issue 24).
    @inline(__always) mutating func tapeValue(_ t: inout TapeWriter) throws(Failure) {
        guard i < buf.count else { throw Failure(message: "unexpected end of input, expected a value", offset: i) }
        switch buf[i] {
        case UInt8(ascii: "{"): try tapeContainer(&t, object: true)
        case UInt8(ascii: "["): try tapeContainer(&t, object: false)
        case UInt8(ascii: "\""): try tapeString(&t)
        case UInt8(ascii: "t"):
            try literal("true")
            t.words.append(TapeTag.true << TapeTag.shift)
        case UInt8(ascii: "f"):
            try literal("false")
            t.words.append(TapeTag.false << TapeTag.shift)
        case UInt8(ascii: "n"):
            try literal("null")
            t.words.append(TapeTag.null << TapeTag.shift)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let d = try parseNumber()
            t.words.append(TapeTag.number << TapeTag.shift)
            t.words.append(d.bitPattern)
        default:
            throw Failure(message: "unexpected \(describe(i)), expected a value", offset: i)
        }
    }

    /// A string without escapes is recorded where it is in the input; one
    /// with escapes is read by `parseString` (the tree's reading, with its
    /// checks) and its bytes kept in the side buffer.
    @inline(__always) mutating func tapeString(_ t: inout TapeWriter) throws(Failure) {
        let open = i
        if let (start, end, seen) = try plainString(quote: 0x22) {
            if !ascii, seen & 0x8080_8080_8080_8080 != 0,
                validUTF8String(UnsafeBufferPointer(rebasing: buf[start..<end])) == nil
            {
                throw Failure(message: "string is not valid UTF-8", offset: open)
            }
            t.words.append(TapeTag.string << TapeTag.shift | UInt64(start))
            t.words.append(UInt64(end - start))
            return
        }
        i = open
        let s = try parseString(quote: 0x22)
        let at = t.side.count
        t.side.append(contentsOf: s.utf8)
        t.words.append(TapeTag.string << TapeTag.shift | UInt64(at))
        t.words.append(UInt64(t.side.count - at) | TapeTag.side)
    }

    /// An object (`object`) or an array: its two words, then its members or elements.
    mutating func tapeContainer(_ t: inout TapeWriter, object: Bool) throws(Failure) {
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        try enter()
        i += 1  // { or [
        try skipSpace()
        let header = t.words.count
        t.words.append(0)
        t.words.append(0)
        var count: UInt64 = 0
        if i < buf.count, buf[i] == close {
            i += 1
        } else {
            while true {
                if object { try tapeKey(&t) }
                try tapeValue(&t)
                count += 1
                if try tapeClosed(by: close) { break }
            }
        }
        t.words.set(header, (object ? TapeTag.object : TapeTag.array) << TapeTag.shift | UInt64(t.words.count))
        t.words.set(header + 1, count)
        depth -= 1
    }

    /// A member's key and the colon after it (and the space around them).
    @inline(__always) mutating func tapeKey(_ t: inout TapeWriter) throws(Failure) {
        guard i < buf.count, buf[i] == 0x22 else { throw Failure(message: "expected a quoted key", offset: i) }
        try tapeString(&t)
        try skipSpace()
        guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw Failure(message: "expected ':' after key", offset: i) }
        i += 1
        try skipSpace()
    }

    /// After a member or an element: true at the closing bracket `close`
    /// (stepped over), false after a comma (and the space after it). The
    /// tape's messages are never shown: a refused document is read again by
    /// the tree, whose error is the one reported.
    @inline(__always) mutating func tapeClosed(by close: UInt8) throws(Failure) -> Bool {
        try skipSpace()
        guard i < buf.count else { throw Failure(message: "unterminated", offset: i) }
        if buf[i] == UInt8(ascii: ",") {
            i += 1
            try skipSpace()
            if i < buf.count, buf[i] == close { throw Failure(message: "trailing comma", offset: i) }
            return false
        }
        guard buf[i] == close else { throw Failure(message: "expected ',' or a closing bracket", offset: i) }
        i += 1
        return true
    }
}

/// A value on a tape, read without a tree: lent by `JSONTape.withRoot`, and
/// valid only inside it (it points into the tape, and counts no references:
/// copying one is copying four words). A `String` is made only by
/// `stringValue` and `materialize()`.
public struct JSONView {
    public enum Kind: Sendable, Equatable {
        case null, bool, number, string, array, object
    }

    @usableFromInline let words: UnsafePointer<UInt64>
    @usableFromInline let input: UnsafePointer<UInt8>?
    @usableFromInline let side: UnsafePointer<UInt8>?
    @usableFromInline let index: Int

    @usableFromInline init(words: UnsafePointer<UInt64>, input: UnsafePointer<UInt8>?, side: UnsafePointer<UInt8>?, index: Int) {
        self.words = words
        self.input = input
        self.side = side
        self.index = index
    }

    @inlinable func at(_ index: Int) -> JSONView { JSONView(words: words, input: input, side: side, index: index) }

    @inlinable var tag: UInt64 { words[index] >> TapeTag.shift }

    @inlinable public var kind: Kind {
        switch tag {
        case TapeTag.null: return .null
        case TapeTag.false, TapeTag.true: return .bool
        case TapeTag.number: return .number
        case TapeTag.string: return .string
        case TapeTag.array: return .array
        default: return .object
        }
    }

    @inlinable public var isNull: Bool { tag == TapeTag.null }

    @inlinable public var boolValue: Bool? {
        switch tag {
        case TapeTag.true: return true
        case TapeTag.false: return false
        default: return nil
        }
    }

    @inlinable public var numberValue: Double? {
        tag == TapeTag.number ? Double(bitPattern: words[index + 1]) : nil
    }

    /// The string's UTF-8 bytes, lent to `body` (nil when this is no string).
    @inlinable public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard tag == TapeTag.string else { return nil }
        let start = Int(words[index] & TapeTag.payload)
        let second = words[index + 1]
        let count = Int(second & ~TapeTag.side)
        let base = second & TapeTag.side == 0 ? input : side
        return try body(UnsafeBufferPointer(start: base.map { $0 + start }, count: count))
    }

    /// The string, made now (nil when this is no string).
    public var stringValue: String? { withUTF8 { String(decoding: $0, as: UTF8.self) } }

    /// Whether this is a string of the same bytes as `s`, without making one.
    public func stringEquals(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { theirs in
            withUTF8 { ours in
                ours.count == theirs.count
                    && (ours.count == 0 || memcmp(ours.baseAddress!, theirs.baseAddress!, ours.count) == 0)
            } ?? false
        }
    }

    /// Elements of an array or members of an object; 0 for anything else.
    @inlinable public var count: Int {
        tag == TapeTag.array || tag == TapeTag.object ? Int(words[index + 1]) : 0
    }

    /// The index just past this value.
    @inlinable var end: Int {
        switch tag {
        case TapeTag.null, TapeTag.false, TapeTag.true: return index + 1
        case TapeTag.array, TapeTag.object: return Int(words[index] & TapeTag.payload)
        default: return index + 2
        }
    }

    /// The elements of an array (none for anything else), in order.
    @inlinable public var elements: Elements { Elements(view: self, at: index + 2, left: tag == TapeTag.array ? count : 0) }

    /// The members of an object (none for anything else), in document order, duplicates included.
    @inlinable public var members: Members { Members(view: self, at: index + 2, left: tag == TapeTag.object ? count : 0) }

    public struct Elements: Sequence, IteratorProtocol {
        @usableFromInline let view: JSONView
        @usableFromInline var at: Int
        @usableFromInline var left: Int
        @inlinable init(view: JSONView, at: Int, left: Int) {
            self.view = view
            self.at = at
            self.left = left
        }
        @inlinable public mutating func next() -> JSONView? {
            guard left > 0 else { return nil }
            left -= 1
            let v = view.at(at)
            at = v.end
            return v
        }
    }

    public struct Members: Sequence, IteratorProtocol {
        @usableFromInline let view: JSONView
        @usableFromInline var at: Int
        @usableFromInline var left: Int
        @inlinable init(view: JSONView, at: Int, left: Int) {
            self.view = view
            self.at = at
            self.left = left
        }
        @inlinable public mutating func next() -> (key: JSONView, value: JSONView)? {
            guard left > 0 else { return nil }
            left -= 1
            let key = view.at(at)
            let value = view.at(at + 2)
            at = value.end
            return (key, value)
        }
    }

    /// The member named `key` (the last of that name, as `JSONObject`), or nil.
    public subscript(key: String) -> JSONView? {
        var found: JSONView?
        for m in members where m.key.stringEquals(key) { found = m.value }
        return found
    }

    /// The element at `position` of an array, or nil. (It steps over the
    /// elements before it: to read them all, use `elements`.)
    public subscript(position: Int) -> JSONView? {
        guard tag == TapeTag.array, position >= 0, position < count else { return nil }
        var e = elements
        for _ in 0..<position { _ = e.next() }
        return e.next()
    }

    /// The value as the tree: equal to what `JSONParser.parse` returns for it.
    public func materialize() -> JSON {
        switch tag {
        case TapeTag.null: return .null
        case TapeTag.false: return .bool(false)
        case TapeTag.true: return .bool(true)
        case TapeTag.number: return .number(Double(bitPattern: words[index + 1]))
        case TapeTag.string: return .string(stringValue ?? "")
        case TapeTag.array:
            var values: [JSON] = []
            values.reserveCapacity(count)
            for e in elements { values.append(e.materialize()) }
            return .array(values)
        default:
            var members: [JSONObject.Member] = []
            members.reserveCapacity(count)
            for m in self.members { members.append(JSONObject.Member(key: m.key.stringValue ?? "", value: m.value.materialize())) }
            return .object(JSONObject(members))
        }
    }
}
