/// The tape's reader for the documents it meets most (perf, issue 24): one
/// loop that keeps its position, its words and the container it is in as
/// its own variables, where `Parser.tapeDocument` passes the parser's state
/// through a call for every value, key and separator (the page of
/// `conformance-bench schema`: 797 MB/s before, 1,486 after). It writes the
/// same words as `tapeDocument` for every document it reads, and reads the
/// same grammar: strings with escapes and the numbers it does not read itself
/// (more than 15 digits, a fraction, an exponent) through the parser's own
/// routines. It refuses what it does not read (nil), and `JSONTape.parse`
/// then reads the document with `tapeDocument` as before, which also gives a
/// refused document its error: no error of its own ever reaches anyone.
/// JSONTapeTests hold the two to the same words and the same verdicts on
/// their whole corpus, their edge cases and 3,000 mutated documents.
extension JSONTape {
    /// The words and the side buffer of `buf` (the bytes `p` reads), or nil when this reader refuses it.
    static func fastWords(_ buf: UnsafeBufferPointer<UInt8>, maxDepth: Int, _ p: inout Parser) -> (
        words: TapeStorage, side: [UInt8]
    )? {
        guard let base = buf.baseAddress, buf.count > 0 else { return nil }
        var r = FastTapeReader(base: base, n: buf.count, ascii: p.ascii, maxDepth: maxDepth)
        defer { r.stack.deallocate() }
        guard r.read(&p) else {
            r.words.deallocate()
            return nil
        }
        return (TapeStorage(base: r.words, count: r.k), r.side)
    }
}

/// The state of `JSONTape.fastWords`: one value, so that the read's loop
/// keeps it in registers (a closure capturing the same locals made every
/// access checked for exclusivity at run time).
struct FastTapeReader {
    let base: UnsafePointer<UInt8>
    let n: Int
    let ascii: Bool
    let maxDepth: Int
    var i = 0
    /// The words written, `k` of them, room for `capacity`.
    var words: UnsafeMutablePointer<UInt64>
    var k = 0
    var capacity: Int
    var side: [UInt8] = []
    /// Per open container but the innermost (`read` keeps that one's in its
    /// variables): its header's index, and its count with bit 62 set for an object.
    var stack: UnsafeMutablePointer<Int>
    var stackCapacity = 32
    var depth = 0
    static let objectBit = 1 << 62

    init(base: UnsafePointer<UInt8>, n: Int, ascii: Bool, maxDepth: Int) {
        self.base = base
        self.n = n
        self.ascii = ascii
        self.maxDepth = maxDepth
        // About one value per 12 bytes in API answers, as `parse`; grown when it must.
        capacity = Swift.max(n / 6 + 4, 8)
        words = .allocate(capacity: capacity)
        stack = .allocate(capacity: 2 * stackCapacity)
    }

    /// Room for two more words.
    @inline(__always) mutating func room() {
        guard k + 2 > capacity else { return }
        (words, capacity) = TapeWords.grown(words, count: k, capacity: capacity)
    }

    @inline(__always) mutating func space() {
        while i < n {
            let b = base[i]
            guard b <= 0x20, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    /// A string with escapes, from its opening quote at `open`: read by the
    /// parser (as `tapeString`), its bytes kept in the side buffer; false when refused.
    @inline(never) mutating func escapedString(from open: Int, _ p: inout Parser) -> Bool {
        p.i = open
        guard let s = try? p.parseString(quote: 0x22) else { return false }
        i = p.i
        let at = side.count
        side.append(contentsOf: s.utf8)
        room()
        words[k] = TapeTag.string << TapeTag.shift | UInt64(at)
        words[k + 1] = UInt64(side.count - at) | TapeTag.side
        k += 2
        return true
    }

    /// `true`, `false` or `null` (`word`: its first four bytes, little-endian; `length`: 4 or 5).
    @inline(__always) mutating func literal(_ word: UInt32, _ length: Int, _ tag: UInt64) -> Bool {
        guard i + length <= n,
            UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: word),
            length == 4 || base[i + 4] == UInt8(ascii: "e")
        else { return false }
        i += length
        room()
        words[k] = tag << TapeTag.shift
        k += 1
        return true
    }

    /// Reads the document: true when it is read whole.
    mutating func read(_ p: inout Parser) -> Bool {
        if n >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { i = 3 }
        space()
        // Each turn reads one value at `i` (or a member's key, when `key`); a
        // container's opening pushes it, and the values that complete
        // containers pop them.
        var key = false
        // The innermost open container (when `depth` > 0): its header's index,
        // the values it holds so far, whether it is an object. The ones it is
        // in wait on `stack`, each as its header's index, then its count with
        // `objectBit` set for an object.
        var header = 0
        var count = 0
        var object = false
        value: while true {
            guard i < n else { return false }
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                // Read here, not in a function of its own (the optimiser
                // did not inline one): a key and a string value are one path
                // of this loop.
                let open = i
                i += 1
                let start = i
                var seen: UInt64 = 0
                let highs: UInt64 = 0x8080_8080_8080_8080
                i = Parser.plainRun(base, from: i, count: n, seen: &seen)
                var closed = false
                while i < n {
                    let b = base[i]
                    if b == 0x22 {
                        closed = true
                        break
                    }
                    if b == 0x5C { break }
                    if b < 0x20 { return false }
                    seen |= UInt64(b)
                    i += 1
                }
                guard i < n else { return false }
                if closed {
                    if !ascii, seen & highs != 0, validUTF8String(UnsafeBufferPointer(start: base + start, count: i - start)) == nil {
                        return false
                    }
                    room()
                    words[k] = TapeTag.string << TapeTag.shift | UInt64(start)
                    words[k + 1] = UInt64(i - start)
                    k += 2
                    i += 1
                } else {
                    guard escapedString(from: open, &p) else { return false }
                }
                if key {
                    // The colon after the key, and the member's value next.
                    space()
                    guard i < n, base[i] == UInt8(ascii: ":") else { return false }
                    i += 1
                    space()
                    key = false
                    continue value
                }
            } else if key {
                return false
            } else {
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let opened = base[i] == UInt8(ascii: "{")
                    if depth > 0 {
                        // The container it opens in waits on the stack.
                        if depth > stackCapacity {
                            let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 4 * stackCapacity)
                            bigger.moveInitialize(from: stack, count: 2 * stackCapacity)
                            stack.deallocate()
                            stack = bigger
                            stackCapacity *= 2
                        }
                        stack[2 * depth - 2] = header
                        stack[2 * depth - 1] = object ? count | Self.objectBit : count
                    }
                    depth += 1
                    if depth > maxDepth { return false }
                    room()
                    words[k] = 0
                    words[k + 1] = 0
                    header = k
                    count = 0
                    object = opened
                    k += 2
                    i += 1
                    space()
                    guard i < n else { return false }
                    guard base[i] == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                        key = object
                        continue value
                    }
                    // Empty: closed at once, a complete value.
                    i += 1
                    words[header] = (object ? TapeTag.object : TapeTag.array) << TapeTag.shift | UInt64(k)
                    words[header + 1] = 0
                    depth -= 1
                    if depth > 0 {
                        header = stack[2 * depth - 2]
                        count = stack[2 * depth - 1] & ~Self.objectBit
                        object = stack[2 * depth - 1] & Self.objectBit != 0
                    }
                case UInt8(ascii: "t"):
                    guard literal(0x6575_7274, 4, TapeTag.true) else { return false }
                case UInt8(ascii: "f"):
                    guard literal(0x736C_6166, 5, TapeTag.false) else { return false }
                case UInt8(ascii: "n"):
                    guard literal(0x6C6C_756E, 4, TapeTag.null) else { return false }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    // An integer of at most 15 digits (no fraction, no
                    // exponent) is read here: below 2^53, the double the
                    // parser makes of it is its value, exactly. Any other
                    // number is the parser's.
                    var j = i
                    let negative = base[j] == UInt8(ascii: "-")
                    if negative { j += 1 }
                    let digits = j
                    var mantissa: UInt64 = 0
                    while j < n, j - digits < 16, base[j] &- 0x30 < 10 {
                        mantissa = mantissa &* 10 &+ UInt64(base[j] &- 0x30)
                        j += 1
                    }
                    let d: Double
                    if j - digits >= 1, j - digits <= 15, j - digits == 1 || base[digits] != UInt8(ascii: "0"),
                        j == n || (base[j] != UInt8(ascii: ".") && base[j] | 0x20 != UInt8(ascii: "e") && base[j] &- 0x30 >= 10)
                    {
                        d = negative ? -Double(mantissa) : Double(mantissa)
                        i = j
                    } else {
                        p.i = i
                        guard let parsed = try? p.parseNumber() else { return false }
                        d = parsed
                        i = p.i
                    }
                    room()
                    words[k] = TapeTag.number << TapeTag.shift
                    words[k + 1] = d.bitPattern
                    k += 2
                default:
                    return false
                }
            }
            // A value is complete: counted in its container, then a comma
            // (the next member or element) or the container's close.
            while depth > 0 {
                count += 1
                space()
                guard i < n else { return false }
                let b = base[i]
                if b == UInt8(ascii: ",") {
                    i += 1
                    space()
                    key = object
                    continue value
                }
                guard b == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                i += 1
                words[header] = (object ? TapeTag.object : TapeTag.array) << TapeTag.shift | UInt64(k)
                words[header + 1] = UInt64(count)
                depth -= 1
                if depth > 0 {
                    header = stack[2 * depth - 2]
                    count = stack[2 * depth - 1] & ~Self.objectBit
                    object = stack[2 * depth - 1] & Self.objectBit != 0
                }
            }
            break
        }
        space()
        return i == n
    }
}
