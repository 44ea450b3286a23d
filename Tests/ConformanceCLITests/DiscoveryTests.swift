import ConformanceCLI
import ConformanceKit
import Foundation
import JSONKit
import Testing
import TelecomXSimulator

/// A correct server is never blamed for our setup: `init` finds how
/// credentials travel and where error messages sit, and a run checks the
/// profile against the target before any case.
@Suite struct DiscoveryTests {
    /// The simulator's demo tokens under the variables `init --name acme` names.
    static func acmeEnvironment(_ sim: EmbeddedSimulator) throws -> [String: String] {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator.json", suite: suite)
        var env: [String: String] = [:]
        for (k, v) in sim.environment(for: profile) {
            env[k.replacingOccurrences(of: "TELECOMX_", with: "TELECOMX_ACME_")] = v
        }
        return env
    }

    static func variants(_ names: String...) throws -> [Variant] { try names.map { try #require(Variant.named($0)) } }

    /// The issue's server: the message at /errors/0/message, the credential in X-Auth-Token.
    /// init finds both; the profile, filled with that server's fixtures and
    /// nothing else, passes every case the right profile passes.
    @Test func initFindsTheEnvelopeAndTheHeaderAndTheRunPasses() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let sim = try inProcessSimulator(variants: try Self.variants("errors-array", "x-auth-token"))
        defer { sim.stop() }
        let env = try Self.acmeEnvironment(sim)
        let out = tmp.path + "/acme.json"
        let (status, c) = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", sim.baseURL, "--out", out], environment: env)
        #expect(status == 0, "\(c.err)")
        #expect(c.out.contains("auth: found: credentials travel as header X-Auth-Token: …"), "\(c.out)")
        #expect(c.out.contains("errorMessagePointer: found: /errors/0/message"), "\(c.out)")
        #expect(c.out.contains("content type: application/json"))
        for secret in env.values { #expect(!c.out.contains(secret) && !c.err.contains(secret)) }
        var profile = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        #expect(profile["errorMessagePointer"] == .string("/errors/0/message"))
        #expect(profile["auth"] == ["in": "header", "name": "X-Auth-Token", "prefix": ""])
        let sample = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Project.cases + "/targets/simulator.json"))))
        guard case .object(var o) = profile else { Issue.record("not an object"); return }
        o["fixtures"] = sample["fixtures"]
        o["$schema"] = nil
        profile = .object(o)
        try JSONWriter(pretty: true).string(profile).write(toFile: out, atomically: true, encoding: .utf8)
        // The whole suite (init leaves allowMutations false: the creating cases are skipped, and say so).
        let run = await conformance(["run", "--suite", Project.cases, "--target", out, "--reports", tmp.path + "/r"], environment: env)
        #expect(run.status == 0, "\(run.capture.out)\n\(run.capture.err)")
        #expect(run.capture.out.contains("profile: errorMessagePointer /errors/0/message confirmed"))
        #expect(run.capture.out.contains(" passed, 0 failed, "), "\(run.capture.out)")
        #expect(run.capture.out.contains(" mutating (not allowed on this target)"))
    }

    /// The default profile against a server whose message sits elsewhere: the
    /// run stops before any case, naming errorMessagePointer, where the message
    /// is, and the body.
    @Test func aWrongPointerStopsTheRunNamingTheRightOne() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--simulator", "--target", Project.cases + "/targets/simulator.json",
             "--variant", "errors-array", "--reports", tmp.path + "/r", "--endpoint", "mvno-account-get"])
        #expect(status == 2)
        #expect(c.err.contains("errorMessagePointer: Cases/targets/simulator.json says /message"), "\(c.err)")
        #expect(c.err.contains("is at /errors/0/message"))
        #expect(c.err.contains("the body: {\"errors\":[{\"code\":404,\"message\":\"mvnoAccount\""))
        #expect(!c.out.contains("passed,"), "no case ran")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/r/junit.xml"))
    }

    /// A placement the target refuses for every role stops the run, naming the one it takes.
    @Test func refusedCredentialsStopTheRunNamingThePlacementTheTargetTakes() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--simulator", "--target", Project.cases + "/targets/simulator.json",
             "--variant", "x-auth-token", "--reports", tmp.path + "/r", "--endpoint", "mvno-account-get"])
        #expect(status == 2)
        #expect(c.err.contains("auth: the target refuses the credential of every role"), "\(c.err)")
        #expect(c.err.contains("answered 401 for ADMIN, VIEWER"))
        #expect(c.err.contains(#"set "auth": {"in":"header","name":"X-Auth-Token","prefix":""}"#))
        #expect(!c.err.contains("sim-admin-token") && !c.out.contains("sim-admin-token"))
    }

    @Test func initTakesAHeaderNameAndPrefix() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let out = tmp.path + "/acme.json"
        let (status, c) = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", out,
             "--auth", "header", "--header-name", "X-Auth-Token"])
        #expect(status == 0, "\(c.err)")
        let profile = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        #expect(profile["auth"] == ["in": "header", "name": "X-Auth-Token", "prefix": ""])
        #expect(c.out.contains("nothing asked of https://acme.example: no credential exported (e.g. TELECOMX_ACME_ADMIN_TOKEN)"))
        #expect(c.out.contains("wrote errorMessagePointer: the default /message"))
        #expect(c.out.contains("TELECOMX_ACME_OTHER_CUSTOMER_TOKEN=…  The OWNER of a customer under another reseller"))
        let prefixed = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", out, "--force",
             "--auth", "header", "--header-name", "Authorization", "--prefix", "Token "])
        #expect(prefixed.status == 0)
        let again = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        #expect(again["auth"] == ["in": "header", "name": "Authorization", "prefix": "Token "])
        let wrong = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", out, "--force",
             "--auth", "query", "--header-name", "X-Auth-Token"])
        #expect(wrong.status == 2)
        // Nothing that reaches the request head may carry a line break.
        let injected = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", out, "--force",
             "--auth", "header", "--header-name", "X-Auth-Token", "--prefix", "a\r\nX-Injected: 1"])
        #expect(injected.status == 2)
        #expect(injected.capture.err.contains("--prefix must not hold control characters"), "\(injected.capture.err)")
        let badName = await conformance(
            ["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", out, "--force",
             "--auth", "header", "--header-name", "X-A\r\nX-Injected"])
        #expect(badName.status == 2)
    }
}

/// A run that judged little fails CI when asked to.
@Suite struct MinJudgedTests {
    @Test func minJudgedFailsARunThatJudgedTooLittle() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        // A profile without fixtures: only the cases that need none run (about a tenth).
        let profile = tmp.path + "/acme.json"
        let made = await conformance(["init", "--suite", Project.cases, "--name", "acme", "--base-url", "https://acme.example", "--out", profile])
        #expect(made.status == 0)
        let (status, c) = await conformance(
            ["run", "--suite", Project.cases, "--simulator", "--target", profile, "--reports", tmp.path + "/r", "--min-judged", "50%"])
        #expect(status == 4, "\(c.err)")
        #expect(c.err.contains("cases judged ("), "\(c.err)")
        #expect(c.err.contains("less than the --min-judged 50% (exit 4)"))
        #expect(c.out.contains(" cases judged; "))
        let enough = await conformance(
            ["run", "--suite", Project.cases, "--simulator", "--target", profile, "--reports", tmp.path + "/r", "--min-judged", "5"])
        #expect(enough.status == 0, "\(enough.capture.err)")
        // The profile's setting, when the option is absent.
        var text = try String(contentsOfFile: profile, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"allowMutations\": false", with: "\"allowMutations\": false,\n  \"minJudged\": 90")
        try text.write(toFile: profile, atomically: true, encoding: .utf8)
        let byProfile = await conformance(["run", "--suite", Project.cases, "--simulator", "--target", profile, "--reports", tmp.path + "/r"])
        #expect(byProfile.status == 4)
        #expect(byProfile.capture.err.contains("less than the profile's minJudged 90%"))
        let bad = await conformance(["run", "--suite", Project.cases, "--min-judged", "150%", "--list"])
        #expect(bad.status == 2)
    }
}
