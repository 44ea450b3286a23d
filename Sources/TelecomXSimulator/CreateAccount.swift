import Foundation
import HTTPServer
import JSONKit

/// POST /mvno (api:mvno:account:create): creates an MVNO account.
///
/// Access: OWNER of the customer, RESELLER of the customer's reseller, ADMIN;
/// every other level answers 403 access_denied.
///
/// The docs give the error table but not the order in which a server checks;
/// the simulator checks in this order and answers the first problem found
/// (every check comes before anything is changed, so a rejected request
/// leaves the stock as it was):
///
///  1. access level (VIEWER, MANAGER, RESELLER_ADMIN…)     403 access_denied
///  2. body missing or not a JSON object                   400 bad_request
///     a documented member of the wrong type or format      the member's own row where one says
///                                                          the value is invalid (422 number,
///                                                          422 mvnoSim…), otherwise 400 bad_request
///  3. customer unknown / not the caller's / blocked       404 customer, 403 access_denied, 403 customer
///  4. billingCustomer not associated with the customer    422 billingCustomer
///  5. custom over 4 KB serialized                         422 custom
///  6. startDate unreadable or before today (UTC)          422 startDate
///  7. pbx not null and not a cluster id 0…9               422 pbx
///  8. ratePlan, its next-period product, newRatePlan      404 ratePlan, 404 not_found, 404 newRatePlan
///  9. services, socsOverride (ADMIN only)                 422 services, 422 socsOverride
/// 10. restOfWorldRoaming                                  409 restOfWorldRoaming.productId (×2)
/// 11. sipAccount, extension                               404 sipAccount, 404/409 extension
/// 12. number: not E.164 → 422 "The number is invalid"; not a Danish number (+45 and 8 digits) →
///     422 "Number is invalid"; in our stock: part of a range, in use, being ported, withheld → 409,
///     premium and caller not ADMIN → 409 purchase access; not in stock: operator lookup fails → 500,
///     no operator holds it → 404, another operator holds it → a port-in: portingReady by a RESELLER →
///     403 number (only the customer's OWNER, who signs the power of attorney, or ADMIN may authorize
///     porting), donor SIM missing → 404, not an ICC → 422, rejected by the donor's check
///     (issuer prefix and Luhn digit) → 422
/// 13. SIM option: more than one of mvnoSim, esim, autoAssignSim (and nosim) → 409 mvnoSim; none → 404
///     sim; bad ICC or network → 422 mvnoSim; unknown ICC → 404 mvnoSim; SIM in use → 409 mvnoSim;
///     auto-assign pool of the network empty → 404 autoAssignSim
/// 14. dataSharingSims: assignEsim with simNumber → 422; unknown → 404; in use → 409; network other
///     than the primary SIM's (data sharing is TDC only) → 409 network; no number left for the
///     reseller's data sharing SIMs → 404 dataSharingSims.number
///
/// `autoAssignSim` is typed Boolean in the docs' table but described as "set this property either
/// TDC or TELENOR": the simulator accepts the network name, and reads `true` as "either network"
/// (TDC's pool first, then TELENOR's); `false` and null mean not set.
///
/// Omitted feature flags take the documented defaults (highRate, international, data, fiveG,
/// roaming, roamingData true; publicIP, chargedServices, voicemail, secretNumber false). Fields the
/// docs restrict are taken only from those who may set them (notes from RESELLER/ADMIN;
/// purchaseInfo and socsOverride from ADMIN) and hidden in the answer as GET hides them.
///
/// The answer is 200 (the docs do not give the status) with the created account as the create
/// page's response table describes it; GET /mvno/{id} and GET /mvno/{number} read it afterwards.
extension TelecomXSimulator {
    struct Rejection: Error {
        var status: Int
        var message: String
        var description: String
        init(_ status: Int, _ message: String, _ description: String) {
            self.status = status
            self.message = message
            self.description = description
        }
    }

    func createAccount(_ request: HTTPRequest, caller: Employee) -> HTTPResponse {
        let level = self.level(of: caller)
        let creators: Set<String> = has("create-viewer-allowed") ? ["VIEWER", "MANAGER", "OWNER", "RESELLER", "ADMIN"] : ["OWNER", "RESELLER", "ADMIN"]
        guard creators.contains(level) else { return error(403, "access_denied", "Insufficient access level") }
        guard !request.body.isEmpty, case .object(let body)? = try? JSONParser.parse(request.body) else {
            if request.body.isEmpty, has("create-no-body-500") {
                return error(500, "internal_error", "Cannot read properties of undefined (reading 'customer')")
            }
            if !request.body.isEmpty, has("create-non-json-500"), (try? JSONParser.parse(request.body)) == nil {
                return error(500, "internal_error", "Unexpected end of JSON input")
            }
            return error(400, "bad_request", "MVNO account not found in body of request")
        }
        let today = Int((clock.now() / 86400).rounded(.down))
        let outcome: Result<(stored: JSON, answer: JSON), Rejection> = inventory.withLock { inv in
            do throws(Rejection) {
                return .success(try create(body, caller: caller, inventory: &inv, today: today))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .failure(let r):
            return error(r.status, r.message, r.description)
        case .success(let created):
            if !has("create-not-persisted") { accounts.withLock { $0.append(created.stored) } }
            var answer = has("create-leak-restricted") ? created.answer : visible(created.answer, to: caller)
            if has("create-pbx-as-string"), case .object(var o) = answer {
                o["pbx"] = .string(o["pbx"]?.intValue.map(String.init) ?? "0")
                answer = .object(o)
            }
            if has("create-renamed-topup-sms"), case .object(var o) = answer, case .object(var f)? = o["feature"],
                let sms = f["dataTopUpSms"]
            {
                f["dataTopUpSms"] = nil
                f["sendTopUpSms"] = sms
                o["feature"] = .object(f)
                answer = .object(o)
            }
            return json(varies("create-201") ? 201 : varies("create-202") ? 202 : 200, presented(answer, as: .createAnswer))
        }
    }

    /// Who may create for `customer`: OWNER of it, RESELLER of its reseller, ADMIN.
    func mayCreate(for customer: Customer, caller: Employee) -> Bool {
        switch level(of: caller) {
        case "ADMIN": return true
        case "OWNER", "VIEWER", "MANAGER": return caller.customer == customer.id || has("create-cross-tenant")
        case "RESELLER": return (caller.reseller != nil && caller.reseller == customer.reseller) || has("create-cross-tenant")
        default: return false
        }
    }

    enum SIMChoice {
        case card(Inventory.SIM, autoAssigned: Bool)
        case esim(network: String)
        case none(network: String)

        var network: String {
            switch self {
            case .card(let s, _): return s.network
            case .esim(let n), .none(let n): return n
            }
        }
    }

    /// Checks the request in the documented order and, when nothing is wrong,
    /// takes the number and SIMs from the stock and returns the stored account
    /// (as GET shows it) and the create answer (as the create page describes it).
    func create(_ sent: JSONObject, caller: Employee, inventory inv: inout Inventory, today: Int) throws(Rejection) -> (
        stored: JSON, answer: JSON
    ) {
        let level = self.level(of: caller)
        var b = try checkDocumentedTypes(sent)
        if varies("services-ignored") { b["services"] = nil }
        if varies("newrateplan-ignored") { b["newRatePlan"] = nil }
        // The request table marks billingCustomer "(OWNER only)", notes "(RESELLER/ADMIN only)" and
        // purchaseInfo and socsOverride "(ADMIN only)": by default another level's value is ignored
        // (billingCustomer: taken from every level); the variants refuse it or ignore it.
        func sentNonNull(_ key: String) -> Bool { b[key].map { !$0.isNull } ?? false }
        if level != "OWNER", sentNonNull("billingCustomer") {
            if varies("billing-customer-owner-only-refused") { throw Rejection(403, "access_denied", "Insufficient access level") }
            if varies("billing-customer-owner-only-ignored") { b["billingCustomer"] = nil }
        }
        if varies("restricted-members-refused"),
            (sentNonNull("notes") && level != "RESELLER" && level != "ADMIN")
                || ((sentNonNull("purchaseInfo") || sentNonNull("socsOverride")) && level != "ADMIN")
        {
            throw Rejection(403, "access_denied", "Insufficient access level")
        }
        func given(_ key: String) -> JSON? {
            guard let v = b[key], !v.isNull else { return nil }
            return v
        }

        // Customer: known, the caller's to act on, not blocked.
        if b["customer"] == nil || b["customer"] == .null, varies("customer-missing-400") {
            throw Rejection(400, "bad_request", "MVNO account not found in body of request")
        }
        guard let customerID = b["customer"]?.stringValue, let customer = seed.customers.first(where: { $0.id.lowercased() == customerID.lowercased() })
        else {
            throw has("create-customer-message")
                ? Rejection(404, "not_found", "Customer not found") : Rejection(404, "customer", "Customer not found")
        }
        guard mayCreate(for: customer, caller: caller) else { throw Rejection(403, "access_denied", "Insufficient access level") }
        if customer.blocked, !has("create-blocked-customer") { throw Rejection(403, "customer", "Customer is blocked") }

        // The docs mark billingCustomer "(OWNER only)" in the request table; read as who typically
        // sets it, not as a restriction: it is checked the same way for every level.
        if let bc = given("billingCustomer") {
            guard let s = bc.stringValue, s == customer.id || inv.billingAssociations[customer.id]?.contains(s) == true else {
                throw Rejection(
                    422, "billingCustomer",
                    "An MVNO account can not be assigned a billing customer, not assosciated with the MVNO account's customer.")
            }
        }
        if let custom = given("custom") {
            guard case .object = custom else { throw Rejection(400, "bad_request", "custom must be an object") }
            let limit =
                has("create-custom-unbounded") ? Int.max : has("create-custom-limit-8k") ? 8192
                : has("create-custom-limit-4097") ? 4097 : has("create-custom-limit-3999") ? 3999
                : has("create-custom-limit-4050") ? 4050
                : varies("custom-limit-4000") ? 4000 : 4096
            if JSONWriter().bytes(custom).count > limit {
                throw Rejection(422, "custom", "Custom data too large, max. 4Kb")
            }
        }
        if let sd = given("startDate") {
            guard let s = sd.stringValue, let day = dayNumber(s), day >= today || has("create-past-start-date") else {
                throw Rejection(422, "startDate", "Start date has to be either today, or in the future")
            }
        }
        var pbx: JSON = 0
        if let p = b["pbx"] {
            if p.isNull {
                pbx = .null
            } else if let i = p.intValue, inv.pbxClusters.contains(i) {
                pbx = p
            } else {
                throw Rejection(422, "pbx", "Pbx is outside the valid range")
            }
        }

        // Rate plans and products.
        // Under reseller-rate-plans a plan is valid only for the customers of the reseller it belongs to.
        func validFor(_ p: Inventory.RatePlan) -> Bool {
            p.valid && (!varies("reseller-rate-plans") || p.reseller == nil || p.reseller == customer.reseller)
        }
        guard let rpID = b["ratePlan"]?.stringValue, let ratePlan = inv.ratePlans[rpID], validFor(ratePlan) else {
            throw Rejection(404, "ratePlan", "Rate plan not found or not valid")
        }
        guard inv.products.contains(ratePlan.nextPeriodProduct) else {
            throw Rejection(404, "not_found", "Product to use for invoicing next period not found")
        }
        if let n = given("newRatePlan") {
            guard let s = n.stringValue, let p = inv.ratePlans[s], validFor(p) else {
                throw Rejection(404, "newRatePlan", "New rate plan not found or not valid")
            }
        }
        if let sv = given("services") {
            guard case .array(let list) = sv, list.allSatisfy({ $0.stringValue.map(inv.services.contains) ?? false }) else {
                throw Rejection(422, "services", "One or more services not found or not valid")
            }
        }
        var socsOverride: JSON?
        if level == "ADMIN", let so = given("socsOverride") {
            guard case .array(let items) = so else { throw Rejection(400, "bad_request", "socsOverride must be an array") }
            for item in items {
                for key in ["soc", "newSoc"] {
                    let soc = item[key]?.stringValue ?? ""
                    if !inv.socs.contains(soc) { throw Rejection(422, "socsOverride", "SOC \(soc) is invalid") }
                }
            }
            socsOverride = so
        }

        // Rest-of-World roaming: the rate plan's included product unless overridden.
        var row: JSONObject? = ratePlan.includedRoW.flatMap { inv.rowProducts[$0] }.map {
            rowDocument($0, isOverride: false, keepAfterExpire: false)
        }
        if let r = given("restOfWorldRoaming") {
            guard case .object(let ro) = r else { throw Rejection(400, "bad_request", "restOfWorldRoaming must be an object") }
            let keep = ro["keepAfterExpire"]?.boolValue ?? false
            if let pid = ro["productId"] {
                if pid.isNull || pid.stringValue == "" {
                    if ratePlan.includedRoW != nil {
                        throw Rejection(
                            409, "restOfWorldRoaming.productId",
                            "Rest-of-World product cannot be removed from a product, that has one included.")
                    }
                    row = nil
                } else if let s = pid.stringValue, let product = inv.rowProducts[s] {
                    row = rowDocument(product, isOverride: s != ratePlan.includedRoW, keepAfterExpire: keep)
                } else {
                    throw Rejection(409, "restOfWorldRoaming.productId", "Product for Rest-of-World roaming not found")
                }
            } else if row != nil {
                row?["keepAfterExpire"] = .bool(keep)
            }
        }

        // Hosted PBX and SIP trunk.
        if let sa = given("sipAccount") {
            guard let s = sa.stringValue, inv.sipAccounts[s] == customer.id else {
                throw Rejection(404, "sipAccount", "SIP account not found")
            }
        }
        if let ex = given("extension") {
            guard let s = ex.stringValue, let e = inv.extensions[s], e.customer == customer.id else {
                throw Rejection(404, "extension", "Extension not found")
            }
            let onTrunk = e.trunk != nil && !varies("trunk-conflict-sip-account")
            let withSIPAccount = given("sipAccount") != nil && (varies("trunk-conflict-sip-account") || varies("trunk-conflict-either"))
            if onTrunk || withSIPAccount {
                throw Rejection(409, "extension", "Cannot be assigned to extension, is already assigned to trunk")
            }
        }

        // The number: bought from our stock, or ported in from another operator.
        guard let number = b["number"]?.stringValue, isE164(number) else {
            throw Rejection(422, "number", "The number is invalid")
        }
        guard isDanishNumber(number) else {
            if varies("foreign-number-404") { throw Rejection(404, "number", "Phone number not found") }
            if varies("foreign-number-409") { throw Rejection(409, "number", "The number is not available") }
            throw Rejection(422, "number", "Number is invalid")
        }
        var donor: Inventory.DonorRange?
        var donorSim: String?
        switch inv.numbers[number] {
        case .rangeMember?:
            throw Rejection(409, "number", "The number is part of a range")
        case .inUse(let holder)?:
            if has("create-in-use-422") { throw Rejection(422, "number", "Number is in use on another account") }
            // create-race-double-sell: the in-use check reads a store that lags
            // behind the API's own writes, so a number just sold is sold again.
            let justSold = has("create-race-double-sell") && !seed.accounts.contains { $0["_id"]?.stringValue == holder }
            if !has("create-duplicate-number") && !justSold { throw Rejection(409, "number", "Number is in use on another account") }
        case .portingIn?:
            throw Rejection(409, "number", "Number is being ported to another account")
        case .unavailable?:
            throw Rejection(409, "number", "The number is not available")
        case .premium?:
            if level != "ADMIN", !has("create-premium-for-all") {
                throw Rejection(409, "number", "Insufficient access level to purchase number")
            }
        case .free?:
            break
        case nil:
            switch inv.lookupOperator(number) {
            case .failure:
                throw Rejection(500, "number", "Failed to lookup operator for number")
            case .success(nil):
                throw Rejection(404, "number", "Phone number not found")
            case .success(let range?):
                let authorizers: Set<String> =
                    varies("reseller-authorizes-porting") ? ["OWNER", "RESELLER", "ADMIN"]
                    : varies("owner-may-not-authorize-porting") ? ["RESELLER", "ADMIN"]
                    : varies("only-admin-authorizes-porting") ? ["ADMIN"] : ["OWNER", "ADMIN"]
                if b["portingReady"]?.boolValue == true, !authorizers.contains(level) {
                    throw Rejection(403, "number", "Insufficient access level to authorize porting of number")
                }
                if varies("port-in-without-donor-sim"), given("donorSimNumber") == nil {
                    donor = range
                    break
                }
                guard let d = given("donorSimNumber")?.stringValue, !d.isEmpty else {
                    throw Rejection(404, "donorSimNumber", "Number requires porting but donor SIM number is invalid")
                }
                guard isICC(d) else { throw Rejection(422, "donorSimNumber", "Donor SIM number is not valid") }
                guard d.hasPrefix(range.iccPrefix), luhnValid(d) else {
                    throw Rejection(422, "donorSimNumber", "SIM number not valid according to donors validation")
                }
                donor = range
                donorSim = d
            }
        }

        // The SIM: exactly one creation option.
        func isSet(_ v: JSON?) -> Bool {
            switch v {
            case nil, .null?, .bool(false)?, .string("")?: return false
            default: return true
            }
        }
        let options = ["mvnoSim", "esim", "autoAssignSim", "nosim"].filter { isSet(b[$0]) }
        if options.count > 1, !has("create-sim-exclusivity") {
            throw Rejection(409, "mvnoSim", "Only mvnoSim, esim, or autoAssignSim can be set at the same time.")
        }
        guard let option = options.first else {
            throw Rejection(404, "sim", "No SIM creation option found - either mvnoSim, esim, or autoAssignSim should be set")
        }
        let invalidSIM = Rejection(422, "mvnoSim", "MVNO SIM data is invalid")
        let networks = ["TDC", "TELENOR"]
        let choice: SIMChoice
        switch option {
        case "mvnoSim":
            guard let icc = b["mvnoSim"]?.stringValue, isICC(icc), !(has("create-icc-max-19") && icc.utf8.count == 20) else {
                throw invalidSIM
            }
            guard let sim = inv.sims[icc] else { throw Rejection(404, "mvnoSim", "SIM card not found") }
            guard sim.usedBy == nil else { throw Rejection(409, "mvnoSim", "SIM card is not available") }
            choice = .card(sim, autoAssigned: false)
        case "esim", "nosim":
            guard let n = b[option]?.stringValue, networks.contains(n) else { throw invalidSIM }
            choice = option == "esim" ? .esim(network: n) : .none(network: n)
        default:
            let wanted: [String]
            switch b["autoAssignSim"] {
            case .bool(true)? where !varies("auto-assign-sim-network-only"): wanted = networks
            case .string(let n)? where networks.contains(n): wanted = [n]
            default: throw invalidSIM
            }
            let pool = inv.sims.values.filter { $0.autoAssignPool && $0.usedBy == nil }.sorted { $0.icc < $1.icc }
            guard let sim = wanted.lazy.compactMap({ n in pool.first { $0.network == n } }).first else {
                throw Rejection(404, "autoAssignSim", "No auto-assign SIMs available")
            }
            choice = .card(sim, autoAssigned: true)
        }

        // Data sharing SIMs (TDC only, max 3), each with a number of the reseller's.
        enum Sharing {
            case card(Inventory.SIM)
            case esim
        }
        var sharing: [(Sharing, name: JSON?)] = []
        if let ds = given("dataSharingSims") {
            guard case .array(let items) = ds, items.count <= 3 else {
                if varies("data-sharing-over-max-422"), case .array = ds {
                    throw Rejection(422, "dataSharingSims", "At most 3 data sharing SIM cards")
                }
                throw Rejection(400, "bad_request", "dataSharingSims must be a list of at most 3 SIM cards")
            }
            for item in items {
                guard case .object(let o) = item else { throw Rejection(400, "bad_request", "dataSharingSims[] must be objects") }
                let icc = o["simNumber"].flatMap(\.stringValue)
                let esim = o["assignEsim"]?.boolValue == true
                if esim, icc != nil {
                    throw Rejection(422, "dataSharingSims.assignEsim", "This property can not be true, if simNumber is not null")
                }
                if let icc {
                    guard let sim = inv.sims[icc] else { throw Rejection(404, "dataSharingSims.simNumber", "SIM card not found") }
                    let taken = sharing.contains { if case .card(let s) = $0.0 { s.icc == icc } else { false } }
                    var primaryICC: String?
                    if case .card(let p, _) = choice { primaryICC = p.icc }
                    guard sim.usedBy == nil, !taken, primaryICC != icc else {
                        throw Rejection(409, "dataSharingSims.simNumber", "SIM card is not available")
                    }
                    guard sim.network == choice.network, choice.network == "TDC" else {
                        throw Rejection(409, "dataSharingSims.network", "SIM card does not belong to same network as the primary SIM card")
                    }
                    sharing.append((.card(sim), o["name"]))
                } else if esim {
                    guard choice.network == "TDC" else {
                        throw Rejection(409, "dataSharingSims.network", "SIM card does not belong to same network as the primary SIM card")
                    }
                    sharing.append((.esim, o["name"]))
                } else {
                    throw Rejection(404, "dataSharingSims.simNumber", "SIM card not found")
                }
            }
            if inv.dataSharingNumbers[customer.reseller, default: []].count < sharing.count {
                throw Rejection(404, "dataSharingSims.number", "No available numbers to assign to data sharing sim")
            }
        }

        // Everything checked: take from the stock and build the account.
        let id = inv.newID("5a2")
        var mvnoSim: JSONObject
        var autoAssigned: Bool? = false
        switch choice {
        case .card(let sim, let auto):
            if !has("create-sim-reusable") { inv.sims[sim.icc]?.usedBy = id }
            mvnoSim = simDocument(sim, autoAssign: nil)
            autoAssigned = auto
        case .esim(let network):
            let sim = inv.newESIM(network: network)
            inv.sims[sim.icc]?.usedBy = id
            mvnoSim = simDocument(sim, autoAssign: nil)
        case .none(let network):
            mvnoSim = JSONObject(pairs: [("network", .string(network))])
            autoAssigned = nil
        }
        var sharingDocs: [JSON] = []
        for (s, name) in sharing {
            let sim: Inventory.SIM
            switch s {
            case .card(let c): sim = c
            case .esim: sim = inv.newESIM(network: "TDC")
            }
            inv.sims[sim.icc]?.usedBy = id
            let n = inv.dataSharingNumbers[customer.reseller, default: []].removeFirst()
            inv.numbers[n] = .inUse(account: id)
            var d = simDocument(sim, autoAssign: nil)
            d["number"] = .string(n)
            if let name { d["name"] = name }
            sharingDocs.append(.object(d))
        }
        var portingID: String?
        if donor != nil {
            let pid = inv.newID("5f3")
            inv.portings[pid] = number
            inv.numbers[number] = .portingIn(account: id, porting: pid)
            portingID = pid
        } else {
            inv.numbers[number] = .inUse(account: id)
        }
        if has("create-porting-as-in-use") { portingID = nil }

        let sent = b["feature"]?.objectValue ?? JSONObject()
        var feature = JSONObject()
        let defaults: [(String, Bool)] = [
            ("highRate", true), ("international", true), ("data", true), ("fiveG", !has("create-fiveg-default-false")),
            ("publicIP", false), ("chargedServices", false), ("voicemail", false), ("secretNumber", false),
            ("roaming", true), ("roamingData", true),
        ]
        for (k, d) in defaults {
            feature[k] = has("create-explicit-false-ignored") ? .bool(d) : (sent[k]?.boolValue).map(JSON.bool) ?? .bool(d)
        }
        for k in ["mms", "dataTopUpSms", "smartWatchSim", "disableHdAudio"] {
            if let v = sent[k]?.boolValue { feature[k] = .bool(v) }
        }
        let future = given("startDate")?.stringValue.flatMap(dayNumber).map { $0 > today } ?? false

        var a = JSONObject()
        a["_id"] = .string(id)
        a["customer"] = .string(customer.id)
        a["state"] = .string(portingID != nil || future ? "CREATING" : "ACTIVE")
        a["type"] = "MVNO"
        a["number"] = .string(number)
        a["feature"] = .object(feature)
        if case .none = choice, varies("nosim-without-sim-object") {
            // No SIM, so no SIM object: the network chosen is not shown.
        } else {
            a["mvnoSim"] = .object(mvnoSim)
        }
        a["dataSharingSims"] = .array(sharingDocs)
        a["mvnoSimNetworkChangeTo"] = .null
        if case .object? = given("voicemail") { a["voicemail"] = b["voicemail"] }
        if let donorSim { a["donorSimNumber"] = .string(donorSim) }
        for k in ["sipAccount", "extension"] { if let v = given(k) { a[k] = v } }
        a["pbx"] = pbx
        a["dnd"] = .bool(b["dnd"]?.boolValue ?? false)
        a["ratePlan"] = .string(ratePlan.id)
        if let v = given("newRatePlan") { a["newRatePlan"] = v }
        a["socs"] = .array(ratePlan.socs.map(JSON.string))
        if let socsOverride { a["socsOverride"] = socsOverride }
        if level == "RESELLER" || level == "ADMIN", let notes = given("notes") { a["notes"] = notes }
        for k in ["custom", "billingCustomer", "startDate", "deleteDate"] { if let v = given(k) { a[k] = v } }
        if has("create-custom-flattened"), case .object(let custom)? = a["custom"] {
            // Nested objects stored as dotted keys: {"crm": {"id": 1}} comes back as {"crm.id": 1}.
            var flat = JSONObject()
            func flatten(_ o: JSONObject, _ prefix: String) {
                for m in o {
                    if case .object(let inner) = m.value { flatten(inner, prefix + m.key + ".") } else { flat[prefix + m.key] = m.value }
                }
            }
            flatten(custom, "")
            a["custom"] = .object(flat)
        }
        if has("create-text-latin1"), let notes = a["notes"]?.stringValue {
            // The UTF-8 bytes read back as Latin-1: 'ø' comes back as 'Ã¸'.
            a["notes"] = .string(String(notes.utf8.map { Character(Unicode.Scalar($0)) }))
        }
        a["info"] = ["updating": false, "dataDisabled": false, "usageBlock": false]
        a["numberState"] = .string(portingID != nil ? "PORTING_IN" : "IN_USE")
        a["listed"] = false
        if let portingID { a["porting"] = .string(portingID) }
        if level == "ADMIN", case .object? = given("purchaseInfo") { a["purchaseInfo"] = b["purchaseInfo"] }
        if let row { a["restOfWorldRoaming"] = .object(row) }
        return (.object(a), createView(a, autoAssigned: autoAssigned))
    }

    /// The stored account as the create page's response table describes it:
    /// `mvnoSim.autoAssign`; Rest-of-World `name`/`price` (GET says
    /// `productName`/`productPrice`); none of the fields only GET lists
    /// (startDate, deleteDate, data sharing SIM names, voicemail greetings).
    func createView(_ stored: JSONObject, autoAssigned: Bool?) -> JSON {
        var o = stored
        for k in ["startDate", "deleteDate"] { o[k] = nil }
        if case .object(var sim)? = o["mvnoSim"], let autoAssigned {
            sim["autoAssign"] = .bool(autoAssigned)
            o["mvnoSim"] = .object(sim)
        }
        if case .array(let list)? = o["dataSharingSims"] {
            o["dataSharingSims"] = .array(
                list.map { s in
                    guard case .object(var d) = s else { return s }
                    d["name"] = nil
                    return .object(d)
                })
        }
        if case .object(var vm)? = o["voicemail"] {
            for k in ["defaultGreeting", "greetings"] { vm[k] = nil }
            o["voicemail"] = .object(vm)
        }
        if case .object(let row)? = o["restOfWorldRoaming"] {
            var r = JSONObject()
            for m in row {
                switch m.key {
                case "productName": r["name"] = m.value
                case "productPrice": r["price"] = m.value
                default: r[m.key] = m.value
                }
            }
            o["restOfWorldRoaming"] = .object(r)
        }
        return .object(o)
    }

    /// Rest-of-World roaming as GET shows it.
    func rowDocument(_ p: Inventory.RoWProduct, isOverride: Bool, keepAfterExpire: Bool) -> JSONObject {
        JSONObject(pairs: [
            ("productId", .string(p.id)), ("productName", .string(p.name)), ("productPrice", .number(p.price)),
            ("isOverride", .bool(isOverride)), ("keepAfterExpire", .bool(keepAfterExpire)),
        ])
    }
}

/// A Danish number: +45 and 8 digits, the first 2–9.
func isDanishNumber(_ s: String) -> Bool {
    let u = Array(s.utf8)
    return s.hasPrefix("+45") && u.count == 11 && u[3] >= UInt8(ascii: "2") && u[3] <= UInt8(ascii: "9")
}

/// Days since 1970-01-01 of a date or date-time string (`YYYY-MM-DD…`), nil when unreadable.
func dayNumber(_ s: String) -> Int? {
    let u = Array(s.utf8)
    guard u.count >= 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u.count == 10 || u[10] == UInt8(ascii: "T")
    else { return nil }
    func digits(_ r: Range<Int>) -> Int? {
        var n = 0
        for i in r {
            guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }
            n = n * 10 + Int(u[i] - 0x30)
        }
        return n
    }
    guard let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10), (1...12).contains(m) else { return nil }
    guard (1...CivilDate.daysInMonth(year: y, month: m)).contains(d) else { return nil }
    return CivilDate(year: y, month: m, day: d).daysSince1970
}

extension TelecomXSimulator {
    /// The request table's types and formats, member by member: a value of
    /// another type (or an id, number, ICC, date or e-mail that is not one) is
    /// answered with the member's own row where one of the rows naming it says
    /// a value is invalid, and 400 bad_request otherwise (variants
    /// `type-errors-400`, `type-errors-member-named` and `type-errors-not-found`
    /// answer a value of the wrong JSON type otherwise). `null` is "no value" everywhere.
    /// Returns the body to go on with: as sent, or under `unnamed-member-ignored`
    /// without the members whose bad value no row of their own answers.
    func checkDocumentedTypes(_ sent: JSONObject) throws(Rejection) -> JSONObject {
        var b = sent
        let ignoreUnnamed = varies("unnamed-member-ignored")
        // Members a row of the error table names (esim and nosim through 422 mvnoSim).
        let rowNamed: Set<String> = [
            "customer", "number", "mvnoSim", "nosim", "esim", "autoAssignSim", "donorSimNumber", "sipAccount",
            "extension", "ratePlan", "custom", "billingCustomer", "startDate",
        ]
        enum Kind {
            case string, id, e164, icc, date, email, bool, number, object, array
            case oneOf([String])
            /// Boolean, or a network name (autoAssignSim: typed Boolean, described as "TDC or TELENOR").
            case boolOrNetwork
        }
        func fits(_ v: JSON, _ k: Kind) -> Bool {
            if v.isNull { return true }
            switch k {
            case .string: return v.stringValue != nil
            case .id: return v.stringValue.map(isObjectID) ?? false
            case .e164: return v.stringValue.map(isE164) ?? false
            case .icc: return v.stringValue.map(isICC) ?? false
            case .date: return v.stringValue.flatMap(dayNumber) != nil
            case .email: return v.stringValue.map { $0.contains("@") && !$0.hasPrefix("@") && !$0.hasSuffix("@") } ?? false
            case .bool: return v.boolValue != nil
            case .number: if case .number = v { return true } else { return false }
            case .object: return v.objectValue != nil
            case .array: if case .array = v { return true } else { return false }
            case .oneOf(let names): return v.stringValue.map(names.contains) ?? false
            case .boolOrNetwork: return v.boolValue != nil || v.stringValue.map(["TDC", "TELENOR"].contains) == true
            }
        }
        /// Whether `v` is at least of the JSON type the kind needs (a string
        /// for ids, numbers, ICCs, dates, e-mails and enums).
        func typeFits(_ v: JSON, _ k: Kind) -> Bool {
            switch k {
            case .id, .e164, .icc, .date, .email, .oneOf, .string: return v.isNull || v.stringValue != nil
            default: return fits(v, k)
            }
        }
        let bad = Rejection(400, "bad_request", "MVNO account not found in body of request")
        let invalidSIM = Rejection(422, "mvnoSim", "MVNO SIM data is invalid")
        /// A member whose value does not fit: a value of the wrong JSON type
        /// answers as the variants say (400 bad_request, or 422 and the
        /// member's dotted name), otherwise `rejection`.
        // The "not found" rows of id members: a stack that looks a malformed id up answers them.
        let notFound: [String: Rejection] = [
            "customer": Rejection(404, "customer", "Customer not found"),
            "sipAccount": Rejection(404, "sipAccount", "SIP account not found"),
            "extension": Rejection(404, "extension", "Extension not found"),
            "ratePlan": Rejection(404, "ratePlan", "Rate plan not found or not valid"),
        ]
        func refuse(_ member: String, _ v: JSON, _ k: Kind, _ rejection: Rejection) -> Rejection {
            guard !typeFits(v, k) else { return rejection }
            if varies("type-errors-400") { return bad }
            if varies("type-errors-member-named") { return Rejection(422, member, "\(member) has the wrong type") }
            if varies("type-errors-not-found"), let row = notFound[member] { return row }
            return rejection
        }
        // The member's row where one of the rows naming it says a value is
        // invalid ("is invalid", "not valid"); otherwise 400 bad_request: a
        // "not found" row is about a well-formed id nobody has, "outside the
        // valid range" about a number out of range, not about a malformed value.
        let top: [(String, Kind, Rejection)] = [
            ("customer", .id, bad),
            ("number", .e164, Rejection(422, "number", "The number is invalid")),
            ("mvnoSim", .icc, invalidSIM),
            ("nosim", .oneOf(["TDC", "TELENOR"]), invalidSIM),
            ("esim", .oneOf(["TDC", "TELENOR"]), invalidSIM),
            ("autoAssignSim", .boolOrNetwork, invalidSIM),
            ("donorSimNumber", .icc, Rejection(422, "donorSimNumber", "Donor SIM number is not valid")),
            ("sipAccount", .id, bad),
            ("extension", .id, bad),
            ("dnd", .bool, bad),
            ("ratePlan", .id, bad),
            ("notes", .string, bad),
            ("custom", .object, bad),
            ("billingCustomer", .id, bad),
            ("startDate", .date, bad),
            ("deleteDate", .date, bad),
            ("requestedPortingDate", .date, bad),
            ("portingReady", .bool, bad),
            ("dataSharingSims", .array, bad),
            ("feature", .object, bad),
            ("voicemail", .object, bad),
            ("purchaseInfo", .object, bad),
            ("mitId", .object, bad),
            ("restOfWorldRoaming", .object, bad),
        ]
        for (key, kind, rejection) in top {
            if let v = b[key], !fits(v, kind) {
                if ignoreUnnamed, !rowNamed.contains(key) {
                    b[key] = nil
                    continue
                }
                throw refuse(key, v, kind, rejection)
            }
        }
        if let p = b["pbx"], !fits(p, .number) {
            if has("create-500-on-bad-type") {
                throw Rejection(500, "internal_error", "Cannot convert value to number (pbx)")
            }
            throw refuse("pbx", p, .number, bad)
        }
        let nested: [(String, [(String, Kind)])] = [
            (
                "feature",
                ["highRate", "international", "data", "fiveG", "publicIP", "chargedServices", "voicemail", "secretNumber",
                 "roaming", "roamingData", "mms", "dataTopUpSms", "smartWatchSim", "disableHdAudio"].map { ($0, Kind.bool) }
            ),
            (
                "voicemail",
                [("notify", .oneOf(["NONE", "SMS", "EMAIL", "BOTH"])), ("email", .email), ("emailFile", .bool), ("pin", .string),
                 ("defaultGreeting", .string), ("greetings", .array)]
            ),
            ("purchaseInfo", [("orderId", .string), ("date", .date), ("paymentOption", .oneOf(["NONE", "BOUGHT", "RENTED"])), ("serial", .string)]),
            ("mitId", [("uuid", .string), ("name", .string), ("authenticationDate", .string)]),
            ("restOfWorldRoaming", [("keepAfterExpire", .bool)]),
        ]
        for (parent, members) in nested {
            guard var o = b[parent]?.objectValue else { continue }
            for (key, kind) in members {
                guard let v = o[key], !fits(v, kind) else { continue }
                guard ignoreUnnamed else { throw refuse(parent + "." + key, v, kind, bad) }
                o[key] = nil
            }
            b[parent] = .object(o)
        }
        if let p = b["restOfWorldRoaming"]?["productId"], !p.isNull, p.stringValue == nil {
            throw refuse("restOfWorldRoaming.productId", p, .string, bad)
        }
        return b
    }
}
