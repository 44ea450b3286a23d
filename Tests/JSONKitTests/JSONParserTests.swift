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
}
