import ConformanceKit
import Foundation
import JSONKit
import Testing

/// The scrubber finds a secret in every form a server may echo it in.
@Suite struct ScrubberTests {
    struct Form: Sendable, CustomTestStringConvertible {
        var name: String
        var echoed: String
        var testDescription: String { name }
    }

    static let secret = #"ab+/c d&e"f\g=="#

    static let forms: [Form] = [
        Form(name: "raw", echoed: secret),
        Form(name: "percent-encoded, upper case", echoed: "ab%2B%2Fc%20d%26e%22f%5Cg%3D%3D"),
        Form(name: "percent-encoded, lower case", echoed: "ab%2b%2fc%20d%26e%22f%5cg%3d%3d"),
        Form(name: "form-encoded (+ for space)", echoed: "ab%2B%2Fc+d%26e%22f%5Cg%3D%3D"),
        Form(name: "JSON-escaped", echoed: #"ab+\/c d&e\"f\\g=="#),
        Form(name: "JSON \\u escapes", echoed: #"ab\u002b/c d\u0026e\u0022f\u005Cg=="#),
        Form(name: "HTML references", echoed: "ab+/c d&amp;e&quot;f\\g&#61;&#x3D;"),
        Form(name: "mixed in one occurrence", echoed: #"ab%2B/c+d&amp;e\"f%5cg=%3D"#),
    ]

    @Test(arguments: forms)
    func everyEchoedFormIsReplaced(_ f: Form) {
        let s = Scrubber(secrets: [ScrubberTests.secret])
        #expect(s("before " + f.echoed + " after") == "before *** after")
        #expect(s.contains("x" + f.echoed))
    }

    @Test func longestSecretFirstAndNothingElseChanges() {
        let s = Scrubber(secrets: ["abc", "abcdef", ""])
        #expect(s("x abcdef y abc z") == "x *** y *** z")
        #expect(s("nothing here") == "nothing here")
        #expect(Scrubber.none("abc") == "abc")
    }

    @Test func aSecretCutByAnEllipsisLeavesNoPrefix() {
        let s = Scrubber(secrets: ["tok-1234567890abcdef"])
        #expect(s(#""Bearer tok-12345…"#) == #""Bearer ***…"#)
        // Without a cut, a mere prefix is not a secret.
        #expect(s("tok-12345 and more") == "tok-12345 and more")
    }

    @Test func basicAuthAddsTheDecodedPairAndThePassword() {
        let credential = Data("alice:s3cr3t+pw".utf8).base64EncodedString()
        let s = Scrubber(secrets: [credential], basicAuth: true)
        #expect(s("user alice:s3cr3t+pw") == "user ***")
        #expect(s("password s3cr3t%2Bpw") == "password ***")
        #expect(s("header Basic " + credential) == "header Basic ***")
    }

    @Test func shortSecretsLeaveOurSentencesAlone() {
        let s = Scrubber(secrets: ["1", "true", "a-long-secret-value"])
        #expect(s.sentences("expected status 200, got 401; saw a-long-secret-value") == "expected status 200, got 401; saw ***")
        #expect(s("got 401") == "got 40***")
    }

    @Test func anExcerptIsScrubbedBeforeItIsCut() {
        let secret = "tok-" + String(repeating: "x", count: 40)
        let s = Scrubber(secrets: [secret])
        let body: JSON = ["echo": .string(String(repeating: "y", count: 40) + secret)]
        let (text, truncated) = JSONWriter(pretty: true).prefix(body, limit: 50, scrub: { s($0) })
        #expect(truncated)
        #expect(!text.contains("tok-"), "\(text)")
        let short = Scrubber(secrets: ["true", "1"])
        let (whole, _) = JSONWriter().prefix(["a": true, "b": 1] as JSON, limit: 100, scrub: { short($0) })
        #expect(whole == #"{"a":"***","b":"***"}"#)
    }
    /// The excerpt's writer skips `scrub` for a text whose bytes the byte
    /// prefilter clears: the output must be what scrubbing every text gives,
    /// for secrets in keys, values, escapes, percent and JSON escapes,
    /// non-ASCII text and masked members, read from the tree and from a tape.
    @Test func theBytePrefilterChangesNoExcerpt() throws {
        let secret = "tok-9f8e7d6c5b4a"
        let s = Scrubber(secrets: [secret, "s3cr3t+pw"], basicAuth: false)
        let body = Array(
            #"""
            {"tok-9f8e7d6c5b4a": 1, "echo": "Bearer tok-9f8e7d6c5b4a", "escaped": "tok-9f8e\u0037d6c5b4a",
             "percent": "s3cr3t%2Bpw", "plus": "s3cr3t+pw", "quoted": "say \"tok-9f8e7d6c5b4a\"",
             "naïve": "ça tok-9f8e7d6c5b4a ✓", "pin": "tok-9f8e7d6c5b4a", "line\u2028sep": "a\u2028b",
             "list": ["tok-9f8e7d6c5b4a", "clean", 12, true, null, {"tok-9f8e7d6c5b4a": "x"}]}
            """#.utf8)
        let tree = try JSONParser.parse(body)
        let tape = try JSONTape.parse(body)
        for limit in [0, 30, 120, 1 << 20] {
            for masked in [Set<String>(), ["pin"]] {
                let every = JSONWriter(pretty: true).prefix(tree, limit: limit, masked: masked, scrub: { s($0) })
                let filtered = tape.withRoot {
                    JSONWriter(pretty: true).prefix($0, limit: limit, masked: masked, scrub: { s($0) }, mayScrub: s.secretFilter)
                }
                #expect(every.text == filtered.text && every.truncated == filtered.truncated, "limit \(limit), masked \(masked)")
                #expect(!filtered.text.contains(secret))
                if limit > 1000 { #expect(filtered.text.contains("***") && filtered.text.contains("naïve")) }
            }
        }
    }

    /// Numbers, `true`, `false` and `null` go through the prefilter too: a
    /// literal it lets through is scrubbed as before, one it stops is the
    /// literal as it was. Secrets that are (or begin) literals, and texts with
    /// `+` where no secret has a space (then `+` begins no secret) and where one does.
    @Test func literalsAndPlusSignsThroughThePrefilterAreTheSame() throws {
        let body = Array(
            #"""
            {"n": 12, "m": 120, "k": -12.5, "t": true, "f": false, "z": null, "msisdn": "+447700900123",
             "at": "2026-12-07T10:00:00+01:00", "spaced": "a+secret+pw", "list": [1, 12, 3.25, true, null, "nul"]}
            """#.utf8)
        let tree = try JSONParser.parse(body)
        let tape = try JSONTape.parse(body)
        let scrubbers = [
            Scrubber(secrets: ["12", "true", "nul"]), Scrubber(secrets: ["+447700900123"]), Scrubber(secrets: ["a secret pw"]),
            Scrubber(secrets: ["1"]), Scrubber(secrets: ["447700900"]),
        ]
        var changed = 0
        for (n, s) in scrubbers.enumerated() {
            let every = JSONWriter(pretty: true).prefix(tree, limit: 1 << 20, scrub: { s($0) })
            let filtered = tape.withRoot { JSONWriter(pretty: true).prefix($0, limit: 1 << 20, scrub: { s($0) }, mayScrub: s.secretFilter) }
            #expect(every.text == filtered.text, "scrubber \(n)")
            if every.text.contains("***") { changed += 1 }
        }
        #expect(changed == scrubbers.count)  // each scrubber did find its secret
        // `+` stands for a space alone: where no secret has one, it begins none.
        let plus = Array("+".utf8)
        #expect(plus.withUnsafeBufferPointer { Scrubber(secrets: ["447700900"]).mayHoldSecret($0) } == false)
        #expect(plus.withUnsafeBufferPointer { Scrubber(secrets: ["a secret pw"]).mayHoldSecret($0) } == true)
    }
}
