import Foundation
import JSONKit
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValueInOrder() throws {
        let v = try JSONParser.parse(#"{"b":1,"a":[true,false,null,"x",-1.5e2,0.1]}"#)
        let o = try #require(v.objectValue)
        #expect(o.keys == ["b", "a"])
        #expect(v["a"] == [true, false, nil, "x", -150, 0.1])
        #expect(v["b"]?.intValue == 1)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#""a\"b\\c\/\n\t\u00e9\ud83d\ude00""#)
        #expect(v == .string("a\"b\\c/\n\té😀"))
    }

    @Test func numbersParseExactly() throws {
        for text in ["0", "-0", "123456789012345678", "1.7976931348623157e308", "5e-324", "0.1", "3.14159", "1E3"] {
            let v = try JSONParser.parse(text)
            #expect(v == .number(Double(text)!), "\(text)")
        }
    }

    @Test(arguments: [
        ("{\"a\":1,}", "trailing comma before '}'", 1, 8),
        ("[1,2", "unterminated array, expected ']'", 1, 5),
        ("{\"a\":\n  tru}", "unexpected 't', expected a value", 2, 3),
        ("01", "invalid number: leading zero", 1, 1),
        ("{'a':1}", "unexpected ''', expected a quoted key", 1, 2),
        ("", "empty document", 1, 1),
        ("[1] x", "unexpected 'x' after the end of the document", 1, 5),
        ("\"abc", "unterminated string", 1, 1),
    ])
    func strictJSONErrorsSayWhatAndWhere(text: String, message: String, line: Int, column: Int) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.message == message)
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }

    @Test func errorsCarryTheKeyPath() {
        do {
            _ = try JSONParser.parse(#"{"expect": {"assert": [1, {"pointer": }]}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "expect.assert[1].pointer")
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func json5AcceptsTheDocsOwnStyle() throws {
        let text = """
            // a comment
            { _id: '1234567890ABCDEF12345678', /* block */ feature: { data: true, }, n: +.5, h: 0x1F,
              list: [1, 2,], s: 'it\\'s', "q": "x" }
            """
        let v = try JSONParser.parse(text, dialect: .json5)
        #expect(v["_id"] == "1234567890ABCDEF12345678")
        #expect(v["feature"]?["data"] == true)
        #expect(v["n"] == 0.5)
        #expect(v["h"] == 31)
        #expect(v["list"] == [1, 2])
        #expect(v["s"] == "it's")
        #expect(v["q"] == "x")
    }

    @Test func strictModeRejectsJSON5() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{a: 1}") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("// c\n1") }
    }
}

@Suite struct JSONValueTests {
    @Test func objectEqualityIgnoresOrderAndNumbersCompareByValue() throws {
        let a = try JSONParser.parse(#"{"x":1,"y":[1.0]}"#)
        let b = try JSONParser.parse(#"{"y":[1],"x":1.0}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try JSONParser.parse(#"{"x":1}"#)))
    }

    @Test func writerRoundTripsAndIsDeterministic() throws {
        let text = #"{"b":"é\n\"q\"","a":[1,2.5,null,true],"c":{}}"#
        let v = try JSONParser.parse(text)
        #expect(JSONWriter().string(v) == text)
        #expect(try JSONParser.parse(JSONWriter(pretty: true).string(v)) == v)
        #expect(JSONWriter(sortKeys: true).string(v) == #"{"a":[1,2.5,null,true],"b":"é\n\"q\"","c":{}}"#)
    }
}

@Suite struct JSONWriterPrefixTests {
    @Test func utf8BoundaryNeverSplitsACharacter() {
        let bytes = Array("aé😀".utf8)  // 1 + 2 + 4 bytes
        #expect((0...9).map { bytes.utf8Boundary(atMost: $0) } == [0, 1, 1, 3, 3, 3, 3, 7, 7, 7])
    }

    @Test func aShortDocumentIsWrittenWholeAndMasked() {
        let v: JSON = ["pin1": "1234", "puk1": nil, "list": [["pin1": "9"], ["x": 1]], "name": "a"]
        let (text, truncated) = JSONWriter().prefix(v, limit: 1000, masked: ["pin1", "puk1"])
        #expect(!truncated)
        #expect(text == #"{"pin1":"***","puk1":null,"list":[{"pin1":"***"},{"x":1}],"name":"a"}"#)
    }

    @Test func aLargeDocumentIsCutAtTheLimitOnACharacterBoundary() throws {
        let big = JSON.array((0..<10_000).map { _ in ["é": "ééééé", "pin": "1234"] })
        let full = JSONWriter(pretty: true).string(big)
        for limit in [1, 2, 3, 100, 4000, 4001] {
            let (text, truncated) = JSONWriter(pretty: true).prefix(big, limit: limit, masked: [])
            #expect(truncated)
            #expect(text.utf8.count <= limit && text.utf8.count >= limit - 3)
            #expect(full.hasPrefix(text), "limit \(limit)")
        }
        let masked = JSONWriter(pretty: true).prefix(big, limit: 4000, masked: ["pin"]).text
        #expect(!masked.contains("1234") && masked.contains(#""pin": "***""#))
    }
}

@Suite struct ContainsTextTests {
    @Test func findsSubstringsByBytes() {
        #expect("Fairphone 5".containsText("phone"))
        #expect("Fairphone 5".containsText(""))
        #expect("Fairphone 5".containsText("Fairphone 5"))
        #expect(!"Fairphone 5".containsText("Fairphone 55"))
        #expect(!"Fairphone".containsText("fair"))
        #expect("ææble".containsText("æb"))
        #expect(!"".containsText("a"))
        #expect("aaab".containsText("aab"))
    }

    @Test func replacesEveryOccurrenceByBytes() {
        #expect("tok=abc&x=abc".replacingOccurrences("abc", "***") == "tok=***&x=***")
        #expect("aaaa".replacingOccurrences("aa", "b") == "bb")
        #expect("nothing here".replacingOccurrences("abc", "***") == "nothing here")
        // A secret right after a character it could combine with is still found.
        #expect("e\u{301}secret".replacingOccurrences("\u{301}secret", "***") == "e***")
    }
}

@Suite struct JSONPointerTests {
    @Test func parsesEscapesAndResolves() throws {
        let doc = try JSONParser.parse(#"{"a/b":{"m~n":[10,20]},"":1}"#)
        let p = try JSONPointer(parsing: "/a~1b/m~0n/1")
        #expect(p.tokens == ["a/b", "m~n", "1"])
        #expect(p.resolve(in: doc) == 20)
        #expect(p.description == "/a~1b/m~0n/1")
        #expect(try JSONPointer(parsing: "/").resolve(in: doc) == 1)
        #expect(JSONPointer.root.resolve(in: doc) == doc)
        #expect(try JSONPointer(parsing: "/a~1b/m~0n/01").resolve(in: doc) == nil)
        #expect(try JSONPointer(parsing: "#/a~1b").tokens == ["a/b"])
    }

    /// Pointers without '~' are split over bytes; the fragment form (`#`)
    /// still goes the general way: both give the same tokens.
    @Test(arguments: [
        ("/", [""]), ("//", ["", ""]), ("/a", ["a"]), ("/a/", ["a", ""]), ("/a//b", ["a", "", "b"]),
        ("/items/0/ratePlan", ["items", "0", "ratePlan"]), ("/é/ü x/1", ["é", "ü x", "1"]), ("/🇫🇷/a", ["🇫🇷", "a"]),
    ])
    func plainPointersSplitAsTheGeneralPathDoes(text: String, tokens: [String]) throws {
        #expect(try JSONPointer(parsing: text).tokens == tokens)
        #expect(try JSONPointer(parsing: "#" + text).tokens == tokens)
    }

    @Test func rejectsMalformedPointers() {
        #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(parsing: "a") }
        #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(parsing: "/a~2") }
    }
}

@Suite struct CivilDateTests {
    @Test(arguments: [
        (0, "1970-01-01"), (-1, "1969-12-31"), (19723, "2024-01-01"), (19782, "2024-02-29"), (11017, "2000-03-01"),
    ])
    func daysSince1970BecomeGregorianDates(days: Int, text: String) {
        #expect(CivilDate(daysSince1970: days).text == text)
    }

    @Test func daysFromCivilIsTheInverse() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let d = CivilDate(daysSince1970: days)
            #expect(CivilDate(year: d.year, month: d.month, day: d.day).daysSince1970 == days)
        }
    }
}

/// Our RFC 3339 reader against Foundation's ISO8601DateFormatter as the oracle.
@Suite struct RFC3339Tests {
    static func foundation(_ s: String) -> Double? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d.timeIntervalSince1970 }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)?.timeIntervalSince1970
    }

    @Test(arguments: [
        "2026-11-23T05:00:00.000Z", "2026-11-23T05:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z",
        "2024-02-29T12:34:56.789Z", "2000-03-01T00:00:00+01:00", "2026-12-31T23:59:59-05:30",
        "1600-03-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-23T05:00:00.123456Z",
    ])
    func validDateTimesAgreeWithFoundation(text: String) throws {
        let ours = try #require(RFC3339.seconds(text))
        let theirs = try #require(Self.foundation(text))
        #expect(abs(ours - theirs) < 0.001, "\(text): \(ours) vs \(theirs)")
    }

    @Test(arguments: [
        "2020-20-20T00:00:00Z", "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23", "2026-11-23T05:00:00",
        "2026-11-23T24:00:00Z", "2026-11-23T05:60:00Z", "2026-11-23T05:00:00.Z", "2026-11-23T05:00:00+0100",
        "2026-11-23 05:00:00Z", "2026-11-23T05:00:00Zx", "26-11-23T05:00:00Z", "",
    ])
    func invalidDateTimesAreRejected(text: String) {
        #expect(RFC3339.seconds(text) == nil, "\(text)")
    }

    @Test func whereFoundationDiffersRFC3339Rules() {
        // Lowercase separators are allowed (RFC 3339 §5.6 note); Foundation refuses them.
        #expect(RFC3339.seconds("2026-01-01t00:00:00z") == RFC3339.seconds("2026-01-01T00:00:00Z"))
        // Proleptic Gregorian, as RFC 3339 says; Foundation switches to the Julian calendar before 1582.
        #expect(RFC3339.seconds("0001-01-01T00:00:00Z") == -62_135_596_800)
    }

    @Test func formatRoundTrips() throws {
        for text in ["2026-11-23T05:00:00.000Z", "1969-12-31T23:59:59.500Z", "2024-02-29T12:34:56.789Z"] {
            #expect(RFC3339.format(try #require(RFC3339.seconds(text))) == text)
        }
    }
}

/// The parser shares repeated strings (a per-document cache) and predicts each
/// object's keys from its previous sibling. Neither may ever change a value:
/// these documents are built to hit every boundary of both (string lengths
/// around the word size and the cache's limit, keys that are prefixes of each
/// other, reordered and missing keys, escapes, non-ASCII, strings at the very
/// end of the input) and must read back exactly as written.
@Suite struct JSONParserSharingTests {
    /// SplitMix64: deterministic, so a failure can be reproduced.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    }

    static let pieces: [String] = [
        "", "a", "ab", "abc", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop",
        "abcdefghijklmnopq", String(repeating: "x", count: 47), String(repeating: "x", count: 48),
        String(repeating: "x", count: 49), String(repeating: "x", count: 200), "quote\"d", "back\\slash", "tab\there",
        "é", "ré", "日本語のキー", "emoji 😀 key", "5a1000000000000000000001", "5a1000000000000000000002",
        "2026-11-23T05:00:00.000Z", "2026-11-24T05:00:00.000Z", "state", "State", "states", "stat",
    ]

    func randomObject(_ r: inout Random, depth: Int) -> JSON {
        var members: [(String, JSON)] = []
        let n = r.below(12)
        for _ in 0..<n {
            members.append((r.pick(Self.pieces), randomValue(&r, depth: depth + 1)))
        }
        return .object(JSONObject(pairs: members))
    }

    func randomValue(_ r: inout Random, depth: Int) -> JSON {
        switch r.below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(r.below(2) == 0)
        case 2: return .number(Double(r.below(100_000)) / 8)
        case 3, 4: return .string(r.pick(Self.pieces) + (r.below(4) == 0 ? String(r.below(1000)) : ""))
        case 5: return .array((0..<r.below(6)).map { _ in randomValue(&r, depth: depth + 1) })
        default: return randomObject(&r, depth: depth)
        }
    }

    /// A page: an array of objects that mostly share one shape (as an API's
    /// list does), with some members dropped, swapped or renamed.
    func page(_ r: inout Random, count: Int) -> JSON {
        let shape = (0..<20).map { _ in r.pick(Self.pieces) }
        var items: [JSON] = []
        for _ in 0..<count {
            var keys = shape
            if r.below(5) == 0 { keys.remove(at: r.below(keys.count)) }
            if r.below(5) == 0 { keys.swapAt(r.below(keys.count), r.below(keys.count)) }
            if r.below(5) == 0 { keys[r.below(keys.count)] = r.pick(Self.pieces) }
            items.append(.object(JSONObject(pairs: keys.map { ($0, randomValue(&r, depth: 2)) })))
        }
        return ["items": .array(items), "last": .string(r.pick(Self.pieces))]
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func largeDocumentsReadBackExactly(seed: UInt64) throws {
        var r = Random(state: seed)
        let doc = page(&r, count: 400)
        let bytes = JSONWriter().bytes(doc)
        #expect(bytes.count > 16 * 1024, "large enough for the string cache to be on")
        let back = try JSONParser.parse(bytes)
        // The writer keeps member order and exact strings: equal text means equal trees.
        #expect(JSONWriter().string(back) == JSONWriter().string(doc))
        // And the same through the JSON5 reader, for the same bytes.
        #expect(JSONWriter().string(try JSONParser.parse(bytes, dialect: .json5)) == JSONWriter().string(doc))
    }

    @Test(arguments: [11, 12, 13])
    func smallDocumentsReadBackExactly(seed: UInt64) throws {
        var r = Random(state: seed)
        for _ in 0..<50 {
            let doc = page(&r, count: 3)
            #expect(JSONWriter().string(try JSONParser.parse(JSONWriter().bytes(doc))) == JSONWriter().string(doc))
        }
    }

    @Test func predictedKeysNeverMatchAPrefixOrAnExtension() throws {
        // Sibling objects whose keys are prefixes or extensions of the previous one's.
        var items: [String] = []
        for k in 0..<2000 {
            let key = ["ab", "abc", "a", "abcd", "ab\\u0063", "ab\\\"", "ab "][k % 7]
            items.append(#"{"\#(key)":\#(k),"x":"\#(key)"}"#)
        }
        let text = "[" + items.joined(separator: ",") + "]"
        let v = try JSONParser.parse(text)
        let expected = ["ab", "abc", "a", "abcd", "abc", "ab\"", "ab "]
        for k in 0..<2000 {
            let o = try #require(v[k]?.objectValue)
            #expect(o.keys == [expected[k % 7], "x"], "item \(k)")
            #expect(o[expected[k % 7]] == .number(Double(k)))
            #expect(o["x"] == .string(expected[k % 7]))
        }
    }

    @Test func aRepeatedStringIsStillCheckedForUTF8() {
        // The valid "é" is cached; an invalid string of the same length must not be taken for it.
        var bytes: [UInt8] = Array("[".utf8)
        for _ in 0..<10_000 { bytes += Array(#""é","#.utf8) }
        bytes += [0x22, 0xC3, 0x28, 0x22, 0x5D]  // "\xC3(" ]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    /// In a document that is not all ASCII, each string is checked on its
    /// own: an ASCII one is read as it is, a bad byte anywhere in another one
    /// (at every offset from its start, within a word or past it) is still refused.
    @Test func eachStringOfAMixedDocumentIsCheckedOnItsOwn() throws {
        for size in [100, 20_000] {  // without and with the string cache
            let filler = String(repeating: #""abcdefghijklmnopqrs","Blåbærgrød","#, count: size / 34 + 1)
            for offset in 0..<20 {
                let good = String(repeating: "x", count: offset) + "ø" + String(repeating: "y", count: 19 - offset)
                let v = try JSONParser.parse("[" + filler + "\"\(good)\",\"\(good.replacingOccurrences(of: "ø", with: "o"))\"]")
                let items = try #require(v.arrayValue)
                #expect(items.suffix(2) == [.string(good), .string(good.replacingOccurrences(of: "ø", with: "o"))])
                #expect(items.first == "abcdefghijklmnopqrs" && items[1] == "Blåbærgrød")
                var bad = Array(("[" + filler + "\"").utf8) + Array(repeating: 0x78, count: offset) + [0xC3, 0x28]
                bad += Array(repeating: 0x79, count: 19 - offset) + Array("\"]".utf8)
                #expect(throws: JSONParseError.self, "bad byte at \(offset)") { try JSONParser.parse(bad) }
            }
        }
    }

    @Test func shortStringsAtTheEndOfTheInput() throws {
        // Strings shorter than a word, ending within 8 bytes of the end of the input.
        let filler = String(repeating: #""abcdefghijklmnop","#, count: 1500)
        for tail in ["", "a", "ab", "abcdefg"] {
            let text = "[" + filler + "\"\(tail)\"]"
            let v = try JSONParser.parse(text)
            #expect(v[1500] == .string(tail))
        }
    }
}

/// Strings of a document that is not all ASCII are checked as UTF-8 without
/// the generic `String(validating:)` (issue 24): the same strings are
/// accepted, the same bytes refused, with and without escapes, in keys and
/// in values.
@Test func nonASCIIStringsAreValidatedAsBefore() throws {
    let valid: [[UInt8]] = [
        Array("é".utf8), Array("€".utf8), Array("😀".utf8), Array("aø\u{10FFFF}b".utf8), Array("Ærø".utf8), [],
    ]
    for s in valid {
        let expected = String(decoding: s, as: UTF8.self)
        // A value, a key, and a value with an escape (the slow path), in a document with non-ASCII elsewhere.
        let doc = Array(#"{"ø":""#.utf8) + s + Array(#"",""#.utf8) + s + Array(#"":1,"e":"\n"#.utf8) + s + Array(#""}"#.utf8)
        let v = try JSONParser.parse(doc)
        #expect(v.objectValue?["ø"]?.stringValue == expected)
        #expect(v.objectValue?[expected]?.numberValue == 1)
        #expect(v.objectValue?["e"]?.stringValue == "\n" + expected)
    }
    let invalid: [[UInt8]] = [
        [0xC3, 0x28], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x61, 0xFF, 0x62], [0xEF, 0xBF, 0xBD, 0xC3],
    ]
    for s in invalid {
        for doc in [
            Array(#"{"ø":""#.utf8) + s + Array(#""}"#.utf8),
            Array(#"{"ø":1,""#.utf8) + s + Array(#"":2}"#.utf8),
            Array(#"["\t"#.utf8) + s + Array(#"", "é"]"#.utf8),
        ] {
            #expect(throws: JSONParseError.self, "\(s)") { try JSONParser.parse(doc) }
            do {
                _ = try JSONParser.parse(doc)
            } catch {
                #expect(error.message == "string is not valid UTF-8", "\(s): \(error)")
            }
        }
    }
}
