@testable import ConformanceKit
import ConformanceTesting
import JSONKit
import Testing

/// A passing case's excerpt is written only as far as its report keeps it;
/// it is the same text as the whole excerpt cut for a passing case.
struct ExcerptLimitTests {
    @Test func thePassingExcerptWrittenShortIsTheWholeOneCut() async throws {
        let suite = try ProjectSuite.suite()
        let profile = try ProjectSuite.profile("simulator.json")
        let runner = Conformance.engine(
            suite: suite, target: profile, credentials: Credentials(profile: profile, environment: [:]),
            transport: InMemoryTransport { _ in nil }, options: RunOptions())
        let scrub = await runner.scrubber()
        let short = Runner.passedExcerptLimit + Runner.truncatedMark.utf8.count
        var compared = 0
        // Documents around the cut: ASCII and multi-byte text shifted a byte at a time across 1,000 and 1,016 bytes.
        for items in [0, 1, 20, 24, 25, 26, 30, 200] {
            for pad in 0..<6 {
                for text in ["a", "é", "🙂"] {
                    let doc = JSON.array(
                        (0..<items).map { i in
                            .object(JSONObject(pairs: [("id", .number(Double(i))), ("name", .string(String(repeating: text, count: pad + i % 3)))]))
                        })
                    let bytes = JSONWriter().bytes(doc)
                    let parsed = ParsedJSON(tape: try JSONTape.parse(bytes))
                    let whole = runner.excerpt(bytes, parsed: parsed, scrub: scrub).map(Runner.passedExcerpt)
                    let cut = runner.excerpt(bytes, parsed: parsed, scrub: scrub, limit: short).map(Runner.passedExcerpt)
                    #expect(whole == cut, "\(items) items, pad \(pad), \(text)")
                    compared += 1
                }
            }
        }
        #expect(compared == 144)
    }
}
