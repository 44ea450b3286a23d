import ConformanceKit
import DocTools
import Foundation
import JSONKit
import Testing

/// The OpenAPI 3.1 export of the documented API, over the real suite in
/// `Cases/` and the profiles in `Cases/targets/`.
@Suite struct OpenAPIExportTests {
    /// The project root: three levels up from this file (Tests/ConformanceKitTests/…).
    static let projectRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func load() throws -> (suite: ConformanceKit.Suite, targets: [TargetProfile]) {
        let cases = projectRoot + "/Cases"
        let (suite, _) = try SuiteLoader.load(root: cases)
        let dir = cases + "/targets"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        var targets: [TargetProfile] = []
        for f in files {
            targets.append(try TargetLoader.load(path: dir + "/" + f, suite: suite).profile)
        }
        return (suite, targets)
    }

    /// Every `$ref` string in the document, with the JSON pointer where it sits.
    static func refs(in value: JSON, at path: String = "") -> [(at: String, ref: String)] {
        switch value {
        case .object(let o):
            var out: [(String, String)] = []
            for m in o {
                if m.key == "$ref", let s = m.value.stringValue { out.append((path, s)) }
                out += refs(in: m.value, at: path + "/" + JSONPointer.escape(m.key))
            }
            return out
        case .array(let a):
            return a.enumerated().flatMap { refs(in: $0.element, at: path + "/\($0.offset)") }
        default:
            return []
        }
    }

    /// The `{NAME}` placeholders of a path template.
    static func templateParameters(_ path: String) -> [String] {
        path.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}").first.map(String.init) }
    }

    static func operation(_ doc: JSON, _ ep: Endpoint) -> JSON? {
        doc["paths"]?[ep.path]?[ep.method.lowercased()]
    }

    @Test func renderingIsDeterministic() throws {
        let (suite, targets) = try Self.load()
        let a = OpenAPIExport.render(suite: suite, targets: targets)
        let b = OpenAPIExport.render(suite: suite, targets: targets)
        #expect(a == b)
        // Neither the order of the profiles nor a reload changes a byte.
        let (again, _) = try Self.load()
        #expect(OpenAPIExport.render(suite: again, targets: targets.reversed()) == a)
        #expect(a.hasPrefix("{\n  \"openapi\": \"3.1.0\",\n  \"info\": {"))
        #expect(a.hasSuffix("}\n"))
    }

    @Test func infoServersAndPathOrder() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        #expect(doc["openapi"] == "3.1.0")
        #expect(doc["info"]?["title"] == "TelecomX MVNO API (as documented)")
        #expect(doc["info"]?["version"]?.stringValue?.isEmpty == false)
        let description = doc["info"]?["description"]?.stringValue ?? ""
        for page in Set(suite.endpoints.map(\.doc)) { #expect(description.contains(page), "\(page)") }
        #expect(doc["servers"]?[0]?["url"] == "https://api.telecomx.dk")
        let paths = doc["paths"]?.objectValue?.keys ?? []
        #expect(paths == paths.sorted())
        #expect(Set(paths) == Set(suite.endpoints.map(\.path)))
        for p in paths {
            let methods = doc["paths"]?[p]?.objectValue?.keys ?? []
            #expect(methods == methods.sorted(), "\(p)")
        }
    }

    @Test func everyEndpointIsAnOperationWithItsDocumentedErrorStatuses() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        #expect(!suite.endpoints.isEmpty)
        var operationIDs: [String] = []
        for ep in suite.endpoints {
            guard let op = Self.operation(doc, ep) else {
                Issue.record("\(ep.id): no operation \(ep.method) \(ep.path)")
                continue
            }
            operationIDs.append(op["operationId"]?.stringValue ?? "")
            #expect(op["operationId"] == .string(ep.id))
            #expect(op["summary"] == .string(ep.title))
            let description = op["description"]?.stringValue ?? ""
            #expect(description.contains(ep.doc), "\(ep.id)")
            #expect(description.contains(ep.accessText), "\(ep.id)")
            let responses = op["responses"]?.objectValue
            let success = responses?[String(ep.successStatus)]
            #expect(success != nil, "\(ep.id): no \(ep.successStatus)")
            if let schema = ep.responseSchema {
                #expect(success?["content"]?["application/json"]?["schema"]?["$ref"] != nil, "\(ep.id) \(schema)")
            }
            for e in ep.errors {
                let r = responses?[String(e.status)]
                #expect(r != nil, "\(ep.id): documented status \(e.status) missing")
                let text = r?["description"]?.stringValue ?? ""
                #expect(text.contains("\(e.message): \(e.description)"), "\(ep.id) \(e.id): \(text)")
                #expect(r?["content"]?["application/json"]?["schema"]?["$ref"] == "#/components/schemas/Error")
            }
            if let u = ep.unauthenticated {
                let r = responses?[String(u.status)]
                #expect(r?["description"]?.stringValue?.contains(u.message) == true, "\(ep.id): unauthenticated")
            }
            let statuses = (responses?.keys ?? []).compactMap(Int.init)
            #expect(statuses == statuses.sorted())
            #expect(
                Set(statuses)
                    == Set(
                        [ep.successStatus] + ep.errors.map(\.status) + (ep.unauthenticated.map { [$0.status] } ?? [])
                            + Self.readingAnswers(suite, ep).map(\.status)))
            #expect((op["requestBody"] != nil) == (ep.requestSchema != nil), "\(ep.id)")
            if ep.requestSchema != nil {
                #expect(op["requestBody"]?["required"] == true)
                #expect(op["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"] != nil)
            }
            // Every {PARAM} of the template is a required path parameter.
            let params = op["parameters"]?.arrayValue ?? []
            for name in Self.templateParameters(ep.path) {
                let p = params.first { $0["name"] == .string(name) && $0["in"] == "path" }
                #expect(p?["required"] == true, "\(ep.id): path parameter \(name)")
            }
        }
        #expect(Set(operationIDs).count == suite.endpoints.count)
        // The 409 row of the create page lists every documented message.
        if let create = suite.endpoint("mvno-account-create"), let op = Self.operation(doc, create) {
            let text = op["responses"]?["409"]?["description"]?.stringValue ?? ""
            #expect(
                text.hasPrefix("number: The number is part of a range; number: Number is in use on another account; "))
        }
    }

    @Test func accountIdIsAnObjectIdOrAnE164Number() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        let ep = try #require(suite.endpoint("mvno-account-get"))
        let p = try #require(Self.operation(doc, ep)?["parameters"]?.arrayValue?.first { $0["name"] == "ACCOUNT_ID" })
        #expect(p["in"] == "path")
        #expect(p["description"] == "Id of the MVNO account (24 hex-char string) or E.164 phone number.")
        let alternatives = p["schema"]?["oneOf"]?.arrayValue ?? []
        #expect(alternatives.map { $0["pattern"] } == ["^[0-9a-fA-F]{24}$", "^\\+[1-9][0-9]{7,14}$"])
        #expect(alternatives.map { $0["format"] } == ["objectid", "e164"])
    }

    @Test func noRefPointsOutsideComponents() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        let refs = Self.refs(in: doc)
        #expect(refs.count > 50)
        for r in refs where !r.ref.hasPrefix("#/components/") {
            Issue.record("\(r.at): $ref '\(r.ref)' points outside #/components/")
        }
    }

    @Test func everyRefResolvesWithinTheDocument() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        for r in Self.refs(in: doc) {
            do {
                let pointer = try JSONPointer(parsing: r.ref)
                #expect(pointer.resolve(in: doc) != nil, "\(r.at): $ref '\(r.ref)' does not resolve")
            } catch {
                Issue.record("\(r.at): $ref '\(r.ref)' is not a JSON pointer fragment: \(error)")
            }
        }
    }

    @Test func componentsHoldEverySchemaFile() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        let schemas = try #require(doc["components"]?["schemas"]?.objectValue)
        #expect(!suite.schemas.isEmpty)
        for file in suite.schemas.keys.sorted() {
            // schemas/mvno-account.schema.json → MvnoAccount
            var stem = String(file.dropFirst("schemas/".count))
            stem = String(stem.dropLast(stem.hasSuffix(".schema.json") ? ".schema.json".count : ".json".count))
            let name = stem.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            #expect(schemas[name] != nil, "\(file) → \(name) missing; have \(schemas.keys)")
            // Its $defs are hoisted with the file's stem as prefix.
            for def in suite.schemas[file]?["$defs"]?.objectValue?.keys ?? [] {
                #expect(schemas["\(stem).\(def)"] != nil, "\(file)#/$defs/\(def)")
            }
        }
        #expect(schemas["MvnoAccount"] != nil && schemas["common.Id"]?["format"] == "objectid")
        #expect(schemas["common.E164"]?["format"] == "e164")
        // $id, $schema and the hoisted $defs are gone; x- annotations and formats stay.
        let text = JSONWriter().string(.object(schemas))
        #expect(!text.contains("\"$id\""))
        #expect(!text.contains("\"$schema\""))
        #expect(!text.contains("\"$defs\""))
        #expect(!text.contains(".schema.json#"))
        #expect(text.contains("\"x-visibility\"") && text.contains("\"x-sensitive\""))
        #expect(text.contains("\"format\":\"icc\""))
        #expect(
            schemas["MvnoAccount"]?["properties"]?["_id"]?["anyOf"]?[0]?["$ref"] == "#/components/schemas/common.Id")
        // A member holding null holds no value, as the harness reads it (SuiteLoader.apiValidation).
        #expect(schemas["MvnoAccount"]?["properties"]?["_id"]?["anyOf"]?[1] == ["type": "null"])
        #expect(
            schemas["MvnoDeletedPage"]?["properties"]?["mvnoAccounts"]?["anyOf"]?[0]?["items"]?["$ref"]
                == "#/components/schemas/MvnoDeletedAccount")
        // The error body: an object with a message string, saying the docs do not give it.
        let error = try #require(schemas["Error"])
        #expect(error["type"] == "object")
        #expect(error["properties"]?["message"]?["type"] == "string")
        #expect(error["description"]?.stringValue?.contains("Not documented") == true)
        // Without a profile, the message at the default pointer is required.
        #expect(error["required"] == ["message"])
        // Component names are valid OpenAPI component keys.
        for name in schemas.keys {
            #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }, "\(name)")
        }
    }

    @Test func pagingParametersCarryTheDocumentedDefaultsAndBounds() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        let paged = suite.endpoints.filter { $0.paging != nil }
        #expect(!paged.isEmpty)
        for ep in paged {
            let paging = try #require(ep.paging)
            let params = Self.operation(doc, ep)?["parameters"]?.arrayValue ?? []
            let offset = params.first { $0["name"] == .string(paging.offsetParam) && $0["in"] == "query" }
            #expect(offset?["required"] == false)
            #expect(offset?["schema"]?["type"] == "integer")
            #expect(offset?["schema"]?["minimum"] == 0)
            #expect(offset?["schema"]?["default"] == .number(Double(paging.defaultOffset)))
            let limit = params.first { $0["name"] == .string(paging.limitParam) && $0["in"] == "query" }
            #expect(limit?["schema"]?["type"] == "integer")
            #expect(limit?["schema"]?["minimum"] == .number(Double(paging.minLimit)))
            #expect(limit?["schema"]?["maximum"] == .number(Double(paging.maxLimit)))
            #expect(limit?["schema"]?["default"] == .number(Double(paging.defaultLimit)))
        }
        // The deleted-accounts page: offset default 0; limit default 100, 1..500; filter.
        let deleted = try #require(suite.endpoint("mvno-deleted-list"))
        let params = Self.operation(doc, deleted)?["parameters"]?.arrayValue ?? []
        #expect(params.map { $0["name"] } == ["offset", "limit", "filter"])
        #expect(params[1]["schema"] == ["type": "integer", "default": 100, "minimum": 1, "maximum": 500])
        #expect(params[0]["schema"]?["default"] == 0)
        #expect(params[2]["schema"] == ["type": "string"])
        #expect(params[2]["description"]?.stringValue?.contains("simNumber (ICC), IMSI and notes") == true)
        // Endpoints without paging take no query parameters.
        for ep in suite.endpoints where ep.paging == nil {
            let query = (Self.operation(doc, ep)?["parameters"]?.arrayValue ?? []).filter { $0["in"] == "query" }
            #expect(query.isEmpty, "\(ep.id)")
        }
    }

    @Test func securitySchemesComeFromTheProfilesDeduplicated() throws {
        let (suite, targets) = try Self.load()
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        let schemes = try #require(doc["components"]?["securitySchemes"]?.objectValue)
        // simulator (?token=), simulator-login and staging (both Authorization: Bearer) → two schemes.
        let query = schemes.members.first { $0.value["type"] == "apiKey" && $0.value["in"] == "query" }
        #expect(query?.value["name"] == "token")
        let bearers = schemes.members.filter { $0.value["type"] == "http" && $0.value["scheme"] == "bearer" }
        #expect(bearers.count == 1)
        #expect(bearers.first?.value["description"]?.stringValue?.contains("POST /auth/login") == true)
        let placements = Set(targets.map { "\($0.auth)" })
        #expect(schemes.count == placements.count)
        // Top-level security: any one of them.
        let security = doc["security"]?.arrayValue ?? []
        #expect(security.count == schemes.count)
        #expect(Set(security.compactMap { $0.objectValue?.keys.first }) == Set(schemes.keys))
        #expect(security.allSatisfy { $0.objectValue?.count == 1 && $0.objectValue?.first?.value == [] })
        // Without profiles: the docs' own ?token= style.
        let bare = OpenAPIExport.document(suite: suite, targets: [])
        #expect(bare["components"]?["securitySchemes"]?.objectValue?.first?.value["in"] == "query")
    }

    @Test func theExportIsGenericOverTheSuitesEndpoints() throws {
        let loaded = try Self.load()
        var suite = loaded.suite
        let targets = loaded.targets
        // Another method on an existing path, and a paged endpoint on an undocumented page.
        var delete = try #require(suite.endpoint("mvno-account-get"))
        delete.id = "zz-mvno-account-delete"
        delete.title = "MVNO Account Delete"
        delete.method = "DELETE"
        delete.doc = "mvno-account-delete.txt"
        var list = try #require(suite.endpoint("mvno-deleted-list"))
        list.id = "zz-mvno-list"
        list.title = "MVNO Accounts List"
        list.doc = "mvno-list.txt"
        list.path = "/mvno/list/{CUSTOMER_ID}"
        // Its parameters are the spec's, whatever they are called: nothing is known by name.
        list.parameters = [
            Parameter(
                name: "CUSTOMER_ID", location: .path, required: true, description: "Id of the customer.",
                schema: ["$ref": "schemas/common.schema.json#/$defs/Id"]),
            Parameter(
                name: "offset", location: .query, required: false, description: "First item.",
                schema: ["type": "integer", "default": 0]),
            Parameter(
                name: "count", location: .query, required: false, description: "How many, default 25, max 50.",
                schema: ["type": "integer", "default": 25, "maximum": 50]),
        ]
        suite.endpoints += [delete, list]
        let doc = OpenAPIExport.document(suite: suite, targets: targets)
        #expect(doc["paths"]?["/mvno/{ACCOUNT_ID}"]?.objectValue?.keys == ["delete", "get"])
        let op = try #require(Self.operation(doc, list))
        let params = op["parameters"]?.arrayValue ?? []
        #expect(params.map { $0["name"] } == ["CUSTOMER_ID", "offset", "count"])
        #expect(params[2]["schema"]?["maximum"] == 50 && params[2]["schema"]?["default"] == 25)
        #expect(params[2]["description"] == "How many, default 25, max 50.")
        // A reference in a parameter's schema (relative to the suite folder) points into the components.
        #expect(params[0]["schema"]?["$ref"] == "#/components/schemas/common.Id")
        for r in Self.refs(in: doc) { #expect((try? JSONPointer(parsing: r.ref))?.resolve(in: doc) != nil, "\(r.ref)") }
        try Self.validate(OpenAPIExport.render(suite: suite, targets: targets), name: "generic")
    }

    @Test func theDocumentPassesOpenAPISpecValidator() throws {
        let (suite, targets) = try Self.load()
        try Self.validate(OpenAPIExport.render(suite: suite, targets: targets), name: "suite")
    }

    // MARK: --target: a document to test a server with

    static func profile(_ targets: [TargetProfile], _ name: String) throws -> TargetProfile {
        try #require(targets.first { $0.name == name }, "no profile \(name)")
    }

    /// Every (status, message) a step on `ep` accepts under another option of
    /// its readings (message nil: any), read from the suite's steps.
    static func readingAnswers(_ suite: ConformanceKit.Suite, _ ep: Endpoint) -> [(status: Int, message: String?)] {
        suite.cases.flatMap(\.steps).filter { $0.endpoint == ep.id }.flatMap(\.alternatives).flatMap { alt in
            alt.expect.oneOf.isEmpty ? [(alt.expect.status, alt.expect.errorMessage)] : alt.expect.oneOf.map { ($0.status, Optional($0.message)) }
        }
    }

    /// Issue #26 item 8: the export allows what the readings allow, so a tool
    /// testing a server with it does not fail one that takes an alternative.
    @Test func theExportAllowsEveryAlternativeOfEveryReading() throws {
        let (suite, targets) = try Self.load()
        let target = try Self.profile(targets, "simulator")
        let doc = OpenAPIExport.document(suite: suite, targets: targets, target: target)
        let create = try #require(suite.endpoint("mvno-account-create"))
        let responses = try #require(Self.operation(doc, create)?["responses"])
        // A create answered 201 (reading create-success-status) is declared, with the success body.
        #expect(responses["201"]?["content"] == responses["200"]?["content"])
        #expect(responses["201"]?["description"]?.stringValue?.contains("create-success-status=201") == true)
        #expect(responses["202"]?["content"] == responses["200"]?["content"])
        #expect(responses["202"]?["description"]?.stringValue?.contains("create-success-status=202") == true)
        // A request without credentials may be answered 401 with another message (reading unauthenticated-answer).
        for ep in suite.endpoints {
            #expect(Self.messages(doc, ep, 401, at: target.errorMessagePointer) == nil, "\(ep.id): 401 still holds an enum")
            for a in Self.readingAnswers(suite, ep) {
                #expect(Self.operation(doc, ep)?["responses"]?[String(a.status)] != nil, "\(ep.id): \(a.status) not declared")
                if (200..<300).contains(a.status) { continue }
                let allowed = Self.messages(doc, ep, a.status, at: target.errorMessagePointer)
                if let m = a.message {
                    #expect(allowed == nil || allowed?.contains(m) == true, "\(ep.id) \(a.status): \(m) not allowed")
                } else {
                    #expect(allowed == nil, "\(ep.id) \(a.status): a reading leaves the message open, the export holds \(allowed ?? [])")
                }
            }
        }
    }

    /// The enum of messages an operation's response for `status` allows, at `pointer`.
    static func messages(_ doc: JSON, _ ep: Endpoint, _ status: Int, at pointer: JSONPointer) -> [String]? {
        let schema = operation(doc, ep)?["responses"]?[String(status)]?["content"]?["application/json"]?["schema"]
        guard let parts = schema?["allOf"]?.arrayValue, parts.first?["$ref"] == "#/components/schemas/Error" else { return nil }
        var at: JSON? = parts.count > 1 ? parts[1] : Optional.none
        for token in pointer.tokens {
            guard at?["required"]?.arrayValue?.contains(.string(token)) == true else { return nil }
            at = at?["properties"]?[token]
        }
        return at?["enum"]?.arrayValue?.compactMap(\.stringValue)
    }

    @Test(arguments: ["simulator", "simulator-envelope"])
    func aTargetsErrorBodiesAllowOnlyEachStatusesDocumentedMessages(_ name: String) throws {
        let (suite, targets) = try Self.load()
        let target = try Self.profile(targets, name)
        let doc = OpenAPIExport.document(suite: suite, targets: targets, target: target)
        let pointer = target.errorMessagePointer
        // The Error component requires the message where the profile says it sits.
        var error = try #require(doc["components"]?["schemas"]?["Error"])
        for token in pointer.tokens {
            #expect(error["required"]?.arrayValue?.contains(.string(token)) == true, "\(name): \(token) not required")
            error = try #require(error["properties"]?[token])
        }
        #expect(error["type"] == "string")
        var checked = 0
        for ep in suite.endpoints {
            let statuses = Set(ep.errors.map(\.status) + (ep.unauthenticated.map { [$0.status] } ?? []))
            for status in statuses.sorted() {
                var wanted = ep.errors.filter { $0.status == status }.map(\.message)
                if let u = ep.unauthenticated, u.status == status { wanted.append(u.message) }
                let read = Self.readingAnswers(suite, ep).filter { $0.status == status }
                wanted += read.compactMap(\.message)
                var unique: [String] = []
                for m in wanted where !unique.contains(m) { unique.append(m) }
                // A reading that leaves the message open (e.g. 401 with another message) allows any.
                let expected: [String]? = read.contains { $0.message == nil } ? nil : unique
                #expect(Self.messages(doc, ep, status, at: pointer) == expected, "\(name) \(ep.id) \(status)")
                checked += 1
            }
        }
        #expect(checked >= 10)
        // Only this profile's server and credential placement.
        #expect(doc["servers"]?.arrayValue?.map { $0["url"] } == [.string(target.baseURL)])
        #expect(doc["components"]?["securitySchemes"]?.objectValue?.count == 1)
        try Self.validate(OpenAPIExport.render(suite: suite, targets: targets, target: target), name: "target-\(name)")
    }

    @Test func aTargetsFixturesAreTheExamplesTheSuccessCasesSend() throws {
        let (suite, targets) = try Self.load()
        let target = try Self.profile(targets, "simulator")
        let doc = OpenAPIExport.document(suite: suite, targets: targets, target: target)
        var examples = 0
        for ep in suite.endpoints {
            let op = try #require(Self.operation(doc, ep))
            let successSteps = suite.cases.flatMap { c in c.steps.filter { $0.endpoint == ep.id && $0.covers == "success" } }
            for p in op["parameters"]?.arrayValue ?? [] {
                guard let example = p["example"], let name = p["name"]?.stringValue else { continue }
                examples += 1
                // The value some success case of the endpoint sends, with the profile's fixtures.
                let sent = successSteps.compactMap { step -> JSON? in
                    let t = p["in"] == "path" ? step.request.pathParams[name] : step.request.query.last { $0.name == name }?.value
                    return t.map { Planner.substitute($0, target.fixtures) }
                }
                #expect(sent.contains(example), "\(ep.id) \(name): example \(example) is sent by no success case")
                #expect(!JSONWriter().string(example).contains("{{"), "\(ep.id) \(name)")
            }
            if let request = ep.requestSchema {
                let body = op["requestBody"]?["content"]?["application/json"]?["examples"]?["documented-success"]?["value"]
                let value = try #require(body, "\(ep.id): no body example")
                #expect(!JSONWriter().string(value).contains("{{"), "\(ep.id): unsubstituted variable")
                let schema = try #require(suite.compiledSchemas[request])
                #expect(schema.validate(value).isValid, "\(ep.id): the body example breaks its schema")
                examples += 1
            }
        }
        // The account id path parameter, the deleted list's query parameters, the create body.
        #expect(examples >= 4)
        let get = try #require(suite.endpoint("mvno-account-get"))
        let id = Self.operation(doc, get)?["parameters"]?[0]?["example"]
        #expect(target.fixtures.values.contains { $0 == id }, "the ACCOUNT_ID example is no fixture of the profile")
        // Without a profile there are no examples.
        let bare = OpenAPIExport.document(suite: suite, targets: targets)
        #expect(!OpenAPIExport.render(suite: suite, targets: targets).contains("\"example"))
        #expect(Self.messages(bare, get, 404, at: JSONPointer(tokens: ["message"])) == nil)
    }

    // MARK: the external validator

    static let installHint =
        "python3 with the PyPI package openapi-spec-validator is needed (`.ci/run` installs it: "
        + "python3 -m pip install openapi-spec-validator)"

    static func python3() -> String? { executablePath("python3") }

    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try runProcess(executable, args)
    }

    /// Runs `python3 -m openapi_spec_validator FILE` and the library's
    /// `validate()` on the text; records a failure with their output otherwise.
    static func validate(_ text: String, name: String) throws {
        guard let python = python3() else {
            Issue.record("python3 not found on PATH: \(installHint)")
            return
        }
        let probe = try run(python, ["-c", "import openapi_spec_validator"])
        guard probe.status == 0 else {
            Issue.record("the Python module openapi_spec_validator is missing: \(installHint)\n\(probe.output)")
            return
        }
        let file = NSTemporaryDirectory() + "openapi-export-\(name)-\(UUID().uuidString).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let cli = try run(python, ["-m", "openapi_spec_validator", file])
        #expect(cli.status == 0, "openapi_spec_validator failed (exit \(cli.status)):\n\(cli.output)")
        #expect(cli.output.contains("OK"), "\(cli.output)")
        let api = try run(
            python,
            [
                "-c",
                "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')",
                file,
            ])
        #expect(
            api.status == 0 && api.output.contains("valid"), "validate() failed (exit \(api.status)):\n\(api.output)")
    }
}
