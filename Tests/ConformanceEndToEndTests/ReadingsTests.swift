import ConformanceCLI
import ConformanceKit
import Foundation
import HTTPServer
import JSONKit
import JSONSchemaKit
import TelecomXSimulator
import Testing

/// The readings register (`Cases/readings.json`): its data, the `ambiguous`
/// outcome for a target that takes a listed alternative, and profile pins.
@Suite(.serialized) struct ReadingsTests {
    static func suite() throws -> Suite { try SuiteLoader.load(root: Project.cases).suite }

    @Test func everyReadingQuotesItsPageOnTheLineItNames() throws {
        let suite = try Self.suite()
        #expect(suite.readings.count >= 8)
        func folded(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        for r in suite.readings {
            let path = Project.shared + "/api-docs/" + r.page
            let text = try #require(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }, "\(path)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(r.line >= 1 && r.line <= lines.count, "\(r.id): line \(r.line) of \(r.page)")
            guard r.line >= 1 && r.line <= lines.count else { continue }
            #expect(folded(String(lines[r.line - 1])).contains(folded(r.quote)), "\(r.id): \(r.page):\(r.line) does not hold “\(r.quote)”")
        }
    }

    @Test func everyReadingIsCitedAndTheReadmeTableIsGeneratedFromTheRegister() throws {
        let suite = try Self.suite()
        let cited = ReadingsReport.citations(suite)
        for r in suite.readings { #expect(cited[r.id]?.isEmpty == false, "\(r.id) is cited nowhere") }
        let readme = try String(contentsOfFile: Project.root + "/Sources/ConformanceKit/ConformanceKit.docc/Readings.md", encoding: .utf8)
        let begin = try #require(readme.range(of: "<!-- readings:begin -->\n"))
        let end = try #require(readme.range(of: "\n<!-- readings:end -->"))
        #expect(
            String(readme[begin.upperBound..<end.lowerBound]) == ReadingsReport.markdown(suite),
            "Readings.md's readings table differs from Cases/readings.json: run `swift run conformance readings --markdown`")
    }

    @Test func theReadingsCommandListsEveryReadingWithItsAlternatives() async throws {
        let (status, c) = await conformance(["readings", "--suite", Project.cases])
        #expect(status == 0, "\(c.err)")
        let suite = try Self.suite()
        for r in suite.readings {
            #expect(c.out.contains("\(r.id)  (\(r.page):\(r.line))"))
            for a in r.alternatives { #expect(c.out.contains("\(a.id): \(a.says)"), "\(r.id): \(a.id)") }
        }
        #expect(c.out.contains("total: \(suite.readings.count) readings"))
    }

    @Test func aStepCarriesAnAlternativeForEveryCombinationOfItsReadings() throws {
        let suite = try Self.suite()
        // RESELLER_ADMIN creating for its own customer: denied by our reading,
        // allowed (with 200, 201 or 202) if levels are hierarchical.
        let cell = try #require(suite.cases.first { $0.id == "create-access-reseller-admin-own" })
        let step = try #require(cell.steps.first)
        #expect(step.expect.status == 403)
        #expect(step.readings.map(\.description).sorted() == ["create-success-status=200", "reseller-admin-access=denied", "unauthenticated-answer=401-credentials_invalid"])
        let statuses = Set(step.alternatives.map(\.expect.status))
        #expect(statuses == [403, 200, 201, 202])
        let asReseller = try #require(
            step.alternatives.first { $0.choices.contains(ReadingChoice(reading: "reseller-admin-access", option: "as-reseller")) && $0.expect.status == 201 })
        #expect(asReseller.expect.visibilityLevel == "RESELLER")
        #expect(asReseller.expect.schema == "schemas/mvno-account-create-response.schema.json")
        // The other reseller's customer stays denied under every option.
        let other = try #require(suite.cases.first { $0.id == "create-access-reseller-admin-other-reseller" })
        let pinnedOther = Planner.pinned(other.steps[0], [:])
        #expect(pinnedOther.alternatives.allSatisfy { $0.expect.status == 403 && $0.expect.visibilityLevel == "RESELLER" })
    }

    @Test func aBadValueOfAMemberNoRowNamesMayBeAccepted() throws {
        let suite = try Self.suite()
        let negatives = suite.cases.filter { $0.tags.contains("negative") }
        let ignored = ReadingChoice(reading: "generated-negative-answer", option: "ignored")
        func mayBeIgnored(_ c: Case) -> Bool {
            Planner.pinned(c.steps[0], [:]).alternatives.contains { $0.choices.contains(ignored) && $0.expect.status == 200 }
        }
        let unnamed = negatives.filter(mayBeIgnored)
        let named = negatives.filter { !mayBeIgnored($0) }
        #expect(!unnamed.isEmpty && !named.isEmpty, "\(unnamed.count) unnamed, \(named.count) named")
        for c in unnamed {
            let step = Planner.pinned(c.steps[0], [:])
            #expect(step.alternatives.contains { $0.expect.status == 200 && $0.expect.oneOf.isEmpty }, "\(c.id)")
            #expect(!step.alternatives.contains { $0.expect.status >= 500 }, "\(c.id)")
        }
        // A member the error table names (number, customer, pbx…) is held to its rows.
        let number = try #require(negatives.first { $0.id.hasPrefix("create-gen-number-") })
        #expect(Planner.pinned(number.steps[0], [:]).alternatives.allSatisfy { $0.expect.status != 200 })
    }

    @Test func aPinnedReadingBecomesTheExpectationAndLosesItsAlternatives() throws {
        let suite = try Self.suite()
        let c = try #require(suite.cases.first { $0.id == "create-minimal-defaults" })
        // The case also rests on only-if-presence (dnd and voicemail left out or inert): pinned here, it drops out.
        let presence = ["only-if-presence": "absent-otherwise"]
        #expect(Planner.pinned(c.steps[0], [:]).alternatives.count == 5, "3 statuses × 2 options of only-if-presence, less ours")
        let free = Planner.pinned(c.steps[0], presence)
        #expect(free.expect.status == 200)
        #expect(free.alternatives.map(\.expect.status) == [201, 202])
        let pinned = Planner.pinned(c.steps[0], presence.merging(["create-success-status": "201"]) { a, _ in a })
        #expect(pinned.expect.status == 201)
        #expect(pinned.alternatives.isEmpty)
        #expect(pinned.readings.contains(ReadingChoice(reading: "create-success-status", option: "201")))
        let ours = Planner.pinned(c.steps[0], presence.merging(["create-success-status": "200"]) { a, _ in a })
        #expect(ours.expect.status == 200 && ours.alternatives.isEmpty)
        let inert = Planner.pinned(c.steps[0], ["only-if-presence": "inert-otherwise", "create-success-status": "200"])
        #expect(!inert.expect.assertions.contains { $0.pointer.description == "/dnd" } && inert.alternatives.isEmpty)
    }

    /// A server that answers every successful create with 201 and matches the
    /// deleted-list filter in the same letter case only: both documented alternatives.
    static func alternativeServer() -> HTTPHandler {
        let simulator = TelecomXSimulator()
        return { request in
            var response = simulator.respond(request)
            if request.method == "POST", request.path == "/mvno", response.status == 200 { response.status = 201 }
            return response
        }
    }

    static func run(_ handler: @escaping HTTPHandler, pins: [String: String] = [:], suite: Suite? = nil) async throws -> RunResult {
        let suite = try suite ?? Self.suite()
        var (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: handler)
        let port = try server.start()
        defer { server.shutdown() }
        profile.baseURL = "http://127.0.0.1:\(port)"
        profile.readings = pins
        var env: [String: String] = [:]
        let tokens = Dictionary(uniqueKeysWithValues: Seed.standard.tokensByRole.map { ($0.role, $0.token) })
        for (role, variable) in profile.credentialVariables { env[variable] = tokens[role.rawValue] }
        let credentials = Credentials(profile: profile, environment: env)
        return await Conformance.run(
            suite: suite, target: profile, credentials: credentials, transport: URLSessionTransport(maxConnections: 4),
            options: RunOptions(jobs: 4, timeout: 10))
    }

    @Test func aServerTakingADocumentedAlternativeIsAmbiguousNotFailed() async throws {
        let run = try await Self.run(Self.alternativeServer())
        let notConforming = run.results.filter { !$0.verdict.conforms }
        #expect(notConforming.map { "\($0.caseID): \($0.findings.first?.message ?? $0.verdict.label)" } == [])
        let ambiguous = run.results.filter { $0.verdict == .ambiguous }
        // Every create that succeeds (the access cells allowed, the chains' first steps…) took 201.
        #expect(ambiguous.count >= 20, "\(ambiguous.count)")
        #expect(ambiguous.allSatisfy { $0.endpointID == "mvno-account-create" })
        let f = try #require(ambiguous.first?.ambiguities.first)
        #expect(f.check == .reading && f.severity == .ambiguous && f.reading == "create-success-status")
        #expect(f.message.contains("mvno-account-create.txt:90"))
        #expect(f.message.contains("we read 200") && f.message.contains("the alternative 201"))
        #expect(run.blockingCases.map(\.caseID) == [])
        #expect(ConsoleReporter.summaryLine(run).hasSuffix(" 0 failed, 0 skipped"))
        let lines = ConsoleReporter.lines(run).filter { $0.hasPrefix("AMBIG ") }
        #expect(lines.count == 1, "one line per reading and option: \(lines)")
        #expect(lines.first?.contains("we read 200: 200 OK; the target took 201: 201 Created") == true, "\(lines)")
        #expect(lines.first?.contains(": \(ambiguous.count) cases: ") == true)
        // Every report says so.
        let json = JSONReporter.render(
            run, meta: RunMetadata(toolVersion: "t", suiteVersion: "s", targetName: "t", baseURL: run.baseURL, profileFile: "p"))
        let doc = try JSONParser.parse(json)
        #expect(doc["counts"]?["ambiguous"]?.intValue == ambiguous.count)
        #expect(doc["verdict"] == "passed")
        let decoded = try JSONReporter.decode(json)
        #expect(decoded.inconsistencies() == [])
        #expect(decoded.counts.ambiguous == ambiguous.count && decoded.recount.ambiguous == ambiguous.count)
        #expect(MarkdownReporter.render(run).contains("### Ambiguous (\(ambiguous.count))"))
        #expect(HTMLReporter.render(run).contains("id=\"ambiguous\""))
        let junit = JUnitReporter.render(run)
        #expect(!junit.contains("<failure") && junit.contains("ambiguous (conforms"))
    }

    @Test func aTargetPinnedToOurReadingFailsTheAlternative() async throws {
        let run = try await Self.run(Self.alternativeServer(), pins: ["create-success-status": "200"])
        #expect(run.ambiguous == 0)
        let failed = run.results.filter { $0.verdict == .failed }
        #expect(failed.count >= 20)
        #expect(failed.allSatisfy { $0.failures.contains { $0.check == .status } })
    }

    @Test func ourSimulatorPinnedToTheAlternativeFails() async throws {
        let run = try await Self.run(TelecomXSimulator().handler, pins: ["create-success-status": "201"])
        #expect(run.results.contains { $0.caseID == "create-minimal-defaults" && $0.verdict == .failed })
    }
}
