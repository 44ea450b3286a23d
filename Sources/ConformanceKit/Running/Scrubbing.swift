import Foundation
import JSONKit
import Synchronization

// What is kept of an answer, and how it is kept clean: excerpts cut to a
// bound, sensitive members masked, every secret scrubbed (see `Scrubber`).
extension Runner {
    /// Excerpts keep 4000 bytes of the answer for a case that did not pass,
    /// where they explain the verdict, and 1000 for one that passed, where they
    /// only show what came back: a 10,000-case run keeps every result in memory.
    static let excerptLimit = 4000
    static let passedExcerptLimit = 1000

    static func passedExcerpt(_ text: String) -> String {
        guard text.utf8.count > passedExcerptLimit + truncatedMark.utf8.count else { return text }
        return clipped(Array(text.utf8), to: passedExcerptLimit)
    }

    /// `bytes` as text, cut to at most `limit` bytes on a character boundary
    /// and marked as cut.
    static func clipped(_ bytes: [UInt8], to limit: Int) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[..<bytes.utf8Boundary(atMost: limit)], as: UTF8.self) + truncatedMark
    }

    static let truncatedMark = "\n… (truncated)"

    /// The start of the answer, scrubbed of secrets before it is cut.
    /// `limit` applies to a JSON answer (a text answer is cut at `excerptLimit`).
    func excerpt(_ body: [UInt8], parsed: ParsedJSON?, scrub: Scrubber, limit jsonLimit: Int = Runner.excerptLimit) -> String? {
        guard !body.isEmpty else { return nil }
        // Only the first 4000 bytes are written (masked and scrubbed as they
        // are written): a 500-account page costs an excerpt, not a copy and a
        // megabyte of text.
        var limit = Runner.excerptLimit
        if let parsed {
            limit = jsonLimit
            let rewrite: ((String) -> String)? = scrub.isEmpty ? nil : { scrub($0) }
            let masked = sensitive
            let (text, truncated) = parsed.tape.withRoot {
                JSONWriter(pretty: true).prefix($0, limit: limit, masked: masked, scrub: rewrite, mayScrub: scrub.secretFilter)
            }
            return truncated ? text + Runner.truncatedMark : text
        }
        // Not JSON: scrub enough bytes that a secret running past the limit
        // is replaced whole, then cut.
        let head = Array(body.prefix(limit + scrub.longestForm))
        let text = Runner.clipped(scrub.bytes(head), to: limit)
        return head.count < body.count && !text.hasSuffix(Runner.truncatedMark) ? text + Runner.truncatedMark : text
    }

    /// A finding about a sensitive field shows no value.
    func maskFinding(_ f: Finding) -> Finding {
        guard let p = f.pointer, p.tokens.contains(where: sensitive.contains)
        else { return f }
        var m = f
        if m.actual != "missing" { m.actual = "***" }
        m.message = "\(p): \(f.check.rawValue) check failed (expected \(f.expected); value masked)"
        return m
    }

    /// A finding with the target's values in it scrubbed: the value quoted
    /// (`actual`), the names in its pointer, and the same texts where the
    /// message quotes them. The rest of the message is our own sentence: it
    /// is scrubbed only of secrets long enough not to be one of our words
    /// (`Scrubber.sentenceMinimum`), so a credential `1` or `true` leaves
    /// "expected status 200, got 401" alone. A status finding quotes a number only.
    static func scrubbed(_ f: Finding, _ scrub: Scrubber) -> Finding {
        guard !scrub.isEmpty, f.check != .status else { return f }
        var g = f
        var message = f.message
        let actual = scrub(f.actual)
        if actual != f.actual {
            g.actual = actual
            message = message.replacingOccurrences(f.actual, actual)
        }
        if let p = f.pointer {
            let tokens = p.tokens.map { t in t.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? t : scrub(t) }
            if tokens != p.tokens {
                let shown = JSONPointer(tokens: tokens)
                g.pointer = shown
                message = message.replacingOccurrences(p.description, shown.description)
            }
        }
        g.message = scrubbedSentence(message, scrub)
        return g
    }

    /// A sentence of ours that may quote the target (a reason for an error).
    static func scrubbedSentence(_ s: String, _ scrub: Scrubber) -> String {
        scrub.sentences(s)
    }
}

/// One scrubber, for the secrets it was made of (one entry: bounded).
final class ScrubberCache: Sendable {
    private let last = Mutex<(secrets: [String], basicAuth: Bool, scrubber: Scrubber)?>(nil)

    func scrubber(secrets: [String], basicAuth: Bool) -> Scrubber {
        if let l = last.withLock({ $0 }), l.secrets == secrets, l.basicAuth == basicAuth { return l.scrubber }
        let made = Scrubber(secrets: secrets, basicAuth: basicAuth)
        last.withLock { $0 = (secrets, basicAuth, made) }
        return made
    }
}
