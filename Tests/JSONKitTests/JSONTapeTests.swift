import Foundation
@testable import JSONKit
import Testing

/// The tape (JSONTape) against the tree (JSONParser): the same documents
/// accepted, the same values read (member order and number bits included),
/// the same errors for the documents refused.
@Suite struct JSONTapeTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Equal as written: the same kinds, members in the same order, numbers of the same bits.
    static func identical(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return Array(x.utf8) == Array(y.utf8)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.members.count == y.members.count
                && zip(x.members, y.members).allSatisfy { Array($0.key.utf8) == Array($1.key.utf8) && identical($0.value, $1.value) }
        default: return false
        }
    }

    /// One document both ways; a message naming the difference, or nil when they agree.
    static func disagreement(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> String? {
        if let d = readersDisagree(bytes, maxDepth: maxDepth) { return d }
        let tree: Result<JSON, JSONParseError>
        do { tree = .success(try JSONParser.parse(bytes, maxDepth: maxDepth)) } catch { tree = .failure(error) }
        let tape: Result<JSONTape, JSONParseError>
        do { tape = .success(try JSONTape.parse(bytes, maxDepth: maxDepth)) } catch { tape = .failure(error) }
        switch (tree, tape) {
        case (.success(let t), .success(let p)):
            return identical(t, p.materialize()) ? nil : "read differently"
        case (.failure(let a), .failure(let b)):
            return a == b ? nil : "refused differently: \(a) / \(b)"
        case (.success, .failure(let e)): return "the tape refused what the tree read: \(e)"
        case (.failure(let e), .success): return "the tape read what the tree refused: \(e)"
        }
    }

    /// The tape's two readers (JSONTapeFast.swift and `Parser.tapeDocument`)
    /// on one document: the same documents read, to the same words and side
    /// buffer. The fast one refuses no document the other reads (were it to,
    /// `parse` would still be right, only slower: this says so).
    static func readersDisagree(_ bytes: [UInt8], maxDepth: Int) -> String? {
        let general = try? JSONTape.parseGeneral(bytes, maxDepth: maxDepth)
        let fast = bytes.withUnsafeBufferPointer { buf in
            var p = Parser(buf: buf, json5: false, maxDepth: maxDepth, caching: false)
            defer { p.release() }
            return JSONTape.fastWords(buf, maxDepth: maxDepth, &p)
        }
        switch (general, fast) {
        case (nil, nil): return nil
        case (nil, _?): return "the fast reader read what the general one refused"
        case (_?, nil): return "the fast reader refused what the general one read"
        case (let g?, let f?):
            let same =
                g.words.count == f.words.count && (0..<g.words.count).allSatisfy { g.words.base[$0] == f.words.base[$0] } && g.side == f.side
            return same ? nil : "the two readers wrote different tapes"
        }
    }

    static func jsonFiles(under dir: URL) -> [URL] {
        guard let walk = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return walk.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }

    @Test func everyJSONFileOfTheSuiteAndTheSchemaTestSuiteReadsTheSame() throws {
        let files =
            Self.jsonFiles(under: Self.repo.appendingPathComponent("Cases"))
            + Self.jsonFiles(under: Self.repo.deletingLastPathComponent().appendingPathComponent("shared/jsonschema-test-suite"))
        #expect(files.count > 100, "the corpus was found (\(files.count) files)")
        var read = 0
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            if let d = Self.disagreement(bytes) { Issue.record("\(file.path): \(d)") }
            if (try? JSONParser.parse(bytes)) != nil { read += 1 }
        }
        #expect(read > 100, "most of the corpus is JSON the tree reads (\(read))")
    }

    @Test func pagesOfSharedShapesReadTheSame() throws {
        for seed: UInt64 in 1...6 {
            var r = JSONParserSharingTests.Random(state: seed)
            let bytes = JSONWriter().bytes(JSONParserSharingTests().page(&r, count: 150))
            #expect(Self.disagreement(bytes) == nil, "seed \(seed)")
        }
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{'a':1}", "[1 2]", "01", "-",
        "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "tru", "nul", "falsey", "\"abc", "\"a\\qb\"", "\"\\u12\"",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"tab\there\"", "[1] x", "[1]//c", "\u{FEFF}[1]", "\"é\"",
        "{\"a\":1,\"a\":2}", "[[[]]]", "{\"\":{\"\":[]}}", "-0", "1e400", "-1e400", "123456789012345678901234567890",
        "1.7976931348623157e308", "5e-324", "0.1", "[0.30000000000000004]", "{\"k\\n\":\"v\\u0000\"}",
        // Integers the tape's fast reader reads itself (at most 15 digits), and those next to them.
        "999999999999999", "-999999999999999", "1234567890123456", "9007199254740993", "[-]", "[1x]", "[01]", "[-01]",
        "[1,-1,0,-0]", "1E5", "[7.]", "{\"a\":12}", "[123456789012345,1234567890123456]", "-",
    ])
    func edgeCasesReadOrFailTheSame(text: String) {
        #expect(Self.disagreement(Array(text.utf8)) == nil, "\(text.debugDescription)")
    }

    /// What JSONTape's documentation promises of its size.
    @Test func aTapeTakesAtMostEightBytesPerByteOfInputPlusSixteen() throws {
        var r = JSONParserSharingTests.Random(state: 5)
        let docs =
            ["0", "[0,0,0,0]", "[[[[0]]]]", "\"\"", "[\"\",\"\"]", "{\"\":0}", "[{},{},[]]", "[null,true,false]", "-1e5"]
            .map { Array($0.utf8) } + [JSONWriter().bytes(JSONParserSharingTests().page(&r, count: 40))]
        for bytes in docs {
            let tape = try JSONTape.parse(bytes)
            #expect(tape.wordCount * 8 <= bytes.count * 8 + 16, "\(String(decoding: bytes.prefix(40), as: UTF8.self))")
        }
    }

    @Test func invalidUTF8AndTheByteOrderMarkReadTheSame() {
        let cases: [[UInt8]] = [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22], [0xEF, 0xBB, 0xBF, 0x31],
            [0xEF, 0xBB, 0x31], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x5B, 0x22, 0xC3, 0xA9, 0x22, 0x2C, 0x22, 0xFF, 0x22, 0x5D],
        ]
        for bytes in cases { #expect(Self.disagreement(bytes) == nil, "\(bytes)") }
    }

    @Test func theDepthLimitIsTheTreesLimit() {
        for depth in [3, 4, 5] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(Self.disagreement(Array(text.utf8), maxDepth: 4) == nil, "depth \(depth)")
        }
        #expect(throws: JSONParseError.self) { try JSONTape.parse(Array("[[[[[]]]]]".utf8), maxDepth: 4) }
    }

    /// Every document a byte away from a valid one (deleted, doubled or
    /// replaced by a byte the grammar cares about), from a seeded generator:
    /// reads the same or fails the same.
    @Test func mutatedDocumentsReadOrFailTheSame() throws {
        var r = JSONParserSharingTests.Random(state: 99)
        let seed = Array(#"{"id":"5a1","n":[1,-2.5e3,0,true,false,null],"s":"t\u00e9\"x\\","o":{"":{}},"é":"日本"}"#.utf8)
        let interesting: [UInt8] = Array("{}[]\",:\\ -+.0123456789eEtfnu\t\n".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var refused = 0
        for _ in 0..<3_000 {
            var bytes = seed
            for _ in 0...r.below(3) {
                let at = r.below(bytes.count)
                switch r.below(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(r.pick(interesting), at: at)
                default: bytes[at] = r.pick(interesting)
                }
                if bytes.isEmpty { break }
            }
            if let d = Self.disagreement(bytes) {
                Issue.record("\(String(decoding: bytes, as: UTF8.self).debugDescription): \(d)")
                return
            }
            if (try? JSONParser.parse(bytes)) == nil { refused += 1 }
        }
        #expect(refused > 1_000, "most mutations make a document the tree refuses (\(refused))")
    }

    @Test func theViewReadsWithoutATree() throws {
        let tape = try JSONTape.parse(Array(#"{"a":[1,"x\ty",null,true],"b":{"c":false},"a":2.5,"é":"ü"}"#.utf8))
        tape.withRoot { root in
            #expect(root.kind == .object)
            #expect(root.count == 4)
            #expect(root.members.map { $0.key.stringValue ?? "?" } == ["a", "b", "a", "é"])
            // The last member of a name wins, as in JSONObject.
            #expect(root["a"]?.numberValue == 2.5)
            #expect(root["b"]?["c"]?.boolValue == false)
            #expect(root["é"]?.stringEquals("ü") == true)
            #expect(root["é"]?.stringEquals("u") == false)
            #expect(root["missing"] == nil)
            let a = Array(root.members)[0].value
            #expect(a.kind == .array)
            #expect(a.count == 4)
            #expect(a.elements.map(\.kind) == [.number, .string, .null, .bool])
            // An escaped string is read from the side buffer, unescaped.
            #expect(a[1]?.stringValue == "x\ty")
            #expect(a[1]?.stringEquals("x\ty") == true)
            #expect(a[1]?.withUTF8 { $0.count } == 3)
            #expect(a[4] == nil)
            #expect(a[-1] == nil)
            #expect(a[2]?.isNull == true)
            #expect(root.stringValue == nil)
            #expect(a[0]?.count == 0)
            #expect(a[0].map { Array($0.elements).isEmpty } == true)
            #expect(Array(a.members).isEmpty)
        }
    }

    @Test func emptyStringsAndContainersHaveNoBytesToLend() throws {
        let tape = try JSONTape.parse(Array(#"["",{},[],{"":""}]"#.utf8))
        tape.withRoot { root in
            #expect(root[0]?.stringEquals("") == true)
            #expect(root[0]?.withUTF8 { $0.count } == 0)
            #expect(root[1]?.count == 0)
            #expect(root[2]?.count == 0)
            #expect(root[3]?[""]?.stringValue == "")
        }
    }
}
