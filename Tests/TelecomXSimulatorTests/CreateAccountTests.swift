import Foundation
import HTTPServer
import JSONKit
import Testing

@testable import TelecomXSimulator

/// The simulator called in-process: the documented behaviour of POST /mvno.
@Suite struct CreateAccountTests {
    typealias S = Seed.IDs
    typealias I = Inventory.IDs

    static func token(_ role: String) -> String { Seed.standard.tokensByRole.first { $0.role == role }!.token }

    /// POSTs `body` (raw bytes when given as a string, none when nil) as `role`.
    static func post(_ sim: TelecomXSimulator, _ body: JSON?, role: String?, raw: String? = nil) throws -> (Int, JSON) {
        var headers = HTTPHeaders()
        var bytes: [UInt8] = []
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            bytes = JSONWriter().bytes(body)
        } else if let raw {
            bytes = Array(raw.utf8)
        }
        let target = "/mvno" + (role.map { "?token=" + token($0) } ?? "")
        let r = sim.respond(HTTPRequest(method: "POST", target: target, headers: headers, body: bytes))
        #expect(r.headers["Content-Type"]?.hasPrefix("application/json") == true)
        return (r.status, try JSONParser.parse(r.body))
    }

    static func get(_ sim: TelecomXSimulator, _ key: String, role: String) throws -> (Int, JSON) {
        let r = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(key)?token=\(token(role))"))
        return (r.status, try JSONParser.parse(r.body))
    }

    /// The least a create needs: customer 1, a free number, an eSIM, a valid rate plan.
    static func base(_ number: String = I.freeNumber(0), customer: String = S.customer1) -> JSONObject {
        JSONObject(pairs: [
            ("customer", .string(customer)), ("number", .string(number)), ("esim", "TDC"), ("ratePlan", .string(I.ratePlan)),
        ])
    }

    static func with(_ o: JSONObject, _ changes: [(String, JSON?)]) -> JSON {
        var o = o
        for (k, v) in changes { o[k] = v }
        return .object(o)
    }

    // MARK: every provokable row, with the description that tells rows of the same status and message apart

    struct Provocation: Sendable, CustomTestStringConvertible {
        var row: String
        var role: String
        var body: JSON?
        var raw: String? = nil
        var status: Int
        var message: String
        var description: String
        var testDescription: String { row }
    }

    static let b = base()
    static let withTopUpSms: JSON = {
        var o = base()
        o["feature"] = ["dataTopUpSms": true]
        return .object(o)
    }()
    static func port(_ changes: [(String, JSON?)]) -> JSON { with(base(I.portInNumber(0)), changes) }

    static let provocations: [Provocation] = [
        .init(row: "400 no body", role: "OWNER", body: nil, status: 400, message: "bad_request", description: "MVNO account not found in body of request"),
        .init(row: "400 array body", role: "OWNER", body: [.object(b)], status: 400, message: "bad_request", description: "MVNO account not found in body of request"),
        .init(row: "400 not JSON", role: "OWNER", body: nil, raw: "customer=1", status: 400, message: "bad_request", description: "MVNO account not found in body of request"),
        .init(row: "403 VIEWER", role: "VIEWER", body: .object(b), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 MANAGER", role: "MANAGER", body: .object(b), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 RESELLER_ADMIN", role: "RESELLER_ADMIN", body: .object(b), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 OTHER_CUSTOMER", role: "OTHER_CUSTOMER", body: .object(b), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 OTHER_RESELLER", role: "OTHER_RESELLER", body: .object(b), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 OWNER sibling", role: "OWNER", body: with(base(customer: S.customer2), []), status: 403, message: "access_denied", description: "Insufficient access level"),
        .init(row: "403 number porting authorization", role: "RESELLER", body: port([("donorSimNumber", .string(I.donorSimValid)), ("portingReady", true)]), status: 403, message: "number", description: "Insufficient access level to authorize porting of number"),
        .init(row: "403 customer blocked", role: "RESELLER", body: with(base(customer: I.blockedCustomer), []), status: 403, message: "customer", description: "Customer is blocked"),
        .init(row: "404 not_found", role: "OWNER", body: with(b, [("ratePlan", .string(I.ratePlanMissingNextProduct))]), status: 404, message: "not_found", description: "Product to use for invoicing next period not found"),
        .init(row: "404 number", role: "OWNER", body: with(base(I.numberUnknown), []), status: 404, message: "number", description: "Phone number not found"),
        .init(row: "404 donorSimNumber", role: "OWNER", body: port([]), status: 404, message: "donorSimNumber", description: "Number requires porting but donor SIM number is invalid"),
        .init(row: "404 customer unknown", role: "ADMIN", body: with(base(customer: I.missing), []), status: 404, message: "customer", description: "Customer not found"),
        .init(row: "404 customer missing", role: "ADMIN", body: with(b, [("customer", nil)]), status: 404, message: "customer", description: "Customer not found"),
        .init(row: "404 ratePlan unknown", role: "OWNER", body: with(b, [("ratePlan", .string(I.missing))]), status: 404, message: "ratePlan", description: "Rate plan not found or not valid"),
        .init(row: "404 ratePlan retired", role: "OWNER", body: with(b, [("ratePlan", .string(I.ratePlanRetired))]), status: 404, message: "ratePlan", description: "Rate plan not found or not valid"),
        .init(row: "404 ratePlan missing", role: "OWNER", body: with(b, [("ratePlan", nil)]), status: 404, message: "ratePlan", description: "Rate plan not found or not valid"),
        .init(row: "404 newRatePlan", role: "OWNER", body: with(b, [("newRatePlan", .string(I.missing))]), status: 404, message: "newRatePlan", description: "New rate plan not found or not valid"),
        .init(row: "404 sipAccount", role: "OWNER", body: with(b, [("sipAccount", .string(I.missing))]), status: 404, message: "sipAccount", description: "SIP account not found"),
        .init(row: "404 sipAccount of another customer", role: "OWNER", body: with(b, [("sipAccount", .string(I.sipAccountCustomer3))]), status: 404, message: "sipAccount", description: "SIP account not found"),
        .init(row: "404 mvnoSim", role: "OWNER", body: with(b, [("esim", nil), ("mvnoSim", .string(I.simUnknown))]), status: 404, message: "mvnoSim", description: "SIM card not found"),
        .init(row: "404 sim", role: "OWNER", body: with(b, [("esim", nil)]), status: 404, message: "sim", description: "No SIM creation option found - either mvnoSim, esim, or autoAssignSim should be set"),
        .init(row: "404 sim (autoAssignSim false)", role: "OWNER", body: with(b, [("esim", nil), ("autoAssignSim", false)]), status: 404, message: "sim", description: "No SIM creation option found - either mvnoSim, esim, or autoAssignSim should be set"),
        .init(row: "404 autoAssignSim", role: "OWNER", body: with(b, [("esim", nil), ("autoAssignSim", "TELENOR")]), status: 404, message: "autoAssignSim", description: "No auto-assign SIMs available"),
        .init(row: "409 number range", role: "OWNER", body: with(base(I.numberRange), []), status: 409, message: "number", description: "The number is part of a range"),
        .init(row: "409 number in use", role: "OWNER", body: with(base(S.number2), []), status: 409, message: "number", description: "Number is in use on another account"),
        .init(row: "409 number in use (data sharing number)", role: "ADMIN", body: with(base("+4530000011"), []), status: 409, message: "number", description: "Number is in use on another account"),
        .init(row: "409 number porting", role: "OWNER", body: with(base(I.numberPorting), []), status: 409, message: "number", description: "Number is being ported to another account"),
        .init(row: "409 number purchase access", role: "OWNER", body: with(base(I.numberPremium[0]), []), status: 409, message: "number", description: "Insufficient access level to purchase number"),
        .init(row: "409 number purchase access (RESELLER)", role: "RESELLER", body: with(base(I.numberPremium[0]), []), status: 409, message: "number", description: "Insufficient access level to purchase number"),
        .init(row: "409 number unavailable", role: "OWNER", body: with(base(I.numberUnavailable), []), status: 409, message: "number", description: "The number is not available"),
        .init(row: "409 mvnoSim unavailable", role: "OWNER", body: with(b, [("esim", nil), ("mvnoSim", .string(I.simUsed))]), status: 409, message: "mvnoSim", description: "SIM card is not available"),
        .init(row: "409 mvnoSim exclusive", role: "OWNER", body: with(b, [("mvnoSim", .string(I.freeTDCSim(0)))]), status: 409, message: "mvnoSim", description: "Only mvnoSim, esim, or autoAssignSim can be set at the same time."),
        .init(row: "409 mvnoSim exclusive (esim + autoAssignSim)", role: "OWNER", body: with(b, [("autoAssignSim", "TDC")]), status: 409, message: "mvnoSim", description: "Only mvnoSim, esim, or autoAssignSim can be set at the same time."),
        .init(row: "409 RoW not found", role: "OWNER", body: with(b, [("restOfWorldRoaming", ["productId": .string(I.missing)])]), status: 409, message: "restOfWorldRoaming.productId", description: "Product for Rest-of-World roaming not found"),
        .init(row: "409 RoW included", role: "OWNER", body: with(b, [("restOfWorldRoaming", ["productId": nil])]), status: 409, message: "restOfWorldRoaming.productId", description: "Rest-of-World product cannot be removed from a product, that has one included."),
        .init(row: "422 billingCustomer", role: "OWNER", body: with(b, [("billingCustomer", .string(S.customer3))]), status: 422, message: "billingCustomer", description: "An MVNO account can not be assigned a billing customer, not assosciated with the MVNO account's customer."),
        .init(row: "422 number not E.164", role: "OWNER", body: with(base(I.numberMalformed), []), status: 422, message: "number", description: "The number is invalid"),
        .init(row: "422 number missing", role: "OWNER", body: with(b, [("number", nil)]), status: 422, message: "number", description: "The number is invalid"),
        .init(row: "422 custom", role: "OWNER", body: with(b, [("custom", ["blob": .string(String(repeating: "x", count: 4100))])]), status: 422, message: "custom", description: "Custom data too large, max. 4Kb"),
        .init(row: "422 number not Danish", role: "OWNER", body: with(base(I.numberForeign), []), status: 422, message: "number", description: "Number is invalid"),
        .init(row: "422 number Danish but 9 digits", role: "OWNER", body: with(base("+45210000001"), []), status: 422, message: "number", description: "Number is invalid"),
        .init(row: "422 mvnoSim", role: "OWNER", body: with(b, [("esim", nil), ("mvnoSim", "12345")]), status: 422, message: "mvnoSim", description: "MVNO SIM data is invalid"),
        .init(row: "422 mvnoSim (esim network)", role: "OWNER", body: with(b, [("esim", "TELIA")]), status: 422, message: "mvnoSim", description: "MVNO SIM data is invalid"),
        .init(row: "422 mvnoSim (autoAssignSim network)", role: "OWNER", body: with(b, [("esim", nil), ("autoAssignSim", "TELIA")]), status: 422, message: "mvnoSim", description: "MVNO SIM data is invalid"),
        .init(row: "422 services", role: "OWNER", body: with(b, [("services", [.string(I.service1), .string(I.missing)])]), status: 422, message: "services", description: "One or more services not found or not valid"),
        .init(row: "422 donorSimNumber format", role: "OWNER", body: port([("donorSimNumber", "12345")]), status: 422, message: "donorSimNumber", description: "Donor SIM number is not valid"),
        .init(row: "422 donorSimNumber donor validation (Luhn)", role: "OWNER", body: port([("donorSimNumber", .string(I.donorSimRejected))]), status: 422, message: "donorSimNumber", description: "SIM number not valid according to donors validation"),
        .init(row: "422 donorSimNumber donor validation (issuer)", role: "OWNER", body: port([("donorSimNumber", "8945010000123456788")]), status: 422, message: "donorSimNumber", description: "SIM number not valid according to donors validation"),
        .init(row: "422 pbx negative", role: "OWNER", body: with(b, [("pbx", -1)]), status: 422, message: "pbx", description: "Pbx is outside the valid range"),
        .init(row: "422 pbx too large", role: "OWNER", body: with(b, [("pbx", 10)]), status: 422, message: "pbx", description: "Pbx is outside the valid range"),
        // A value of the wrong type is not a range (422 pbx is "outside the valid range"): a bad body.
        .init(row: "400 pbx string", role: "OWNER", body: with(b, [("pbx", "1")]), status: 400, message: "bad_request", description: "MVNO account not found in body of request"),
        .init(row: "422 socsOverride", role: "ADMIN", body: with(b, [("socsOverride", [["soc": "NOSUCHSOC", "newSoc": "GOODSOC"]])]), status: 422, message: "socsOverride", description: "SOC NOSUCHSOC is invalid"),
        .init(row: "422 startDate", role: "OWNER", body: with(b, [("startDate", "2020-01-01T00:00:00.000Z")]), status: 422, message: "startDate", description: "Start date has to be either today, or in the future"),
        // 422 startDate is about a date before today, not an unreadable one: a bad body.
        .init(row: "400 startDate unreadable", role: "OWNER", body: with(b, [("startDate", "2099-02-30T00:00:00.000Z")]), status: 400, message: "bad_request", description: "MVNO account not found in body of request"),
        .init(row: "404 extension", role: "OWNER", body: with(b, [("pbx", 1), ("extension", .string(I.missing))]), status: 404, message: "extension", description: "Extension not found"),
        .init(row: "409 extension", role: "OWNER", body: with(b, [("pbx", 1), ("extension", .string(I.extensionOnTrunk))]), status: 409, message: "extension", description: "Cannot be assigned to extension, is already assigned to trunk"),
        .init(row: "404 dataSharingSims.simNumber", role: "OWNER", body: with(b, [("dataSharingSims", [["simNumber": .string(I.simUnknown)]])]), status: 404, message: "dataSharingSims.simNumber", description: "SIM card not found"),
        .init(row: "409 dataSharingSims.simNumber", role: "OWNER", body: with(b, [("dataSharingSims", [["simNumber": .string(I.dataSharingSimUsed)]])]), status: 409, message: "dataSharingSims.simNumber", description: "SIM card is not available"),
        .init(row: "409 dataSharingSims.simNumber (same SIM twice)", role: "OWNER", body: with(b, [("dataSharingSims", [["simNumber": .string(I.freeTDCSim(1))], ["simNumber": .string(I.freeTDCSim(1))]])]), status: 409, message: "dataSharingSims.simNumber", description: "SIM card is not available"),
        .init(row: "422 dataSharingSims.assignEsim", role: "OWNER", body: with(b, [("dataSharingSims", [["simNumber": .string(I.freeTDCSim(1)), "assignEsim": true]])]), status: 422, message: "dataSharingSims.assignEsim", description: "This property can not be true, if simNumber is not null"),
        .init(row: "409 dataSharingSims.network", role: "OWNER", body: with(b, [("dataSharingSims", [["simNumber": .string(I.freeTelenorSim(0))]])]), status: 409, message: "dataSharingSims.network", description: "SIM card does not belong to same network as the primary SIM card"),
        .init(row: "409 dataSharingSims.network (TELENOR primary)", role: "OWNER", body: with(b, [("esim", "TELENOR"), ("dataSharingSims", [["assignEsim": true]])]), status: 409, message: "dataSharingSims.network", description: "SIM card does not belong to same network as the primary SIM card"),
        .init(row: "404 dataSharingSims.number", role: "ADMIN", body: with(base(customer: S.customer3), [("dataSharingSims", [["assignEsim": true]])]), status: 404, message: "dataSharingSims.number", description: "No available numbers to assign to data sharing sim"),
        .init(row: "500 number", role: "OWNER", body: with(base(I.numberLookupFails), []), status: 500, message: "number", description: "Failed to lookup operator for number"),
    ]

    @Test(arguments: provocations)
    func eachRowIsAnsweredForItsProvocation(_ p: Provocation) throws {
        let sim = TelecomXSimulator()
        let (status, body) = try Self.post(sim, p.body, role: p.role, raw: p.raw)
        #expect(status == p.status, "\(body)")
        #expect(body["message"] == .string(p.message))
        #expect(body["description"] == .string(p.description))
        #expect(body["status"] == .number(Double(p.status)))
    }

    @Test func missingOrUnknownTokenAnswers401() throws {
        let sim = TelecomXSimulator()
        let (s, body) = try Self.post(sim, .object(Self.b), role: nil)
        #expect(s == 401)
        #expect(body["message"] == "credentials_invalid")
    }

    @Test func otherMethodsOnTheCollectionAnswer405() {
        let sim = TelecomXSimulator()
        let r = sim.respond(HTTPRequest(method: "PUT", target: "/mvno?token=\(Self.token("ADMIN"))"))
        #expect(r.status == 405)
    }

    // MARK: success

    @Test func omittedFeatureFlagsTakeTheDocumentedDefaults() throws {
        let sim = TelecomXSimulator()
        let (s, a) = try Self.post(sim, .object(Self.b), role: "OWNER")
        #expect(s == 200, "\(a)")
        let expected: [String: Bool] = [
            "highRate": true, "international": true, "data": true, "fiveG": true, "roaming": true, "roamingData": true,
            "publicIP": false, "chargedServices": false, "voicemail": false, "secretNumber": false,
        ]
        for (k, v) in expected { #expect(a["feature"]?[k] == .bool(v), "feature.\(k)") }
        #expect(a["feature"]?["mms"] == nil)
        #expect(a["type"] == "MVNO")
        #expect(a["state"] == "ACTIVE")
        #expect(a["numberState"] == "IN_USE")
        #expect(a["porting"] == nil)
        #expect(a["mvnoSim"]?["formFactor"] == "eSIM")
        #expect(a["mvnoSim"]?["activationCode"]?.stringValue?.hasPrefix("LPA:1$") == true)
        #expect(a["mvnoSim"]?["autoAssign"] == false)
        #expect(a["_id"]?.stringValue.map(isObjectID) == true)
        // The rate plan's included Rest-of-World product, named as the create page names it.
        #expect(a["restOfWorldRoaming"]?["productId"] == .string(I.rowIncluded))
        #expect(a["restOfWorldRoaming"]?["name"] != nil)
        #expect(a["restOfWorldRoaming"]?["price"] == 50)
        #expect(a["restOfWorldRoaming"]?["productName"] == nil)
    }

    @Test func explicitFlagsAndFieldsAreEchoed() throws {
        let sim = TelecomXSimulator()
        let body = Self.with(
            Self.b,
            [
                ("feature", ["fiveG": false, "highRate": false, "publicIP": true, "mms": true, "disableHdAudio": true, "voicemail": true]),
                ("notes", "note"), ("custom", ["crm": "C-1"]), ("pbx", 0), ("dnd", true), ("billingCustomer", .string(S.customer2)),
                ("newRatePlan", .string(I.ratePlanOther)), ("services", [.string(I.service2)]),
                ("voicemail", ["notify": "SMS", "pin": "1234", "greetings": [["key": "1", "fileId": "5f1000000000000000000001"]]]),
                ("restOfWorldRoaming", ["productId": .string(I.rowOther), "keepAfterExpire": true]),
                ("startDate", "2099-06-01T00:00:00.000Z"),
            ])
        let (s, a) = try Self.post(sim, body, role: "RESELLER")
        #expect(s == 200, "\(a)")
        #expect(a["feature"]?["fiveG"] == false)
        #expect(a["feature"]?["highRate"] == false)
        #expect(a["feature"]?["publicIP"] == true)
        #expect(a["feature"]?["mms"] == true)
        #expect(a["feature"]?["disableHdAudio"] == true)
        #expect(a["feature"]?["roaming"] == true)
        #expect(a["notes"] == "note")
        #expect(a["custom"] == ["crm": "C-1"])
        #expect(a["pbx"] == 0)
        #expect(a["dnd"] == nil, "dnd is shown only if pbx>0 (mvno-account-create.txt:159)")
        #expect(a["billingCustomer"] == .string(S.customer2))
        #expect(a["newRatePlan"] == .string(I.ratePlanOther))
        #expect(a["voicemail"]?["notify"] == "SMS")
        #expect(a["voicemail"]?["greetings"] == nil, "greetings are not in the create page's response table")
        #expect(a["restOfWorldRoaming"]?["productId"] == .string(I.rowOther))
        #expect(a["restOfWorldRoaming"]?["isOverride"] == true)
        #expect(a["restOfWorldRoaming"]?["keepAfterExpire"] == true)
        #expect(a["state"] == "CREATING", "a future start date")
        #expect(a["startDate"] == nil, "startDate is not in the create page's response table")
        #expect(a["socs"] == nil, "RESELLER does not see socs")
        // GET shows the stored account the way the GET page describes it.
        let (gs, g) = try Self.get(sim, a["_id"]!.stringValue!, role: "RESELLER")
        #expect(gs == 200)
        #expect(g["startDate"] == "2099-06-01T00:00:00.000Z")
        #expect(g["voicemail"]?["greetings"]?[0]?["key"] == "1")
        #expect(g["restOfWorldRoaming"]?["productName"] == "Verdenspakke 5 Gb")
        #expect(g["restOfWorldRoaming"]?["name"] == nil)
    }

    @Test func theCreatedAccountIsReadableByIdAndNumber() throws {
        let sim = TelecomXSimulator()
        let (s, a) = try Self.post(sim, .object(Self.b), role: "OWNER")
        #expect(s == 200)
        let id = try #require(a["_id"]?.stringValue)
        for key in [id, I.freeNumber(0)] {
            let (gs, g) = try Self.get(sim, key, role: "OWNER")
            #expect(gs == 200, "GET \(key)")
            #expect(g["_id"] == .string(id))
            #expect(g["number"] == .string(I.freeNumber(0)))
            #expect(g["feature"]?["fiveG"] == true)
            #expect(g["socs"] == nil)
            #expect(g["mvnoSim"]?["autoAssign"] == nil, "autoAssign is not in the GET page's table")
        }
        #expect(try Self.get(sim, id, role: "ADMIN").1["socs"] != nil)
        #expect(try Self.get(sim, id, role: "OTHER_CUSTOMER").0 == 403)
    }

    @Test func accessFollowsTheDocumentedRule() throws {
        let sim = TelecomXSimulator()
        var n = 0
        func create(_ role: String, for customer: String) throws -> Int {
            n += 1
            return try Self.post(sim, .object(Self.base(I.freeNumber(n), customer: customer)), role: role).0
        }
        #expect(try create("OWNER", for: S.customer1) == 200)
        #expect(try create("OWNER", for: S.customer2) == 403)
        #expect(try create("RESELLER", for: S.customer1) == 200)
        #expect(try create("RESELLER", for: S.customer2) == 200)
        #expect(try create("RESELLER", for: S.customer3) == 403)
        #expect(try create("OTHER_RESELLER", for: S.customer3) == 200)
        #expect(try create("OTHER_CUSTOMER", for: S.customer3) == 200)
        #expect(try create("OTHER_CUSTOMER", for: S.customer1) == 403)
        for customer in [S.customer1, S.customer2, S.customer3] { #expect(try create("ADMIN", for: customer) == 200) }
        for role in ["VIEWER", "MANAGER", "RESELLER_ADMIN"] { #expect(try create(role, for: S.customer1) == 403, "\(role)") }
    }

    @Test func restrictedFieldsAreTakenAndShownOnlyForTheirRoles() throws {
        let sim = TelecomXSimulator()
        let restricted: [(String, JSON?)] = [
            ("notes", "n"), ("purchaseInfo", ["orderId": "1", "paymentOption": "BOUGHT"]),
            ("socsOverride", [["soc": "BADSOC", "newSoc": "GOODSOC"]]),
        ]
        let (s1, owner) = try Self.post(sim, Self.with(Self.base(I.freeNumber(1)), restricted), role: "OWNER")
        #expect(s1 == 200)
        for k in ["notes", "purchaseInfo", "socsOverride", "socs"] { #expect(owner[k] == nil, "OWNER must not see \(k)") }
        // OWNER may not set them either: ADMIN reading the account finds none.
        let stored = try Self.get(sim, I.freeNumber(1), role: "ADMIN").1
        for k in ["notes", "purchaseInfo", "socsOverride"] { #expect(stored[k] == nil, "OWNER set \(k)") }
        #expect(stored["socs"] != nil)

        let (s2, admin) = try Self.post(sim, Self.with(Self.base(I.freeNumber(2)), restricted), role: "ADMIN")
        #expect(s2 == 200)
        for k in ["notes", "purchaseInfo", "socsOverride", "socs"] { #expect(admin[k] != nil, "ADMIN sees \(k)") }
    }

    @Test func aPremiumNumberIsSoldToADMIN() throws {
        let sim = TelecomXSimulator()
        let (s, a) = try Self.post(sim, .object(Self.base(I.numberPremium[1])), role: "ADMIN")
        #expect(s == 200, "\(a)")
        #expect(try Self.post(sim, .object(Self.base(I.numberPremium[1])), role: "ADMIN").0 == 409)
    }

    @Test func aNumberHeldByAnotherOperatorIsPortedIn() throws {
        let sim = TelecomXSimulator()
        let body = Self.port([("donorSimNumber", .string(I.donorSimValid)), ("portingReady", true)])
        let (s, a) = try Self.post(sim, body, role: "OWNER")
        #expect(s == 200, "\(a)")
        #expect(a["numberState"] == "PORTING_IN")
        #expect(a["state"] == "CREATING")
        #expect(a["porting"]?.stringValue.map(isObjectID) == true)
        #expect(a["donorSimNumber"] == .string(I.donorSimValid))
        #expect(try Self.get(sim, I.portInNumber(0), role: "OWNER").1["numberState"] == "PORTING_IN")
        // Now being ported to that account.
        let (s2, again) = try Self.post(sim, body, role: "ADMIN")
        #expect(s2 == 409)
        #expect(again["description"] == "Number is being ported to another account")
        // RESELLER may create a port-in without authorizing it.
        let (s3, r) = try Self.post(sim, Self.with(Self.base(I.portInNumber(1)), [("donorSimNumber", .string(I.donorSimValid))]), role: "RESELLER")
        #expect(s3 == 200, "\(r)")
    }

    @Test func theStockChangesOnlyWhenAnAccountIsCreated() throws {
        let sim = TelecomXSimulator()
        let sharing: JSON = [["simNumber": .string(I.freeTDCSim(5)), "name": "Laptop"], ["assignEsim": true]]
        // Rejected at the last check (no data sharing numbers for reseller 2): nothing is taken.
        let rejected = Self.with(
            Self.base(I.freeNumber(3), customer: S.customer3), [("esim", nil), ("mvnoSim", .string(I.freeTDCSim(4))), ("dataSharingSims", sharing)])
        #expect(try Self.post(sim, rejected, role: "ADMIN").0 == 404)
        let ok = Self.with(Self.base(I.freeNumber(3)), [("esim", nil), ("mvnoSim", .string(I.freeTDCSim(4))), ("dataSharingSims", sharing)])
        let (s, a) = try Self.post(sim, ok, role: "OWNER")
        #expect(s == 200, "\(a)")
        #expect(a["mvnoSim"]?["simNumber"] == .string(I.freeTDCSim(4)))
        #expect(a["dataSharingSims"]?[0]?["simNumber"] == .string(I.freeTDCSim(5)))
        #expect(a["dataSharingSims"]?[0]?["number"] == "+4530000100")
        #expect(a["dataSharingSims"]?[0]?["name"] == nil, "name is not in the create page's response table")
        #expect(a["dataSharingSims"]?[1]?["formFactor"] == "eSIM")
        #expect(a["dataSharingSims"]?[1]?["number"] == "+4530000101")
        #expect(try Self.get(sim, I.freeNumber(3), role: "OWNER").1["dataSharingSims"]?[0]?["name"] == "Laptop")
        // Now the number, the SIMs and the data sharing numbers are taken.
        let second = Self.with(Self.base(I.freeNumber(6)), [("esim", nil), ("mvnoSim", .string(I.freeTDCSim(4)))])
        #expect(try Self.post(sim, second, role: "OWNER").1["description"] == "SIM card is not available")
        let third = Self.with(Self.base(I.freeNumber(6)), [("dataSharingSims", [["simNumber": .string(I.freeTDCSim(5))]])])
        #expect(try Self.post(sim, third, role: "OWNER").1["message"] == "dataSharingSims.simNumber")
        #expect(try Self.post(sim, .object(Self.base(I.freeNumber(3))), role: "OWNER").1["description"] == "Number is in use on another account")
        #expect(try Self.post(sim, .object(Self.base("+4530000100")), role: "ADMIN").1["description"] == "Number is in use on another account")
    }

    @Test func autoAssignTakesFromThePoolOfTheNetworkAndTrueMeansEither() throws {
        let sim = TelecomXSimulator()
        var taken: Set<String> = []
        for i in 0..<I.autoAssignTDCSimCount {
            let value: JSON = i.isMultiple(of: 2) ? "TDC" : true
            let (s, a) = try Self.post(sim, Self.with(Self.base(I.freeNumber(i)), [("esim", nil), ("autoAssignSim", value)]), role: "OWNER")
            #expect(s == 200)
            #expect(a["mvnoSim"]?["autoAssign"] == true)
            #expect(a["mvnoSim"]?["network"] == "TDC")
            taken.insert(a["mvnoSim"]?["simNumber"]?.stringValue ?? "")
        }
        #expect(taken.count == I.autoAssignTDCSimCount)
        for value: JSON in ["TDC", true] {
            let (s, e) = try Self.post(sim, Self.with(Self.base(I.freeNumber(50)), [("esim", nil), ("autoAssignSim", value)]), role: "OWNER")
            #expect(s == 404)
            #expect(e["message"] == "autoAssignSim")
        }
    }

    @Test func nosimCreatesAnAccountWithoutACard() throws {
        let sim = TelecomXSimulator()
        let (s, a) = try Self.post(sim, Self.with(Self.b, [("esim", nil), ("nosim", "TELENOR")]), role: "OWNER")
        #expect(s == 200)
        #expect(a["mvnoSim"] == ["network": "TELENOR"])
    }

    @Test func startDateTodayIsAccepted() throws {
        // Late in the day on the simulator's clock: today's date at midnight is still today.
        let clock = ManualClock(epochSeconds: 1_750_000_000 - 1_750_000_000.truncatingRemainder(dividingBy: 86400) + 86399)
        let sim = TelecomXSimulator(clock: .manual(clock))
        let today = Int((clock.now / 86400).rounded(.down))
        #expect(dayNumber("1970-01-01T00:00:00Z") == 0)
        #expect(dayNumber("2000-03-01") == 11017)
        #expect(dayNumber("2024-02-29T12:00:00Z") == 19782)
        #expect(dayNumber("2023-02-29T12:00:00Z") == nil)
        #expect(dayNumber("yesterday") == nil)
        // Today's date, whatever the time of day: allowed.
        let (y, m, d) = civil(today)
        let date = "\(y)-\(String(m).leftPad(2))-\(String(d).leftPad(2))T00:00:00.000Z"
        let (s, a) = try Self.post(sim, Self.with(Self.b, [("startDate", .string(date))]), role: "OWNER")
        #expect(s == 200, "\(date): \(a)")
    }

    func civil(_ days: Int) -> (Int, Int, Int) {
        for y in 1970...2200 {
            for m in 1...12 {
                for d in 1...31 {
                    if let n = dayNumber("\(y)-\(String(m).leftPad(2))-\(String(d).leftPad(2))"), n == days { return (y, m, d) }
                }
            }
        }
        return (0, 0, 0)
    }

    @Test func donorValidationIsIssuerAndLuhn() {
        #expect(luhnValid(I.donorSimValid))
        #expect(!luhnValid(I.donorSimRejected))
        #expect(isICC(I.donorSimValid) && !isICC("12345") && !isICC(String(repeating: "1", count: 21)))
    }

    // MARK: faults

    struct FaultProbe: Sendable, CustomTestStringConvertible {
        var fault: String
        var role: String
        var body: JSON?
        /// What the clean simulator answers and the faulty one does not.
        var check: @Sendable (TelecomXSimulator, Int, JSON) throws -> String
        var testDescription: String { fault }
    }

    static let faultProbes: [FaultProbe] = [
        .init(fault: "create-duplicate-number", role: "OWNER", body: .object(base(S.number2))) { _, s, _ in "\(s)" },
        .init(fault: "create-in-use-422", role: "OWNER", body: .object(base(S.number2))) { _, s, _ in "\(s)" },
        .init(fault: "create-customer-message", role: "ADMIN", body: .object(base(customer: I.missing))) { _, _, b in "\(b["message"]!)" },
        .init(fault: "create-fiveg-default-false", role: "OWNER", body: .object(b)) { _, _, b in "\(b["feature"]!["fiveG"]!)" },
        .init(fault: "create-explicit-false-ignored", role: "OWNER", body: with(b, [("feature", ["roaming": false])])) { _, _, b in
            "\(b["feature"]!["roaming"]!)"
        },
        .init(fault: "create-custom-unbounded", role: "OWNER", body: with(b, [("custom", ["x": .string(String(repeating: "x", count: 5000))])])) { _, s, _ in "\(s)" },
        .init(fault: "create-past-start-date", role: "OWNER", body: with(b, [("startDate", "2020-01-01T00:00:00.000Z")])) { _, s, _ in "\(s)" },
        // The bound faults: one size on each side of the documented limit (compact JSON of custom, as the bound cases send it).
        .init(fault: "create-custom-limit-3999", role: "OWNER", body: with(b, [("custom", ["blob": .string(String(repeating: "x", count: 3989))])])) { _, s, _ in "\(s)" },
        .init(fault: "create-custom-limit-4097", role: "OWNER", body: with(b, [("custom", ["blob": .string(String(repeating: "x", count: 4086))])])) { _, s, _ in "\(s)" },
        .init(fault: "create-custom-limit-8k", role: "OWNER", body: with(b, [("custom", ["blob": .string(String(repeating: "x", count: 6000))])])) { _, s, _ in "\(s)" },
        // 4096 bytes: taken by the clean simulator, refused over 4050.
        .init(fault: "create-custom-limit-4050", role: "OWNER", body: with(b, [("custom", ["blob": .string(String(repeating: "x", count: 4085))])])) { _, s, _ in "\(s)" },
        .init(fault: "create-icc-max-19", role: "OWNER", body: with(b, [("esim", nil), ("mvnoSim", "89450100000000003000")])) { _, s, _ in "\(s)" },
        .init(fault: "create-500-on-bad-type", role: "OWNER", body: with(b, [("pbx", "abc")])) { _, s, _ in "\(s)" },
        .init(fault: "create-sim-exclusivity", role: "OWNER", body: with(b, [("mvnoSim", .string(I.freeTDCSim(0)))])) { _, s, _ in "\(s)" },
        .init(fault: "create-blocked-customer", role: "ADMIN", body: .object(base(customer: I.blockedCustomer))) { _, s, _ in "\(s)" },
        .init(fault: "create-cross-tenant", role: "OTHER_CUSTOMER", body: .object(b)) { _, s, _ in "\(s)" },
        .init(fault: "create-viewer-allowed", role: "VIEWER", body: .object(b)) { _, s, _ in "\(s)" },
        .init(fault: "create-leak-restricted", role: "OWNER", body: .object(b)) { _, _, b in "\(b["socs"] != nil)" },
        .init(fault: "create-pbx-as-string", role: "OWNER", body: .object(b)) { _, _, b in b["pbx"]!.typeName },
        .init(fault: "create-renamed-topup-sms", role: "OWNER", body: withTopUpSms) { _, _, b in "\(b["feature"]!["dataTopUpSms"] != nil)" },
        .init(fault: "create-not-persisted", role: "OWNER", body: .object(b)) { sim, _, _ in "\(try get(sim, I.freeNumber(0), role: "OWNER").0)" },
        .init(fault: "create-porting-as-in-use", role: "OWNER", body: port([("donorSimNumber", .string(I.donorSimValid))])) { _, _, b in
            "\(b["numberState"]!) \(b["porting"] != nil)"
        },
        .init(fault: "create-premium-for-all", role: "OWNER", body: .object(base(I.numberPremium[2]))) { _, s, _ in "\(s)" },
        .init(fault: "create-no-body-500", role: "OWNER", body: nil) { _, s, _ in "\(s)" },
        .init(fault: "create-sim-reusable", role: "OWNER", body: with(b, [("esim", nil), ("mvnoSim", .string(I.freeTDCSim(9)))])) { sim, _, _ in
            let again = with(base(I.freeNumber(99)), [("esim", nil), ("mvnoSim", .string(I.freeTDCSim(9)))])
            return "\(try post(sim, again, role: "OWNER").0)"
        },
        .init(fault: "create-readable-by-anyone", role: "OWNER", body: .object(b)) { sim, _, created in
            "\(try get(sim, created["_id"]?.stringValue ?? "", role: "OTHER_CUSTOMER").0)"
        },
        .init(fault: "create-custom-flattened", role: "OWNER", body: with(b, [("custom", ["crm": ["id": "C-2"]])])) { _, _, b in
            "\(b["custom"]!)"
        },
        .init(fault: "create-text-latin1", role: "ADMIN", body: with(b, [("notes", "Ærø ✓")])) { _, _, b in "\(b["notes"]!)" },
        .init(fault: "create-race-double-sell", role: "OWNER", body: .object(b)) { sim, _, _ in "\(try post(sim, .object(b), role: "OWNER").0)" },
        .init(fault: "create-non-json-500", role: "OWNER", body: nil) { sim, _, _ in
            "\(try post(sim, nil, role: "OWNER", raw: "{\"customer\": ").0)"
        },
    ]

    @Test(arguments: faultProbes)
    func eachFaultChangesWhatTheSimulatorSays(_ p: FaultProbe) throws {
        let fault = try #require(Fault.named(p.fault), "\(p.fault) is not in the catalogue")
        #expect(fault.endpoint == "mvno-account-create")
        let clean = TelecomXSimulator()
        let faulty = TelecomXSimulator(faults: [fault])
        let (s1, b1) = try Self.post(clean, p.body, role: p.role)
        let (s2, b2) = try Self.post(faulty, p.body, role: p.role)
        let expected = try p.check(clean, s1, b1)
        let actual = try p.check(faulty, s2, b2)
        #expect(expected != actual, "\(p.fault) did not change the answer: \(actual)")
    }

    @Test func everyCreateFaultHasAProbe() {
        let names = Fault.catalogue.map(\.name).filter { $0.hasPrefix("create-") }
        #expect(names.count >= 12)
        #expect(Set(names) == Set(Self.faultProbes.map(\.fault)))
    }
}
