@testable import ConformanceKit
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

    @Test func theNamesAreFound() {
        #expect(Template.variableNames(in: "x{{ a.b }}y{{c}}z{{unclosed") == ["a.b", "c"])
    }
}
