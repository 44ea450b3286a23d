import JSONKit

/// Documents for `conformance-bench schema`: a deleted-accounts page with
/// every documented field of every account set, and a fully-populated account
/// as GET returns it to ADMIN. API knowledge, so it lives with the simulator.
public enum BenchmarkDocuments {
    static func hex24(_ n: Int, prefix: String) -> String {
        let h = String(n, radix: 16)
        return prefix + String(repeating: "0", count: 24 - prefix.count - h.count) + h
    }

    /// One deleted account with every documented field set.
    public static func deletedAccount(_ i: Int) -> JSON {
        let day = 1 + i % 28
        let d = day < 10 ? "0\(day)" : "\(day)"
        return [
            "_id": .string(hex24(i, prefix: "5a")), "state": "ACTIVE", "number": .string("+45\(30_000_000 + i)"),
            "customer": .string(hex24(i % 50, prefix: "5c")), "customerName": "Bente Bents Autodele ApS",
            "reseller": .string(hex24(i % 2, prefix: "5e")), "resellerName": "Telenettet A/S",
            "ratePlan": .string(hex24(i % 7, prefix: "5d")), "ratePlanName": "Free speech, free SMS/MMS, 5Gb data",
            "preterminateUntil": .string("2026-12-\(d)T05:00:00.000Z"), "deleted": .string("2026-11-\(d)T05:00:00.000Z"),
            "pbx": 1, "extension": .string(hex24(i, prefix: "5f")), "extensionNumber": "1234", "dnd": false,
            "dataDisabled": false, "updating": false, "numberState": "IN_USE", "employee": .string(hex24(i, prefix: "5b")),
            "employeeName": "Hans Christian Andersen", "name": "Reception phone", "porting": .string(hex24(i, prefix: "50")),
            "usageBlock": false, "deviceType": "Apple iPhone 15 Pro", "startDate": "2024-03-04T22:00:00.000Z",
            "deleteDate": "2026-11-30T00:00:00.000Z", "simNumber": .string("89450201846\(21_000_000 + i)"),
            "imei": "356938035643809",
            "socs": ["SOC1", "SOC2", "SOC3", "DATA5G"],
            "socsOverride": [["soc": "BADSOC", "newSoc": "GOODSOC", "expireEOM": true, "startEOM": false]],
            "socLimit": ["data": 10240, "minutes": 600],
        ]
    }

    /// A page of `count` deleted accounts (of `total`), at offset 0.
    public static func deletedPage(count: Int, total: Int) -> JSON {
        ["offset": 0, "limit": .number(Double(count)), "total": .number(Double(total)), "mvnoAccounts": .array((0..<count).map(deletedAccount))]
    }

    /// A fully-populated account as GET returns it to ADMIN (every documented field).
    public static let fullAccountJSON = """
        {"_id":"5a1000000000000000000001","customer":"5c1000000000000000000001","state":"ACTIVE","type":"MVNO","number":"+4520000001",
        "feature":{"highRate":true,"international":true,"data":true,"fiveG":false,"publicIP":false,"chargedServices":false,"voicemail":true,"secretNumber":false,"roaming":true,"roamingData":true,"mms":true,"dataTopUpSms":true,"smartWatchSim":true,"disableHdAudio":false},
        "mvnoSim":{"simNumber":"8945020184621234567","imsi":"238010000000001","network":"TELENOR","puk1":"11223344","puk2":"55667788","pin1":"1234","pin2":"5678","formFactor":"MINI_MICRO","activationCode":"LPA:1$x$y"},
        "dataSharingSims":[{"simNumber":"89450201846212345670","imsi":"238010000000011","network":"TDC","puk1":"22334455","puk2":"66778899","pin1":"4321","pin2":"8765","formFactor":"eSIM","activationCode":"LPA:1$sm$A","number":"+4530000011","name":"My Laptop"}],
        "mvnoSimNetworkChangeTo":{"simNumber":"8945020184621234568","imsi":"238010000000002","network":"TDC","puk1":"1","puk2":"2","pin1":"3","pin2":"4","formFactor":"NANO","when":null,"socs":["X"]},
        "voicemail":{"notify":"BOTH","email":"donald@duck.com","emailFile":true,"pin":"1234567890","pinBlockedUntil":"2026-01-01T00:00:00.000Z","defaultGreeting":"standard","greetings":[{"key":"1","fileId":"5f1000000000000000000001"}]},
        "donorSimNumber":"8945020184621234569","sipAccount":"5f2000000000000000000001","pbx":1,"extension":"5f3000000000000000000001","dnd":false,
        "ratePlan":"5d1000000000000000000001","newRatePlan":"5d1000000000000000000002","socs":["SOC1","SOC2","SOC3"],
        "socsOverride":[{"soc":"BADSOC","newSoc":"GOODSOC","expireEOM":true,"startEOM":false,"setBySystem":false}],
        "notes":"This is a mobile phone account used by John Doe","custom":{"crm":"A-17"},"billingCustomer":"5c1000000000000000000002",
        "invoicedUntil":"2026-10-31T23:00:00.000Z","startDate":"2024-12-20T00:00:00.000Z","deleteDate":null,"employeeDeleteDate":"2027-01-01T00:00:00.000Z",
        "info":{"updating":false,"dataDisabled":false,"imei":"356938035643809","usageBlock":false},"deviceType":"Apple iPhone 15",
        "numberState":"IN_USE","employee":"5b1000000000000000000003","employeeName":"Hans Christian Andersen","employeeBillingCustomer":"5c1000000000000000000001",
        "name":"Reception","listed":false,"porting":"501000000000000000000001",
        "purchaseInfo":{"orderId":"1238","date":"2024-12-01T00:00:00.000Z","paymentOption":"RENTED","serial":"SN-1"},
        "topUp":{"data":1073741824},"socLimit":{"data":10240,"minutes":600},
        "smartWatch":{"eid":"12121212121212121212121212121212","model":"ios","number":"+4522334455","state":"ACTIVE","orderState":"Success","createdAt":"2025-02-01T10:00:00.000Z","invoicedUntil":"2026-10-31T23:00:00.000Z",
          "smartWatchSim":{"simNumber":"8945020184621234599","imsi":"238010000000099","network":"TDC","puk1":"12345678","puk2":"12345678","pin1":"1234","pin2":"1234","formFactor":"eSIM","activationCode":"LPA:1$sm$W"}},
        "restOfWorldRoaming":{"productId":"1234567890ABCD1234567890","productName":"Verdenspakke 1 Gb","productPrice":50,"isOverride":false,"keepAfterExpire":true}}
        """
}
