import JSONKit

/// The ids a page walk has seen and how often each came: what `[String:
/// Int]` kept, without a `String` made and hashed for every item (the ids of
/// a 500-item page were about 1.5 % of our client's CPU; perf, issue 24).
/// While every id is ASCII, the ids are kept as bytes in one buffer and found
/// through a table of their own (for ASCII text, equal bytes are equal
/// `String`s and the reverse). The first id that is not ASCII moves them all to
/// a `[String: Int]`, which compares as `String` does (`"\u{212A}"` is `"K"`).
/// The figures it answers are the dictionary's: the ids counted, the ids that came more than once.
///
/// The table's hash is not keyed: a server that chose its ids to collide
/// would make each lookup step through all of them. An id found only after
/// `maxProbes` steps moves the tally to the dictionary too, whose hash is
/// keyed anew in each process, so no answer can make counting quadratic.
struct IDTally {
    /// How the bytes' table hashes (tests give one that collides).
    private let hash: @Sendable (UnsafeBufferPointer<UInt8>) -> UInt64
    private var bytes: [UInt8] = []
    /// Each distinct id: where its bytes are, its hash and how often it came.
    private var ids: [(start: Int, count: Int, hash: UInt64, times: Int)] = []
    /// Open addressing: an index into `ids`, or -1. A power of two long, at most half full.
    private var slots: [Int32] = []
    private var byString: [String: Int]?

    /// Steps through the table to an id, at most; more move the tally to the dictionary.
    static let maxProbes = 64

    init(hash: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> UInt64 = IDTally.hash) { self.hash = hash }

    /// How many distinct ids.
    var distinct: Int { byString?.count ?? ids.count }

    /// Whether the ids are kept as `String`s (an id that was not ASCII, or a
    /// lookup past `maxProbes`), not as bytes.
    var keptAsStrings: Bool { byString != nil }

    /// Room for `n` distinct ids, made at once.
    mutating func reserve(_ n: Int) {
        if byString != nil {
            byString!.reserveCapacity(n)
            return
        }
        ids.reserveCapacity(n)
        var size = 16
        while size < 2 * n { size *= 2 }
        if size > slots.count { rehash(size) }
    }

    /// Counts one more coming of the id of these UTF-8 bytes.
    mutating func add(_ id: UnsafeBufferPointer<UInt8>) {
        guard byString == nil, !id.contains(where: { $0 >= 0x80 }) else {
            return add(String(decoding: id, as: UTF8.self))
        }
        if slots.isEmpty { rehash(16) }
        // The table's indices are 32-bit: past them (never, in memory we have), the dictionary.
        if ids.count >= Int(Int32.max) {
            moveToStrings()
            return add(String(decoding: id, as: UTF8.self))
        }
        let h = hash(id)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        var probes = 0
        while true {
            let s = Int(slots[i])
            if s < 0 { break }
            probes += 1
            if probes > IDTally.maxProbes {
                moveToStrings()
                return add(String(decoding: id, as: UTF8.self))
            }
            let e = ids[s]
            if e.hash == h, e.count == id.count, bytes.withUnsafeBufferPointer({ b in
                id.isEmpty || UnsafeBufferPointer(rebasing: b[e.start..<(e.start + e.count)]).elementsEqual(id)
            }) {
                ids[s].times += 1
                return
            }
            i = (i + 1) & mask
        }
        slots[i] = Int32(ids.count)
        ids.append((bytes.count, id.count, h, 1))
        bytes.append(contentsOf: id)
        if 2 * ids.count > slots.count { rehash(2 * slots.count) }
    }

    /// Counts one more coming of `id`.
    mutating func add(_ id: String) {
        if byString == nil {
            var utf8 = id
            let counted = utf8.withUTF8 { u -> Bool in
                guard !u.contains(where: { $0 >= 0x80 }) else { return false }
                add(u)
                return true
            }
            if counted { return }
            // The first id that is not ASCII.
            moveToStrings()
        }
        byString![id, default: 0] += 1
    }

    /// Every id kept so far, as `String`s in the dictionary, from now on.
    private mutating func moveToStrings() {
        var all: [String: Int] = [:]
        all.reserveCapacity(ids.count + 1)
        for e in ids { all[String(decoding: bytes[e.start..<(e.start + e.count)], as: UTF8.self), default: 0] += e.times }
        byString = all
        bytes = []
        ids = []
        slots = []
    }

    /// The ids that came more than once, in the order of their UTF-8 bytes:
    /// for ASCII ids, the order of `String`'s `<`; for others a total order,
    /// which `<` is not (it holds neither `"e\u{301}" < "\u{e9}K"` nor the
    /// reverse, so sorting by it depends on the order the ids come in).
    func repeated() -> [String] {
        let ids =
            byString.map { $0.filter { $0.value > 1 }.map(\.key) }
            ?? self.ids.filter { $0.times > 1 }.map { String(decoding: bytes[$0.start..<($0.start + $0.count)], as: UTF8.self) }
        return ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private mutating func rehash(_ size: Int) {
        slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        for (k, e) in ids.enumerated() {
            var i = Int(truncatingIfNeeded: e.hash) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(k)
        }
    }

    /// FNV-1a over the bytes, eight at a time, then mixed: ids are short.
    /// Not keyed: see `maxProbes` for a server that makes its ids collide.
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(b.count)
        var i = 0
        if let base = b.baseAddress {
            while i + 8 <= b.count {
                h = (h ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
                i += 8
            }
            while i < b.count {
                h = (h ^ UInt64(base[i])) &* 0x0000_0100_0000_01B3
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
