import HTTPServer
import JSONKit
import Testing

@testable import TelecomXSimulator

/// The simulator called in-process: the documented behaviour of GET /mvno/{ACCOUNT_ID}.
@Suite struct GetAccountTests {
    let sim = TelecomXSimulator()
    typealias I = Seed.IDs

    func token(_ role: String) -> String { Seed.standard.tokensByRole.first { $0.role == role }!.token }

    func get(_ key: String, role: String?, bearer: Bool = false) throws -> (Int, JSON) {
        var target = "/mvno/" + key
        var headers = HTTPHeaders()
        if let role {
            if bearer { headers.add(name: "Authorization", value: "Bearer " + token(role)) } else { target += "?token=" + token(role) }
        }
        let r = sim.respond(HTTPRequest(method: "GET", target: target, headers: headers))
        #expect(r.headers["Content-Type"]?.hasPrefix("application/json") == true)
        return (r.status, try JSONParser.parse(r.body))
    }

    @Test func ownerReadsByIdAndByNumber() throws {
        let (s1, a) = try get(I.account1, role: "OWNER")
        #expect(s1 == 200)
        #expect(a["_id"] == .string(I.account1))
        let (s2, b) = try get(I.number1, role: "OWNER", bearer: true)
        #expect(s2 == 200)
        #expect(b["_id"] == .string(I.account1))
    }

    @Test func unknownAccountAnswers404() throws {
        let (s, body) = try get(I.missingAccount, role: "ADMIN")
        #expect(s == 404)
        #expect(body["message"] == "mvnoAccount")
        #expect(try get(I.missingNumber, role: "ADMIN").0 == 404)
        #expect(try get("not-an-id", role: "ADMIN").0 == 404)
    }

    @Test func accessFollowsTheDocumentedRule() throws {
        // VIEWER/MANAGER/OWNER of the customer; RESELLER of the customer's reseller; ADMIN.
        for role in ["VIEWER", "MANAGER", "OWNER", "RESELLER", "ADMIN"] {
            #expect(try get(I.account1, role: role).0 == 200, "\(role)")
        }
        for role in ["OTHER_CUSTOMER", "OTHER_RESELLER", "RESELLER_ADMIN"] {
            let (s, body) = try get(I.account1, role: role)
            #expect(s == 403, "\(role)")
            #expect(body["message"] == "access_denied")
        }
        #expect(try get(I.account2, role: "OWNER").0 == 403)  // sibling customer
        #expect(try get(I.account2, role: "RESELLER").0 == 200)
    }

    @Test func missingOrUnknownTokenAnswers401() throws {
        let (s, body) = try get(I.account1, role: nil)
        #expect(s == 401)
        #expect(body["message"] == "credentials_invalid")
        let r = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(I.account1)?token=nope"))
        #expect(r.status == 401)
    }

    @Test func restrictedFieldsOnlyForTheirRoles() throws {
        let restricted = ["socs", "socsOverride", "socLimit", "purchaseInfo"]
        let admin = try get(I.account1, role: "ADMIN").1
        for k in restricted + ["notes"] { #expect(admin[k] != nil, "ADMIN sees \(k)") }
        let reseller = try get(I.account1, role: "RESELLER").1
        for k in restricted { #expect(reseller[k] == nil, "RESELLER must not see \(k)") }
        #expect(reseller["notes"] != nil)
        for role in ["VIEWER", "MANAGER", "OWNER"] {
            let a = try get(I.account1, role: role).1
            for k in restricted + ["notes"] { #expect(a[k] == nil, "\(role) must not see \(k)") }
        }
    }

    @Test func faultsDeviateAsNamed() throws {
        let faulty = TelecomXSimulator(faults: [Fault.named("get-drop-number")!, Fault.named("get-not-found-status")!])
        let ok = faulty.respond(HTTPRequest(method: "GET", target: "/mvno/\(I.account1)?token=\(token("OWNER"))"))
        #expect(try JSONParser.parse(ok.body)["number"] == nil)
        let nf = faulty.respond(HTTPRequest(method: "GET", target: "/mvno/\(I.missingAccount)?token=\(token("OWNER"))"))
        #expect(nf.status == 400)
    }

    @Test func everyFaultNameIsUniqueAndDescribed() {
        let names = Fault.catalogue.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Fault.catalogue.allSatisfy { !$0.summary.isEmpty })
    }
}
