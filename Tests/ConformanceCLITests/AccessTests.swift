import ConformanceKit
import Foundation
import JSONKit
import Testing
import TelecomXSimulator

/// Levels and roles are data (`Cases/access.json`): the engine knows none by
/// name, a suite may declare more, and every mistake in them is named with
/// its file and key path.
@Suite struct AccessTests {
    @Test func theProjectDeclaresTheDocumentedLevelsAndTheRolesCasesRunAs() throws {
        let (suite, _) = try SuiteLoader.load(root: Project.cases)
        let access = suite.access
        #expect(access.levelNames == ["VIEWER", "MANAGER", "OWNER", "RESELLER", "RESELLER_ADMIN", "ADMIN"])
        #expect(access.level(of: "OTHER_CUSTOMER") == "OWNER")
        #expect(access.relation(of: "OTHER_CUSTOMER") == .otherCustomer)
        #expect(access.level(of: "OTHER_RESELLER") == "RESELLER")
        #expect(access.level(of: "ANONYMOUS") == nil)
        #expect(!access.hasCredential("ANONYMOUS"))
        #expect(access.credentialRoles.count == 8)
        #expect(access.matrixRoles.map(\.rawValue) == ["VIEWER", "MANAGER", "OWNER", "RESELLER", "RESELLER_ADMIN", "ADMIN", "ANONYMOUS"])
        #expect(access.levelsWithoutRole.isEmpty)
        // Every level an endpoint names is declared.
        for ep in suite.endpoints {
            for level in ep.accessLevels { #expect(access.isLevel(level), "\(ep.file): \(level)") }
        }
    }

    @Test func aRuleIsJudgedByTheRolesLevelAndRelation() {
        let rule = [
            AccessGrant(level: "OWNER", scope: .customer), AccessGrant(level: "RESELLER", scope: .reseller),
            AccessGrant(level: "ADMIN", scope: .any),
        ]
        #expect(AccessGrant.allows(rule, level: "OWNER", user: .customer, cell: .own) == true)
        #expect(AccessGrant.allows(rule, level: "OWNER", user: .customer, cell: .sameReseller) == false)
        // An OWNER elsewhere: not the fixture customer's owner.
        #expect(AccessGrant.allows(rule, level: "OWNER", user: .otherCustomer, cell: .own) == false)
        #expect(AccessGrant.allows(rule, level: "OWNER", user: .otherCustomer, cell: .otherReseller) == nil, "depends on fixtures")
        #expect(AccessGrant.allows(rule, level: "RESELLER", user: .reseller, cell: .sameReseller) == true)
        #expect(AccessGrant.allows(rule, level: "RESELLER", user: .reseller, cell: .otherReseller) == false)
        #expect(AccessGrant.allows(rule, level: "RESELLER", user: .otherReseller, cell: .own) == false)
        #expect(AccessGrant.allows(rule, level: "ADMIN", user: .none, cell: .otherReseller) == true)
        #expect(AccessGrant.allows(rule, level: "VIEWER", user: .customer, cell: .own) == false, "no grant")
        #expect(AccessGrant.allows(rule, level: nil, user: .none, cell: nil) == false)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        /// JSON pointer → new value, applied to the copied file.
        var edits: [SuiteFileSchemaTests.Edit]
        var expected: String
        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(
            name: "unknown level in a spec", file: "endpoints/mvno-deleted-list.json",
            edits: [.set("/access/levels/0", "RESELLER_ADMN")],
            expected: "Cases/endpoints/mvno-deleted-list.json: access.levels[0]: unknown access level 'RESELLER_ADMN' (did you mean 'RESELLER_ADMIN'?)"),
        Broken(
            name: "unknown level in a spec's rule", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/rule/0/level", "SUPERVISOR")],
            expected: "Cases/endpoints/mvno-account-get.json: access.rule[0].level: unknown access level 'SUPERVISOR' (levels declared in {suite}/access.json: VIEWER, MANAGER, OWNER, RESELLER, RESELLER_ADMIN, ADMIN)"),
        Broken(
            name: "a role with an unknown level", file: "access.json", edits: [.set("/roles/2/level", "OWNR")],
            expected: "Cases/access.json: roles[2].level: unknown level 'OWNR' (did you mean 'OWNER'?)"),
        Broken(
            name: "duplicate role names", file: "access.json", edits: [.set("/roles/7/name", "OTHER_CUSTOMER")],
            expected: "Cases/access.json: roles[7].name: duplicate role 'OTHER_CUSTOMER' (also roles[6]) (each role is declared once)"),
        Broken(
            name: "duplicate level names", file: "access.json", edits: [.set("/levels/5/name", "OWNER")],
            expected: "Cases/access.json: levels[5].name: duplicate level 'OWNER' (also levels[2]) (each level is declared once)"),
        Broken(
            name: "a role no file declares", file: "cases/mvno-account-get/get-by-id.json", edits: [.set("/role", "SUPPORT")],
            expected: "Cases/cases/mvno-account-get/get-by-id.json: role: unknown role 'SUPPORT' (roles declared in {suite}/access.json: VIEWER, MANAGER, OWNER, RESELLER, RESELLER_ADMIN, ADMIN, OTHER_CUSTOMER, OTHER_RESELLER, ANONYMOUS)"),
        Broken(
            name: "a reading that reads a level as an undeclared one", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/readings/reseller-admin-access/as-reseller/levelAs/RESELLER_ADMIN", "RESELLR")],
            expected: "Cases/endpoints/mvno-account-get.json: access.readings.reseller-admin-access.as-reseller.levelAs.RESELLER_ADMIN: unknown access level 'RESELLR' (did you mean 'RESELLER'?)"),
        Broken(
            name: "a field visible to an undeclared level", file: "schemas/common.schema.json",
            edits: [.set("/$defs/SocsOverride/x-visibility/0", "ADMN")],
            expected: "Cases/schemas/common.schema.json: $defs.SocsOverride.x-visibility[0]: unknown access level 'ADMN' (did you mean 'ADMIN'?)"),
        Broken(
            name: "a matrix role under another reseller on the other reseller's customer",
            file: "cases/mvno-account-get/access-matrix.json", edits: [.set("/matrix/roles/0", "OTHER_CUSTOMER")],
            expected: "Cases/cases/mvno-account-get/access-matrix.json: matrix.roles[0]: whether OTHER_CUSTOMER (other-customer in {suite}/access.json) may act on a customer of another reseller depends on the target's fixtures, not on the access rule"),
        Broken(
            name: "matrices without the denied answer", file: "access.json", edits: [.remove("/denied")],
            expected: "Cases/cases/mvno-account-get/access-matrix.json: matrix: a matrix needs the answer to an insufficient access level, and {suite}/access.json states none (add \"denied\": {\"status\": …, \"message\": \"…\"} to {suite}/access.json)"),
        Broken(
            name: "a denied answer no endpoint documents", file: "access.json", edits: [.set("/denied/message", "forbidden")],
            expected: "Cases/cases/mvno-account-get/access-matrix.json: matrix: mvno-account-get documents no 403 forbidden row for denied cells (the denied answer of {suite}/access.json)"),
    ]

    @Test(arguments: broken)
    func aBrokenAccessDeclarationIsNamedWithItsFileAndKeyPath(_ b: Broken) async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try Self.edit(suite + "/" + b.file) { doc in
            try b.edits.reduce(doc) { try SuiteFileSchemaTests.apply($1, to: $0) }
        }
        let (status, c) = await conformance(["--suite", suite, "--reports", tmp.path + "/Reports"])
        #expect(status == 2)
        let expected = b.expected.replacingOccurrences(of: "{suite}", with: suite)
        #expect(c.err.contains(expected), "stderr was:\n\(c.err)")
        #expect(c.err.contains("nothing was run"))
    }

    @Test func aSuiteWithoutTheAccessFileSaysWhereToDeclareIt() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try FileManager.default.removeItem(atPath: suite + "/access.json")
        do {
            _ = try SuiteLoader.load(root: suite)
            Issue.record("a suite without access.json loaded")
        } catch {
            #expect(error.description.contains("access.json: the access file is missing"), "\(error)")
        }
    }

    /// A page names a level the engine has never heard of: declared in
    /// access.json with a role that holds it, it loads, expands in the access
    /// matrix, runs and passes, without a Swift change. A level no role holds
    /// loads with a warning.
    @Test func aLevelAndRoleDeclaredOnlyInDataWorkEndToEnd() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        try Self.edit(suite + "/access.json") { doc in
            var d = doc
            d = try SuiteFileSchemaTests.apply(
                .set("/levels", .array((doc["levels"]?.arrayValue ?? []) + [
                    ["name": "SUPPORT", "description": "A support agent of the customer (our own test page)."],
                    ["name": "AUDITOR", "description": "A level no role holds."],
                ])), to: d)
            d = try SuiteFileSchemaTests.apply(
                .set("/roles", .array((doc["roles"]?.arrayValue ?? []) + [
                    ["name": "SUPPORT_DESK", "level": "SUPPORT", "relation": "customer", "description": "The fixture customer's support agent."]
                ])), to: d)
            return d
        }
        // The page's access line now names SUPPORT, for the customer's own accounts, and AUDITOR.
        try Self.edit(suite + "/endpoints/mvno-account-get.json") { doc in
            var d = try SuiteFileSchemaTests.apply(
                .set("/access/levels", .array((doc["access"]?["levels"]?.arrayValue ?? []) + ["SUPPORT", "AUDITOR"])), to: doc)
            d = try SuiteFileSchemaTests.apply(
                .set("/access/rule", .array((doc["access"]?["rule"]?.arrayValue ?? []) + [
                    ["level": "SUPPORT", "scope": "customer"], ["level": "AUDITOR", "scope": "any"],
                ])), to: d)
            return d
        }
        try Self.edit(suite + "/cases/mvno-account-get/access-matrix.json") { doc in
            try SuiteFileSchemaTests.apply(
                .set("/matrix/roles", .array((doc["matrix"]?["roles"]?.arrayValue ?? []) + ["SUPPORT_DESK"])), to: doc)
        }
        try Self.edit(suite + "/targets/simulator.json") { doc in
            try SuiteFileSchemaTests.apply(.set("/credentials/SUPPORT_DESK", "TELECOMX_SUPPORT_DESK_TOKEN"), to: doc)
        }

        let (loaded, warnings) = try SuiteLoader.load(root: suite)
        #expect(loaded.access.level(of: "SUPPORT_DESK") == "SUPPORT")
        #expect(loaded.access.levelsWithoutRole == ["AUDITOR"])
        #expect(
            warnings.contains { $0.description.contains("mvno-account-get.json: access.levels[6]: warning: no role holds level 'AUDITOR': no case can run as it") },
            "\(warnings)")
        func covers(_ id: String) -> String? { loaded.cases.first { $0.id == id }?.covers }
        #expect(covers("get-access-support-desk-own") == "success")
        #expect(covers("get-access-support-desk-same-reseller") == "403-access_denied")
        #expect(covers("get-access-support-desk-other-reseller") == "403-access_denied")

        // On the simulator the fixture customer's OWNER plays the support agent
        // (the same customer, the same reach): every cell passes.
        let owner = try #require(Seed.standard.tokensByRole.first { $0.role == "OWNER" }).token
        let (status, c) = await conformance(
            [
                "run", "--simulator", "--suite", suite, "--target", suite + "/targets/simulator.json", "--reports",
                tmp.path + "/Reports", "--case", "get-access-*",
            ],
            environment: ["TELECOMX_SUPPORT_DESK_TOKEN": owner])
        #expect(status == 0, "\(c.out)\n\(c.err)")
        #expect(c.out.contains("24 passed, 0 failed, 0 skipped"), "\(c.out)")
        #expect(c.err.contains("no role holds level 'AUDITOR'") || c.out.contains("no role holds level 'AUDITOR'"))

        let html = try tmp.read("Reports/report.html")
        let order = ["<tr><th>VIEWER</th>", "<tr><th>ADMIN</th>", "<tr><th>ANONYMOUS</th>", "<tr><th>SUPPORT_DESK</th>"]
        let at = order.compactMap { html.range(of: $0)?.lowerBound }
        #expect(at.count == order.count && at == at.sorted(), "the access matrix lists roles in access.json's order")

        // Without a credential for it, the role's cases are skipped with the reason.
        let (_, c2) = await conformance([
            "run", "--simulator", "--suite", suite, "--target", suite + "/targets/simulator.json", "--reports",
            tmp.path + "/Reports2",
            "--case", "get-access-support-desk-*",
        ])
        #expect(c2.out.contains("0 passed, 0 failed, 3 skipped"), "\(c2.out)")
        let results = try tmp.read("Reports2/results.json")
        #expect(results.contains("no credential for role SUPPORT_DESK: environment variable TELECOMX_SUPPORT_DESK_TOKEN is not set"))
    }

    /// Parses a suite file, changes it, writes it back.
    static func edit(_ path: String, _ change: (JSON) throws -> JSON) throws {
        let doc = try SuiteFileSchemaTests.parseFile(path)
        try Data(JSONWriter(pretty: true).bytes(try change(doc))).write(to: URL(fileURLWithPath: path))
    }
}
