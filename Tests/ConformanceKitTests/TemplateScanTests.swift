@testable import ConformanceKit
import JSONKit
import Testing

/// `Template.variableNames` scans bytes; it finds what the scan by Character found.
struct TemplateScanTests {
    @Test(arguments: [
        "", "plain", "{{a}}", "x{{ a.b }}y{{c}}", "{{{a}}}", "{{a}", "{{", "}}{{b}}", "{{ }}", "{{  spaced  }} and {{x}}",
        "é{{ø.å}}ü", "{{a}}{{a}}", "{{a}}}}", "{{ä{{b}}", "🙂{{🙂}}🙂", "{{relation.customer}}", "a{b}{{c}}d}}",
        "{{a | dropLast}}", "{{a|dropFirst}}x{{ b | }}", "{{|}}", "{{ a | b | c }}", "{{ä | ø}}{{c}}", "|{{a}}|",
    ])
    func bytesAndCharactersAgree(_ s: String) {
        #expect(Template.variableNames(in: s) == Template.variableNamesByCharacter(in: s), "\(s)")
        #expect(Template.filterNames(in: s) == Template.references(in: s).compactMap(\.filter), "\(s)")
    }

    @Test func theFiltersAreFound() {
        #expect(Template.filterNames(in: "{{a | dropLast}}{{b}}{{ c|dropFirst }}") == ["dropLast", "dropFirst"])
        #expect(Template(.string("{{a | dropLast}}{{b | dropLast}}")).filterNames == ["dropLast"])
    }

    /// The loader's one walk finds what `variables` and `filterNames` find, in the same order.
    @Test func oneWalkFindsWhatTheTwoFind() throws {
        for text in [
            #"{"a{{k}}": ["{{x | dropLast}}", {"b": "{{y}}{{x}}"}], "c": "{{ z | dropFirst }}{{k | dropLast}}", "d": 1}"#,
            #""plain""#, #"["{{a}}", "{{b|dropFirst}}", "{{a | dropLast}}"]"#, #"{"{{only.key | dropLast}}": null}"#,
        ] {
            let t = Template(try JSONParser.parse(text))
            let (variables, filters) = t.variablesAndFilters()
            #expect(variables == t.variables, "\(text)")
            #expect(filters == t.filterNames, "\(text)")
        }
    }

    /// `pathParameters` and `kebab` walk ASCII as bytes and anything else by Character; both give what the walk by Character gave.
    @Test func pathParametersAndKebabOverBytes() {
        #expect(pathParameters("/mvno/{MVNO_ID}/sims/{SIM}") == ["MVNO_ID", "SIM"])
        #expect(pathParameters("/{a}{b}/x}") == ["a", "b"])
        #expect(pathParameters("/a/{unclosed") == [])
        #expect(pathParameters("/ø/{Å}/{b}") == ["Å", "b"])
        #expect(kebab("otherCustomer") == "other-customer")
        #expect(kebab("own") == "own")
        #expect(kebab("ÅbcDé") == "-åbc-dé")
    }

    @Test func theNamesAreFound() {
        #expect(Template.variableNames(in: "x{{ a.b }}y{{c}}z{{unclosed") == ["a.b", "c"])
    }
}
