import ConformanceKit
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

    @Test func everyAnswerOfARunAgainstEverySchemaOfTheSuite() async throws {
        let suite = try ProjectSuite.suite()
        var bodies = try await Self.answers()
        bodies += try await Self.answers(variants: ["null-for-empty", "dates-offset", "error-envelope"])
        bodies += try await Self.answers(faults: ["get-wrong-enum"])
        // Distinct JSON bodies: a run repeats many.
        var seen = Set<[UInt8]>()
        let json = bodies.filter { !$0.isEmpty && seen.insert($0).inserted && (try? JSONParser.parse($0)) != nil }
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
}
