@testable import ConformanceKit
import ConformanceTesting
import Foundation
import JSONKit
import JSONSchemaKit
import Synchronization
import Testing

/// Keeps the answer bodies its inner transport returns (at most `limit`).
/// (conformance-bench's `RecordingTransport` keeps requests, for wrk.)
final class AnswerRecordingTransport: Transport {
    let inner: any Transport
    let limit: Int
    let bodies = Mutex<[[UInt8]]>([])
    init(_ inner: any Transport, limit: Int = 10_000) {
        self.inner = inner
        self.limit = limit
    }
    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        let exchange = try await inner.send(request, timeout: timeout)
        bodies.withLock { if $0.count < limit { $0.append(exchange.body) } }
        return exchange
    }
}

/// `validate(_: JSONTape)` against `validate(_: JSON)` on what the suite
/// really meets: every answer of a whole run against the simulator (with a
/// variant and a fault, for answers of other shapes), each against every
/// schema of the suite, with the suite's own validation options.
@Suite struct TapeAgreementTests {
    static func answers(faults: [String] = [], variants: [String] = []) async throws -> [[UInt8]] {
        let suite = try ProjectSuite.suite()
        var profile = try ProjectSuite.profile("simulator.json")
        let simulator = InProcessSimulator(
            faults: try faults.map(SimulatorHarness.fault), variants: try variants.map(SimulatorHarness.variant))
        profile.baseURL = InProcessSimulator.baseURL
        let recorder = AnswerRecordingTransport(simulator.transport)
        _ = await Conformance.run(
            suite: suite, target: profile, credentials: Credentials(profile: profile, environment: simulator.environment(for: profile)),
            transport: recorder, options: RunOptions(jobs: 4, timeout: 10))
        return recorder.bodies.withLock { $0 }
    }

    /// The distinct JSON answers of three runs (clean; three variants; a
    /// fault), recorded once for the tests of this suite.
    static let recorded = Task { () throws -> [[UInt8]] in
        var bodies = try await answers()
        bodies += try await answers(variants: ["null-for-empty", "dates-offset", "error-envelope"])
        bodies += try await answers(faults: ["get-wrong-enum"])
        // Distinct JSON bodies: a run repeats many.
        var seen = Set<[UInt8]>()
        return bodies.filter { !$0.isEmpty && seen.insert($0).inserted && (try? JSONParser.parse($0)) != nil }
    }

    @Test func everyAnswerOfARunAgainstEverySchemaOfTheSuite() async throws {
        let suite = try ProjectSuite.suite()
        let json = try await Self.recorded.value
        #expect(json.count > 50, "\(json.count) distinct JSON answers")
        let schemas = suite.compiledSchemas.sorted { $0.key < $1.key }
        #expect(schemas.count >= 3, "\(schemas.count) schemas")
        var vouched = 0
        var checked = 0
        // An answer is named by its number and size only: some carry the simulator's tokens.
        for (n, body) in json.enumerated() {
            let tree = try JSONParser.parse(body)
            let tape = try JSONTape.parse(body)
            for (ref, schema) in schemas {
                let expected = schema.validate(tree)
                checked += 1
                #expect(schema.validate(tape) == expected, "\(ref) on answer \(n) (\(body.count) bytes)")
                if schema.vouches(for: tape) {
                    vouched += 1
                    #expect(expected.isValid && expected.undescribedMembers.isEmpty, "vouched for, \(ref) on answer \(n)")
                }
            }
        }
        // Not vacuous: each answer is valid against its own schema at least.
        #expect(vouched * 2 > json.count, "vouched \(vouched) times in \(checked) validations of \(json.count) answers")
    }

    /// The checks the runner reads from an answer's tape (presence,
    /// visibility, assertions, invariants, the documented values, the
    /// excerpt, pointers) give what they give on its tree: the same generic
    /// code, read through `JSONView` or `JSON`. Every answer of the runs
    /// above, with every rule, assertion and invariant of the suite.
    @Test func theChecksReadTheTapeAsTheTree() async throws {
        let suite = try ProjectSuite.suite()
        let profile = try ProjectSuite.profile("simulator.json")
        let json = try await Self.recorded.value
        let steps = suite.cases.flatMap(\.steps)
        let assertions = Array(Set(steps.flatMap(\.expect.assertions))).sorted { "\($0)" < "\($1)" }
        let invariants = Array(Set(steps.flatMap(\.expect.invariants))).sorted { "\($0)" < "\($1)" }
        let pagings = suite.endpoints.compactMap(\.paging)
        let roles = suite.access.roles.map(\.role)
        let sensitive = SensitiveFields.names(in: suite.schemas)
        #expect(!assertions.isEmpty && !invariants.isEmpty && !pagings.isEmpty && !suite.presence.isEmpty && !suite.visibility.isEmpty)
        let request = PlannedRequest(method: "GET", path: "/", query: [.init(name: "limit", value: "2")], headers: [], body: nil)
        var compared = 0
        var found = 0
        var scrubbed = 0
        // Compared apart from the expectation, so that a failure names the
        // check and the answer's number, never the values (some answers carry the simulator's tokens).
        func same<T: Equatable>(_ tree: T, _ view: T, _ what: String, _ n: Int) {
            compared += 1
            let agree = tree == view
            #expect(agree, "\(what) on answer \(n) (\(json[n].count) bytes)")
        }
        for (n, body) in json.enumerated() {
            let tree = try JSONParser.parse(body)
            let tape = try JSONTape.parse(body)
            tape.withRoot { view in
                for (_, rules) in suite.presence.sorted(by: { $0.key < $1.key }) {
                    let t = Presence.violations(in: tree, rules: rules, readings: suite.readings)
                    found += t.count
                    same(t, Presence.violations(in: view, rules: rules, readings: suite.readings), "presence", n)
                }
                for (_, rules) in suite.visibility.sorted(by: { $0.key < $1.key }) {
                    for role in roles {
                        let level = suite.access.level(of: role)
                        let t = Visibility.leaks(in: tree, rules: rules, role: role, level: level)
                        found += t.count
                        same(t, Visibility.leaks(in: view, rules: rules, role: role, level: level), "visibility", n)
                    }
                }
                for a in assertions {
                    same(
                        Checker.check(a, in: tree, fixtures: profile.fixtures), Checker.check(a, in: view, fixtures: profile.fixtures),
                        "assertion \(a.pointer)", n)
                    same(a.pointer.resolve(in: tree), a.pointer.resolve(in: view)?.materialize(), "pointer \(a.pointer)", n)
                }
                for paging in pagings {
                    for inv in invariants {
                        let t = Invariants.check(inv, body: tree, paging: paging, request: request, bindings: profile.fixtures, now: 1.9e9)
                        found += t.count
                        same(t, Invariants.check(inv, body: view, paging: paging, request: request, bindings: profile.fixtures, now: 1.9e9), "invariant", n)
                    }
                }
                for conforms in [true, false] {
                    same(
                        DocumentedValues.observe(tree, enums: suite.documentedEnums, conforms: conforms),
                        DocumentedValues.observe(view, enums: suite.documentedEnums, conforms: conforms), "documented values", n)
                }
                for limit in [0, 40, 1_000, 4_000, 1 << 30] {
                    let scrub: (String) -> String = { $0.replacingOccurrences(of: "a", with: "*") }
                    let writer = JSONWriter(pretty: true)
                    let t = writer.prefix(tree, limit: limit, masked: sensitive, scrub: scrub)
                    let v = writer.prefix(view, limit: limit, masked: sensitive, scrub: scrub)
                    same(t.text, v.text, "excerpt at \(limit)", n)
                    same(t.truncated, v.truncated, "excerpt at \(limit), truncated", n)
                    // The runner's way: a real scrubber, and its byte prefilter on
                    // the tape; the tree's side scrubs every text whole, without
                    // the prefilter (which `real(_:)` itself uses).
                    let real = Scrubber(secrets: ["ACTIVE", "+452000000", "MVNO", "1000000000000"])
                    let whole: (String) -> String = { text in
                        let bytes = Array(text.utf8)
                        return real.scrubbed(bytes, cuts: Scrubber.ellipses(in: bytes)).map { String(decoding: $0, as: UTF8.self) } ?? text
                    }
                    let rt = writer.prefix(tree, limit: limit, masked: sensitive, scrub: whole)
                    let rv = writer.prefix(view, limit: limit, masked: sensitive, scrub: { real($0) }, mayScrub: real.secretFilter)
                    same(rt.text, rv.text, "scrubbed excerpt at \(limit)", n)
                    if rt.text.contains("***") { scrubbed += 1 }
                    same(
                        JSONWriter(sortKeys: true).prefix(tree, limit: limit).text, JSONWriter(sortKeys: true).prefix(view, limit: limit).text,
                        "sorted at \(limit)", n)
                }
            }
        }
        // Not vacuous: the checks found things to agree on.
        #expect(compared > 10_000 && found > 100 && scrubbed > 100, "\(compared) comparisons, \(found) findings, \(scrubbed) scrubbed excerpts")
    }
}
