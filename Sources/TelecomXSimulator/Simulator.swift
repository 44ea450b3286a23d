import HTTPServer
import JSONKit
import Synchronization

/// The documented TelecomX MVNO API as a function from request to response,
/// over an in-memory store. Serve it with `HTTPServer`, or call `respond`
/// directly in tests.
public final class TelecomXSimulator: Sendable {
    let seed: Seed
    let accounts: Mutex<[JSON]>
    /// What POST /mvno draws on: numbers, SIMs, products… (see Inventory.swift).
    let inventory: Mutex<Inventory>
    /// What GET /mvno/deleted lists, in list order (see DeletedAccounts.swift).
    let deletedAccounts: [DeletedAccount]
    public let faults: Set<String>
    /// Ways to behave that the docs allow but that differ from the default (see Variants.swift).
    public let variants: Set<String>
    /// Tokens issued by POST /auth/login: token → (employee id, expiry).
    let sessions = Mutex<[String: (employee: String, expires: Double)]>([:])
    /// How long a login token lives (the vendor's default is 15 minutes).
    public let loginLifetime: Duration
    /// Where "now" is read (tokens, today, the deleted list's windows).
    public let clock: SimulatorClock

    public init(
        seed: Seed = .standard, faults: [Fault] = [], variants: [Variant] = [], loginLifetime: Duration = .seconds(15 * 60),
        clock: SimulatorClock = .system
    ) {
        self.clock = clock
        self.seed = seed
        self.accounts = Mutex(seed.accounts)
        self.inventory = Mutex(Inventory(seed: seed))
        var deleted = DeletedAccounts.generate(seed: seed, now: clock.epochSeconds)
        if variants.contains(where: { $0.name == "notes-mention-devices" }) { DeletedAccounts.mentionDevices(in: &deleted) }
        self.deletedAccounts = deleted
        self.faults = Set(faults.map(\.name))
        self.variants = Set(variants.map(\.name))
        self.loginLifetime = loginLifetime
    }

    public var handler: HTTPHandler { { [self] request in self.respond(request) } }

    func has(_ fault: String) -> Bool { faults.contains(fault) }

    /// Every answer carries a `Date` from the simulator's clock (the server
    /// would stamp the real time, and a manual clock's data would then look
    /// months old or in the future to a check that reads the answer's time).
    public func respond(_ request: HTTPRequest) -> HTTPResponse {
        var response = route(request)
        if !response.headers.contains("Date") {
            response.headers.add(name: "Date", value: httpDate(secondsSince1970: clock.epochSeconds))
        }
        return response
    }

    func route(_ request: HTTPRequest) -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments == ["auth", "login"] {
            return request.method == "POST" ? login(request) : error(405, "method_not_allowed", "Use POST")
        }
        guard segments.first == "mvno" else {
            return error(404, "not_found", "No such resource")
        }
        let caller: Employee
        switch authenticate(request) {
        case .success(let e): caller = e
        case .failure(let response): return response
        }
        switch (request.method, segments.count) {
        case ("GET", 2) where segments[1] == "deleted": return listDeleted(request, caller: caller)
        case ("GET", 2):
            if has("get-plus-encoded-not-decoded"), let raw = request.target.split(separator: "?").first?.split(separator: "/").last,
                raw.uppercased().hasPrefix("%2B")
            {
                return getAccount(String(raw), caller: caller)
            }
            return getAccount(segments[1], caller: caller)
        case ("POST", 1): return createAccount(request, caller: caller)
        case (_, 1), (_, 2):
            return error(405, "method_not_allowed", "Method \(request.method) is not supported here")
        default:
            return error(404, "not_found", "No such resource")
        }
    }

    // MARK: authentication and access

    /// POST /auth/login: `username` (e-mail) and `password` → `token`,
    /// `expiresInMinutes`, `employee`, `customer`, `accessLevel`; wrong
    /// credentials answer 401 credentials_invalid.
    func login(_ request: HTTPRequest) -> HTTPResponse {
        guard let body = try? JSONParser.parse(request.body), let username = body["username"]?.stringValue,
            let password = body["password"]?.stringValue,
            let e = seed.employees.first(where: { $0.email == username && $0.password == password })
        else {
            return error(401, "credentials_invalid", "Wrong username or password")
        }
        var generator = SystemRandomNumberGenerator()
        var token = "sim-session-" + (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        if varies("base64-tokens") { token = Self.base64Token(token) }
        let c = loginLifetime.components
        let lifetime = Double(c.seconds) + Double(c.attoseconds) / 1e18
        sessions.withLock { $0[token] = (e.id, clock.now() + lifetime) }
        let minutes = lifetime / 60
        var o = JSONObject(pairs: [
            ("token", .string(token)), ("expiresInMinutes", .number(minutes)), ("employee", .string(e.id)),
            ("accessLevel", .string(e.accessLevel)),
        ])
        if let customer = e.customer { o["customer"] = .string(customer) }
        return json(200, .object(o))
    }

    enum AuthResult {
        case success(Employee)
        case failure(HTTPResponse)
    }

    /// The token comes as the docs pass it (`?token=…`), as `Authorization: Bearer …`
    /// or as the cookie `token=…` (its bytes as sent, not percent-decoded).
    /// Under `x-auth-token`, only the header `X-Auth-Token` carries it.
    func authenticate(_ request: HTTPRequest) -> AuthResult {
        var token: String?
        if varies("x-auth-token") {
            token = request.headers["X-Auth-Token"]
        } else {
            token = request.queryValue("token")
        }
        if token == nil, !varies("x-auth-token"), let auth = request.headers["Authorization"], auth.hasPrefix("Bearer ") {
            token = String(auth.dropFirst("Bearer ".count))
        }
        if token == nil, !varies("x-auth-token"), let cookie = request.headers["Cookie"] {
            for part in cookie.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
                if kv.count == 2, kv[0] == "token" { token = kv[1] }
            }
        }
        if let token, let e = seed.employees.first(where: { self.token(of: $0) == token }) { return .success(e) }
        if let token, let session = sessions.withLock({ $0[token] }) {
            if clock.now() >= session.expires {
                sessions.withLock { _ = $0.removeValue(forKey: token) }
                return .failure(error(401, "credentials_invalid", "Token expired"))
            }
            if let e = seed.employees.first(where: { $0.id == session.employee }) { return .success(e) }
        }
        if token == nil, has("unauthenticated-allowed"), let admin = seed.employees.first(where: { $0.accessLevel == "ADMIN" }) {
            return .success(admin)
        }
        if token == nil, varies("unauthenticated-401-other") { return .failure(error(401, "unauthorized", "No token given")) }
        if token == nil, varies("unauthenticated-403") { return .failure(error(403, "access_denied", "Insufficient access level")) }
        return .failure(error(401, "credentials_invalid", token == nil ? "No token given" : "Unknown token"))
    }

    func reseller(ofCustomer id: String) -> String? { seed.customers.first { $0.id == id }?.reseller }

    /// GET access: VIEWER, MANAGER or OWNER if the user belongs to the
    /// customer; RESELLER if the customer belongs to the reseller; ADMIN.
    func mayRead(customer: String, caller: Employee) -> Bool {
        if has("get-cross-tenant") { return true }
        switch level(of: caller) {
        case "ADMIN": return true
        case "VIEWER", "MANAGER", "OWNER": return caller.customer == customer
        case "RESELLER": return caller.reseller != nil && reseller(ofCustomer: customer) == caller.reseller
        default: return false
        }
    }

    // MARK: GET /mvno/{ACCOUNT_ID}

    func getAccount(_ key: String, caller: Employee) -> HTTPResponse {
        let all = accounts.withLock { $0 }
        var found: JSON?
        var key = key
        if has("get-number-trimmed") { key = key.trimmingCharacters(in: " ").trimmingCharacters(in: "\n") }
        if !isObjectID(key) && !isE164(key) && !has("get-prefix-lookup") {
            if has("get-malformed-500") { return error(500, "internal_error", "Cast to ObjectId failed") }
            if varies("malformed-id-400") { return error(400, "bad_request", "ACCOUNT_ID is neither an id nor an E.164 number") }
        }
        if isObjectID(key) {
            found = all.first { $0["_id"]?.stringValue?.lowercased() == key.lowercased() }
        } else if isE164(key), !has("get-by-number-broken") {
            found = all.first { $0["number"]?.stringValue == key }
        } else if has("get-prefix-lookup"), key.count >= 6 {
            // The lookups a loose query makes: an id by its start, a number by its end.
            found = all.first { ($0["_id"]?.stringValue?.lowercased().hasPrefix(key.lowercased()) ?? false) || ($0["number"]?.stringValue?.hasSuffix(key) ?? false) }
        }
        if found == nil, varies("deleted-account-readable") { found = deletedAccount(key) }
        guard var account = found else {
            if has("get-not-found-status") { return error(400, "mvnoAccount", "MVNO account not found") }
            if has("get-not-found-message") { return error(404, "not_found", "MVNO account not found") }
            return error(404, "mvnoAccount", "MVNO account not found")
        }
        // create-readable-by-anyone: an account created through the API skips the access line.
        let created = !seed.accounts.contains { $0["_id"] == account["_id"] }
        guard let customer = account["customer"]?.stringValue,
            (has("create-readable-by-anyone") && created) || mayRead(customer: customer, caller: caller)
        else {
            return error(403, "access_denied", "Insufficient access level")
        }
        account = visible(account, to: caller)
        account = applyAccountFaults(account)
        var shown = presented(account, as: .account)
        // After the variants, which may leave members out: the fault shows what no reading lets through.
        if has("get-voicemail-not-in-use") { shown = withVoicemailNotInUse(shown) }
        return json(200, shown)
    }

    /// Removes the fields the docs restrict to some roles: socs, socsOverride,
    /// socLimit and purchaseInfo for ADMIN only; notes for RESELLER and ADMIN.
    func visible(_ account: JSON, to caller: Employee) -> JSON {
        guard case .object(var o) = account, !has("get-leak-restricted") else { return account }
        let level = self.level(of: caller)
        if level != "ADMIN" {
            for k in ["socs", "socsOverride", "socLimit", "purchaseInfo", "mitId"] { o[k] = nil }
        }
        if level != "ADMIN" && level != "RESELLER" { o["notes"] = nil }
        return .object(o)
    }

    func applyAccountFaults(_ account: JSON) -> JSON {
        guard case .object(var o) = account else { return account }
        if has("get-drop-number") { o["number"] = nil }
        if has("get-wrong-enum") { o["state"] = "Active" }
        if has("get-deleting-as-deleted"), o["state"]?.stringValue == "DELETING" { o["state"] = "DELETED" }
        if has("get-bool-as-number"), case .object(var f)? = o["feature"] {
            f["data"] = 1
            o["feature"] = .object(f)
        }
        if has("get-short-id"), let id = o["_id"]?.stringValue { o["_id"] = .string(String(id.dropLast())) }
        if has("get-bad-date") { o["startDate"] = "2020-20-20T00:00:00Z" }
        if has("get-extension-without-pbx"), (o["pbx"]?.numberValue ?? 0) <= 0, o["extension"]?.isNull ?? true {
            o["extension"] = "5e7000000000000000000001"
        }
        if has("get-order-state-enum-case"), case .object(var w)? = o["smartWatch"], w["orderState"] == "Partially Failed" {
            w["orderState"] = "PARTIALLY_FAILED"
            o["smartWatch"] = .object(w)
        }
        if has("get-renamed-row"), let row = o["restOfWorldRoaming"] {
            o["restOfWorldRoaming"] = nil
            o["restOfWorld"] = row
        }
        return .object(o)
    }

    /// get-voicemail-not-in-use: voicemail settings that notify, on an account
    /// whose voicemail is off or whose calls a SIP trunk or hosted PBX takes
    /// (the page: "only if feature.voicemail is active and sipAccount and pbx is not").
    func withVoicemailNotInUse(_ account: JSON) -> JSON {
        guard case .object(var o) = account else { return account }
        let active = o["feature"]?.objectValue?["voicemail"] == .bool(true)
        let trunk = !(o["sipAccount"]?.isNull ?? true)
        let pbx = (o["pbx"]?.numberValue ?? 0) > 0
        guard !active || trunk || pbx else { return account }
        o["voicemail"] = ["notify": "SMS", "pin": "0000"]
        return .object(o)
    }

    // MARK: responses

    func json(_ status: Int, _ body: JSON) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: has("wrong-content-type") ? "text/plain" : "application/json; charset=utf-8")
        if varies("connection-close") { headers.add(name: "Connection", value: "close") }
        var response = HTTPResponse(status: status, headers: headers, body: JSONWriter().bytes(encoded(body)))
        if varies("chunked") { response.chunkSize = max(1, (response.body.count + 2) / 3) }
        return response
    }

    /// Error bodies: `{"status": 404, "message": "mvnoAccount", "description": "…"}`.
    /// The docs give status and message only; targets point at the message with `errorMessagePointer`.
    func error(_ status: Int, _ message: String, _ description: String) -> HTTPResponse {
        if varies("error-envelope") { return json(status, envelopedError(status, message, description)) }
        if varies("errors-array") { return json(status, arrayedError(status, message, description)) }
        return json(status, ["status": .number(Double(status)), "message": .string(message), "description": .string(description)])
    }
}

func isObjectID(_ s: String) -> Bool {
    s.utf8.count == 24 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
}

func isE164(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard u.count >= 9, u.count <= 16, u[0] == UInt8(ascii: "+"), u[1] != UInt8(ascii: "0") else { return false }
    return u.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
