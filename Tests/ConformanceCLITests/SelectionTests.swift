import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import Testing

@Suite struct SelectionTests {
    @Test(arguments: [
        ("get-*", "get-by-id", true), ("get-*", "create-x", false), ("*-id", "get-by-id", true),
        ("get-by-?d", "get-by-id", true), ("*", "", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false),
    ])
    func globsMatchAsShellsDo(pattern: String, text: String, matches: Bool) {
        #expect(globMatch(pattern, text) == matches)
    }

    @Test func shardsPartitionTheSuiteStablyAndCompletely() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let n = 3
        var seen: [String: Int] = [:]
        for i in 1...n {
            let shard = Selection(shard: .init(index: i, count: n)).apply(to: suite)
            for c in shard.cases { seen[c.id, default: 0] += 1 }
        }
        #expect(seen.count == suite.cases.count)
        #expect(seen.values.allSatisfy { $0 == 1 })
        // FNV-1a, not Swift's per-process seeded hash: this id is in this shard on every machine.
        #expect(Selection.Shard(index: 1, count: 2).contains("get-by-id") != Selection.Shard(index: 2, count: 2).contains("get-by-id"))
        #expect(Selection.Shard(parsing: "0/2") == nil)
        #expect(Selection.Shard(parsing: "3/2") == nil)
        #expect(Selection.Shard(parsing: "2/2") == Selection.Shard(index: 2, count: 2))
    }

    @Test func kindsCombineWithAndValuesWithOr() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let s = Selection(endpoints: ["mvno-account-get"], tags: ["smoke"], caseGlobs: ["get-by-number", "nothing"]).apply(to: suite)
        #expect(s.cases.map(\.id) == ["get-by-number"])
    }

    @Test func aSelectionThatMatchesNothingExits2() async {
        let (status, c) = await conformance(["run", "--suite", Project.cases, "--case", "no-such-*"])
        #expect(status == 2)
        #expect(c.err.contains("matches none of the"))
    }

    @Test func listPrintsThePlanAndSendsNothing() async {
        let (status, c) = await conformance(["run", "--suite", Project.cases, "--case", "get-by-*", "--list"])
        #expect(status == 0)
        #expect(c.out.contains("mvno-account-get/get-by-id  OWNER  covers success"))
        #expect(c.out.contains("2 cases"))
    }

    /// `--list` prints `Planner.listing` instead of making the plan: the same
    /// cases in the same order, with what a line shows unchanged by planning,
    /// also when the target pins every reading to an alternative (pinning
    /// rewrites the steps) and has no credentials (every case skipped).
    @Test func listingIsThePlansCasesInThePlansOrder() throws {
        let suite = try ProjectSuite.suite()
        var profile = try ProjectSuite.profile("simulator.json")
        for r in suite.readings { if let alt = r.alternatives.first { profile.readings[r.id] = alt.id } }
        let plan = Planner.plan(suite: suite, target: profile, credentials: Credentials(profile: profile, environment: [:]))
        #expect(plan.contains { job in job.testCase.steps != suite.cases.first(where: { $0.id == job.testCase.id })?.steps })
        let listed = Planner.listing(suite)
        #expect(listed.count == plan.count && plan.count == suite.cases.count)
        for (c, job) in zip(listed, plan) {
            let p = job.testCase
            // Typed apart: as one literal comparison it took 6 s to type-check.
            let listedRow: [String] = [c.endpoint, c.id, c.role.description, c.covers, c.tags.joined(separator: ","), String(c.steps.count)]
            let plannedRow: [String] = [p.endpoint, p.id, p.role.description, p.covers, p.tags.joined(separator: ","), String(p.steps.count)]
            #expect(listedRow == plannedRow)
        }
    }

    @Test func dryRunPrintsRequestsWithSecretsRedacted() async {
        let env = ["TELECOMX_OWNER_TOKEN": "s3cr3t-owner-value"]
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--case", "get-chain-*", "--dry-run"],
            environment: env)
        #expect(status == 0)
        #expect(c.out.contains("GET http://127.0.0.1:8080/mvno/5a1000000000000000000001?token=***"))
        #expect(c.out.contains("{{captured.number}}"))
        #expect(!c.out.contains("s3cr3t-owner-value"))
    }

    @Test func failingCasesPrintACurlLineWithAVariableNotTheSecret() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(["--suite", Project.cases, "--reports", tmp.path, "--fault", "get-drop-number", "--case", "get-by-id"])
        #expect(status == 1)
        #expect(c.out.contains(#"reproduce: curl -sS -X GET "http://127.0.0.1:"#))
        // curl percent-encodes the query credential itself, as the harness did.
        #expect(c.out.contains(#"/mvno/5a1000000000000000000001" --url-query "token=${TELECOMX_OWNER_TOKEN}""#), "\(c.out)")
        #expect(try tmp.read("junit.xml").contains("reproduce: curl"))
    }
}

@Suite struct ShardMergeTests {
    @Test func shardReportsMergeIntoOneValidReportWithTheUnshardedTotals() async throws {
        let xmllint = try #require(xmllintPath(), "xmllint is required (.ci/run installs libxml2-utils)")
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // One endpoint's cases: sharding and merging are the same for any
        // selection, and four whole-suite runs would cost the test time.
        let scope = ["--endpoint", "mvno-account-get", "--fault", "get-drop-number"]
        let (whole, _) = await conformance(["--suite", Project.cases, "--reports", tmp.path + "/whole"] + scope)
        #expect(whole == 1)
        var files: [String] = []
        for i in 1...3 {
            _ = await conformance(
                ["--suite", Project.cases, "--reports", tmp.path + "/s\(i)", "--shard", "\(i)/3"] + scope)
            files.append(tmp.path + "/s\(i)/junit.xml")
        }
        let (status, c) = await conformance(["merge"] + files + ["-o", tmp.path + "/merged.xml"])
        #expect(status == 0, "\(c.err)")
        func totals(_ xml: String) -> [String] {
            xml.split(separator: "\n").filter { $0.contains("<testsuite ") }.map { line in
                let l = String(line)
                return ["name", "tests", "failures", "errors", "skipped"].map { key in
                    l.firstRange(of: "\(key)=\"").map { r in String(l[r.upperBound...].prefix { $0 != "\"" }) } ?? ""
                }.joined(separator: " ")
            }.sorted()
        }
        let merged = try tmp.read("merged.xml")
        #expect(totals(merged) == totals(try tmp.read("whole/junit.xml")))
        for xsd in ["windyroad-JUnit.xsd", "jenkins-xunit-junit-10.xsd"] {
            let r = try runProcess(xmllint, ["--noout", "--schema", Project.shared + "/junit/" + xsd, tmp.path + "/merged.xml"])
            #expect(r.status == 0, "\(xsd): \(r.output)")
        }
    }

    @Test func mergeNamesAnUnreadableReport() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write("bad.xml", "<nope")
        let (status, c) = await conformance(["merge", tmp.path + "/bad.xml", "-o", tmp.path + "/m.xml"])
        #expect(status == 2)
        #expect(c.err.contains("bad.xml: "), "\(c.err)")
    }

    @Test func credentialsAreNotSentOverPlainHTTPToARemoteHost() async {
        // Refused before anything is sent: no traffic leaves the machine.
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--base-url", "http://192.0.2.10:8080"],
            environment: ["TELECOMX_OWNER_TOKEN": "owner-test-token-1"])
        #expect(status == 2)
        #expect(c.err.contains("credentials would travel unencrypted to 192.0.2.10 over plain http://"))
    }
}

@Suite struct ConsoleTests {
    @Test func colourOnlyWhenAskedAndNeverWithNoColor() {
        let plain = Console(out: { _ in }, err: { _ in })
        #expect(plain.painted("FAIL  a/b: x") == "FAIL  a/b: x")
        let coloured = Console(out: { _ in }, err: { _ in }, colour: true)
        #expect(coloured.painted("FAIL  a/b: x") == "\u{1B}[31;1mFAIL\u{1B}[0m  a/b: x")
        #expect(coloured.painted("3 passed, 0 failed, 0 skipped").hasPrefix("\u{1B}[32m"))
        // Under swift test, standard output is not a terminal: plain lines, no progress line.
        #expect(Console.standard(environment: [:]).colour == false)
        #expect(Console.standard(environment: ["NO_COLOR": "1"]).colour == false)
        #expect(Console.standard(environment: ["CI": "true"]).progress == nil)
    }
}

@Suite struct InitTests {
    @Test(arguments: ["query", "header", "cookie", "login"])
    func theScaffoldedProfileLoadsAndNamesWhatToDoNext(auth: String) async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let out = tmp.path + "/vendor.json"
        let (status, c) = await conformance(
            ["init", "--suite", Project.cases, "--name", "vendor", "--base-url", "https://vendor.example", "--auth", auth, "--out", out])
        #expect(status == 0, "\(c.err)")
        let (profile, _) = try TargetLoader.load(path: out, fixtureCatalogue: [:])
        #expect(profile.baseURL == "https://vendor.example")
        let roles = try SuiteLoader.loadAccess(root: Project.cases).credentialRoles
        #expect(Set(profile.credentialVariables.keys).union(profile.loginVariables.keys) == Set(roles))
        #expect(roles.count == 8, "every declared role but ANONYMOUS")
        #expect(c.out.contains("   account.id ("), "fixtures listed with the cases each unlocks")
        #expect(c.out.contains(auth == "login" ? "TELECOMX_VENDOR_OWNER_PASSWORD" : "TELECOMX_VENDOR_OWNER_TOKEN"))
        // Never overwritten silently.
        let (again, c2) = await conformance(["init", "--name", "vendor", "--base-url", "https://vendor.example", "--out", out])
        #expect(again == 2)
        #expect(c2.err.contains("exists; pass --force"))
    }
}

@Suite struct SafetyAndSummaryTests {
    @Test func mutatingCasesRefuseToRunUnlessTheProfileAllowsThem() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        var text = try String(contentsOfFile: Project.cases + "/targets/simulator.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"allowMutations\": true", with: "\"allowMutations\": false")
        try tmp.write("no-mutations.json", text)
        let (status, c) = await conformance([
            "run", "--simulator", "--suite", Project.cases, "--target", tmp.path + "/no-mutations.json",
            "--reports", tmp.path + "/r", "--endpoint", "mvno-account-create",
        ])
        #expect(status == 3, "every create case is skipped, so nothing was judged: \(c.out)")
        let xml = try tmp.read("r/junit.xml")
        #expect(xml.contains("mutating case; target simulator does not allow mutations (set &quot;allowMutations&quot;: true in"))
        #expect(!xml.contains("<failure"))
        #expect(!xml.contains("<error"))
    }

    @Test func theMarkdownSummaryIsAppendedToTheGitHubStepSummary() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write("step-summary.md", "earlier step\n")
        let (status, _) = await conformance(
            ["--suite", Project.cases, "--reports", tmp.path + "/r", "--case", "get-by-id"],
            environment: ["GITHUB_STEP_SUMMARY": tmp.path + "/step-summary.md"])
        #expect(status == 0)
        let summary = try tmp.read("step-summary.md")
        #expect(summary.hasPrefix("earlier step\n"))
        #expect(summary.contains("TelecomX conformance"))
        #expect(summary == "earlier step\n" + (try tmp.read("r/summary.md")))
    }
}
