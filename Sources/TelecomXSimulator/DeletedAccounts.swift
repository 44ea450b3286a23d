import Foundation
import HTTPServer
import JSONKit

/// One deleted, still recoverable MVNO account, as the simulator stores it
/// for GET /mvno/deleted (api:mvno:account:deleted:list).
public struct DeletedAccount: Sendable {
    /// Every documented field of the list item, as ADMIN sees it (socs,
    /// socsOverride and socLimit included). Nothing undocumented.
    public var document: JSONObject
    public var reseller: String
    /// When the account was deleted, in whole seconds since 1970 (UTC).
    public var deletedAt: Int
    /// Searched by `filter`, but not a field of the documented list item.
    public var imsi: String
    /// Searched by `filter`, but not a field of the documented list item.
    public var notes: String?

    public var id: String { document["_id"]?.stringValue ?? "" }
    public var number: String { document["number"]?.stringValue ?? "" }

    /// The texts `filter` searches, as stored: number, deviceType, simNumber
    /// (ICC), IMSI and notes, in that order.
    public var searchable: [String] {
        [number, document["deviceType"]?.stringValue, document["simNumber"]?.stringValue, imsi, notes].compactMap { $0 }
    }
}

/// The deleted accounts the simulator is seeded with, and the values the
/// simulator's target profile names as `deleted.*` fixtures.
///
/// 650 accounts, generated deterministically from their index `k`: 400 under
/// reseller 1 (customers 1 and 2, alternately) and 250 under reseller 2
/// (customer 3), interleaved. Dates are relative to the moment the simulator
/// starts, so every account is still recoverable: `deleted` lies between 10
/// minutes and about 26.3 days in the past, and `preterminateUntil` is exactly
/// 30 days (2,592,000 s) after `deleted`. Listed newest deletion first, ties by
/// `_id` (the generated times are distinct, so this is also index order).
public enum DeletedAccounts {
    public static let count = 650
    public static let resellerOneCount = 400
    public static let resellerTwoCount = 250
    /// The documented recovery window: `preterminateUntil` = `deleted` + 30 days.
    public static let recoveryWindowSeconds = 30 * 86_400

    /// Values the simulator's profile gives the `deleted.*` fixtures.
    public enum Fixtures {
        /// The account the filter fixtures point at (reseller 1, customer 1).
        public static let filterIndex = 124
        /// An account under reseller 2, which RESELLER_ADMIN (reseller 1) must not see.
        public static let otherResellerIndex = 123
        public static var filterNumber: String { DeletedAccounts.number(filterIndex) }
        public static var filterSimNumber: String { DeletedAccounts.simNumber(filterIndex) }
        public static var filterIMSI: String { DeletedAccounts.imsi(filterIndex) }
        /// Lower case on purpose: the stored note says `ZX-4711`, and the filter ignores case.
        public static let filterNotes = "zx-4711"
        /// The same text in the letter case the note holds (the control of the notes filter).
        public static let filterNotesExact = "ZX-4711"
        /// Lower case on purpose: the stored deviceType is `Fairphone 5`.
        public static let filterDeviceType = "fairphone"
        public static let filterNoMatch = "zz-no-such-deleted-account"
        public static var otherResellerNumber: String { DeletedAccounts.number(otherResellerIndex) }
    }

    static let devices = [
        "Apple iPhone 15", "Samsung Galaxy S24", "Google Pixel 8", "Apple iPhone SE", "Nokia G22", "Fairphone 5",
        "OnePlus 12", "Samsung Galaxy A55",
    ]
    static let ratePlans: [(id: String, name: String)] = [
        ("5d1000000000000000000001", "Free speech, free SMS/MMS, 5Gb data"),
        ("5d1000000000000000000002", "Free speech, free SMS/MMS, 50Gb data"),
        ("5d1000000000000000000003", "Data only, 100Gb"),
    ]
    static let employeeNames = [
        "Hans Christian Andersen", "Karen Blixen", "Søren Kierkegaard", "Tove Ditlevsen", "Niels Bohr",
        "Inger Christensen", "Piet Hein", "Johanne Luise Heiberg",
    ]
    static let usages = ["Reception", "Warehouse", "Service van 2", "Meeting room"]

    /// Whether the `k`-th account belongs to reseller 2: 5 of every 13, so 250 of 650.
    static func isResellerTwo(_ k: Int) -> Bool { (k * 5) % 13 < 5 }

    static func pad(_ s: String, _ n: Int) -> String { String(repeating: "0", count: max(0, n - s.count)) + s }
    static func hexID(_ prefix: String, _ k: Int) -> String { prefix + pad(String(k, radix: 16), 24 - prefix.count) }

    static func number(_ k: Int) -> String { "+45818" + pad(String(k), 5) }
    /// 19-digit ICC: issuer prefix 8945029, the index, and a Luhn check digit.
    static func simNumber(_ k: Int) -> String {
        let body = "8945029" + pad(String(k), 11)
        return body + String(luhnCheckDigit(body))
    }
    static func imsi(_ k: Int) -> String { "238029" + pad(String(k), 9) }
    static func imei(_ k: Int) -> String {
        let body = "35" + pad(String((k * 104_729 + 7_919) % 1_000_000_000_000), 12)
        return body + String(luhnCheckDigit(body))
    }

    static func luhnCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            var d = Int(c.asciiValue! - 48)
            if i % 2 == 0 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return (10 - sum % 10) % 10
    }

    static func notes(_ k: Int) -> String? {
        if k == Fixtures.filterIndex { return "Customer moved abroad, ticket ZX-4711" }
        switch k % 5 {
        case 0: return "Ticket DX-\(10_000 + k): deleted on customer request"
        case 1: return "Employee left the company"
        case 2: return "Replaced by a new subscription"
        case 3: return "Number ported out to another operator"
        default: return nil
        }
    }

    /// notes-mention-devices: the notes "Replaced by a new subscription"
    /// (one account in five) name another phone than the account's own
    /// deviceType: "Replaced the Nokia G22 by a new subscription" on an
    /// Apple iPhone 15. A filter by that phone then finds the account by its
    /// notes, which the list does not show. Never the Fairphone 5: the
    /// deviceType fixture ("fairphone") promises a text in no notes.
    static func mentionDevices(in accounts: inout [DeletedAccount]) {
        for i in accounts.indices where accounts[i].notes == "Replaced by a new subscription" {
            guard let own = accounts[i].document["deviceType"]?.stringValue, let k = devices.firstIndex(of: own) else { continue }
            var other = devices[(k + 4) % devices.count]
            if other.hasPrefix("Fairphone") { other = devices[(k + 3) % devices.count] }
            accounts[i].notes = "Replaced the \(other) by a new subscription"
        }
    }

    /// Seconds since 1970 now, whole seconds.
    public static func currentEpochSeconds() -> Int { Int(Date().timeIntervalSince1970.rounded(.down)) }

    /// The seeded deleted accounts, relative to `now` (seconds since 1970), in list order.
    public static func generate(seed: Seed, now: Int) -> [DeletedAccount] {
        typealias I = Seed.IDs
        func customerName(_ id: String) -> String { seed.customers.first { $0.id == id }?.name ?? "Customer" }
        func resellerName(_ id: String) -> String { seed.resellers.first { $0.id == id }?.name ?? "Reseller" }
        var out: [DeletedAccount] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let reseller = isResellerTwo(k) ? I.reseller2 : I.reseller1
            let customer = isResellerTwo(k) ? I.customer3 : (k % 2 == 0 ? I.customer1 : I.customer2)
            let deletedAt = now - (600 + k * 3_500 + (k * 7_919) % 1_000)
            let deletedDay = deletedAt - ((deletedAt % 86_400) + 86_400) % 86_400
            let startDay = deletedDay - (60 + (k * 37) % 900) * 86_400
            let plan = ratePlans[k % ratePlans.count]
            var o = JSONObject()
            o["_id"] = .string(hexID("5de1", k))
            o["state"] = .string(k % 31 == 3 ? "BLOCKED" : k % 47 == 5 ? "CREATING" : "ACTIVE")
            o["number"] = .string(number(k))
            o["customer"] = .string(customer)
            o["customerName"] = .string(customerName(customer))
            o["reseller"] = .string(reseller)
            o["resellerName"] = .string(resellerName(reseller))
            o["ratePlan"] = .string(plan.id)
            o["ratePlanName"] = .string(plan.name)
            o["preterminateUntil"] = .string(rfc3339(deletedAt + recoveryWindowSeconds))
            o["deleted"] = .string(rfc3339(deletedAt))
            switch k % 6 {
            case 0:
                o["pbx"] = 2
                o["extension"] = .string(hexID("5e70", k))
                o["extensionNumber"] = .string(String(100 + k % 900))
                o["dnd"] = .bool(k % 12 == 0)
            case 1:
                o["pbx"] = .null
                o["dnd"] = false
            default:
                o["pbx"] = 0
                o["dnd"] = false
            }
            o["dataDisabled"] = .bool(k % 11 == 0)
            o["updating"] = .bool(k % 101 == 0)
            let numberState = k % 17 == 0 ? "PORTING_OUT" : k % 43 == 1 ? "PORTING_IN" : "IN_USE"
            o["numberState"] = .string(numberState)
            if k % 3 != 0 {
                o["employee"] = .string(hexID("5b20", k))
                o["employeeName"] = .string(employeeNames[k % employeeNames.count])
            } else {
                o["name"] = .string(usages[k % usages.count])
            }
            if numberState != "IN_USE" { o["porting"] = .string(hexID("5f0e", k)) }
            o["usageBlock"] = .bool(k % 37 == 0)
            if k % 29 != 0 { o["deviceType"] = .string(devices[k % devices.count]) }  // "if available"
            o["startDate"] = .string(rfc3339(startDay))
            o["deleteDate"] = k % 4 == 0 ? .null : .string(rfc3339(deletedDay))
            o["simNumber"] = .string(simNumber(k))
            o["imei"] = .string(imei(k))
            o["socs"] = .array((k % 2 == 0 ? ["SOC1", "DATA5GB"] : ["SOC1", "DATA50GB", "ROAMEU"]).map { .string($0) })
            let override: JSON = ["soc": "DATA5GB", "newSoc": "DATA10GB", "expireEOM": .bool(k % 10 == 0), "startEOM": false]
            o["socsOverride"] = .array(k % 5 == 0 ? [override] : [])
            o["socLimit"] = ["data": .number(Double(5_120 + 1_024 * (k % 4))), "minutes": .number(Double(300 + 100 * (k % 3)))]
            out.append(DeletedAccount(document: o, reseller: reseller, deletedAt: deletedAt, imsi: imsi(k), notes: notes(k)))
        }
        // Newest deletion first, then by _id.
        return out.sorted { ($0.deletedAt, $1.id) > ($1.deletedAt, $0.id) }
    }

    /// `2025-03-04T05:06:07.000Z` for seconds since 1970 (UTC), as the docs write dates.
    static func rfc3339(_ epochSeconds: Int) -> String {
        let days = Int((Double(epochSeconds) / 86_400).rounded(.down))
        let secs = epochSeconds - days * 86_400
        func two(_ n: Int) -> String { pad(String(n), 2) }
        return "\(CivilDate(daysSince1970: days).text)T\(two(secs / 3_600)):\(two(secs / 60 % 60)):\(two(secs % 60)).000Z"
    }

    // MARK: query parameters

    /// Outside the documented bounds the simulator does not answer an error
    /// (the page documents no 400): it holds values to the bounds, which is
    /// how the harness's `page` invariant reads "default 0" and "default 100,
    /// min 1, max 500".
    /// - `offset`: missing or not an integer → 0; negative → 0; beyond `total` → an empty page.
    /// - `limit`: missing or not an integer → 100; below 1 → 1; above 500 → 500.
    /// The values answered in `offset` and `limit` are the ones applied.
    public static func paging(offset: String?, limit: String?, defaultLimit: Int = 100, maxLimit: Int = 500)
        -> (offset: Int, limit: Int)
    {
        let o = max(0, offset.flatMap { Int($0) } ?? 0)
        let l = min(maxLimit, max(1, limit.flatMap { Int($0) } ?? defaultLimit))
        return (o, l)
    }
}

extension TelecomXSimulator {
    // MARK: GET /mvno/deleted

    /// GET /mvno/deleted: the deleted accounts that can still be recovered.
    /// RESELLER_ADMIN (its own reseller's customers only) and ADMIN (all);
    /// every other level answers 403 access_denied. `filter` is a
    /// case-insensitive substring of number, deviceType, simNumber, IMSI or
    /// notes; `total` counts every match, whatever `offset` and `limit` say.
    func listDeleted(_ request: HTTPRequest, caller: Employee) -> HTTPResponse {
        let level = caller.accessLevel
        let allowed: Bool
        if has("deleted-admin-denied") {
            allowed = level == "RESELLER_ADMIN"
        } else if has("deleted-reseller-allowed") {
            allowed = level == "RESELLER_ADMIN" || level == "ADMIN" || level == "RESELLER"
        } else {
            allowed = level == "RESELLER_ADMIN" || level == "ADMIN"
        }
        guard allowed else { return error(403, "access_denied", "Insufficient access level") }

        // Scope: ADMIN sees every reseller's deleted accounts, the others their own reseller's.
        var visible = deletedAccounts
        if has("deleted-old-listed"), let oldest = deletedAccounts.last, let newest = deletedAccounts.first {
            // Deleted 40 days before the newest deletion's moment: its window closed 10 days ago.
            var old = oldest
            old.deletedAt = newest.deletedAt - 40 * 86_400
            old.document["_id"] = .string(DeletedAccounts.hexID("5de1", 0xFFFF))
            old.document["number"] = .string("+4581899999")
            old.document["deleted"] = .string(DeletedAccounts.rfc3339(old.deletedAt))
            old.document["preterminateUntil"] = .string(DeletedAccounts.rfc3339(old.deletedAt + DeletedAccounts.recoveryWindowSeconds))
            visible.append(old)
        }
        if level != "ADMIN", !has("deleted-cross-reseller-leak") {
            visible = visible.filter { caller.reseller != nil && $0.reseller == caller.reseller }
        }

        let filtered = request.queryValue("filter").map { !$0.isEmpty } ?? false
        if let filter = request.queryValue("filter"), !filter.isEmpty, !has("deleted-filter-ignored") {
            let caseSensitive = varies("exact-case-filter")
            let needle = caseSensitive ? filter : filter.lowercased()
            visible = visible.filter { account in
                var fields = account.searchable
                if has("deleted-filter-skips-imsi-notes") {
                    fields = [account.number, account.document["deviceType"]?.stringValue, account.document["simNumber"]?.stringValue]
                        .compactMap { $0 }
                }
                if has("deleted-filter-skips-notes"), let notes = account.notes { fields.removeAll { $0 == notes } }
                if has("deleted-filter-skips-device") { fields.removeAll { $0 == account.document["deviceType"]?.stringValue } }
                if has("deleted-filter-customer-name"), let name = account.document["customerName"]?.stringValue {
                    fields.append(name)
                }
                // deleted-filter-case-mixed: notes in any letter case, every other field in exact case.
                let notes = account.notes
                return fields.contains { f in
                    let exact = has("deleted-filter-case-mixed") ? f != notes : caseSensitive
                    return exact ? f.containsText(filter) : f.lowercased().containsText(needle.lowercased())
                }
            }
        }

        let maxLimit = has("deleted-max-not-enforced") ? Int.max : has("deleted-limit-max-499") ? 499 : 500
        let minLimit = has("deleted-limit-min-2") ? 2 : 1
        if varies("limit-rejected") || varies("limit-rejected-422"), let l = request.queryValue("limit").flatMap({ Int($0) }),
            !(minLimit...maxLimit).contains(l)
        {
            return varies("limit-rejected") ? error(400, "bad_request", "limit must be 1…500") : error(422, "limit", "limit must be 1…500")
        }
        // limit-out-of-range-default: a limit outside the bounds is read as no limit (the default).
        let asked = request.queryValue("limit").flatMap { l in
            varies("limit-out-of-range-default") && Int(l).map { !(minLimit...maxLimit).contains($0) } == true ? nil : l
        }
        var (offset, limit) = DeletedAccounts.paging(
            offset: request.queryValue("offset"), limit: asked,
            defaultLimit: has("deleted-default-limit-50") ? 50 : 100, maxLimit: maxLimit)
        limit = max(minLimit, limit)
        // The number of items actually served, and where the page starts.
        let served = has("deleted-limit-ignored") ? 100 : limit
        let start = has("deleted-offset-off-by-one") ? offset + 1 : has("deleted-filter-offset-ignored") && filtered ? 0 : offset
        let page = start < visible.count ? Array(visible[start..<min(visible.count, start + served)]) : []

        let items: [JSON] = page.enumerated().map { i, account in
            // deleted-later-page-leak: past the first 100 a caller can see, the ADMIN-only members show.
            var viewer = caller
            if has("deleted-later-page-leak") && start + i >= 100 { viewer.accessLevel = "ADMIN" }
            let item = presented(deletedView(account, to: viewer), as: .deletedItem)
            // deleted-dnd-without-pbx: after the variants (only-if-inert shows dnd false there), dnd true without a hosted PBX.
            guard has("deleted-dnd-without-pbx"), case .object(var o) = item, (o["pbx"]?.numberValue ?? 0) <= 0 else { return item }
            o["dnd"] = true
            return .object(o)
        }
        let total = has("deleted-total-is-page-count") ? items.count : visible.count
        return json(
            200,
            .object(
                JSONObject(pairs: [
                    ("offset", .number(Double(offset))), ("limit", .number(Double(limit))),
                    ("total", .number(Double(total))), ("mvnoAccounts", .array(items)),
                ])))
    }

    /// A list item as `caller` may see it: socs, socsOverride and socLimit are ADMIN only.
    func deletedView(_ account: DeletedAccount, to caller: Employee) -> JSON {
        var o = account.document
        if caller.accessLevel != "ADMIN", !has("deleted-admin-fields-leak") {
            for k in ["socs", "socsOverride", "socLimit"] { o[k] = nil }
        }
        if varies("preterminate-danish-days") {
            // 30 calendar days in Danish time: the same wall-clock time, an hour off across a DST change.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Copenhagen") ?? .gmt
            let from = Date(timeIntervalSince1970: Double(account.deletedAt))
            let until = calendar.date(byAdding: .day, value: 30, to: from)?.timeIntervalSince1970 ?? Double(account.deletedAt + 30 * 86_400)
            o["preterminateUntil"] = .string(DeletedAccounts.rfc3339(Int(until)))
        }
        if has("deleted-preterminate-29-days") {
            o["preterminateUntil"] = .string(DeletedAccounts.rfc3339(account.deletedAt + 29 * 86_400))
        }
        if has("deleted-state-deleted") { o["state"] = "DELETED" }
        if has("deleted-preterminate-absent") { o["preterminateUntil"] = nil }
        return .object(o)
    }
}
