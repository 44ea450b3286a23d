import ConformanceCLI
import ConformanceKit
import Foundation
import JSONKit
import Testing
import TelecomXSimulator

/// What a newcomer meets first: fixture priorities in `init` and `fixtures`,
/// and fault names that paste back whole.
@Suite struct OnboardingTests {
    @Test func fixturesAreOrderedByTheCasesTheyUnlock() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let usage = FixtureUsage.compute(suite)
        #expect(Set(usage.map(\.name)) == Set(suite.fixtures.keys), "every fixture of the catalogue, once")
        #expect(usage.count == suite.fixtures.count)
        for (a, b) in zip(usage, usage.dropFirst()) {
            #expect(a.caseIDs.count > b.caseIDs.count || (a.caseIDs.count == b.caseIDs.count && a.name < b.name))
        }
        let customer = try #require(usage.first { $0.name == "account.customer" })
        #expect(customer.caseIDs.count == suite.cases.count { $0.fixtureVariables.contains("account.customer") })
        #expect(customer.caseIDs.count > 50)
        let all = FixtureUsage.runnable(suite, present: Set(suite.fixtures.keys))
        #expect(all.count == suite.cases.count)
        #expect(FixtureUsage.runnable(suite, present: []).allSatisfy { id in suite.cases.first { $0.id == id }?.fixtureVariables.isEmpty == true })
    }

    @Test func fixturesCommandShowsEachFixtureItsCasesAndWhetherTheProfileHasIt() async throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let usage = FixtureUsage.compute(suite)
        let (status, c) = await conformance(
            ["fixtures", "--suite", Project.cases, "--target", Project.cases + "/targets/staging.example.json"])
        #expect(status == 0)
        let lines = c.out.split(separator: "\n").map(String.init)
        #expect(lines[1].hasPrefix("fixture ") && lines[1].hasSuffix("  cases  profile  cases that use it"))
        let rows = Array(lines[2..<(lines.count - 1)])
        // Typed apart: in one expression it took 2 s to type-check.
        let firstWords: [String] = rows.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(firstWords == usage.map(\.name))
        let customer = try #require(rows.first { $0.hasPrefix("account.customer ") })
        #expect(customer.contains("  \(usage.first { $0.name == "account.customer" }!.caseIDs.count)  yes  "))
        let rate = try #require(rows.first { $0.hasPrefix("create.ratePlan ") })
        #expect(rate.contains("  no   "))
        #expect(lines.last?.hasPrefix("5 of \(suite.fixtures.count) fixtures set; ") == true)

        let simulator = await conformance(["fixtures", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json"])
        #expect(simulator.capture.out.hasSuffix("\(suite.fixtures.count) of \(suite.fixtures.count) fixtures set; \(suite.cases.count) of \(suite.cases.count) cases have every fixture they need"))
        let broken = await conformance(["fixtures", "--suite", Project.cases, "--target", "/nonexistent/profile.json"])
        #expect(broken.status == 2)
    }

    @Test func initListsFixturesMostCasesFirst() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let usage = FixtureUsage.compute(suite)
        let (status, c) = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", tmp.path + "/acme.json"])
        #expect(status == 0)
        #expect(c.out.contains("They are listed by how many cases each\n   unlocks, most first"))
        let listed = c.out.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("   "), let paren = line.range(of: " case") else { return nil }
            let head = line[..<paren.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let open = head.range(of: " (") else { return nil }
            return String(head[..<open.lowerBound])
        }
        #expect(listed == usage.map(\.name))
        let first = try #require(usage.first)
        #expect(c.out.contains("   \(first.name) (\(first.caseIDs.count) cases): \(first.description)"))
        // Written outside the project, the profile names the schema by an absolute URL, not a path climbing out of tmp.
        let written = try JSONParser.parse([UInt8](try #require(FileManager.default.contents(atPath: tmp.path + "/acme.json"))))
        let schema = try #require(written["$schema"]?.stringValue)
        #expect(!schema.contains(".."), "\(schema)")
        let url = try #require(URL(string: schema))
        #expect(url.isFileURL && FileManager.default.fileExists(atPath: url.path), "\(schema) names no file")
    }

    @Test func initsSchemaPathIsRelativeInsideTheProjectAndAbsoluteOutside() {
        #expect(CLI.schemaReference(from: "/p/Cases/targets", suiteRoot: "/p/Cases") == "../meta/target.schema.json")
        #expect(CLI.schemaReference(from: "/p/profiles", suiteRoot: "/p/Cases") == "../Cases/meta/target.schema.json")
        #expect(CLI.schemaReference(from: "/tmp", suiteRoot: "/p/Cases") == "file:///p/Cases/meta/target.schema.json")
        #expect(CLI.schemaReference(from: "/tmp/a b", suiteRoot: "/q r/Cases") == "file:///q%20r/Cases/meta/target.schema.json")
    }

    @Test func faultsPrintsWholeNames() async {
        let (status, c) = await conformance(["faults"])
        #expect(status == 0)
        let lines = c.out.split(separator: "\n")
        #expect(lines.count == Fault.catalogue.count)
        for (line, fault) in zip(lines, Fault.catalogue) {
            #expect(line.split(separator: " ").first.map(String.init) == fault.name, "\(line)")
            #expect(line.hasSuffix(fault.summary))
        }
        #expect(c.out.contains("deleted-filter-skips-imsi-notes  mvno-deleted-list"))
    }
}
