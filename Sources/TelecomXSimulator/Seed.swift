import JSONKit

/// A user of the TelecomX API, as the simulator knows it.
public struct Employee: Sendable, Hashable {
    public var id: String
    public var name: String
    public var email: String
    public var password: String
    /// VIEWER, MANAGER, OWNER, RESELLER, RESELLER_ADMIN or ADMIN.
    public var accessLevel: String
    /// The customer the user belongs to (customer-level users).
    public var customer: String?
    /// The reseller the user belongs to (reseller-level users).
    public var reseller: String?
    /// The demo token the simulator accepts for this user.
    public var token: String
}

public struct Customer: Sendable, Hashable {
    public var id: String
    public var name: String
    public var reseller: String
    public var blocked: Bool
}

public struct Reseller: Sendable, Hashable {
    public var id: String
    public var name: String
}

/// The simulator's seeded world: two resellers, three customers, users at
/// every access level, and accounts. Ids are fixed so that the simulator's
/// target profile can name them as fixtures.
public struct Seed: Sendable {
    public var resellers: [Reseller]
    public var customers: [Customer]
    public var employees: [Employee]
    /// Accounts as stored: the full document, including ADMIN-only fields.
    public var accounts: [JSON]

    public enum IDs {
        public static let reseller1 = "5e1000000000000000000001"
        public static let reseller2 = "5e1000000000000000000002"
        public static let customer1 = "5c1000000000000000000001"  // reseller 1
        public static let customer2 = "5c1000000000000000000002"  // reseller 1
        public static let customer3 = "5c1000000000000000000003"  // reseller 2
        public static let account1 = "5a1000000000000000000001"  // customer 1, fully populated
        public static let account2 = "5a1000000000000000000002"  // customer 2
        public static let account3 = "5a1000000000000000000003"  // customer 3
        /// Accounts that show the documented values the others do not (fixtures `values.*`).
        public static let accountCreating = "5a1000000000000000000004"  // customer 2: CREATING, PORTING_IN, MINI_MICRO_NANO
        public static let accountDeleting = "5a1000000000000000000005"  // customer 2: DELETING, PORTING_OUT, eSIM
        public static let accountBlocked = "5a1000000000000000000006"  // customer 2: BLOCKED
        public static let missingAccount = "5a10000000000000000000ff"
        public static let number1 = "+4520000001"
        public static let number2 = "+4520000002"
        public static let number3 = "+4520000003"
        public static let numberCreating = "+4520000004"
        public static let numberDeleting = "+4520000005"
        public static let numberBlocked = "+4520000006"
        public static let missingNumber = "+4529999999"
    }

    /// The seeded user that plays each harness role.
    public var employeesByRole: [(role: String, employee: Employee)] {
        [
            ("VIEWER", "viewer@c1"), ("MANAGER", "manager@c1"), ("OWNER", "owner@c1"), ("RESELLER", "reseller@r1"),
            ("RESELLER_ADMIN", "reselleradmin@r1"), ("ADMIN", "admin"), ("OTHER_CUSTOMER", "owner@c3"),
            ("OTHER_RESELLER", "reseller@r2"),
        ].map { role, key in (role, employees.first { $0.email.hasPrefix(key + ".") }!) }
    }

    /// Demo tokens by role name, as `conformance serve` prints them.
    public var tokensByRole: [(role: String, token: String)] { employeesByRole.map { ($0.role, $0.employee.token) } }

    public static let standard: Seed = {
        typealias I = IDs
        let resellers = [
            Reseller(id: I.reseller1, name: "Telenettet A/S"), Reseller(id: I.reseller2, name: "Andet Net ApS"),
        ]
        let customers = [
            Customer(id: I.customer1, name: "Bente Bents Autodele", reseller: I.reseller1, blocked: false),
            Customer(id: I.customer2, name: "Hansens VVS", reseller: I.reseller1, blocked: false),
            Customer(id: I.customer3, name: "Fremmed Firma", reseller: I.reseller2, blocked: false),
            // Blocked, under reseller 1: POST /mvno for it answers 403 customer (Inventory.IDs.blockedCustomer).
            Customer(id: Inventory.IDs.blockedCustomer, name: "Lukket Firma", reseller: I.reseller1, blocked: true),
        ]
        func emp(_ n: Int, _ email: String, _ level: String, customer: String? = nil, reseller: String? = nil)
            -> Employee
        {
            let id = "5b10000000000000000000" + String(n).leftPad(2)
            return Employee(
                id: id, name: email, email: email + ".example", password: "pw-" + email, accessLevel: level,
                customer: customer, reseller: reseller, token: "sim-" + email.replacingAt() + "-token")
        }
        let employees = [
            emp(1, "viewer@c1", "VIEWER", customer: I.customer1),
            emp(2, "manager@c1", "MANAGER", customer: I.customer1),
            emp(3, "owner@c1", "OWNER", customer: I.customer1),
            emp(4, "reseller@r1", "RESELLER", reseller: I.reseller1),
            emp(5, "reselleradmin@r1", "RESELLER_ADMIN", reseller: I.reseller1),
            emp(6, "admin", "ADMIN"),
            emp(7, "owner@c3", "OWNER", customer: I.customer3),
            emp(8, "reseller@r2", "RESELLER", reseller: I.reseller2),
        ]
        return Seed(
            resellers: resellers, customers: customers, employees: employees,
            accounts: [
                fullAccount(), plainAccount(I.account2, I.customer2, I.number2), plainAccount(I.account3, I.customer3, I.number3),
            ] + valueAccounts())
    }()

    /// Accounts in the documented states, number states and SIM form
    /// factors that the first three do not show (mvno-account-get.txt: state
    /// 'ACTIVE', 'CREATING', 'DELETING', 'BLOCKED'; numberState IN_USE,
    /// PORTING_IN, PORTING_OUT; formFactor 'MINI_MICRO', 'NANO',
    /// 'MINI_MICRO_NANO' or 'eSIM'), so that a server reporting one value as
    /// another is caught.
    static func valueAccounts() -> [JSON] {
        typealias I = IDs
        func with(_ account: JSON, _ changes: [(String, JSON)]) -> JSON {
            guard case .object(var o) = account else { return account }
            for (k, v) in changes { o[k] = v }
            return .object(o)
        }
        let creating = with(
            plainAccount(I.accountCreating, I.customer2, I.numberCreating),
            [
                ("state", "CREATING"), ("numberState", "PORTING_IN"), ("porting", "5f3000000000000000000004"),
                ("donorSimNumber", "8945029000000000041"),
                ("mvnoSim", ["simNumber": "8945020184621000004", "imsi": "238020000000004", "network": "TELENOR", "formFactor": "MINI_MICRO_NANO"]),
                ("startDate", "2026-12-15T00:00:00.000Z"),
            ])
        let deleting = with(
            plainAccount(I.accountDeleting, I.customer2, I.numberDeleting),
            [
                ("state", "DELETING"), ("numberState", "PORTING_OUT"), ("porting", "5f3000000000000000000005"),
                ("mvnoSim", [
                    "simNumber": "8945010184621000005", "imsi": "238010000000105", "network": "TDC", "formFactor": "eSIM",
                    "activationCode": "LPA:1$sm-dp.example$DELETING",
                ]),
                ("deleteDate", "2026-12-31T23:00:00.000Z"),
            ])
        let blocked = with(
            plainAccount(I.accountBlocked, I.customer2, I.numberBlocked),
            [
                ("state", "BLOCKED"),
                ("mvnoSim", ["simNumber": "8945010184621000006", "imsi": "238010000000106", "network": "TDC", "formFactor": "NANO"]),
            ])
        return [creating, deleting, blocked] + watchAccounts()
    }

    /// Accounts with a smart watch, voicemail and purchase info in the
    /// documented values the full account does not show
    /// (mvno-account-get.txt: smartWatch.state NONE, CREATING, ORDERED,
    /// ACTIVE, FAILED or DELETING; smartWatch.orderState 'Cancelled',
    /// 'Partially Failed', 'Success', 'Failure', 'Blocked', 'Acknowledged' or
    /// 'Waiting'; smartWatch.model android or ios; voicemail.notify NONE, SMS,
    /// EMAIL, BOTH; purchaseInfo.paymentOption BOUGHT or RENTED), customer 2,
    /// ids …07 to …0c, numbers +4520000007 to +4520000012.
    static func watchAccounts() -> [JSON] {
        let values: [(state: String, order: String, model: String, notify: String, payment: String)] = [
            ("NONE", "Waiting", "android", "NONE", "BOUGHT"),
            ("CREATING", "Acknowledged", "ios", "SMS", "RENTED"),
            ("ORDERED", "Partially Failed", "android", "EMAIL", "BOUGHT"),
            ("FAILED", "Failure", "ios", "NONE", "RENTED"),
            ("DELETING", "Cancelled", "android", "SMS", "BOUGHT"),
            ("ACTIVE", "Blocked", "ios", "EMAIL", "RENTED"),
        ]
        return values.enumerated().map { i, v in
            let n = i + 7
            let id = "5a10000000000000000000" + String(n, radix: 16).leftPad(2)
            guard case .object(var o) = plainAccount(id, IDs.customer2, "+45200000" + String(n).leftPad(2)) else { return .null }
            o["feature"] = [
                "highRate": true, "international": true, "data": true, "roaming": true, "roamingData": true,
                "voicemail": true, "smartWatchSim": true,
            ]
            // plainAccount makes the SIM's digits of the id's last hex digit: decimal ones here.
            o["mvnoSim"] = [
                "simNumber": .string("89450201846210000" + String(n).leftPad(2)), "imsi": .string("2380100000001" + String(n).leftPad(2)),
                "network": "TDC", "formFactor": "NANO",
            ]
            o["voicemail"] = ["notify": .string(v.notify), "pin": "2468"]
            o["purchaseInfo"] = ["orderId": .string("W-\(n)"), "date": "2025-06-01T00:00:00.000Z", "paymentOption": .string(v.payment)]
            o["smartWatch"] = [
                "eid": .string(String(repeating: String(n % 10), count: 32)), "model": .string(v.model),
                "number": .string("+45223344" + String(n).leftPad(2)), "state": .string(v.state), "orderState": .string(v.order),
                "createdAt": "2025-06-01T10:00:00.000Z",
            ]
            return .object(o)
        }
    }

    /// An account with every documented field filled in, so that every part
    /// of the schema is exercised.
    static func fullAccount() -> JSON {
        typealias I = IDs
        let sim: JSON = [
            "simNumber": "8945020184621234567", "imsi": "238010000000001", "network": "TELENOR", "puk1": "11223344",
            "puk2": "55667788", "pin1": "1234", "pin2": "5678", "formFactor": "MINI_MICRO",
        ]
        return [
            "_id": .string(I.account1), "customer": .string(I.customer1), "state": "ACTIVE", "type": "MVNO",
            "number": .string(I.number1),
            "feature": [
                "highRate": true, "international": true, "data": true, "fiveG": false, "publicIP": false,
                "chargedServices": false, "voicemail": true, "secretNumber": false, "roaming": true,
                "roamingData": true, "mms": true, "dataTopUpSms": true, "smartWatchSim": true, "disableHdAudio": false,
            ],
            "mvnoSim": sim,
            "dataSharingSims": [
                [
                    "simNumber": "89450201846212345670", "imsi": "238010000000011", "network": "TDC", "puk1": "22334455",
                    "puk2": "66778899", "pin1": "4321", "pin2": "8765", "formFactor": "eSIM",
                    "activationCode": "LPA:1$sm-dp.example$ABCDEF", "number": "+4530000011", "name": "My Laptop",
                ]
            ],
            "mvnoSimNetworkChangeTo": nil,
            "voicemail": [
                "notify": "BOTH", "email": "donald@duck.com", "emailFile": true, "pin": "1234567890",
                "defaultGreeting": "standard",
                "greetings": [["key": "1", "fileId": "5f1000000000000000000001"]],
            ],
            "pbx": 0, "dnd": false, "ratePlan": "5d1000000000000000000001", "newRatePlan": "5d1000000000000000000002",
            "socs": ["SOC1", "SOC2", "SOC3"],
            "socsOverride": [
                ["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true, "startEOM": false, "setBySystem": false]
            ],
            "notes": "This is a mobile phone account used by John Doe", "custom": ["crm": "A-17"],
            "invoicedUntil": "2026-10-31T23:00:00.000Z", "startDate": "2024-12-20T00:00:00.000Z",
            "deleteDate": nil,
            "info": ["updating": false, "dataDisabled": false, "imei": "356938035643809", "usageBlock": false],
            "deviceType": "Apple iPhone 15", "numberState": "IN_USE", "employee": "5b1000000000000000000003",
            "employeeName": "Hans Christian Andersen", "listed": false,
            "purchaseInfo": ["orderId": "1238", "date": "2024-12-01T00:00:00.000Z", "paymentOption": "RENTED", "serial": "SN-1"],
            "topUp": ["data": 1_073_741_824],
            "socLimit": ["data": 10240, "minutes": 600],
            "smartWatch": [
                "eid": "12121212121212121212121212121212", "model": "ios", "number": "+4522334455", "state": "ACTIVE",
                "orderState": "Success", "createdAt": "2025-02-01T10:00:00.000Z",
                "invoicedUntil": "2026-10-31T23:00:00.000Z",
                "smartWatchSim": [
                    "simNumber": "8945020184621234599", "imsi": "238010000000099", "network": "TDC", "puk1": "12345678",
                    "puk2": "12345678", "pin1": "1234", "pin2": "1234", "formFactor": "eSIM",
                    "activationCode": "LPA:1$sm-dp.example$WATCH",
                ],
            ],
            "restOfWorldRoaming": [
                "productId": "1234567890ABCD1234567890", "productName": "Verdenspakke 1 Gb - Autostart",
                "productPrice": 50, "isOverride": false, "keepAfterExpire": true,
            ],
        ]
    }

    static func plainAccount(_ id: String, _ customer: String, _ number: String) -> JSON {
        [
            "_id": .string(id), "customer": .string(customer), "state": "ACTIVE", "type": "MVNO", "number": .string(number),
            "feature": ["highRate": true, "international": true, "data": true, "roaming": true, "roamingData": true],
            "mvnoSim": [
                "simNumber": .string("894502018462100000" + String(id.suffix(1))),
                "imsi": .string("23801000000010" + String(id.suffix(1))),
                "network": "TDC", "formFactor": "NANO",
            ],
            "dataSharingSims": [], "pbx": 0, "ratePlan": "5d1000000000000000000001", "socs": ["SOC1"],
            "notes": "Plain account", "numberState": "IN_USE", "listed": false, "startDate": "2025-01-01T00:00:00.000Z",
        ]
    }
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
    func replacingAt() -> String { String(map { $0 == "@" ? "-" : $0 }) }
}
