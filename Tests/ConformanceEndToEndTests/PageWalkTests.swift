@testable import ConformanceKit
import ConformanceTesting
import Foundation
import JSONKit
import Testing

/// The page walk on pages made by hand: a list goes on, and a page that is
/// no list (or answers with another status) stops the walk with a finding.
@Suite struct PageWalkTests {
    static func walk(judged: @escaping @Sendable (HTTPExchange, PlannedRequest) -> [Finding] = { _, _ in [] }) throws -> PageWalk {
        let suite = try ProjectSuite.suite()
        let endpoint = try #require(suite.endpoints.first { $0.paging != nil })
        return PageWalk(
            endpoint: endpoint, paging: endpoint.paging!, limit: 2, idPointer: JSONPointer(tokens: ["id"]), counting: [],
            judgePage: judged)
    }

    /// A page: `items` and `total` where the paging names them (members of the top object).
    static func page(_ walk: PageWalk, _ items: JSON, total: Int, status: Int? = nil) throws -> HTTPExchange {
        let itemsKey = try #require(walk.paging.items.tokens.count == 1 ? walk.paging.items.tokens[0] : nil)
        let totalKey = try #require(walk.paging.total.tokens.count == 1 ? walk.paging.total.tokens[0] : nil)
        let body = JSON.object(JSONObject([.init(key: itemsKey, value: items), .init(key: totalKey, value: .number(Double(total)))]))
        return HTTPExchange(status: status ?? walk.endpoint.successStatus, headers: [:], body: JSONWriter().bytes(body), seconds: 0)
    }

    static let request = PlannedRequest(method: "GET", path: "/", query: [], headers: [], body: nil)

    @Test func listsGoOnAndTheLaterPagesAreJudged() throws {
        var walk = try Self.walk { _, _ in [Finding(check: .schema, expected: "x", actual: "y", message: "judged")] }
        #expect(walk.take(try Self.page(walk, [["id": "a"], ["id": "b"]], total: 3), request: Self.request) == .next)
        #expect(walk.findings.isEmpty, "the first page is the step's own answer")
        #expect(walk.take(try Self.page(walk, [["id": "c"]], total: 3), request: Self.request) == .done)
        #expect(walk.findings.map(\.message) == ["page at offset 2: judged"])
        #expect(walk.finished().map(\.message) == ["page at offset 2: judged"])
    }

    @Test(arguments: [false, true])
    func aPageThatIsNoListStopsTheWalk(wrongStatus: Bool) throws {
        var walk = try Self.walk()
        let exchange = try wrongStatus ? Self.page(walk, [["id": "a"]], total: 1, status: 500) : Self.page(walk, ["id": "a"], total: 1)
        #expect(walk.take(exchange, request: Self.request) == .stopped)
        #expect(walk.findings.count == 1)
        #expect(walk.findings.first?.message == "page at offset 0 did not answer with a list (status \(exchange.status))")
    }
}
