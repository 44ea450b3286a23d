import ConformanceCLI
import ConformanceKit
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

    @Test func eachRoleLogsInOnceAndAgainWhenItsTokenExpires() async throws {
        let sim = TelecomXSimulator(loginLifetime: .milliseconds(400))
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: sim.handler)
        let port = try server.start()
        defer { server.shutdown() }
        let (_, profile) = try loginProfile()
        let owner = Seed.standard.employeesByRole.first { $0.role == "OWNER" }!.employee
        let credentials = Credentials(byRole: [:], logins: ["OWNER": (owner.email, owner.password)])
        let store = TokenStore(
            credentials: credentials, login: profile.login, baseURL: "http://127.0.0.1:\(port)",
            transport: URLSessionTransport(), timeout: 5)
        let first = try await store.token(for: "OWNER")
        let again = try await store.token(for: "OWNER")
        #expect(first != nil)
        #expect(first == again)
        #expect(await store.logins["OWNER"] == 1)
        try await Task.sleep(for: .milliseconds(500))
        let renewed = try await store.token(for: "OWNER")
        #expect(renewed != first)
        #expect(await store.logins["OWNER"] == 2)
        // The old token is refused by now; the new one works.
        let old = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(Seed.IDs.account1)?token=\(first!)"))
        #expect(old.status == 401)
        let ok = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(Seed.IDs.account1)?token=\(renewed!)"))
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
