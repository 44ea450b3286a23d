import ConformanceKit
import JSONKit
import JSONSchemaKit
import Testing

/// An answer is validated against its object as every page documents it
/// (`x-object`): a member the other page's table documents is described, and
/// still type-checked with that page's type.
struct DocumentedElsewhereTests {
    func schema(_ file: String) throws -> CompiledSchema {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        return try #require(suite.compiledSchemas["schemas/" + file])
    }

    @Test func theCreateAnswerMayCarryWhatTheGetPageDocuments() throws {
        let create = try schema("mvno-account-create-response.schema.json")
        let body: JSON = [
            "employeeName": "Jane", "socLimit": ["data": 100, "minutes": 60], "topUp": ["data": 0],
            "smartWatch": ["eid": "89000000000000000000000000000001", "model": "ios"], "deviceType": "phone",
            "dataSharingSims": [["name": "tablet"]], "restOfWorldRoaming": ["productName": "RoW", "productPrice": 9],
        ]
        let r = create.validate(body)
        #expect(r.violations.map(\.message) == [])
        #expect(r.undescribed.map(\.description) == [])
    }

    @Test func theGetAnswerMayCarryWhatTheCreatePageDocuments() throws {
        let get = try schema("mvno-account.schema.json")
        let r = get.validate(["mvnoSim": ["autoAssign": true], "info": ["deviceType": "phone"], "restOfWorldRoaming": ["name": "RoW", "price": 9]])
        #expect(r.violations.map(\.message) == [])
        #expect(r.undescribed.map(\.description) == [])
    }

    @Test func aMemberDocumentedElsewhereIsStillTypeChecked() throws {
        let create = try schema("mvno-account-create-response.schema.json")
        let r = create.validate(["employeeName": 5, "socLimit": ["data": "a lot"]])
        #expect(r.violations.map(\.instanceLocation.description) == ["/employeeName", "/socLimit/data"])
        #expect(r.undescribed.isEmpty)
    }

    /// The deleted account is its own object, documented by one table: the get page's members stay undocumented there.
    @Test func anotherObjectDoesNotBorrow() throws {
        let page = try schema("mvno-deleted-page.schema.json")
        let r = page.validate(["mvnoAccounts": [["number": "+4512345678", "topUp": ["data": 0], "smartWatch": .null]]])
        #expect(r.undescribed.map(\.description) == ["/mvnoAccounts/0/topUp", "/mvnoAccounts/0/smartWatch"])
    }

    /// What lint-docs and the visibility rules read stays each page's own table.
    @Test func theSuitesSchemaFilesStayAsTranscribed() throws {
        let suite = try SuiteLoader.load(root: Project.cases).suite
        let create = try #require(suite.schemas["schemas/mvno-account-create-response.schema.json"])
        #expect(create["properties"]?["employeeName"] == nil)
        #expect(create["properties"]?["number"] != nil)
    }
}
