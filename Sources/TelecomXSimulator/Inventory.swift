import JSONKit

/// What POST /mvno draws on and checks against: the phone number stock and
/// the outside world's numbers (held by other operators), SIM cards per
/// network, rate plans and other products, SOCs, SIP accounts, hosted-PBX
/// extensions, billing associations and the numbers handed to data sharing
/// SIMs. Seeded with fixed values so that the simulator's target profile can
/// name them as fixtures (`Cases/targets/simulator.json`, names `create.…`).
public struct Inventory: Sendable {
    /// What our number stock knows about a number.
    public enum NumberState: Sendable, Hashable {
        /// In stock, for sale to anyone who may create the account.
        case free
        /// A premium ("golden") number: in stock, but only ADMIN may purchase it.
        case premium
        /// The number of an existing account.
        case inUse(account: String)
        /// Being ported in to another account.
        case portingIn(account: String, porting: String)
        /// One number of a number range (sold as a block to a SIP trunk), not sold singly.
        case rangeMember(range: String)
        /// Terminated recently and in quarantine, or otherwise withheld from sale.
        case unavailable
    }

    public struct SIM: Sendable, Hashable {
        public var icc: String
        /// TDC or TELENOR.
        public var network: String
        public var formFactor: String
        /// In the auto-assign pool of its network (handed out by `autoAssignSim`).
        public var autoAssignPool: Bool
        /// The account the SIM is used by (as its SIM or as a data sharing SIM).
        public var usedBy: String?
    }

    public struct RatePlan: Sendable, Hashable {
        public var id: String
        public var name: String
        /// Retired plans are "not valid" for new accounts.
        public var valid: Bool
        /// The product the account is invoiced by from the next period on.
        public var nextPeriodProduct: String
        /// The Rest-of-World roaming product the plan includes, if any.
        public var includedRoW: String?
        public var socs: [String]
        /// The reseller the plan belongs to; it is valid only for that reseller's
        /// customers under the variant `reseller-rate-plans` (nil: every customer's).
        public var reseller: String? = nil
    }

    public struct RoWProduct: Sendable, Hashable {
        public var id: String
        public var name: String
        public var price: Double
    }

    public struct Extension: Sendable, Hashable {
        public var id: String
        public var customer: String
        /// The SIP trunk the extension is already assigned to, if any.
        public var trunk: String?
    }

    /// A prefix of numbers held by another operator, who ports them out to us.
    public struct DonorRange: Sendable, Hashable {
        public var prefix: String
        public var operatorName: String
        /// The donor's SIM cards carry this ICC issuer prefix (and a Luhn check digit).
        public var iccPrefix: String
    }

    public var numbers: [String: NumberState]
    public var sims: [String: SIM]
    public var ratePlans: [String: RatePlan]
    /// Products accounts may be invoiced by (the next-period products of rate plans).
    public var products: Set<String>
    public var rowProducts: [String: RoWProduct]
    /// Service products an account may be created with (`services`).
    public var services: Set<String>
    /// SOCs the network knows (for `socsOverride`).
    public var socs: Set<String>
    /// SIP accounts (trunks) by id → the customer they belong to.
    public var sipAccounts: [String: String]
    public var extensions: [String: Extension]
    /// Hosted PBX cluster ids; 0 (and null) mean "not part of hosted PBX".
    public var pbxClusters: ClosedRange<Int>
    /// Customer → the other customers its accounts may be billed to.
    public var billingAssociations: [String: Set<String>]
    /// Reseller → free numbers for data sharing SIMs (handed out in order).
    public var dataSharingNumbers: [String: [String]]
    public var donorRanges: [DonorRange]
    /// Number prefixes whose operator lookup fails (the lookup service errs for them).
    public var lookupFailurePrefixes: [String]
    /// Porting id → number, for port-ins created here.
    public var portings: [String: String] = [:]
    /// Serial for ids, ICCs and codes made here.
    var serial = 0

    /// Fixed ids and values of the seeded stock.
    public enum IDs {
        public static let ratePlan = "5d1000000000000000000001"  // includes RoW product rowIncluded
        public static let ratePlanOther = "5d1000000000000000000002"  // no RoW product included
        public static let ratePlanRetired = "5d1000000000000000000003"  // not valid for new accounts
        public static let ratePlanMissingNextProduct = "5d1000000000000000000004"  // its next-period product is gone
        public static let ratePlanReseller2 = "5d1000000000000000000005"  // reseller 2's (under reseller-rate-plans)
        public static let productNextPeriod = "5d4000000000000000000001"
        public static let productNextPeriodOther = "5d4000000000000000000002"
        public static let productGone = "5d40000000000000000000ff"
        public static let rowIncluded = "5d2000000000000000000001"
        public static let rowOther = "5d2000000000000000000002"
        public static let service1 = "5d3000000000000000000001"
        public static let service2 = "5d3000000000000000000002"
        public static let sipAccount = "5e5000000000000000000001"  // customer 1
        public static let sipAccountCustomer3 = "5e5000000000000000000003"  // customer 3
        public static let extensionFree = "5e6000000000000000000001"  // customer 1
        public static let extensionOnTrunk = "5e6000000000000000000002"  // customer 1, on sipAccount's trunk
        public static let blockedCustomer = "5c1000000000000000000004"  // reseller 1, blocked
        /// An id nothing has: no customer, product, SIP account, extension or account.
        public static let missing = "5f00000000000000000000ff"

        public static let numberPremium = ["+4522222222", "+4533333333", "+4544444444"]
        public static let numberRange = "+4570101050"
        public static let numberPorting = "+4527000002"
        public static let numberUnavailable = "+4527000001"
        public static let numberUnknown = "+4529999998"
        public static let numberMalformed = "4521000001"
        public static let numberForeign = "+46701234567"
        public static let numberLookupFails = "+4589000000"

        public static let simUnknown = "8945019999999999999"
        public static let simUsed = "8945020184621234567"  // account 1's SIM
        public static let dataSharingSimUsed = "89450201846212345670"  // account 1's data sharing SIM (TDC)
        public static let donorSimValid = "8945200000123456788"  // donor prefix 894520, Luhn ok
        public static let donorSimRejected = "8945200000123456789"  // donor prefix, Luhn check digit wrong

        /// Free numbers in stock: +4521000000 … +4521000199.
        public static func freeNumber(_ i: Int) -> String { "+45210" + String(i).leftPad(5) }
        /// Numbers held by the donor operator, portable to us: +4540000000 … +4540000049.
        public static func portInNumber(_ i: Int) -> String { "+45400" + String(i).leftPad(5) }
        /// Free TDC SIMs (19 digits).
        public static func freeTDCSim(_ i: Int) -> String { "8945010000000001" + String(i).leftPad(3) }
        /// Free TELENOR SIMs.
        public static func freeTelenorSim(_ i: Int) -> String { "8945020000000002" + String(i).leftPad(3) }
        /// The TDC auto-assign pool (the TELENOR pool is empty).
        public static func autoAssignTDCSim(_ i: Int) -> String { "8945010000000004" + String(i).leftPad(3) }

        public static let freeNumberCount = 200
        public static let portInNumberCount = 50
        public static let freeTDCSimCount = 60
        /// Free TDC SIMs whose ICCs have 18 and 20 digits, the documented ends of "18-20 digits".
        public static let freeTDCSims18 = ["894501000000000400", "894501000000000401"]
        public static let freeTDCSims20 = ["89450100000000003000", "89450100000000003001"]
        public static let freeTelenorSimCount = 20
        public static let autoAssignTDCSimCount = 20
    }

    /// The standard stock, consistent with `seed`: the numbers and SIMs of its
    /// accounts are in use.
    public init(seed: Seed) {
        typealias I = IDs
        var numbers: [String: NumberState] = [:]
        for i in 0..<I.freeNumberCount { numbers[I.freeNumber(i)] = .free }
        for n in I.numberPremium { numbers[n] = .premium }
        for i in 0..<100 { numbers["+45701010" + String(i).leftPad(2)] = .rangeMember(range: "+4570101000-99") }
        numbers[I.numberUnavailable] = .unavailable
        numbers[I.numberPorting] = .portingIn(account: "5a10000000000000000000a1", porting: "5f30000000000000000000a1")

        var sims: [String: SIM] = [:]
        func add(_ icc: String, _ network: String, _ form: String = "MINI_MICRO_NANO", pool: Bool = false) {
            sims[icc] = SIM(icc: icc, network: network, formFactor: form, autoAssignPool: pool, usedBy: nil)
        }
        for i in 0..<I.freeTDCSimCount { add(I.freeTDCSim(i), "TDC") }
        for i in 0..<I.freeTelenorSimCount { add(I.freeTelenorSim(i), "TELENOR") }
        // The ends of the documented ICC length (18-20 digits).
        for icc in I.freeTDCSims18 + I.freeTDCSims20 { add(icc, "TDC") }
        for i in 0..<I.autoAssignTDCSimCount { add(I.autoAssignTDCSim(i), "TDC", pool: true) }

        // The seeded accounts hold their numbers and SIMs.
        for account in seed.accounts {
            guard let id = account["_id"]?.stringValue else { continue }
            if let n = account["number"]?.stringValue { numbers[n] = .inUse(account: id) }
            var held: [JSON] = []
            if let s = account["mvnoSim"] { held.append(s) }
            if let s = account["smartWatch"]?["smartWatchSim"] { held.append(s) }
            held += account["dataSharingSims"]?.arrayValue ?? []
            for s in held {
                guard let icc = s["simNumber"]?.stringValue else { continue }
                sims[icc] = SIM(
                    icc: icc, network: s["network"]?.stringValue ?? "TDC", formFactor: s["formFactor"]?.stringValue ?? "NANO",
                    autoAssignPool: false, usedBy: id)
            }
            for s in account["dataSharingSims"]?.arrayValue ?? [] {
                if let n = s["number"]?.stringValue { numbers[n] = .inUse(account: id) }
            }
            if let n = account["smartWatch"]?["number"]?.stringValue { numbers[n] = .inUse(account: id) }
        }

        self.numbers = numbers
        self.sims = sims
        ratePlans = [
            I.ratePlan: RatePlan(
                id: I.ratePlan, name: "Mobil Fri 10 GB", valid: true, nextPeriodProduct: I.productNextPeriod,
                includedRoW: I.rowIncluded, socs: ["SOC1", "VOLTE", "DATA5G"]),
            I.ratePlanOther: RatePlan(
                id: I.ratePlanOther, name: "Mobil Basis", valid: true, nextPeriodProduct: I.productNextPeriodOther,
                includedRoW: nil, socs: ["SOC1", "VOLTE"]),
            I.ratePlanRetired: RatePlan(
                id: I.ratePlanRetired, name: "Mobil 2019 (udgået)", valid: false, nextPeriodProduct: I.productNextPeriod,
                includedRoW: nil, socs: ["SOC1"]),
            I.ratePlanMissingNextProduct: RatePlan(
                id: I.ratePlanMissingNextProduct, name: "Mobil Kampagne", valid: true, nextPeriodProduct: I.productGone,
                includedRoW: nil, socs: ["SOC1"]),
            I.ratePlanReseller2: RatePlan(
                id: I.ratePlanReseller2, name: "Mobil Fri 10 GB (reseller 2)", valid: true, nextPeriodProduct: I.productNextPeriod,
                includedRoW: I.rowIncluded, socs: ["SOC1", "VOLTE", "DATA5G"], reseller: Seed.IDs.reseller2),
        ]
        for id in [I.ratePlan, I.ratePlanOther, I.ratePlanRetired, I.ratePlanMissingNextProduct] {
            ratePlans[id]?.reseller = Seed.IDs.reseller1
        }
        products = [I.productNextPeriod, I.productNextPeriodOther]
        rowProducts = [
            I.rowIncluded: RoWProduct(id: I.rowIncluded, name: "Verdenspakke 1 Gb - Autostart", price: 50),
            I.rowOther: RoWProduct(id: I.rowOther, name: "Verdenspakke 5 Gb", price: 100),
        ]
        services = [I.service1, I.service2]
        socs = ["SOC1", "SOC2", "SOC3", "VOLTE", "DATA5G", "ROAMEU", "BADSOC", "GOODSOC"]
        sipAccounts = [I.sipAccount: Seed.IDs.customer1, I.sipAccountCustomer3: Seed.IDs.customer3]
        extensions = [
            I.extensionFree: Extension(id: I.extensionFree, customer: Seed.IDs.customer1, trunk: nil),
            I.extensionOnTrunk: Extension(id: I.extensionOnTrunk, customer: Seed.IDs.customer1, trunk: I.sipAccount),
        ]
        pbxClusters = 0...9
        billingAssociations = [Seed.IDs.customer1: [Seed.IDs.customer2]]
        dataSharingNumbers = [Seed.IDs.reseller1: (100..<150).map { "+453000" + String($0).leftPad(4) }, Seed.IDs.reseller2: []]
        donorRanges = [DonorRange(prefix: "+4540", operatorName: "Telia", iccPrefix: "894520")]
        lookupFailurePrefixes = ["+4589"]
    }

    // MARK: values made here

    mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    /// A new 24-hex id with a 3-character kind prefix (`5a2` accounts, `5f3` portings).
    mutating func newID(_ prefix: String) -> String {
        prefix + String(nextSerial(), radix: 16).leftPad(24 - prefix.count)
    }

    /// A new eSIM of `network` (never runs out: eSIM profiles are downloaded on demand).
    mutating func newESIM(network: String) -> SIM {
        let n = nextSerial()
        let icc = (network == "TDC" ? "8945010000000009" : "8945020000000009") + String(n).leftPad(3)
        let sim = SIM(icc: icc, network: network, formFactor: "eSIM", autoAssignPool: false, usedBy: nil)
        sims[icc] = sim
        return sim
    }

    /// The operator holding a number we do not stock: the donor range it is in,
    /// nil when no operator holds it, or a failure of the lookup service.
    func lookupOperator(_ number: String) -> Result<DonorRange?, LookupFailure> {
        if lookupFailurePrefixes.contains(where: number.hasPrefix) { return .failure(LookupFailure()) }
        return .success(donorRanges.first { number.hasPrefix($0.prefix) })
    }

    struct LookupFailure: Error {}
}

/// The SIM card as an account document shows it (`mvnoSim`, `dataSharingSims[]`),
/// with codes derived from the ICC.
func simDocument(_ sim: Inventory.SIM, autoAssign: Bool?) -> JSONObject {
    let tail = String(sim.icc.suffix(10))
    let mnc = sim.network == "TDC" ? "01" : "02"
    var o = JSONObject(pairs: [
        ("simNumber", .string(sim.icc)), ("imsi", .string("238" + mnc + tail)), ("network", .string(sim.network)),
        ("puk1", .string(String(tail.suffix(8)))), ("puk2", .string(String(tail.prefix(8)))),
        ("pin1", .string(String(tail.suffix(4)))), ("pin2", .string(String(tail.prefix(4)))),
        ("formFactor", .string(sim.formFactor)),
    ])
    if let autoAssign { o["autoAssign"] = .bool(autoAssign) }
    if sim.formFactor == "eSIM" { o["activationCode"] = .string("LPA:1$sm-dp.example$" + tail) }
    return o
}

/// Whether `s` passes the Luhn check (the ICC's last digit is its check digit).
func luhnValid(_ s: String) -> Bool {
    var total = 0
    for (i, c) in s.reversed().enumerated() {
        guard var d = c.wholeNumberValue else { return false }
        if i % 2 == 1 {
            d *= 2
            if d > 9 { d -= 9 }
        }
        total += d
    }
    return total % 10 == 0
}

/// An ICC number: 18–20 digits.
func isICC(_ s: String) -> Bool { (18...20).contains(s.utf8.count) && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
