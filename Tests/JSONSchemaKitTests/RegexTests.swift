import Testing

@testable import JSONSchemaKit

@Suite("ECMA-262 regular expressions")
struct RegexTests {
    static let simplePatterns = [
        "^[0-9a-f]{24}$", "^\\+[1-9][0-9]{7,14}$", "^[0-9]{18,20}$", "abc", "^a.c$", "^[^x]*$", "\\d+", "^\\w+$",
        "^\\s*$", "^[A-Z]{2}-[0-9]{3}$", "colou?r", "^é+$", "^[a-zé]+$", "^\\D\\W\\S$", "^[\\d\\-.]+$", "x{2,}y", "^$",
        "^a*a*a*b$", "[]", "[^]", "^\\u{1F432}*$", "^\\x41\\u0042$",
    ]
    static let subjects = [
        "", "a", "abc", "xxabcxx", "5f1e0b9c2a4d3e6f7a8b9c0d", "5F1E0B9C2A4D3E6F7A8B9C0D", "+4512345678", "+0512345678",
        "8945020012345678901", "a\nc", "abc\n", "color", "colour", "éé", "zé", "a b", "AB-123", "ab-123", "1.2-3",
        "xxy",
        "xy", "aaaaaaaaaaaaaaaaaaaaaaab", "aaaaaaaaaaaaaaaaaaaaaaaa", "🐲🐲", "AB", " \t", "a_1", "٣", "x\u{2028}",
    ]

    @Test("the fast matcher agrees with ICU", arguments: simplePatterns)
    func fastMatcherAgrees(_ pattern: String) throws {
        let re = try ECMARegex(pattern)
        #expect(re.isSimple, "\(pattern) should use the fast matcher")
        for s in RegexTests.subjects {
            #expect(re.matches(s) == re.matchesUsingICU(s), "\(pattern) on \(s.debugDescription)")
        }
    }

    @Test("patterns that need ICU still work")
    func icuPatterns() throws {
        let alternation = try ECMARegex("^(TELENOR|TDC)$")
        #expect(!alternation.isSimple)
        #expect(alternation.matches("TDC"))
        #expect(!alternation.matches("TDCX"))
        let lookahead = try ECMARegex("^(?=.*[0-9])[a-z0-9]+$")
        #expect(lookahead.matches("abc1"))
        #expect(!lookahead.matches("abc"))
        let boundary = try ECMARegex("\\bcat\\b")
        #expect(boundary.matches("a cat sat"))
        #expect(!boundary.matches("concatenate"))
        let property = try ECMARegex("^\\p{L}+$")
        #expect(property.matches("Ærø"))
    }

    @Test(
        "non-ECMA syntax is rejected",
        arguments: ["(?i)abc", "(?P<n>x)", "\\a", "a{2", "(abc", "a**", "[z-a]", "(?#c)x", "x++"])
    func rejected(_ pattern: String) {
        #expect(throws: ECMARegex.SyntaxError.self) { try ECMARegex(pattern) }
    }
}
