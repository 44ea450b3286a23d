import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import JSONKit
import HTTPServer
import TelecomXSimulator
import Testing

/// Roles that log in through the vendor's POST /auth/login.
@Suite struct LoginTests {
    func loginProfile() throws -> (Suite, TargetProfile) {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator-login.json", suite: suite)
        return (suite, profile)
    }

    @Test func theSuitePassesWithEveryRoleLoggingIn() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance([
            "run", "--simulator", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator-login.json",
            "--reports", tmp.path,
        ])
        #expect(status == 0, "\(c.out)\n\(c.err)")
        // Neither passwords nor any session token appear in any output.
        let outputs = [c.out, c.err, try tmp.read("junit.xml")]
        for (_, e) in Seed.standard.employeesByRole {
            for o in outputs { #expect(!o.contains(e.password)) }
        }
        for o in outputs { #expect(!o.contains("sim-session-")) }
    }

    /// One clock for both sides, moved by the test: the simulator's token
    /// lifetime (15 minutes) and the store's renewal margin are tested
    /// without waiting for them.
    @Test func eachRoleLogsInOnceAndAgainWhenItsTokenExpires() async throws {
        let clock = ManualClock(epochSeconds: 1_750_000_000)
        let sim = TelecomXSimulator(clock: .manual(clock))
        let (_, profile) = try loginProfile()
        let owner = Seed.standard.employeesByRole.first { $0.role == "OWNER" }!.employee
        let credentials = Credentials(byRole: [:], logins: ["OWNER": (owner.email, owner.password)])
        let store = TokenStore(
            credentials: credentials, login: profile.login, baseURL: InProcessSimulator.baseURL,
            transport: InProcessSimulator(sim).transport, timeout: 5, clock: RunClock { clock.now })
        let first = try #require(try await store.token(for: "OWNER"))
        let again = try await store.token(for: "OWNER")
        #expect(first == again)
        #expect(await store.logins["OWNER"] == 1)
        // 14 minutes on: inside the lifetime and before the renewal margin (the last 10 %, at most 30 s).
        clock.advance(by: .seconds(14 * 60))
        #expect(try await store.token(for: "OWNER") == first)
        #expect(await store.logins["OWNER"] == 1)
        // 14:40: the server still takes the token, but the store renews it within the margin.
        clock.advance(by: .seconds(40))
        let stillValid = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(Seed.IDs.account1)?token=\(first)"))
        #expect(stillValid.status == 200)
        let renewed = try #require(try await store.token(for: "OWNER"))
        #expect(renewed != first)
        #expect(await store.logins["OWNER"] == 2)
        // 15:00: the old token is refused by now; the new one works.
        clock.advance(by: .seconds(20))
        let old = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(Seed.IDs.account1)?token=\(first)"))
        #expect(old.status == 401)
        #expect(try JSONParser.parse(old.body)["description"] == "Token expired")
        let ok = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(Seed.IDs.account1)?token=\(renewed)"))
        #expect(ok.status == 200)
    }

    @Test func wrongCredentialsMakeTheCasesErrorsNamingTheLogin() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            [
                "run", "--simulator", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator-login.json",
                "--reports", tmp.path, "--case", "get-by-id",
            ], environment: ["TELECOMX_OWNER_PASSWORD": "wrong-password-123"])
        #expect(status == 3)
        #expect(c.out.contains("ERROR mvno-account-get/get-by-id: login as OWNER failed: 401 credentials_invalid"), "\(c.out)")
        #expect(!c.out.contains("wrong-password-123"))
    }

    @Test func theSimulatorAnswersLoginAsDocumented() throws {
        let sim = TelecomXSimulator()
        let admin = Seed.standard.employeesByRole.first { $0.role == "ADMIN" }!.employee
        let body = Array(#"{"username":"\#(admin.email)","password":"\#(admin.password)"}"#.utf8)
        let r = sim.respond(HTTPRequest(method: "POST", target: "/auth/login", body: body))
        #expect(r.status == 200)
        let j = try JSONParser.parse(r.body)
        #expect(j["expiresInMinutes"] == 15)
        #expect(j["accessLevel"] == "ADMIN")
        #expect(j["employee"] == .string(admin.id))
        #expect(j["token"]?.stringValue?.isEmpty == false)
        let bad = sim.respond(HTTPRequest(method: "POST", target: "/auth/login", body: Array(#"{"username":"x","password":"y"}"#.utf8)))
        #expect(bad.status == 401)
        #expect(try JSONParser.parse(bad.body)["message"] == "credentials_invalid")
    }
}
