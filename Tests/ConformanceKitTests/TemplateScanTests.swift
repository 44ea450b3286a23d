@testable import ConformanceKit
import Testing

/// `Template.variableNames` scans bytes; it finds what the scan by Character found.
struct TemplateScanTests {
    @Test(arguments: [
        "", "plain", "{{a}}", "x{{ a.b }}y{{c}}", "{{{a}}}", "{{a}", "{{", "}}{{b}}", "{{ }}", "{{  spaced  }} and {{x}}",
        "é{{ø.å}}ü", "{{a}}{{a}}", "{{a}}}}", "{{ä{{b}}", "🙂{{🙂}}🙂", "{{relation.customer}}", "a{b}{{c}}d}}",
    ])
    func bytesAndCharactersAgree(_ s: String) {
        #expect(Template.variableNames(in: s) == Template.variableNamesByCharacter(in: s), "\(s)")
    }

    @Test func theNamesAreFound() {
        #expect(Template.variableNames(in: "x{{ a.b }}y{{c}}z{{unclosed") == ["a.b", "c"])
    }
}
