import Foundation
import HTTPServer
import JSONKit
import Testing

@testable import TelecomXSimulator

/// The simulator called in-process: the documented behaviour of GET /mvno/deleted
/// (api:mvno:account:deleted:list), and what each `deleted-…` fault changes.
@Suite struct DeletedAccountsTests {
    let sim = TelecomXSimulator()
    typealias I = Seed.IDs
    typealias F = DeletedAccounts.Fixtures

    static let adminOnly = ["socs", "socsOverride", "socLimit"]
    /// The fields of the page's "MVNO account object" table.
    static let documented: Set<String> = [
        "_id", "state", "number", "customer", "customerName", "reseller", "resellerName", "ratePlan", "ratePlanName",
        "preterminateUntil", "deleted", "pbx", "extension", "extensionNumber", "dnd", "dataDisabled", "updating",
        "numberState", "employee", "employeeName", "name", "porting", "usageBlock", "deviceType", "startDate",
        "deleteDate", "simNumber", "imei", "socs", "socsOverride", "socLimit",
    ]

    static func token(_ role: String) -> String { Seed.standard.tokensByRole.first { $0.role == role }!.token }

    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(Character(Unicode.Scalar(b)))
            default: out += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
            }
        }
        return out
    }

    struct Page {
        var status: Int
        var body: JSON
        var contentType: String?
        var offset: Int? { body["offset"]?.intValue }
        var limit: Int? { body["limit"]?.intValue }
        var total: Int? { body["total"]?.intValue }
        var items: [JSON] { body["mvnoAccounts"]?.arrayValue ?? [] }
        var ids: [String] { items.compactMap { $0["_id"]?.stringValue } }
    }

    static func list(_ sim: TelecomXSimulator, role: String?, _ query: [(String, String)] = []) throws -> Page {
        var q = query.map { encode($0.0) + "=" + encode($0.1) }
        if let role { q.append("token=" + token(role)) }
        let target = "/mvno/deleted" + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))
        let r = sim.respond(HTTPRequest(method: "GET", target: target))
        return Page(status: r.status, body: try JSONParser.parse(r.body), contentType: r.headers["Content-Type"])
    }

    func list(_ role: String?, _ query: [(String, String)] = []) throws -> Page { try Self.list(sim, role: role, query) }

    /// Every page of a listing with `limit`, concatenated.
    static func walk(_ sim: TelecomXSimulator, role: String, limit: Int, extra: [(String, String)] = []) throws -> (ids: [String], total: Int) {
        var ids: [String] = []
        var offset = 0
        var total = 0
        while true {
            let p = try list(sim, role: role, extra + [("offset", String(offset)), ("limit", String(limit))])
            #expect(p.status == 200)
            total = p.total ?? -1
            ids += p.ids
            if p.items.isEmpty || offset + p.items.count >= total { break }
            offset += p.items.count
        }
        return (ids, total)
    }

    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }

    // MARK: access

    @Test func onlyResellerAdminAndAdminMayList() throws {
        for role in ["RESELLER_ADMIN", "ADMIN"] {
            let p = try list(role)
            #expect(p.status == 200, "\(role)")
            #expect(p.contentType?.hasPrefix("application/json") == true)
        }
        for role in ["VIEWER", "MANAGER", "OWNER", "RESELLER", "OTHER_CUSTOMER", "OTHER_RESELLER"] {
            let p = try list(role)
            #expect(p.status == 403, "\(role)")
            #expect(p.body["message"] == "access_denied", "\(role)")
            #expect(p.contentType?.hasPrefix("application/json") == true)
        }
        let anonymous = try list(nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.body["message"] == "credentials_invalid")
    }

    @Test func otherMethodsAndTheAccountRouteAreUnchanged() throws {
        let post = sim.respond(HTTPRequest(method: "DELETE", target: "/mvno/deleted?token=" + Self.token("ADMIN")))
        #expect(post.status == 405)
        let get = sim.respond(HTTPRequest(method: "GET", target: "/mvno/\(I.account1)?token=" + Self.token("ADMIN")))
        #expect(get.status == 200)
    }

    // MARK: paging

    @Test func defaultsAreOffset0AndLimit100() throws {
        let p = try list("ADMIN")
        #expect(p.offset == 0)
        #expect(p.limit == 100)
        #expect(p.total == DeletedAccounts.count)
        #expect(p.items.count == 100)
        #expect(p.ids == Array(sim.deletedAccounts.prefix(100).map(\.id)))
        #expect(p.body.objectValue?.keys == ["offset", "limit", "total", "mvnoAccounts"])
    }

    @Test func offsetAndLimitAreEchoedAndApplied() throws {
        let p = try list("ADMIN", [("offset", "10"), ("limit", "25")])
        #expect(p.offset == 10)
        #expect(p.limit == 25)
        #expect(p.total == 650)
        #expect(p.ids == Array(sim.deletedAccounts[10..<35].map(\.id)))
        let max = try list("ADMIN", [("limit", "500")])
        #expect(max.limit == 500)
        #expect(max.items.count == 500)
        let last = try list("ADMIN", [("offset", "600"), ("limit", "100")])
        #expect(last.items.count == 50, "the actual number may be lower than limit")
        #expect(last.limit == 100)
    }

    /// Out of bounds, values are held to the bounds (the page documents no 400).
    @Test(arguments: [
        ("limit", "0", 0, 1), ("limit", "-5", 0, 1), ("limit", "1000", 0, 500), ("limit", "501", 0, 500),
        ("limit", "abc", 0, 100), ("limit", "", 0, 100), ("limit", "2.5", 0, 100), ("offset", "-3", 0, 100),
        ("offset", "x", 0, 100), ("offset", "", 0, 100),
    ])
    func outOfBoundsValuesAreClamped(_ name: String, _ value: String, _ offset: Int, _ limit: Int) throws {
        let p = try list("ADMIN", [(name, value)])
        #expect(p.status == 200)
        #expect(p.offset == offset)
        #expect(p.limit == limit)
        #expect(p.items.count == min(limit, 650 - offset))
        #expect(p.total == 650)
    }

    @Test func anOffsetPastTheEndAnswersAnEmptyPage() throws {
        for offset in ["650", "651", "1000000"] {
            let p = try list("ADMIN", [("offset", offset)])
            #expect(p.status == 200)
            #expect(p.offset == Int(offset))
            #expect(p.items.isEmpty)
            #expect(p.total == 650)
        }
    }

    @Test(arguments: [1, 37, 100, 500])
    func walkingAllPagesMeetsEveryAccountOnce(_ limit: Int) throws {
        let (ids, total) = try Self.walk(sim, role: "ADMIN", limit: limit)
        #expect(total == 650)
        #expect(ids.count == 650)
        #expect(Set(ids).count == 650)
        #expect(ids == sim.deletedAccounts.map(\.id), "stable order")
    }

    @Test func totalIgnoresOffsetAndLimit() throws {
        for (o, l) in [("0", "1"), ("300", "7"), ("649", "500")] {
            #expect(try list("ADMIN", [("offset", o), ("limit", l)]).total == 650)
            #expect(try list("RESELLER_ADMIN", [("offset", o), ("limit", l)]).total == 400)
        }
        let filtered = try list("ADMIN", [("filter", F.filterDeviceType), ("limit", "3"), ("offset", "5")])
        let all = try list("ADMIN", [("filter", F.filterDeviceType), ("limit", "500")])
        #expect(filtered.total == all.items.count)
        #expect(filtered.items.count == 3)
        #expect(filtered.ids == Array(all.ids[5..<8]))
    }

    // MARK: filter

    @Test func filterSearchesEachDocumentedAttribute() throws {
        let target = sim.deletedAccounts.first { $0.number == F.filterNumber }!
        for text in [F.filterNumber, F.filterSimNumber, F.filterIMSI, F.filterNotes, "ZX-4711", "Zx-4711"] {
            let p = try list("ADMIN", [("filter", text)])
            #expect(p.total == 1, "\(text)")
            #expect(p.ids == [target.id], "\(text)")
        }
        // deviceType, case-insensitively; every match shows it.
        let d = try list("ADMIN", [("filter", F.filterDeviceType), ("limit", "500")])
        let expected = sim.deletedAccounts.filter { $0.document["deviceType"]?.stringValue == "Fairphone 5" }
        #expect(d.total == expected.count)
        #expect(d.total ?? 0 > 0)
        #expect(d.items.allSatisfy { $0["deviceType"]?.stringValue?.lowercased().contains(F.filterDeviceType) == true })
        // A part of a number, of an ICC, of an IMSI.
        #expect(try list("ADMIN", [("filter", "4581800")]).total == 650)
        #expect(try list("ADMIN", [("filter", "45818001")]).total == 100)  // +45818001xx
        #expect(try list("ADMIN", [("filter", "894502900000000124")]).total == 1)
        #expect(try list("ADMIN", [("filter", "23802900000012")]).total == 10)  // IMSIs …120–129
        // Notes shared by many accounts.
        let left = try list("ADMIN", [("filter", "employee LEFT")])
        #expect(left.total == sim.deletedAccounts.filter { $0.notes == "Employee left the company" }.count)
    }

    @Test func filterMatchingNothingAndEmptyFilter() throws {
        let none = try list("ADMIN", [("filter", F.filterNoMatch)])
        #expect(none.status == 200)
        #expect(none.total == 0)
        #expect(none.items.isEmpty)
        #expect(try list("ADMIN", [("filter", "")]).total == 650)
    }

    @Test func filterDoesNotSearchOtherFields() throws {
        // Customer and reseller names, ids and rate plans are not searched.
        for text in ["Bente", "Telenettet", "5de1", "Free speech", "Niels Bohr"] {
            #expect(try list("ADMIN", [("filter", text)]).total == 0, "\(text)")
        }
    }

    // MARK: scope and visibility

    @Test func resellerAdminSeesOnlyItsResellersAccounts() throws {
        let (ids, total) = try Self.walk(sim, role: "RESELLER_ADMIN", limit: 100)
        #expect(total == DeletedAccounts.resellerOneCount)
        let expected = sim.deletedAccounts.filter { $0.reseller == I.reseller1 }.map(\.id)
        #expect(ids == expected)
        let p = try list("RESELLER_ADMIN", [("limit", "500")])
        #expect(p.items.allSatisfy { $0["reseller"]?.stringValue == I.reseller1 })
        #expect(Set(p.items.compactMap { $0["customer"]?.stringValue }) == [I.customer1, I.customer2])
        // Filtering cannot reach another reseller's account.
        #expect(try list("RESELLER_ADMIN", [("filter", F.otherResellerNumber)]).total == 0)
        #expect(try list("ADMIN", [("filter", F.otherResellerNumber)]).total == 1)
        #expect(try list("RESELLER_ADMIN", [("filter", F.filterNumber)]).total == 1)
    }

    @Test func adminOnlyFieldsAreHiddenFromResellerAdmin() throws {
        let admin = try list("ADMIN", [("limit", "500")])
        #expect(admin.items.allSatisfy { item in Self.adminOnly.allSatisfy { item[$0] != nil } })
        let ra = try list("RESELLER_ADMIN", [("limit", "500")])
        #expect(ra.items.count == 400)
        #expect(ra.items.allSatisfy { item in Self.adminOnly.allSatisfy { item[$0] == nil } })
    }

    @Test func onlyDocumentedFieldsAreListed() throws {
        for role in ["ADMIN", "RESELLER_ADMIN"] {
            let p = try list(role, [("limit", "500")])
            for item in p.items {
                let keys = Set(item.objectValue?.keys ?? [])
                #expect(keys.isSubset(of: Self.documented), "\(keys.subtracting(Self.documented))")
                #expect(item["imsi"] == nil && item["notes"] == nil)
            }
        }
    }

    // MARK: the seeded data

    @Test func preterminateUntilIsExactly30DaysAfterDeleted() throws {
        // "Now" is the simulator's clock, set by the test: the windows hold
        // relative to it whatever the day or the machine's load.
        let clock = ManualClock(epochSeconds: 1_750_000_000.25)
        let sim = TelecomXSimulator(clock: .manual(clock))
        let p = try Self.list(sim, role: "ADMIN", [("limit", "500"), ("offset", "150")])
        #expect(p.items.count == 500)
        let now = Date(timeIntervalSince1970: clock.now)
        for item in p.items {
            let deleted = try #require(item["deleted"]?.stringValue.flatMap(Self.date))
            let until = try #require(item["preterminateUntil"]?.stringValue.flatMap(Self.date))
            #expect(until.timeIntervalSince(deleted) == 30 * 86_400)
            #expect(deleted < now, "deleted lies in the past")
            #expect(until > now, "still recoverable")
        }
    }

    @Test func seededAccountsAreWellFormedAndVaried() throws {
        let all = sim.deletedAccounts
        #expect(all.count == 650)
        #expect(Set(all.map(\.id)).count == 650)
        #expect(Set(all.map(\.number)).count == 650)
        #expect(all.filter { $0.reseller == I.reseller1 }.count == 400)
        #expect(all.filter { $0.reseller == I.reseller2 }.count == 250)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.deletedAt > $1.deletedAt }, "newest deletion first")
        func digits(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        for a in all {
            let d = a.document
            #expect(isObjectID(a.id))
            #expect(isE164(a.number))
            for k in ["customer", "reseller", "ratePlan"] { #expect(d[k]?.stringValue.map(isObjectID) == true) }
            for k in ["extension", "employee", "porting"] { if let v = d[k] { #expect(v.stringValue.map(isObjectID) == true) } }
            let icc = try #require(d["simNumber"]?.stringValue)
            #expect(icc.count == 19 && digits(icc) && DeletedAccounts.luhnCheckDigit(String(icc.dropLast())) == Int(String(icc.last!)))
            #expect(a.imsi.count == 15 && digits(a.imsi))
            #expect(["ACTIVE", "CREATING", "BLOCKED"].contains(d["state"]?.stringValue ?? ""))
            #expect(["IN_USE", "PORTING_IN", "PORTING_OUT"].contains(d["numberState"]?.stringValue ?? ""))
            for k in ["deleted", "preterminateUntil", "startDate"] { #expect(d[k]?.stringValue.flatMap(Self.date) != nil, "\(k)") }
            if let dd = d["deleteDate"], !dd.isNull { #expect(dd.stringValue.flatMap(Self.date) != nil) }
            if (d["pbx"]?.numberValue ?? 0) > 0 {
                #expect(d["extension"] != nil && d["extensionNumber"] != nil)
            } else {
                #expect(d["extension"] == nil && d["extensionNumber"] == nil)
            }
            #expect(Set(d.keys).isSubset(of: Self.documented))
        }
        for (key, minimum) in [("state", 3), ("numberState", 3), ("deviceType", 8), ("customer", 3), ("ratePlan", 3)] {
            #expect(Set(all.compactMap { $0.document[key]?.stringValue }).count >= minimum, "\(key) varies")
        }
        #expect(all.contains { $0.document["deviceType"] == nil }, "deviceType only if available")
        #expect(all.contains { $0.document["pbx"] == .null } && all.contains { $0.document["deleteDate"] == .null })
    }

    @Test func datesAreWrittenAsRFC3339() {
        #expect(DeletedAccounts.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(DeletedAccounts.rfc3339(951_782_400) == "2000-02-29T00:00:00.000Z")
        #expect(DeletedAccounts.rfc3339(1_700_000_000) == "2023-11-14T22:13:20.000Z")
        #expect(DeletedAccounts.rfc3339(-1) == "1969-12-31T23:59:59.000Z")
        #expect(DeletedAccounts.rfc3339(4_102_444_799) == "2099-12-31T23:59:59.000Z")
    }

    @Test func generationIsDeterministic() {
        let a = DeletedAccounts.generate(seed: .standard, now: 1_790_000_000)
        let b = DeletedAccounts.generate(seed: .standard, now: 1_790_000_000)
        #expect(a.map(\.document) == b.map(\.document))
        #expect(a.first?.document["deleted"] == "2026-09-21T14:03:20.000Z")  // now − 600 s
    }

    /// The simulator's target profile names values that hold in this seed.
    @Test func theProfilesFixturesMatchTheSeed() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Cases/targets/simulator.json"))
        let profile = try JSONParser.parse(Array(data))
        let fx = try #require(profile["fixtures"])
        #expect(fx["deleted.reseller1.id"] == .string(I.reseller1))
        #expect(fx["deleted.filter.number"] == .string(F.filterNumber))
        #expect(fx["deleted.filter.simNumber"] == .string(F.filterSimNumber))
        #expect(fx["deleted.filter.imsi"] == .string(F.filterIMSI))
        #expect(fx["deleted.filter.notes"] == .string(F.filterNotes))
        #expect(fx["deleted.filter.deviceType"] == .string(F.filterDeviceType))
        #expect(fx["deleted.filter.nomatch"] == .string(F.filterNoMatch))
        #expect(fx["deleted.otherReseller.number"] == .string(F.otherResellerNumber))
        let target = try #require(sim.deletedAccounts.first { $0.number == F.filterNumber })
        #expect(target.reseller == I.reseller1)
        #expect(target.document["socs"]?.arrayValue?.isEmpty == false)
        #expect(target.document["simNumber"] == .string(F.filterSimNumber))
        #expect(target.imsi == F.filterIMSI)
        #expect(target.notes?.lowercased().contains(F.filterNotes) == true && target.notes?.contains(F.filterNotes) == false)
        #expect(sim.deletedAccounts.first { $0.number == F.otherResellerNumber }?.reseller == I.reseller2)
        // Each filter text occurs only where its fixture says.
        for text in [F.filterNumber, F.filterSimNumber, F.filterIMSI, F.filterNotes] {
            #expect(sim.deletedAccounts.filter { $0.searchable.contains { $0.lowercased().contains(text) } }.map(\.id) == [target.id])
        }
        #expect(!sim.deletedAccounts.contains { a in a.searchable.contains { $0.lowercased().contains(F.filterNoMatch) } })
        #expect(!sim.deletedAccounts.contains { a in ([a.imsi] + [a.notes].compactMap { $0 }).contains { $0.lowercased().contains(F.filterDeviceType) } })
    }

    // MARK: faults

    func faulty(_ name: String) throws -> TelecomXSimulator {
        TelecomXSimulator(faults: [try #require(Fault.named(name))])
    }

    @Test func everyDeletedFaultIsCataloguedForThisEndpoint() {
        let names = Fault.catalogue.filter { $0.name.hasPrefix("deleted-") }
        #expect(names.count >= 8)
        #expect(names.allSatisfy { $0.endpoint == "mvno-deleted-list" && !$0.summary.isEmpty })
    }

    @Test func faultOffsetOffByOne() throws {
        let s = try faulty("deleted-offset-off-by-one")
        let p = try Self.list(s, role: "ADMIN", [("offset", "10"), ("limit", "25")])
        #expect(p.offset == 10)
        #expect(p.ids == Array(s.deletedAccounts[11..<36].map(\.id)))
        let (ids, total) = try Self.walk(s, role: "ADMIN", limit: 100)
        #expect(total == 650)
        #expect(Set(ids).count == 649, "the first account is never met")
    }

    @Test func faultLimitIgnored() throws {
        let s = try faulty("deleted-limit-ignored")
        let p = try Self.list(s, role: "ADMIN", [("limit", "25")])
        #expect(p.limit == 25)
        #expect(p.items.count == 100)
        #expect(try Self.list(s, role: "ADMIN", [("limit", "500")]).items.count == 100)
    }

    @Test func faultMaxNotEnforced() throws {
        let s = try faulty("deleted-max-not-enforced")
        let p = try Self.list(s, role: "ADMIN", [("limit", "1000")])
        #expect(p.limit == 1000)
        #expect(p.items.count == 650)
        #expect(try Self.list(s, role: "ADMIN", [("limit", "0")]).limit == 1, "the minimum still holds")
    }

    @Test func faultDefaultLimit50() throws {
        let s = try faulty("deleted-default-limit-50")
        let p = try Self.list(s, role: "ADMIN")
        #expect(p.limit == 50)
        #expect(p.items.count == 50)
        #expect(try Self.list(s, role: "ADMIN", [("limit", "100")]).items.count == 100)
    }

    @Test func faultFilterIgnored() throws {
        let s = try faulty("deleted-filter-ignored")
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterNumber)]).total == 650)
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterNoMatch)]).total == 650)
    }

    @Test func faultFilterSkipsIMSIAndNotes() throws {
        let s = try faulty("deleted-filter-skips-imsi-notes")
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterIMSI)]).total == 0)
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterNotes)]).total == 0)
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterSimNumber)]).total == 1)
        #expect(try Self.list(s, role: "ADMIN", [("filter", F.filterNumber)]).total == 1)
    }

    @Test func faultTotalIsPageCount() throws {
        let s = try faulty("deleted-total-is-page-count")
        #expect(try Self.list(s, role: "ADMIN", [("limit", "25")]).total == 25)
        #expect(try Self.list(s, role: "RESELLER_ADMIN").total == 100)
    }

    @Test func faultCrossResellerLeak() throws {
        let s = try faulty("deleted-cross-reseller-leak")
        let p = try Self.list(s, role: "RESELLER_ADMIN", [("limit", "500")])
        #expect(p.total == 650)
        #expect(p.items.contains { $0["reseller"]?.stringValue == I.reseller2 })
        #expect(try Self.list(s, role: "RESELLER_ADMIN", [("filter", F.otherResellerNumber)]).total == 1)
        #expect(try Self.list(s, role: "RESELLER", []).status == 403, "access itself is unchanged")
    }

    @Test func faultPreterminate29Days() throws {
        let s = try faulty("deleted-preterminate-29-days")
        for item in try Self.list(s, role: "ADMIN").items {
            let deleted = try #require(item["deleted"]?.stringValue.flatMap(Self.date))
            let until = try #require(item["preterminateUntil"]?.stringValue.flatMap(Self.date))
            #expect(until.timeIntervalSince(deleted) == 29 * 86_400)
        }
    }

    @Test func faultAdminFieldsLeak() throws {
        let s = try faulty("deleted-admin-fields-leak")
        let p = try Self.list(s, role: "RESELLER_ADMIN")
        #expect(p.items.allSatisfy { item in Self.adminOnly.allSatisfy { item[$0] != nil } })
    }

    @Test func faultAdminDenied() throws {
        let s = try faulty("deleted-admin-denied")
        let p = try Self.list(s, role: "ADMIN")
        #expect(p.status == 403)
        #expect(p.body["message"] == "access_denied")
        #expect(try Self.list(s, role: "RESELLER_ADMIN").status == 200)
    }

    @Test func faultResellerAllowed() throws {
        let s = try faulty("deleted-reseller-allowed")
        let p = try Self.list(s, role: "RESELLER", [("limit", "500")])
        #expect(p.status == 200)
        #expect(p.total == 400)
        #expect(p.items.allSatisfy { $0["reseller"]?.stringValue == I.reseller1 })
        #expect(try Self.list(s, role: "OWNER").status == 403)
    }

    @Test func faultStateDeleted() throws {
        let s = try faulty("deleted-state-deleted")
        #expect(try Self.list(s, role: "ADMIN").items.allSatisfy { $0["state"] == "DELETED" })
    }

    @Test func theCleanSimulatorHasNoneOfTheseDepartures() throws {
        let p = try list("ADMIN")
        #expect(p.items.allSatisfy { $0["state"] != "DELETED" })
        #expect(try list("RESELLER", []).status == 403)
        #expect(try list("RESELLER_ADMIN", [("filter", F.otherResellerNumber)]).total == 0)
    }
}
