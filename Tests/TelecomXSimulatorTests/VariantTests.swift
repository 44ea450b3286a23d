import Foundation
import HTTPServer
import JSONKit
import Testing

@testable import TelecomXSimulator

/// Each variant does what its catalogue entry says, and the default simulator does not.
@Suite struct VariantTests {
    typealias S = Seed.IDs
    typealias I = Inventory.IDs

    static func sim(_ names: String...) -> TelecomXSimulator {
        TelecomXSimulator(variants: names.map { Variant.named($0)! })
    }

    static func token(_ role: String) -> String { CreateAccountTests.token(role) }

    static func get(_ sim: TelecomXSimulator, _ key: String, role: String) throws -> (Int, JSON) {
        try CreateAccountTests.get(sim, key, role: role)
    }

    static func post(_ sim: TelecomXSimulator, _ body: JSON, role: String) throws -> (Int, JSON) {
        try CreateAccountTests.post(sim, body, role: role)
    }

    static func items(_ sim: TelecomXSimulator, role: String, _ query: [(String, String)] = []) throws -> [JSON] {
        try DeletedAccountsTests.list(sim, role: role, query).items
    }

    // MARK: the catalogue

    @Test func namesAreUniqueAndEveryVariantSaysWhatAllowsIt() {
        let names = Variant.catalogue.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(names).isDisjoint(with: Fault.catalogue.map(\.name)), "a variant and a fault share a name")
        #expect(!names.contains("all"), "'all' is the CLI's word for every variant")
        for v in Variant.catalogue {
            #expect(v.summary.count > 20, "\(v.name)")
            #expect(v.allowedBy.count > 40, "\(v.name)")
            #expect(Variant.named(v.name) == v)
        }
        #expect(Variant.named("nope") == nil)
    }

    /// Every double-quoted text in an `allowedBy` that follows a page's name
    /// is on that page (each fragment between "…", whitespace folded); a quote
    /// after "All three pages" is on all three, one before any page name on
    /// one of them; a quote right after an RFC's name is the RFC's, not checked.
    @Test func quotedDocTextIsOnThePageItNames() throws {
        var docs = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { docs.deleteLastPathComponent() }
        docs = docs.appendingPathComponent("shared/api-docs")
        func folded(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let names = ["mvno-account-get.txt", "mvno-account-create.txt", "mvno-deleted-list.txt"]
        var pages: [String: String] = [:]
        for name in names { pages[name] = folded(try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)) }
        var checked = 0
        for v in Variant.catalogue {
            let parts = v.allowedBy.components(separatedBy: "\"")
            var candidates = names
            var quotesAnRFC = false
            var onEveryPage = false
            for (i, part) in parts.enumerated() {
                guard i % 2 == 1 else {
                    // Text between quotes: the last page it names is where the next quotes are from.
                    let named = names.compactMap { n in part.range(of: n, options: .backwards).map { (n, $0.lowerBound) } }
                    if let last = named.max(by: { $0.1 < $1.1 }) { candidates = [last.0] }
                    onEveryPage = part.contains("All three pages")
                    if onEveryPage { candidates = names }
                    quotesAnRFC = part.suffix(20).contains("RFC")
                    continue
                }
                if quotesAnRFC { continue }
                let fragments = part.components(separatedBy: "…").map(folded).filter { !$0.isEmpty }
                let onPages = candidates.filter { n in fragments.allSatisfy { pages[n]!.contains($0) } }
                #expect(onEveryPage ? onPages.count == names.count : !onPages.isEmpty, "\(v.name): \"\(part)\" is not on \(candidates)")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    // MARK: one test per variant

    @Test func nullForEmptySendsNullWhereThereIsNoValue() throws {
        let sim = Self.sim("null-for-empty")
        let (_, plain) = try Self.get(sim, S.account2, role: "ADMIN")
        for k in ["extension", "porting", "name", "employee", "employeeName", "deleteDate", "custom", "socLimit"] {
            #expect(plain[k] == .null, "\(k)")
        }
        #expect(plain["mvnoSim"]?["activationCode"] == .null)
        #expect(plain["number"] == .string(S.number2), "values are kept")
        // Fields hidden from the caller are null, not shown.
        let (_, owner) = try Self.get(sim, S.account1, role: "OWNER")
        for k in ["socs", "socsOverride", "socLimit", "purchaseInfo", "notes"] { #expect(owner[k] == .null, "\(k)") }
        let deleted = try Self.items(sim, role: "RESELLER_ADMIN")
        #expect(deleted.allSatisfy { $0["socLimit"] == .null && $0["extensionNumber"] != nil && $0["porting"] != nil })
        let (status, created) = try Self.post(sim, .object(CreateAccountTests.base()), role: "OWNER")
        #expect(status == 200)
        for k in ["porting", "employee", "name", "socs"] { #expect(created[k] == .null, "\(k)") }

        let (_, byDefault) = try Self.get(TelecomXSimulator(), S.account2, role: "ADMIN")
        for k in ["extension", "porting", "name", "socLimit"] { #expect(byDefault[k] == nil, "\(k)") }
        #expect(try Self.get(TelecomXSimulator(), S.account1, role: "OWNER").1["socs"] == nil)
    }

    @Test func omitEmptyLeavesOutWhatHasNoValue() throws {
        let sim = Self.sim("omit-empty")
        let (_, a) = try Self.get(sim, S.account1, role: "ADMIN")
        #expect(a["mvnoSimNetworkChangeTo"] == nil)
        #expect(a["deleteDate"] == nil)
        #expect(a["number"] == .string(S.number1))
        let (_, plain) = try Self.get(sim, S.account2, role: "ADMIN")
        #expect(plain["dataSharingSims"] == nil, "an empty list")
        let deleted = try Self.items(sim, role: "ADMIN")
        #expect(deleted.count == 100)
        #expect(deleted.allSatisfy { $0["pbx"] != .null && $0["deleteDate"] != .null && $0["socsOverride"] != .array([]) })
        #expect(deleted.contains { $0["pbx"] == nil })
        let (_, created) = try Self.post(sim, .object(CreateAccountTests.base()), role: "OWNER")
        #expect(created["mvnoSimNetworkChangeTo"] == nil && created["dataSharingSims"] == nil)

        let byDefault = TelecomXSimulator()
        #expect(try Self.get(byDefault, S.account1, role: "ADMIN").1["mvnoSimNetworkChangeTo"] == .null)
        #expect(try Self.items(byDefault, role: "ADMIN").contains { $0["pbx"] == .null })
    }

    @Test func nullForEmptyAndOmitEmptyTogetherSplitByObject() throws {
        let sim = Self.sim("null-for-empty", "omit-empty")
        #expect(try Self.get(sim, S.account2, role: "ADMIN").1["porting"] == .null)
        let deleted = try Self.items(sim, role: "ADMIN")
        #expect(deleted.allSatisfy { $0["porting"] != .null && $0["pbx"] != .null })
    }

    @Test func deletedAccountReadableAnswersTheDeletedAccountByNumberAndId() throws {
        let number = DeletedAccounts.Fixtures.filterNumber
        #expect(try Self.get(TelecomXSimulator(), number, role: "ADMIN").0 == 404, "by default a deleted account is not found")
        let sim = Self.sim("deleted-account-readable")
        let (status, body) = try Self.get(sim, number, role: "ADMIN")
        #expect(status == 200)
        #expect(body["mvnoSim"]?["imsi"]?.stringValue == DeletedAccounts.Fixtures.filterIMSI)
        #expect(body["mvnoSim"]?["simNumber"]?.stringValue == DeletedAccounts.Fixtures.filterSimNumber)
        #expect(body["notes"]?.stringValue?.lowercased().contains(DeletedAccounts.Fixtures.filterNotes) == true)
        let id = try #require(body["_id"]?.stringValue)
        #expect(try Self.get(sim, id, role: "ADMIN").0 == 200)
        let viewer = try Self.get(sim, number, role: "VIEWER")
        #expect(viewer.0 == 200 && viewer.1["notes"] == nil, "what a role may see is unchanged")
    }

    @Test func create201AnswersCreated() throws {
        #expect(try Self.post(Self.sim("create-201"), .object(CreateAccountTests.base()), role: "OWNER").0 == 201)
        #expect(try Self.post(Self.sim("create-201"), .object(CreateAccountTests.base()), role: "VIEWER").0 == 403, "errors are unchanged")
        #expect(try Self.post(Self.sim("create-202"), .object(CreateAccountTests.base()), role: "OWNER").0 == 202)
        #expect(try Self.post(Self.sim("create-202"), .object(CreateAccountTests.base()), role: "VIEWER").0 == 403, "errors are unchanged")
        #expect(try Self.post(TelecomXSimulator(), .object(CreateAccountTests.base()), role: "OWNER").0 == 200)
    }

    @Test func resellerAdminCountsAsResellerOfItsReseller() throws {
        let sim = Self.sim("reseller-admin-as-reseller")
        let (s1, a) = try Self.get(sim, S.account1, role: "RESELLER_ADMIN")
        #expect(s1 == 200)
        #expect(a["notes"] != nil, "what RESELLER sees")
        #expect(a["socs"] == nil && a["purchaseInfo"] == nil, "not what only ADMIN sees")
        #expect(try Self.get(sim, S.account3, role: "RESELLER_ADMIN").0 == 403, "another reseller's customer")
        let (s2, created) = try Self.post(sim, CreateAccountTests.with(CreateAccountTests.base(), [("notes", "n")]), role: "RESELLER_ADMIN")
        #expect(s2 == 200)
        #expect(created["notes"] == "n")
        let other = CreateAccountTests.base(I.freeNumber(1), customer: S.customer3)
        #expect(try Self.post(sim, .object(other), role: "RESELLER_ADMIN").0 == 403)
        #expect(try DeletedAccountsTests.list(sim, role: "RESELLER_ADMIN").total == DeletedAccounts.resellerOneCount, "the deleted list is unchanged")

        #expect(try Self.get(TelecomXSimulator(), S.account1, role: "RESELLER_ADMIN").0 == 403)
        #expect(try Self.post(TelecomXSimulator(), .object(CreateAccountTests.base()), role: "RESELLER_ADMIN").0 == 403)
    }

    @Test func aResellerMayAuthorizePorting() throws {
        let body = CreateAccountTests.port([("donorSimNumber", .string(I.donorSimValid)), ("portingReady", true)])
        let (status, a) = try Self.post(Self.sim("reseller-authorizes-porting"), body, role: "RESELLER")
        #expect(status == 200)
        #expect(a["numberState"] == "PORTING_IN")
        #expect(try Self.post(Self.sim("reseller-authorizes-porting"), body, role: "VIEWER").0 == 403)
        let (s2, e) = try Self.post(TelecomXSimulator(), body, role: "RESELLER")
        #expect(s2 == 403 && e["message"] == "number")
    }

    @Test func errorEnvelopePutsTheMessageAtErrorCode() throws {
        let (status, body) = try Self.get(Self.sim("error-envelope"), S.missingAccount, role: "ADMIN")
        #expect(status == 404)
        #expect(body == ["error": ["code": "mvnoAccount", "text": "MVNO account not found", "status": 404]])
        let (_, plain) = try Self.get(TelecomXSimulator(), S.missingAccount, role: "ADMIN")
        #expect(plain["message"] == "mvnoAccount" && plain["error"] == nil)
    }

    @Test func chunkedAsksForSeveralChunks() throws {
        let request = HTTPRequest(method: "GET", target: "/mvno/\(S.account1)?token=\(Self.token("ADMIN"))")
        let r = Self.sim("chunked").respond(request)
        let size = try #require(r.chunkSize)
        #expect(size > 0 && (r.body.count + size - 1) / size == 3, "three chunks of \(r.body.count) bytes")
        #expect(TelecomXSimulator().respond(request).chunkSize == nil)
    }

    @Test func connectionCloseMarksEveryAnswer() {
        let ok = Self.sim("connection-close").respond(HTTPRequest(method: "GET", target: "/mvno/\(S.account1)?token=\(Self.token("ADMIN"))"))
        let denied = Self.sim("connection-close").respond(HTTPRequest(method: "GET", target: "/mvno/\(S.account1)"))
        #expect(ok.headers["Connection"] == "close" && denied.headers["Connection"] == "close")
        #expect(TelecomXSimulator().respond(HTTPRequest(method: "GET", target: "/mvno/x")).headers["Connection"] == nil)
    }

    @Test func datesWithoutMillisecondsAndWithAnOffsetNameTheSameInstant() throws {
        let plain = try Self.get(TelecomXSimulator(), S.account1, role: "ADMIN").1
        let noMillis = try Self.get(Self.sim("dates-no-millis"), S.account1, role: "ADMIN").1
        let offset = try Self.get(Self.sim("dates-offset"), S.account1, role: "ADMIN").1
        let both = try Self.get(Self.sim("dates-no-millis", "dates-offset"), S.account1, role: "ADMIN").1
        #expect(plain["invoicedUntil"] == "2026-10-31T23:00:00.000Z")
        #expect(noMillis["invoicedUntil"] == "2026-10-31T23:00:00Z")
        #expect(offset["invoicedUntil"] == "2026-11-01T00:00:00.000+01:00")
        #expect(both["invoicedUntil"] == "2026-11-01T00:00:00+01:00")
        for a in [noMillis, offset, both] {
            for pointer in ["/startDate", "/purchaseInfo/date", "/smartWatch/createdAt"] {
                let p = try JSONPointer(parsing: pointer)
                let s = try #require(p.resolve(in: a)?.stringValue)
                #expect(RFC3339.seconds(s) == RFC3339.seconds(p.resolve(in: plain)!.stringValue!), "\(pointer): \(s)")
            }
        }
        let deleted = try Self.items(Self.sim("dates-offset"), role: "ADMIN")
        #expect(deleted.allSatisfy { $0["deleted"]?.stringValue?.hasSuffix("+01:00") == true })
        // A date that is not one stays as it is (the get-bad-date fault is still seen).
        let faulty = TelecomXSimulator(faults: [Fault.named("get-bad-date")!], variants: [Variant.named("dates-offset")!])
        #expect(try Self.get(faulty, S.account1, role: "ADMIN").1["startDate"] == "2020-20-20T00:00:00Z")
    }

    @Test func lowercaseIdsAreSentInLowerCaseAndFoundInEither() throws {
        let sim = Self.sim("lowercase-ids")
        let (status, a) = try Self.get(sim, S.account1.uppercased(), role: "ADMIN")
        #expect(status == 200)
        #expect(a["restOfWorldRoaming"]?["productId"] == "1234567890abcd1234567890")
        #expect(a["_id"] == .string(S.account1))
        let upper = CreateAccountTests.base(customer: S.customer1.uppercased())
        #expect(try Self.post(sim, .object(upper), role: "OWNER").0 == 200, "a customer id in upper case is found")
        #expect(try Self.get(TelecomXSimulator(), S.account1, role: "ADMIN").1["restOfWorldRoaming"]?["productId"] == "1234567890ABCD1234567890")
    }

    @Test func uppercaseIdsAreSentInUpperCaseAndFoundInEither() throws {
        let sim = Self.sim("uppercase-ids", "lowercase-ids")
        let (status, a) = try Self.get(sim, S.account1, role: "ADMIN")
        #expect(status == 200)
        #expect(a["_id"] == .string(S.account1.uppercased()) && a["customer"] == .string(S.customer1.uppercased()))
        #expect(a["number"] == .string(S.number1), "only ids")
        let (s2, b) = try Self.get(sim, S.account1.uppercased(), role: "ADMIN")
        #expect(s2 == 200 && b["_id"] == a["_id"])
        let deleted = try Self.items(sim, role: "ADMIN")
        #expect(deleted.allSatisfy { $0["_id"]?.stringValue == $0["_id"]?.stringValue?.uppercased() })
        #expect(try Self.get(TelecomXSimulator(), S.account1, role: "ADMIN").1["_id"] == .string(S.account1))
    }

    @Test func reorderedMembersReversesEveryObject() throws {
        let plain = try Self.get(TelecomXSimulator(), S.account1, role: "ADMIN").1
        let reversed = try Self.get(Self.sim("reordered-members"), S.account1, role: "ADMIN").1
        #expect(reversed.objectValue?.keys == plain.objectValue?.keys.reversed())
        #expect(reversed["feature"]?.objectValue?.keys == plain["feature"]?.objectValue?.keys.reversed())
        #expect(reversed == plain, "the same members")
        let page = try DeletedAccountsTests.list(Self.sim("reordered-members"), role: "ADMIN").body
        #expect(page.objectValue?.keys == ["mvnoAccounts", "total", "limit", "offset"])
    }

    @Test func optionalMembersAreAddedWithTheirDocumentedTypes() throws {
        let sim = Self.sim("optional-members")
        let (_, plain) = try Self.get(sim, S.account2, role: "ADMIN")
        #expect(plain["info"] == ["updating": false, "dataDisabled": false, "usageBlock": false])
        #expect(plain["dnd"] == nil, "dnd is shown only if pbx>0: only-if-inert shows it outside")
        #expect(plain["topUp"] == ["data": 0])
        let override: JSON = [["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true]]
        let (_, created) = try Self.post(sim, CreateAccountTests.with(CreateAccountTests.base(), [("socsOverride", override)]), role: "ADMIN")
        #expect(created["socsOverride"] == [["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true, "startEOM": false, "setBySystem": false]])
        let deleted = try Self.items(sim, role: "ADMIN").compactMap { $0["socsOverride"]?.arrayValue }.joined()
        #expect(!deleted.isEmpty)
        #expect(deleted.allSatisfy { $0["startEOM"] != nil && $0["setBySystem"] == nil }, "the deleted list documents startEOM only")
        #expect(try Self.get(sim, S.account1, role: "OWNER").1["socsOverride"] == nil, "nothing restricted is added")

        let (_, byDefault) = try Self.get(TelecomXSimulator(), S.account2, role: "ADMIN")
        #expect(byDefault["info"] == nil && byDefault["dnd"] == nil && byDefault["topUp"] == nil)
    }

    /// "only if" members: left out outside their condition by default, shown
    /// inert under only-if-inert, and the fault shows voicemail that notifies.
    @Test func onlyIfMembersAreLeftOutOrShownInert() throws {
        let (_, plain) = try Self.get(TelecomXSimulator(), S.account2, role: "ADMIN")
        #expect(plain["pbx"] == 0 && plain["dnd"] == nil && plain["voicemail"] == nil)
        let (_, full) = try Self.get(TelecomXSimulator(), S.account1, role: "ADMIN")
        #expect(full["voicemail"]?["notify"] == "BOTH", "feature.voicemail on, no sipAccount, no pbx: shown")
        #expect(full["dnd"] == nil)
        let (_, inert) = try Self.get(Self.sim("only-if-inert"), S.account2, role: "ADMIN")
        #expect(inert["dnd"] == false && inert["voicemail"] == ["notify": "NONE"])
        let pbxItems = try Self.items(TelecomXSimulator(), role: "ADMIN", [("limit", "500")])
        #expect(pbxItems.contains { $0["pbx"] == 2 && $0["dnd"] != nil })
        #expect(pbxItems.allSatisfy { ($0["pbx"]?.numberValue ?? 0) > 0 || $0["dnd"] == nil })
        let inertItems = try Self.items(Self.sim("only-if-inert"), role: "ADMIN", [("limit", "500")])
        #expect(inertItems.allSatisfy { ($0["pbx"]?.numberValue ?? 0) > 0 || $0["dnd"] == false })
        let faulty = TelecomXSimulator(faults: [try #require(Fault.named("get-voicemail-not-in-use"))], variants: [try #require(Variant.named("only-if-inert"))])
        let (_, shown) = try Self.get(faulty, S.account2, role: "ADMIN")
        #expect(shown["voicemail"]?["notify"] == "SMS")
    }

    /// notes-mention-devices: a filter by a phone finds accounts by notes that name it, not by their deviceType.
    @Test func notesMentionOtherDevices() throws {
        let device = "Nokia G22"
        let query = [("filter", device), ("limit", "500")]
        let plain = try Self.items(TelecomXSimulator(), role: "ADMIN", query)
        #expect(!plain.isEmpty && plain.allSatisfy { $0["deviceType"] == .string(device) })
        let mentioned = try Self.items(Self.sim("notes-mention-devices"), role: "ADMIN", query)
        #expect(mentioned.count > plain.count)
        #expect(mentioned.contains { $0["deviceType"] != .string(device) }, "some match by notes only")
        #expect(mentioned.contains { $0["number"] == .string(DeletedAccounts.Fixtures.filterNumber) })
        // The deviceType fixture's text stays out of every note (its promise).
        let sim = Self.sim("notes-mention-devices")
        #expect(sim.deletedAccounts.allSatisfy { !($0.notes ?? "").lowercased().contains(DeletedAccounts.Fixtures.filterDeviceType) })
    }

    /// Tokens are never interpolated into expectations, so a failure prints none.
    @Test func base64TokensAreAcceptedAsBearerAndCookieByteForByte() throws {
        let sim = Self.sim("base64-tokens")
        let tokens = sim.tokensByRole.map(\.token)
        let allEndInPadding = tokens.allSatisfy { $0.hasSuffix("+/==") }
        let distinct = Set(tokens).count == tokens.count
        #expect(allEndInPadding)
        #expect(distinct, "one per role")
        let owner = try #require(sim.tokensByRole.first { $0.role == "OWNER" }?.token)
        func status(_ headers: HTTPHeaders, _ s: TelecomXSimulator = sim) -> Int {
            s.respond(HTTPRequest(method: "GET", target: "/mvno/\(S.account1)", headers: headers)).status
        }
        let bearer = status(["Authorization": "Bearer " + owner])
        let cookie = status(["Cookie": "lang=da; token=" + owner])
        let encodedCookie = status(["Cookie": "token=" + owner.replacingOccurrences(of: "+/==", with: "%2B%2F%3D%3D")])
        let defaultToken = status(["Authorization": "Bearer " + Self.token("OWNER")])
        #expect(bearer == 200)
        #expect(cookie == 200)
        #expect(encodedCookie == 401, "not percent-decoded")
        #expect(defaultToken == 401, "the default tokens are not accepted")
        let defaultsPlain = TelecomXSimulator().tokensByRole.allSatisfy { !$0.token.contains("+") }
        #expect(defaultsPlain)
        let defaultWithoutVariant = status(["Authorization": "Bearer " + Self.token("OWNER")], TelecomXSimulator())
        #expect(defaultWithoutVariant == 200)
    }

    @Test func exactCaseFilterMatchesLetterCaseExactly() throws {
        let sim = Self.sim("exact-case-filter")
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("filter", "fairphone")]).total == 0)
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("filter", "Fairphone")]).total ?? 0 > 0)
        #expect(try DeletedAccountsTests.list(TelecomXSimulator(), role: "ADMIN", [("filter", "fairphone")]).total ?? 0 > 0)
    }

    @Test func limitOutsideTheBoundsIsReadAsTheDefault() throws {
        let sim = Self.sim("limit-out-of-range-default")
        for limit in ["0", "501", "1000"] {
            let page = try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", limit)])
            #expect(page.status == 200 && page.limit == 100 && page.items.count == 100, "limit \(limit)")
        }
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", "500")]).limit == 500)
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", "1")]).limit == 1)
    }

    @Test func limitOutsideTheBoundsIsRejected() throws {
        let sim = Self.sim("limit-rejected")
        for limit in ["0", "501", "-3"] {
            let page = try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", limit)])
            #expect(page.status == 400 && page.body["message"] == "bad_request", "limit \(limit)")
        }
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", "500")]).limit == 500)
        #expect(try DeletedAccountsTests.list(sim, role: "ADMIN", [("limit", "1")]).limit == 1)
        let clamped = try DeletedAccountsTests.list(TelecomXSimulator(), role: "ADMIN", [("limit", "0")])
        #expect(clamped.status == 200 && clamped.limit == 1)
    }
    /// A value of the wrong JSON type: 400 bad_request under type-errors-400
    /// (also for number, whose row says it is invalid), 422 and the member's
    /// dotted name under type-errors-member-named; a malformed string is
    /// answered as by default under both.
    @Test func wronglyTypedMembersAreAnsweredAsTheVariantsSay() throws {
        func with(_ key: String, _ value: JSON, nested: String? = nil) -> JSON {
            var b = CreateAccountTests.base()
            if let nested { b[nested] = .object(JSONObject(pairs: [(key, value)])) } else { b[key] = value }
            return .object(b)
        }
        let plain = TelecomXSimulator()
        let badRequest = Self.sim("type-errors-400")
        let named = Self.sim("type-errors-member-named")
        for sim in [plain, badRequest, named] {
            let malformed = try Self.post(sim, with("number", "+45 7191 9998"), role: "ADMIN")
            #expect(malformed.0 == 422 && malformed.1["message"] == "number", "a malformed string keeps its row")
        }
        let number = try Self.post(plain, with("number", true), role: "ADMIN")
        #expect(number.0 == 422 && number.1["message"] == "number")
        let pbx = try Self.post(plain, with("pbx", [1]), role: "ADMIN")
        #expect(pbx.0 == 400 && pbx.1["message"] == "bad_request", "422 pbx is about a range")
        #expect(try Self.post(badRequest, with("number", true), role: "ADMIN").1["message"] == "bad_request")
        #expect(try Self.post(badRequest, with("mms", 42, nested: "feature"), role: "ADMIN").0 == 400)
        let mms = try Self.post(named, with("mms", 42, nested: "feature"), role: "ADMIN")
        #expect(mms.0 == 422 && mms.1["message"] == "feature.mms")
        let named422 = try Self.post(named, with("pbx", [1]), role: "ADMIN")
        #expect(named422.0 == 422 && named422.1["message"] == "pbx")
    }
}
