import Foundation
import JSONKit

/// Removes secrets (credentials, passwords, tokens obtained by logging in)
/// from what the target sent back, before anything keeps or cuts it.
///
/// A secret is found in every form a server may echo it in, even mixed within
/// one occurrence: raw; percent-encoded (either hex case, `+` for a space);
/// JSON-escaped (`\"`, `\\`, `\/`, `\uXXXX`); HTML character references
/// (`&amp;`, `&quot;`, `&#39;`…); hex (either case) and base64 (standard and
/// URL-safe, with or without padding, also at any alignment inside a longer
/// base64 text: see `encodings`); and, where Basic authentication is used,
/// the base64 of `user:password` as well as its parts. Each occurrence becomes `***`.
///
/// Only target-sent text goes through a scrubber. What the harness writes
/// itself (requests, case ids, counts, XML and JSON syntax) is built clean:
/// credentials enter a request only at the last moment, and reports show a
/// placeholder. So a credential such as `1` or `true` can only change text
/// the target sent, never the structure of a report.
package struct Scrubber: Sendable {
    /// The UTF-8 of each secret and of its derived forms, longest first.
    private(set) var secrets: [[UInt8]] {
        didSet {
            firsts = secrets.map { $0[0] }
            starts = SecretStarts(secrets)
        }
    }
    /// The first byte of each secret, in `secrets`' order: the scan compares
    /// it before it touches the secret (empty secrets are never kept).
    private var firsts: [UInt8] = []
    /// Where a secret may begin (`SecretStarts.isCandidate`): one object, so that a copy
    /// of the scrubber, or a closure that asks it, holds one reference, not
    /// the tables (perf, issue 24).
    private var starts: SecretStarts

    public static let none = Scrubber(secrets: [])

    /// - Parameter basicAuth: credentials travel as `Authorization: Basic …`:
    ///   the decoded `user:password` and the password alone are secrets too.
    public init(secrets: [String], basicAuth: Bool = false) {
        var all = Set(secrets.filter { !$0.isEmpty })
        if basicAuth {
            for s in secrets where !s.isEmpty {
                all.insert(Data(s.utf8).base64EncodedString())
                if let d = Data(base64Encoded: s), let pair = String(data: d, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
                    all.insert(pair)
                    let password = String(pair[pair.index(after: colon)...])
                    if !password.isEmpty { all.insert(password) }
                }
            }
        }
        var forms = Set(all.map { Array($0.utf8) })
        for s in all { forms.formUnion(Scrubber.encodings(of: Array(s.utf8))) }
        self.secrets = forms.filter { !$0.isEmpty }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        firsts = self.secrets.map { $0[0] }
        starts = SecretStarts(self.secrets)
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// Secrets shorter than this get no base64 form cut out of a longer
    /// text (see `encodings`): a fragment of two or three characters would
    /// match by chance.
    static let embeddedMinimum = 6

    /// The encoded forms of a secret a server may echo: hex (lower and upper
    /// case); base64, standard and URL-safe, with and without padding; and,
    /// for secrets of `embeddedMinimum` bytes or more, the base64 characters
    /// that the secret alone determines when it sits at any of the three
    /// alignments inside a longer base64 text (e.g. a base64-encoded JSON
    /// document that holds it).
    static func encodings(of s: [UInt8]) -> Set<[UInt8]> {
        // A secret of 1 to 3 bytes has encoded forms of 2 to 4 characters, too short to scrub from a text without garbling it.
        guard s.count >= 4 else { return [] }
        var out: Set<[UInt8]> = []
        let lower = Array("0123456789abcdef".utf8), upper = Array("0123456789ABCDEF".utf8)
        out.insert(s.flatMap { [lower[Int($0 >> 4)], lower[Int($0 & 15)]] })
        out.insert(s.flatMap { [upper[Int($0 >> 4)], upper[Int($0 & 15)]] })
        for urlSafe in [false, true] {
            let padded = base64(s, urlSafe: urlSafe, padded: true)
            out.insert(padded)
            out.insert(Array(padded.prefix { $0 != 0x3D }))
            guard s.count >= embeddedMinimum else { continue }
            // k bytes before the secret: drop the characters those bytes
            // decide (0, 2 or 3), and the last one if it also depends on what follows.
            for (k, drop) in [(0, 0), (1, 2), (2, 3)] {
                let text = base64([UInt8](repeating: 0, count: k) + s, urlSafe: urlSafe, padded: false)
                let tail = (k + s.count) % 3 == 0 ? 0 : 1
                out.insert(Array(text[drop..<(text.count - tail)]))
            }
        }
        return out
    }

    static func base64(_ b: [UInt8], urlSafe: Bool, padded: Bool) -> [UInt8] {
        var text = Array(Data(b).base64EncodedString().utf8)
        if urlSafe { text = text.map { $0 == 0x2B ? 0x2D : $0 == 0x2F ? 0x5F : $0 } }
        if !padded { text = text.filter { $0 != 0x3D } }
        return text
    }

    /// Secrets at least this long are scrubbed from our own sentences too
    /// (messages and reasons that quote the target); shorter ones could be
    /// one of our words or numbers, and are scrubbed from the quoted values only.
    static let sentenceMinimum = 8

    /// `text`, one of our sentences, scrubbed of the secrets that cannot be
    /// mistaken for our own words (see `sentenceMinimum`).
    public func sentences(_ text: String) -> String {
        // Every secret long enough (the usual case: tokens and their
        // forms): this scrubber as it is, without rebuilding its tables.
        guard let shortest = secrets.last, shortest.count < Scrubber.sentenceMinimum else { return self(text) }
        var long = self
        long.secretsFilter(minimum: Scrubber.sentenceMinimum)
        return long(text)
    }

    private mutating func secretsFilter(minimum: Int) {
        secrets = secrets.filter { $0.count >= minimum }
    }

    /// At most how many bytes one echoed occurrence can take (six per byte: `\u0022`, `&quot;`).
    var longestForm: Int { (secrets.first?.count ?? 0) * 6 }

    /// `text` with every occurrence of a secret replaced by `***`. An
    /// ellipsis (`…`) marks where a value was cut: a secret's beginning that
    /// runs up to one is replaced too, so no prefix survives a cut.
    public func callAsFunction(_ text: String) -> String {
        guard !secrets.isEmpty, mayHoldSecret(text) else { return text }
        let bytes = Array(text.utf8)
        guard let out = scrubbed(bytes, cuts: Scrubber.ellipses(in: bytes)) else { return text }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a secret may begin at some byte of `text` (`SecretStarts.isCandidate`):
    /// where none may, `scrubbed` replaces nothing, so most of an excerpt's
    /// strings are let through without the copy to an array (perf, issue 24).
    func mayHoldSecret(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(mayHoldSecret)
    }

    /// The same on a text's UTF-8 bytes: false means `self(text)` is `text`
    /// (the excerpt's writer then writes the bytes without making a `String`).
    package func mayHoldSecret(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool { starts.mayHold(utf8) }

    /// `mayHoldSecret` as a closure that holds the tables alone (the excerpt's
    /// writer asks it for every key and string it writes).
    package var secretFilter: (UnsafeBufferPointer<UInt8>) -> Bool {
        let starts = self.starts
        return { starts.mayHold($0) }
    }

    /// The same on bytes (a body that is not JSON).
    public func bytes(_ b: [UInt8]) -> [UInt8] {
        guard !secrets.isEmpty else { return b }
        return scrubbed(b, cuts: []) ?? b
    }

    /// Whether `text` holds a secret in any form.
    public func contains(_ text: String) -> Bool {
        guard !secrets.isEmpty else { return false }
        let t = Array(text.utf8)
        for i in t.indices where secrets.contains(where: { Scrubber.end(t, i, $0, 0, cuts: []) != nil }) { return true }
        return false
    }

    /// nil when nothing was replaced.
    func scrubbed(_ t: [UInt8], cuts: [Int]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        var changed = false
        let starts = self.starts
        t.withUnsafeBufferPointer { tp in
            outer: while i < tp.count {
                let c = tp[i]
                guard starts.isCandidate(tp, i) else {
                    if changed { out.append(c) }
                    i += 1
                    continue
                }
                let escape = starts.isEscapeStart(c)
                for k in secrets.indices where escape || c == firsts[k] {
                    if let e = Scrubber.end(t, i, secrets[k], 0, cuts: cuts) {
                        if !changed {
                            out.reserveCapacity(t.count)
                            out.append(contentsOf: tp[..<i])
                            changed = true
                        }
                        out.append(contentsOf: Scrubber.mark)
                        i = e
                        continue outer
                    }
                }
                if changed { out.append(c) }
                i += 1
            }
        }
        return changed ? out : nil
    }

    static let mark = Array("***".utf8)

    static func ellipses(in t: [UInt8]) -> [Int] {
        var at: [Int] = []
        var i = 0
        while i + 2 < t.count {
            if t[i] == 0xE2, t[i + 1] == 0x80, t[i + 2] == 0xA6 { at.append(i) }
            i += 1
        }
        return at
    }

    /// Where the occurrence of `s[j...]` starting at `t[i]` ends, each byte
    /// in any of its forms; also a non-empty beginning of it ending at a cut.
    static func end(_ t: [UInt8], _ i: Int, _ s: [UInt8], _ j: Int, cuts: [Int]) -> Int? {
        if j == s.count { return i }
        if j > 0, cuts.contains(i) { return i }
        guard i < t.count else { return nil }
        let b = s[j]
        let c = t[i]
        if c == b, let e = end(t, i + 1, s, j + 1, cuts: cuts) { return e }
        switch c {
        case 0x25:  // %HH, either case
            if i + 2 < t.count, let hi = hex(t[i + 1]), let lo = hex(t[i + 2]), hi << 4 | lo == b,
                let e = end(t, i + 3, s, j + 1, cuts: cuts)
            {
                return e
            }
        case 0x2B:  // + for a space
            if b == 0x20, let e = end(t, i + 1, s, j + 1, cuts: cuts) { return e }
        case 0x5C:  // JSON escapes
            guard i + 1 < t.count else { return nil }
            let n = t[i + 1]
            let simple: UInt8? =
                switch n {
                case 0x22, 0x5C, 0x2F: n
                case 0x62: 0x08
                case 0x66: 0x0C
                case 0x6E: 0x0A
                case 0x72: 0x0D
                case 0x74: 0x09
                default: nil
                }
            if simple == b, let e = end(t, i + 2, s, j + 1, cuts: cuts) { return e }
            if n == 0x75, i + 5 < t.count, b < 0x80 {
                var v = 0
                for k in 2...5 {
                    guard let h = hex(t[i + k]) else { return nil }
                    v = v << 4 | Int(h)
                }
                if v == Int(b), let e = end(t, i + 6, s, j + 1, cuts: cuts) { return e }
            }
        case 0x26:  // HTML character references
            for (entity, byte) in entities where byte == b && hasPrefix(t, i, entity) {
                if let e = end(t, i + entity.count, s, j + 1, cuts: cuts) { return e }
            }
            if i + 3 < t.count, t[i + 1] == 0x23, let semi = t[(i + 2)...].prefix(8).firstIndex(of: 0x3B) {
                let digits = t[(i + 2)..<semi]
                let value: Int? =
                    digits.first == 0x78 || digits.first == 0x58
                    ? Int(String(decoding: digits.dropFirst(), as: UTF8.self), radix: 16)
                    : Int(String(decoding: digits, as: UTF8.self))
                if value == Int(b), let e = end(t, semi + 1, s, j + 1, cuts: cuts) { return e }
            }
        default:
            break
        }
        return nil
    }

    static let entities: [([UInt8], UInt8)] = [
        (Array("&amp;".utf8), 0x26), (Array("&lt;".utf8), 0x3C), (Array("&gt;".utf8), 0x3E),
        (Array("&quot;".utf8), 0x22), (Array("&apos;".utf8), 0x27),
    ]

    static func hasPrefix(_ t: [UInt8], _ i: Int, _ p: [UInt8]) -> Bool {
        guard i + p.count <= t.count else { return false }
        for k in p.indices where t[i + k] != p[k] { return false }
        return true
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}

/// Where one of a scrubber's secrets may begin, as bit tables over bytes:
///
/// - `escapes`: the bytes that may begin an encoded form of a secret's
///   byte: `%`, `\\` and `&` always, `+` only when some secret holds a
///   space (`+` stands for a space alone, see `Scrubber.end`), so that
///   phone numbers and time offsets are not scanned for secrets without one.
/// - `singles`: the secrets of one byte; `begins`: the first bytes of the
///   others; `pairs` (65,536 bits): their first two bytes. The hex and
///   base64 forms begin with most letters and digits, so a first byte alone
///   would let most of an answer's strings through to the scan (perf, issue 24).
///
/// Immutable once made, and shared by every copy of its scrubber.
final class SecretStarts: @unchecked Sendable {
    /// Words 0–3: `escapes`; 4–7: `singles`; 8–11: `begins`; 12 on: `pairs`.
    private let bits: UnsafeMutablePointer<UInt64>
    private static let words = 12 + 1024

    init(_ secrets: [[UInt8]]) {
        bits = .allocate(capacity: SecretStarts.words)
        bits.initialize(repeating: 0, count: SecretStarts.words)
        func set(_ base: Int, _ k: Int) { bits[base + k >> 6] |= 1 << UInt64(k & 63) }
        for c: UInt8 in [0x25, 0x5C, 0x26] { set(0, Int(c)) }
        if secrets.contains(where: { $0.contains(0x20) }) { set(0, 0x2B) }
        for s in secrets {
            if s.count == 1 {
                set(4, Int(s[0]))
            } else if s.count > 1 {
                set(8, Int(s[0]))
                set(12, Int(s[0]) << 8 | Int(s[1]))
            }
        }
    }

    deinit { bits.deallocate() }

    @inline(__always) private func has(_ base: Int, _ k: Int) -> Bool { bits[base + k >> 6] & (1 << UInt64(k & 63)) != 0 }

    /// Whether `c` may begin an encoded form of some secret's byte.
    @inline(__always) func isEscapeStart(_ c: UInt8) -> Bool { has(0, Int(c)) }

    /// Whether a secret may begin at `t[i]`: an escape that may encode its
    /// first byte, a secret of that one byte, or its first byte followed by
    /// its second, by an escape that may encode the second, or by a cut
    /// (an ellipsis, whose first byte is 0xE2): `end` matches nothing else.
    @inline(__always) func isCandidate(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        let c = Int(t[i])
        if has(0, c) || has(4, c) { return true }
        guard has(8, c), i + 1 < t.count else { return false }
        let d = t[i + 1]
        return has(12, c << 8 | Int(d)) || has(0, Int(d)) || d == 0xE2
    }

    /// Whether a secret may begin at some byte of `t`.
    func mayHold(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in t.indices where isCandidate(t, i) { return true }
        return false
    }
}
