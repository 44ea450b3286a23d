import Foundation
import JSONKit

/// Hands out each role's credential: the token from the environment, or one
/// obtained by logging in (once per role, again when it is about to expire).
/// Every token it obtains is remembered: what the target sends back is scrubbed of it.
public actor TokenStore {
    struct Session {
        var token: String
        /// On `clock`.
        var expires: Double
    }

    let credentials: Credentials
    let login: LoginSpec?
    let baseURL: String
    let transport: any Transport
    let timeout: Double
    let clock: RunClock
    var sessions: [Role: Session] = [:]
    /// Tokens obtained by logging in: secrets too (see `Scrubber`).
    private(set) var issued: [String] = []
    /// How many logins were made (per role), for reports and tests.
    public private(set) var logins: [Role: Int] = [:]

    public init(
        credentials: Credentials, login: LoginSpec?, baseURL: String, transport: any Transport, timeout: Double,
        clock: RunClock = .system
    ) {
        self.clock = clock
        self.credentials = credentials
        self.login = login
        self.baseURL = baseURL
        self.transport = transport
        self.timeout = timeout
    }

    public struct LoginFailure: Error, Sendable { public var message: String }

    /// The credential to send as `role`, or nil for a role without one.
    public func token(for role: Role) async throws(LoginFailure) -> String? {
        if let t = credentials.byRole[role] { return t }
        guard let (username, password) = credentials.logins[role] else { return nil }
        if let s = sessions[role], clock.now() < s.expires { return s.token }
        guard let login else { throw LoginFailure(message: "no login section in the target profile") }
        let body: JSON = ["username": .string(username), "password": .string(password)]
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let request = OutgoingRequest(
            method: "POST", url: base + login.path, headers: [("Content-Type", "application/json")],
            body: JSONWriter().bytes(body))
        let exchange: HTTPExchange
        do {
            exchange = try await transport.send(request, timeout: timeout)
        } catch {
            throw LoginFailure(message: "login as \(role) failed: \(error.message)")
        }
        logins[role, default: 0] += 1
        let parsed = try? JSONParser.parse(exchange.body)
        guard exchange.status == 200, let parsed, let token = login.tokenPointer.resolve(in: parsed)?.stringValue,
            !token.isEmpty
        else {
            // The target's own words, scrubbed before they are kept (a server may echo the password).
            let scrub = Scrubber(secrets: credentials.secrets + issued)
            let message = parsed.flatMap { $0["message"]?.stringValue }.map { " " + shorten(scrub($0)) } ?? ""
            throw LoginFailure(message: "login as \(role) failed: \(exchange.status)\(message)")
        }
        let minutes = login.expiresPointer.resolve(in: parsed)?.numberValue ?? login.defaultExpiresMinutes
        let lifetime = max(0, minutes * 60)
        // Log in again a little before the server would refuse the token.
        let margin = min(30, lifetime * 0.1)
        issued.append(token)
        sessions[role] = Session(token: token, expires: clock.now() + lifetime - margin)
        return token
    }
}
