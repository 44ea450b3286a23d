import ConformanceKit
import ConformanceTesting
import Foundation
import JSONKit
import JSONSchemaKit
import Synchronization
import Testing

/// Keeps every answer body its inner transport returns.
final class RecordingTransport: Transport {
    let inner: any Transport
    let bodies = Mutex<[[UInt8]]>([])
    init(_ inner: any Transport) { self.inner = inner }
    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        let exchange = try await inner.send(request, timeout: timeout)
        bodies.withLock { $0.append(exchange.body) }
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
        let recorder = RecordingTransport(simulator.transport)
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
        for body in json {
            let tree = try JSONParser.parse(body)
            let tape = try JSONTape.parse(body)
            for (ref, schema) in schemas {
                let expected = schema.validate(tree)
                checked += 1
                #expect(schema.validate(tape) == expected, "\(ref) on \(String(decoding: body.prefix(120), as: UTF8.self))")
                if schema.vouches(for: tape) {
                    vouched += 1
                    #expect(expected.isValid && expected.undescribedMembers.isEmpty, "vouched for, \(ref)")
                }
            }
        }
        // Not vacuous: each answer is valid against its own schema at least.
        #expect(vouched * 2 > json.count, "vouched \(vouched) times in \(checked) validations of \(json.count) answers")
    }
}
