import ConformanceKit
import Foundation
import JSONKit
import JSONSchemaKit
import Testing

/// The suite's own files follow the meta schemas in `Cases/meta/` (what an
/// editor validates and completes), and those meta schemas agree with the
/// loader, which defines what is valid: every structurally broken variant in
/// the table below is rejected by both, every allowed one accepted by both.
@Suite struct SuiteFileSchemaTests {
    /// Meta schema file names, by the place of the file they describe.
    static let metaNames = [
        "case.schema.json", "endpoint.schema.json", "target.schema.json", "fixtures.schema.json", "readings.schema.json",
        "access.schema.json", "api.schema.json", "import-overrides.schema.json",
    ]
    static let metaBase = "file:///meta/"
    static var metaDir: String { Project.cases + "/meta" }

    /// The meta schemas, registered in one registry and compiled by file name.
    static func compiledMetaSchemas() throws -> [String: CompiledSchema] {
        var registry = SchemaRegistry()
        for name in metaNames { try registry.register(try parseFile(metaDir + "/" + name), uri: metaBase + name) }
        var out: [String: CompiledSchema] = [:]
        for name in metaNames { out[name] = try registry.compile(metaBase + name) }
        return out
    }

    static func parseFile(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try JSONParser.parse([UInt8](data), dialect: .json5)
    }

    /// The meta schema a file must follow, from its place in the suite; nil outside the described places.
    static func expectedMeta(_ rel: String) -> String? {
        let parts = rel.split(separator: "/").map(String.init)
        if parts == ["fixtures.json"] { return "fixtures.schema.json" }
        if parts == ["readings.json"] { return "readings.schema.json" }
        if parts == ["api.json"] { return "api.schema.json" }
        if parts == ["access.json"] { return "access.schema.json" }
        if parts == ["import-overrides.json"] { return "import-overrides.schema.json" }
        guard parts.count > 1 else { return nil }
        switch parts[0] {
        case "cases": return "case.schema.json"
        case "endpoints": return "endpoint.schema.json"
        case "targets": return "target.schema.json"
        default: return nil
        }
    }

    /// `.json`/`.json5` files below `Cases/`, relative to it, sorted, without the API schemas and the meta schemas.
    static func suiteFiles() -> [String] {
        var out: [String] = []
        guard let e = FileManager.default.enumerator(atPath: Project.cases) else { return [] }
        while let rel = e.nextObject() as? String {
            guard rel.hasSuffix(".json") || rel.hasSuffix(".json5") else { continue }
            if rel.hasPrefix("schemas/") || rel.hasPrefix("meta/") { continue }
            out.append(rel)
        }
        return out.sorted()
    }

    static func describe(_ violations: [SchemaViolation]) -> [String] {
        violations.map { "\($0.message) [\($0.keywordLocation)]" }
    }

    // MARK: (a) every file declares its meta schema and follows it

    @Test func everySuiteFileDeclaresItsMetaSchemaAndFollowsIt() throws {
        let compiled = try Self.compiledMetaSchemas()
        let files = Self.suiteFiles()
        #expect(files.count >= 10, "found only \(files)")
        #expect(files.contains("fixtures.json"))
        for rel in files {
            let path = Project.cases + "/" + rel
            let doc: JSON
            do {
                doc = try Self.parseFile(path)
            } catch {
                Issue.record("Cases/\(rel): does not parse: \(error)")
                continue
            }
            guard let expected = Self.expectedMeta(rel) else {
                Issue.record("Cases/\(rel): no meta schema describes files in this place")
                continue
            }
            guard case .object(let o) = doc, let ref = o["$schema"]?.stringValue else {
                let up = String(repeating: "../", count: rel.split(separator: "/").count - 1)
                Issue.record("Cases/\(rel): declares no \"$schema\"; add \"$schema\": \"\(up)meta/\(expected)\" as its first key")
                continue
            }
            if o.keys.first != "$schema" {
                Issue.record("Cases/\(rel): \"$schema\" is not the first key")
            }
            let dir = (path as NSString).deletingLastPathComponent
            let target = ((dir as NSString).appendingPathComponent(ref) as NSString).standardizingPath
            let wanted = ((Self.metaDir + "/" + expected) as NSString).standardizingPath
            guard FileManager.default.fileExists(atPath: target) else {
                Issue.record("Cases/\(rel): $schema '\(ref)' does not exist (resolves to \(target))")
                continue
            }
            guard target == wanted else {
                Issue.record("Cases/\(rel): $schema '\(ref)' is not the meta schema for this place (\(expected))")
                continue
            }
            let result = try #require(compiled[expected]).validate(doc)
            for line in Self.describe(result.violations) {
                Issue.record("Cases/\(rel): \(line)")
            }
        }
    }

    // MARK: (b) the meta schemas agree with the loader

    /// One change to a real file: `set` adds or replaces the member at a
    /// pointer (the last token of an array index replaces that element),
    /// `remove` deletes it.
    enum Edit: Sendable {
        case set(String, JSON)
        case remove(String)
    }

    struct Variant: Sendable, CustomTestStringConvertible {
        var name: String
        /// The real file to change, relative to `Cases/`.
        var file: String
        var edits: [Edit]
        /// A substring of the loader's diagnostic for this file (key path and
        /// message); nil when the loader must accept the variant.
        var loader: String?
        /// The instance location of the meta schema's violation; nil when the
        /// meta schema must accept the variant.
        var schemaAt: String?
        /// Set where the loader falls short today: it drops the case without a
        /// diagnostic, so its rejection is a known issue (fix the loader, then remove this).
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        // Case files.
        Variant(
            name: "case: unknown top-level key", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/titel", "x")], loader: "titel: unknown key 'titel' (did you mean 'title'?)", schemaAt: "/titel"),
        Variant(
            name: "case: unknown key in expect", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/expect/statsu", 200)], loader: "expect.statsu: unknown key 'statsu' (did you mean 'status'?)",
            schemaAt: "/expect/statsu"),
        Variant(
            name: "case: status as a string", file: "cases/mvno-account-get/get-unknown-id.json",
            edits: [.set("/expect/status", "404")], loader: "expect.status: must be an integer, found string",
            schemaAt: "/expect/status"),
        Variant(
            name: "case: status 700", file: "cases/mvno-account-get/get-unknown-id.json",
            edits: [.set("/expect/status", 700)],
            loader: "expect.status: must be an HTTP status between 100 and 599, found 700", schemaAt: "/expect/status"),
        Variant(
            name: "case: missing title", file: "cases/mvno-account-get/get-by-id.json", edits: [.remove("/title")],
            loader: "get-by-id.json: missing required key 'title'", schemaAt: ""),
        Variant(
            name: "case: missing expect", file: "cases/mvno-account-get/get-unknown-id.json", edits: [.remove("/expect")],
            loader: "get-unknown-id.json: missing required key 'expect'", schemaAt: ""),
        // Role and level names are data (Cases/access.json): the meta schemas
        // check their shape, the loader whether they are declared.
        Variant(
            name: "case: undeclared role (loader only: roles are data)", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/role", "SUPERUSER")], loader: "role: unknown role 'SUPERUSER'", schemaAt: nil),
        Variant(
            name: "case: role that is not a role name", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/role", "owner")], loader: "role: unknown role 'owner' (did you mean 'OWNER'?)", schemaAt: "/role"),
        Variant(
            name: "case: unknown level", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/level", "mandatory")], loader: "level: unknown level 'mandatory' (required or optional)",
            schemaAt: "/level"),
        Variant(
            name: "case: tags not an array", file: "cases/mvno-account-get/get-by-id.json", edits: [.set("/tags", "smoke")],
            loader: "tags: must be an array, found string", schemaAt: "/tags"),
        Variant(
            name: "case (JSON5): equals and absent in one assertion", file: "cases/mvno-account-get/get-by-number.json",
            edits: [.set("/expect/assert/0/absent", true)],
            loader: "expect.assert[0]: give exactly one of equals, exists, absent, type (found equals, absent)",
            schemaAt: "/expect/assert/0"),
        Variant(
            name: "case: assertion of no kind", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.remove("/expect/assert/0/equals")],
            loader: "expect.assert[0]: give exactly one of equals, exists, absent, type (found none)",
            schemaAt: "/expect/assert/0"),
        Variant(
            name: "case: exists false", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/expect/assert/0", ["pointer": "/_id", "exists": false])],
            loader: "expect.assert[0].exists: must be true (use absent: true for the opposite)",
            schemaAt: "/expect/assert/0/exists"),
        Variant(
            name: "case: pointer without a leading slash", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/expect/assert/1/pointer", "number")],
            loader: "expect.assert[1].pointer: invalid JSON pointer 'number'", schemaAt: "/expect/assert/1/pointer"),
        Variant(
            name: "case: query value an object", file: "cases/mvno-deleted-list/admin-walk.json",
            edits: [.set("/request/query/limit", ["n": 1])],
            loader: "request.query.limit: must be a string, number or boolean, found object",
            schemaAt: "/request/query/limit"),
        Variant(
            name: "case: path parameter not a string", file: "cases/mvno-account-get/get-by-id.json",
            edits: [.set("/request/params/ACCOUNT_ID", 5)], loader: "request.params.ACCOUNT_ID: must be a string, found number",
            schemaAt: "/request/params/ACCOUNT_ID"),
        Variant(
            name: "case: two kinds in one invariant", file: "cases/mvno-deleted-list/admin-walk.json",
            edits: [.set("/expect/invariants/0/walk", ["limit": 10, "id": "/_id"])],
            loader: "expect.invariants[0]: give exactly one of page, walk, eachEquals, noneEquals, eachContains, eachDaysAfter, someEquals",
            schemaAt: "/expect/invariants/0"),
        Variant(
            name: "case: walk limit 0", file: "cases/mvno-deleted-list/admin-walk.json",
            edits: [.set("/expect/invariants/1/walk/limit", 0)], loader: "expect.invariants[1].walk.limit: must be at least 1",
            schemaAt: "/expect/invariants/1/walk/limit"),
        Variant(
            name: "case: eachDaysAfter without days", file: "cases/mvno-deleted-list/preterminate-30-days.json",
            edits: [.remove("/expect/invariants/1/eachDaysAfter/days")],
            loader: "expect.invariants[1].eachDaysAfter: missing required key 'days'",
            schemaAt: "/expect/invariants/1/eachDaysAfter"),
        Variant(
            name: "case (JSON5): steps plus top-level request", file: "cases/mvno-account-get/get-chain-id-then-number.json",
            edits: [.set("/request", ["params": ["ACCOUNT_ID": "{{account.id}}"]])],
            loader: "request: give 'request' inside each step when the case has steps", schemaAt: "/request"),
        Variant(
            name: "case: no steps", file: "cases/mvno-account-get/get-chain-id-then-number.json", edits: [.set("/steps", [])],
            loader: "steps: must list at least one step", schemaAt: "/steps"),
        Variant(
            name: "case: step without expect", file: "cases/mvno-account-get/get-chain-id-then-number.json",
            edits: [.remove("/steps/1/expect")], loader: "steps[1]: missing required key 'expect'", schemaAt: "/steps/1"),
        Variant(
            name: "case: capture not an object", file: "cases/mvno-account-get/get-chain-id-then-number.json",
            edits: [.set("/steps/0/capture", "/number")],
            loader: "steps[0].capture: must be an object mapping names to JSON pointers", schemaAt: "/steps/0/capture"),
        Variant(
            name: "case: matrix plus covers", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/covers", "success")],
            loader: "covers: a matrix case derives 'covers' from the endpoint's access rule; remove it", schemaAt: "/covers"),
        Variant(
            name: "case: matrix plus expect", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/expect", ["status": 200])],
            loader: "expect: a matrix case derives 'expect' from the endpoint's access rule; remove it", schemaAt: "/expect"),
        Variant(
            name: "case: unknown matrix relation", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/matrix/relations/owm", "{{account.id}}")],
            loader: "matrix.relations.owm: unknown relation 'owm' (did you mean 'own'?)", schemaAt: "/matrix/relations/owm"),
        Variant(
            name: "case: undeclared role in a matrix (loader only)", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/matrix/roles/0", "VIEWR")], loader: "matrix.roles[0]: unknown role 'VIEWR' (did you mean 'VIEWER'?)",
            schemaAt: nil),
        Variant(
            name: "case: matrix role that is not a role name", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/matrix/roles/0", "viewer")], loader: "matrix.roles[0]: unknown role 'viewer'",
            schemaAt: "/matrix/roles/0"),
        Variant(
            name: "endpoint: undeclared access level (loader only)", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/levels/0", "VEIWER")],
            loader: "access.levels[0]: unknown access level 'VEIWER' (did you mean 'VIEWER'?)", schemaAt: nil),
        Variant(
            name: "endpoint: undeclared level in the rule (loader only)", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/rule/3/level", "RESELER")],
            loader: "access.rule[3].level: unknown access level 'RESELER' (did you mean 'RESELLER'?)", schemaAt: nil),
        Variant(
            name: "endpoint: access level that is not a level name", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/levels/0", "viewer")], loader: "access.levels[0]: unknown access level 'viewer'",
            schemaAt: "/access/levels/0"),
        Variant(
            name: "access: role with an undeclared level", file: "access.json",
            edits: [.set("/roles/0/level", "VIEWR")],
            loader: "access.json: roles[0].level: unknown level 'VIEWR' (did you mean 'VIEWER'?)", schemaAt: nil),
        Variant(
            name: "access: duplicate level", file: "access.json",
            edits: [.set("/levels/1/name", "VIEWER")],
            loader: "access.json: levels[1].name: duplicate level 'VIEWER' (also levels[0])", schemaAt: nil),
        Variant(
            name: "access: duplicate role", file: "access.json",
            edits: [.set("/roles/1/name", "VIEWER")],
            loader: "access.json: roles[1].name: duplicate role 'VIEWER' (also roles[0])", schemaAt: nil),
        Variant(
            name: "access: level name in lower case", file: "access.json",
            edits: [.set("/levels/0/name", "viewer")], loader: "access.json: levels[0].name: 'viewer' is not a level name",
            schemaAt: "/levels/0/name"),
        Variant(
            name: "access: unknown relation", file: "access.json",
            edits: [.set("/roles/0/relation", "customr")],
            loader: "access.json: roles[0].relation: unknown relation 'customr' (did you mean 'customer'?)",
            schemaAt: "/roles/0/relation"),
        Variant(
            name: "access: a level without its relation", file: "access.json", edits: [.remove("/roles/0/relation")],
            loader: "access.json: roles[0]: missing required key 'relation'", schemaAt: "/roles/0"),
        Variant(
            name: "access: a role without a credential that holds a level", file: "access.json",
            edits: [.set("/roles/8/level", "ADMIN")],
            loader: "access.json: roles[8].level: a role without a credential holds no access level", schemaAt: "/roles/8/level"),
        Variant(
            name: "access: unknown key", file: "access.json", edits: [.set("/roles/0/credentials", false)],
            loader: "access.json: roles[0].credentials: unknown key 'credentials' (did you mean 'credential'?)",
            schemaAt: "/roles/0/credentials"),
        Variant(
            name: "access: no levels", file: "access.json", edits: [.remove("/levels")],
            loader: "access.json: missing required key 'levels'", schemaAt: ""),
        Variant(
            name: "accepted: a level no role holds", file: "access.json",
            edits: [
                .set(
                    "/levels",
                    [
                        ["name": "VIEWER", "description": "v"], ["name": "MANAGER", "description": "m"],
                        ["name": "OWNER", "description": "o"], ["name": "RESELLER", "description": "r"],
                        ["name": "RESELLER_ADMIN", "description": "ra"], ["name": "ADMIN", "description": "a"],
                        ["name": "SUPPORT", "description": "a level only this file declares"],
                    ])
            ], loader: nil, schemaAt: nil),

        // Endpoint specs.
        Variant(
            name: "endpoint: bad access scope", file: "endpoints/mvno-account-get.json",
            edits: [.set("/access/rule/0/scope", "everyone")], loader: "access.rule[0].scope: unknown scope 'everyone'",
            schemaAt: "/access/rule/0/scope"),
        Variant(
            name: "endpoint: error row status 700", file: "endpoints/mvno-account-get.json",
            edits: [.set("/errors/0/status", 700)],
            loader: "errors[0].status: must be an HTTP status between 100 and 599, found 700", schemaAt: "/errors/0/status"),
        Variant(
            name: "endpoint: unknown method", file: "endpoints/mvno-account-get.json", edits: [.set("/method", "FETCH")],
            loader: "method: unknown HTTP method 'FETCH'", schemaAt: "/method"),
        Variant(
            name: "endpoint: path without a leading slash", file: "endpoints/mvno-account-get.json",
            edits: [.set("/path", "mvno/{ACCOUNT_ID}")], loader: "path: must start with '/'", schemaAt: "/path"),
        Variant(
            name: "endpoint: missing response", file: "endpoints/mvno-account-get.json", edits: [.remove("/response")],
            loader: "mvno-account-get.json: missing required key 'response'", schemaAt: ""),
        Variant(
            name: "endpoint: error row id 'success'", file: "endpoints/mvno-deleted-list.json",
            edits: [.set("/errors/1/id", "success")],
            loader: "errors[1].id: 'success' is reserved for the documented success response", schemaAt: "/errors/1/id"),
        Variant(
            name: "endpoint: unknown key in an error row", file: "endpoints/mvno-account-get.json",
            edits: [.set("/errors/0/notProvocable", "x")],
            loader: "errors[0].notProvocable: unknown key 'notProvocable' (did you mean 'notProvokable'?)",
            schemaAt: "/errors/0/notProvocable"),
        Variant(
            name: "endpoint: paging.limit restating its max", file: "endpoints/mvno-deleted-list.json",
            edits: [.set("/paging/limit/max", 500)],
            loader: "paging.limit.max: paging.limit takes its max from the query parameter's schema",
            schemaAt: "/paging/limit/max"),
        Variant(
            name: "endpoint: paging.limit without param", file: "endpoints/mvno-deleted-list.json",
            edits: [.remove("/paging/limit/param")], loader: "paging.limit: missing required key 'param'",
            schemaAt: "/paging/limit"),
        Variant(
            name: "endpoint: a parameter without schema", file: "endpoints/mvno-account-get.json",
            edits: [.remove("/parameters/0/schema")], loader: "parameters[0]: missing required key 'schema'",
            schemaAt: "/parameters/0"),
        Variant(
            name: "endpoint: an optional path parameter", file: "endpoints/mvno-account-get.json",
            edits: [.set("/parameters/0/required", false)],
            loader: "parameters[0].required: a path parameter is always required",
            schemaAt: "/parameters/0/required"),
        Variant(
            name: "endpoint: a parameter in a header", file: "endpoints/mvno-deleted-list.json",
            edits: [.set("/parameters/2/in", "header")],
            loader: "parameters[2].in: unknown parameter location 'header'", schemaAt: "/parameters/2/in"),
        Variant(
            name: "endpoint: unauthenticated without source", file: "endpoints/mvno-deleted-list.json",
            edits: [.remove("/unauthenticated/source")], loader: "unauthenticated: missing required key 'source'",
            schemaAt: "/unauthenticated"),
        Variant(
            name: "endpoint: mutating as a string", file: "endpoints/mvno-account-get.json",
            edits: [.set("/mutating", "no")], loader: "mutating: must be true or false, found string", schemaAt: "/mutating"),

        // Target profiles.
        Variant(
            name: "target: credentials holding a token", file: "targets/simulator.json",
            edits: [.set("/credentials/OWNER", "eyJhbGciOi.secret")],
            loader: "credentials.OWNER: must name an environment variable", schemaAt: "/credentials/OWNER"),
        Variant(
            name: "target: login password holding a value", file: "targets/simulator-login.json",
            edits: [.set("/credentials/OWNER/password", "hunter2!")],
            loader: "credentials.OWNER.password: must name an environment variable", schemaAt: "/credentials/OWNER/password"),
        Variant(
            name: "target: a credential for a role without one (loader only)", file: "targets/simulator.json",
            edits: [.set("/credentials/ANONYMOUS", "TELECOMX_ANON_TOKEN")],
            loader: "credentials.ANONYMOUS: ANONYMOUS never carries a credential", schemaAt: nil),
        Variant(
            name: "target: undeclared role in credentials (loader only)", file: "targets/simulator.json",
            edits: [.set("/credentials/OWNR", "TELECOMX_OWNER_TOKEN")],
            loader: "credentials.OWNR: unknown role 'OWNR' (did you mean 'OWNER'?)", schemaAt: nil),
        Variant(
            name: "target: credentials key that is not a role name", file: "targets/simulator.json",
            edits: [.set("/credentials/owner", "TELECOMX_OWNER_TOKEN")],
            loader: "credentials.owner: unknown role 'owner' (did you mean 'OWNER'?)", schemaAt: "/credentials/owner"),
        Variant(
            name: "target: auth in the body", file: "targets/simulator.json", edits: [.set("/auth/in", "body")],
            loader: "auth.in: unknown placement 'body'", schemaAt: "/auth/in"),
        Variant(
            name: "target: prefix with in: query", file: "targets/simulator.json", edits: [.set("/auth/prefix", "Bearer ")],
            loader: "auth.prefix: prefix applies to in: header only", schemaAt: "/auth/prefix"),
        Variant(
            name: "target: ftp base URL", file: "targets/staging.example.json",
            edits: [.set("/baseURL", "ftp://staging.api.telecomx.example")],
            loader: "baseURL: 'ftp://staging.api.telecomx.example' is not an absolute http:// or https:// URL",
            schemaAt: "/baseURL"),
        Variant(
            name: "target: base URL with a query", file: "targets/staging.example.json",
            edits: [.set("/baseURL", "https://staging.api.telecomx.example/?x=1")],
            loader: "baseURL: 'https://staging.api.telecomx.example/?x=1' must not carry a query or fragment",
            schemaAt: "/baseURL"),
        Variant(
            name: "target: logins without a login section", file: "targets/simulator-login.json",
            edits: [.remove("/login")], loader: "credentials: roles with username and password need a \"login\" section",
            schemaAt: ""),
        Variant(
            name: "target: allowMutations as a string", file: "targets/staging.example.json",
            edits: [.set("/allowMutations", "yes")], loader: "allowMutations: must be true or false, found string",
            schemaAt: "/allowMutations"),
        Variant(
            name: "target: bad errorMessagePointer", file: "targets/staging.example.json",
            edits: [.set("/errorMessagePointer", "message")], loader: "errorMessagePointer: invalid JSON pointer 'message'",
            schemaAt: "/errorMessagePointer"),
        Variant(
            name: "target: missing auth", file: "targets/staging.example.json", edits: [.remove("/auth")],
            loader: "staging.example.json: missing required key 'auth'", schemaAt: ""),

        // The fixture catalogue.
        Variant(
            name: "fixtures: a name with a space", file: "fixtures.json",
            edits: [.set("/fixtures/account id", ["type": "id", "description": "x"])],
            loader: "fixtures.account id: fixture names use letters, digits, '.', '_' and '-' only", schemaAt: "/fixtures/account id"),
        Variant(
            name: "fixtures: an empty description", file: "fixtures.json",
            edits: [.set("/fixtures/account.id/description", "")],
            loader: "fixtures.account.id.description: must not be empty", schemaAt: "/fixtures/account.id/description"),
        Variant(
            name: "fixtures: an unknown type", file: "fixtures.json", edits: [.set("/fixtures/account.id/type", "hex")],
            loader: "fixtures.account.id.type: unknown fixture type 'hex'", schemaAt: "/fixtures/account.id/type"),
        Variant(
            name: "fixtures: a confirmBeforeBlame entry without why", file: "fixtures.json",
            edits: [.remove("/confirmBeforeBlame/deleted.filter.imsi/why")],
            loader: "confirmBeforeBlame.deleted.filter.imsi: missing required key 'why'", schemaAt: "/confirmBeforeBlame/deleted.filter.imsi"),
        Variant(
            name: "readings: an alternative without says", file: "readings.json",
            edits: [.remove("/readings/0/alternatives/0/says")],
            loader: "readings[0].alternatives[0]: missing required key 'says'", schemaAt: "/readings/0/alternatives/0"),
        Variant(
            name: "case: a reading the register does not have", file: "cases/mvno-account-create/create-number-foreign.json",
            edits: [.set("/expect/readings/no-such-reading", ["x": ["status": 404]])],
            loader: "expect.readings.no-such-reading: unknown reading 'no-such-reading'", schemaAt: nil),
        Variant(
            name: "fixtures: unknown top-level key", file: "fixtures.json", edits: [.set("/fixture", ["a": "b"])],
            loader: "fixture: unknown key 'fixture' (did you mean 'fixtures'?)", schemaAt: "/fixture"),

        // The loader drops these cases without a diagnostic (a loader gap); the meta schema rejects them.
        Variant(
            name: "case: page false (loader gap)", file: "cases/mvno-deleted-list/admin-walk.json",
            edits: [.set("/expect/invariants/0/page", false)], loader: "expect.invariants[0].page",
            schemaAt: "/expect/invariants/0/page"),
        Variant(
            name: "case: eachContains with no pointers (loader gap)", file: "cases/mvno-deleted-list/filter-device-type.json",
            edits: [.set("/expect/invariants/0", ["eachContains": ["pointers": [], "text": "Fairphone"], "source": "mvno-deleted-list.txt:22"])],
            loader: "expect.invariants[0].eachContains.pointers", schemaAt: "/expect/invariants/0/eachContains/pointers"),
        Variant(
            name: "case: matrix with no roles (loader gap)", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/matrix/roles", [])], loader: "matrix.roles", schemaAt: "/matrix/roles"),

        // Accepted by both: '$' keys wherever the loader reads a fixed set of keys, and the optional forms.
        Variant(
            name: "accepted: $comment in case objects", file: "cases/mvno-account-get/get-by-id.json",
            edits: [
                .set("/$comment", "x"), .set("/request/$comment", "x"), .set("/expect/$comment", "x"),
                .set("/expect/assert/0/$comment", "x"), .set("/level", "optional"),
            ], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: $comment in a step, a matrix and an invariant", file: "cases/mvno-deleted-list/admin-walk.json",
            edits: [.set("/expect/invariants/1/$comment", "x"), .set("/expect/invariants/1/walk/$comment", "x")],
            loader: nil, schemaAt: nil),
        Variant(
            name: "accepted (JSON5): $comment in a step", file: "cases/mvno-account-get/get-chain-id-then-number.json",
            edits: [.set("/steps/0/$comment", "x"), .set("/steps/1/covers", "success")], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: $comment in a matrix", file: "cases/mvno-account-get/access-matrix.json",
            edits: [.set("/matrix/$comment", "x"), .set("/tags", ["access"])], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: $comment in endpoint objects", file: "endpoints/mvno-deleted-list.json",
            edits: [
                .set("/access/$comment", "x"), .set("/access/rule/0/$comment", "x"), .set("/errors/0/$comment", "x"),
                .set("/paging/limit/$comment", "x"), .set("/level", "optional"),
            ], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: $comment in target objects", file: "targets/simulator-login.json",
            edits: [
                .set("/$comment", "x"), .set("/auth/$comment", "x"), .set("/login/$comment", "x"),
                .set("/credentials/OWNER/$comment", "x"),
            ], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: cookie auth without prefix", file: "targets/staging.example.json",
            edits: [.set("/auth", ["in": "cookie", "name": "token"])], loader: nil, schemaAt: nil),
        Variant(
            name: "accepted: $comment in the catalogue", file: "fixtures.json", edits: [.set("/$comment", "x")],
            loader: nil, schemaAt: nil),
    ]

    /// `value` with `edit` applied.
    static func apply(_ edit: Edit, to value: JSON) throws -> JSON {
        switch edit {
        case .set(let p, let v): return try replace(try JSONPointer(parsing: p).tokens[...], in: value, with: v)
        case .remove(let p): return try replace(try JSONPointer(parsing: p).tokens[...], in: value, with: nil)
        }
    }

    struct EditError: Error, CustomStringConvertible {
        var description: String
    }

    static func replace(_ tokens: ArraySlice<String>, in value: JSON, with new: JSON?) throws -> JSON {
        guard let t = tokens.first else { return new ?? .null }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var o):
            if rest.isEmpty {
                o[t] = new
            } else {
                guard let child = o[t] else { throw EditError(description: "no member '\(t)'") }
                o[t] = try replace(rest, in: child, with: new)
            }
            return .object(o)
        case .array(var a):
            guard let i = Int(t), a.indices.contains(i) else { throw EditError(description: "no element \(t)") }
            if rest.isEmpty {
                if let new { a[i] = new } else { a.remove(at: i) }
            } else {
                a[i] = try replace(rest, in: a[i], with: new)
            }
            return .array(a)
        default:
            throw EditError(description: "cannot descend into \(value.typeName) at '\(t)'")
        }
    }

    /// Fixture names from a catalogue file, for loading a target profile on its own.
    static func catalogue(_ root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for m in try parseFile(root + "/fixtures.json")["fixtures"]?.objectValue ?? JSONObject() {
            out[m.key] = m.value["description"]?.stringValue ?? ""
        }
        return out
    }

    /// The loader's error diagnostics for a suite copy in which `file` was changed.
    static func loaderErrors(root: String, file: String) throws -> [Diagnostic] {
        do {
            if file.hasPrefix("targets/") {
                _ = try TargetLoader.load(
                    path: root + "/" + file, fixtureCatalogue: try catalogue(root), access: try SuiteLoader.loadAccess(root: root))
            } else {
                _ = try SuiteLoader.load(root: root)
            }
            return []
        } catch let error as SuiteLoadError {
            return error.diagnostics.filter { $0.severity == .error }
        }
    }

    @Test(arguments: variants)
    func theMetaSchemaAndTheLoaderAgree(_ v: Variant) throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let root = try tmp.copySuite()
        let path = root + "/" + v.file
        var doc = try Self.parseFile(path)
        for e in v.edits { doc = try Self.apply(e, to: doc) }
        try Data(JSONWriter(pretty: true).bytes(doc)).write(to: URL(fileURLWithPath: path))

        // The loader.
        let errors = try Self.loaderErrors(root: root, file: v.file)
        let here = errors.filter { $0.file.hasSuffix("/" + v.file) }
        let shown = here.map { "Cases/" + v.file + $0.description.dropFirst($0.file.count) }
        if let message = v.loader {
            let check = {
                #expect(
                    here.contains { $0.description.contains(message) },
                    "the loader should reject it with '\(message)'; it said:\n\(errors.map(\.description).joined(separator: "\n"))")
            }
            check()
        } else {
            #expect(errors.isEmpty, "the loader should accept it; it said:\n\(errors.map(\.description).joined(separator: "\n"))")
        }

        // The meta schema.
        let meta = try #require(Self.expectedMeta(v.file))
        let result = try #require(try Self.compiledMetaSchemas()[meta]).validate(doc)
        let violations = Self.describe(result.violations)
        if let at = v.schemaAt {
            #expect(!result.isValid, "\(meta) should reject it")
            #expect(
                result.violations.contains { $0.instanceLocation.description == at },
                "\(meta) should report a violation at '\(at)'; it said:\n\(violations.joined(separator: "\n"))")
        } else {
            #expect(result.isValid, "\(meta) should accept it; it said:\n\(violations.joined(separator: "\n"))")
        }

        // SUITE_FILE_SCHEMA_TABLE=1 prints both verdicts, for the agreement table in reviews.
        if ProcessInfo.processInfo.environment["SUITE_FILE_SCHEMA_TABLE"] != nil {
            let loaderText = shown.isEmpty ? "accepted" : shown.joined(separator: " | ")
            let schemaText = violations.isEmpty ? "accepted" : violations.joined(separator: " | ")
            print("AGREEMENT\t\(v.name)\t\(loaderText)\t\(schemaText)")
        }
    }

    // MARK: (c) the meta schemas are valid JSON Schema 2020-12

    @Test(arguments: metaNames)
    func theMetaSchemaIsValid2020_12(_ name: String) throws {
        let doc = try Self.parseFile(Self.metaDir + "/" + name)
        #expect(doc["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        var registry = SchemaRegistry()
        try registry.register(doc, uri: Self.metaBase + name)
        _ = try registry.compile(Self.metaBase + name)
        let dialect = try registry.compile("https://json-schema.org/draft/2020-12/schema")
        let result = dialect.validate(doc)
        #expect(result.isValid, "\(Self.describe(result.violations).joined(separator: "\n"))")

        // Editors show descriptions: every property a file may hold has one.
        var missing: [String] = []
        func walk(_ v: JSON, _ at: JSONPointer) {
            switch v {
            case .object(let o):
                for m in o {
                    if m.key == "properties" || m.key == "patternProperties", case .object(let props) = m.value {
                        for p in props where p.value.objectValue?["description"] == nil {
                            missing.append(at.appending(m.key).appending(p.key).description)
                        }
                    }
                    walk(m.value, at.appending(m.key))
                }
            case .array(let a):
                for (i, e) in a.enumerated() { walk(e, at.appending(i)) }
            default: break
            }
        }
        walk(doc, .root)
        // Properties inside if/then only test or forbid keys described elsewhere; they need no description.
        missing.removeAll { $0.contains("/if/properties/") || $0.contains("/then/properties/") }
        #expect(missing.isEmpty, "properties without a description in \(name): \(missing)")
    }

    // MARK: the meta schemas' enumerations are the model's

    @Test func theEnumerationsAreTheModels() throws {
        let caseDoc = try Self.parseFile(Self.metaDir + "/case.schema.json")
        let endpointDoc = try Self.parseFile(Self.metaDir + "/endpoint.schema.json")
        let targetDoc = try Self.parseFile(Self.metaDir + "/target.schema.json")
        func strings(_ doc: JSON, _ pointer: JSONPointer) -> [String] {
            (pointer.resolve(in: doc)?.arrayValue ?? []).compactMap(\.stringValue)
        }
        // Role and level names are data (access.json); the shape of a name is one pattern everywhere.
        let accessDoc = try Self.parseFile(Self.metaDir + "/access.schema.json")
        let namePattern = try #require(accessDoc["$defs"]?["name"]?["pattern"]?.stringValue)
        #expect(caseDoc["$defs"]?["role"]?["pattern"]?.stringValue == namePattern)
        #expect(endpointDoc["$defs"]?["level"]?["pattern"]?.stringValue == namePattern)
        #expect(targetDoc["properties"]?["credentials"]?["propertyNames"]?["pattern"]?.stringValue == namePattern)
        #expect(
            strings(accessDoc, "/properties/roles/items/properties/relation/enum") == RoleRelation.allCases.map(\.rawValue))
        let levels = Level.allCases.map(\.rawValue)
        #expect(strings(caseDoc, "/$defs/level/enum") == levels)
        #expect(strings(endpointDoc, "/properties/level/enum") == levels)
        #expect(
            strings(endpointDoc, "/properties/access/properties/rule/items/properties/scope/enum")
                == AccessGrant.Scope.allCases.map(\.rawValue))
        #expect(
            strings(caseDoc, "/$defs/matrix/properties/relations/propertyNames/enum") == Relation.allCases.map(\.rawValue))
    }
}
