import JSONKit

/// How a role's credential travels with a request.
public enum AuthPlacement: Sendable, Hashable {
    /// `?name=<credential>` — the style the vendor's docs use (`?token=…`).
    case query(name: String)
    /// A header, e.g. `Authorization: Bearer <credential>`.
    case header(name: String, prefix: String)
    /// A cookie `name=<credential>`.
    case cookie(name: String)
}

extension AuthPlacement {
    /// `Authorization: Basic …`: the credential is the base64 of `user:password`.
    var isBasic: Bool {
        if case .header(_, let prefix) = self { return prefix.lowercased().hasPrefix("basic") }
        return false
    }
}

/// A server to judge: where it is, how to authenticate, which fixtures it has.
public struct TargetProfile: Sendable {
    public var name: String
    public var file: String
    public var baseURL: String
    public var auth: AuthPlacement
    /// Environment variable holding each role's token.
    public var credentialVariables: [Role: String]
    /// Roles that log in: environment variables holding the username and password.
    public var loginVariables: [Role: LoginVariables] = [:]
    /// How to log in, when some role does.
    public var login: LoginSpec?
    /// Values the cases' `{{variables}}` resolve to on this target.
    public var fixtures: [String: JSON]
    /// Where the documented error message sits in an error body.
    public var errorMessagePointer: JSONPointer
    /// Whether cases that create or change data may run here.
    public var allowMutations: Bool
    /// Readings this target is held to strictly: reading id → option id
    /// (`Cases/readings.json`). A pinned reading has no alternatives.
    public var readings: [String: String] = [:]
    /// The least percentage of planned cases a run must judge (`minJudged`), else exit 4.
    public var minJudged: Double?
    /// Fixtures the profile's author vouches for (`confirmedFixtures`: fixture
    /// → how they know, e.g. "read in the admin console"): a case failing on
    /// a `confirmBeforeBlame` fixture is the target's even when no preflight
    /// request could confirm it. A preflight that refutes it still wins.
    package var confirmedFixtures: [String: String] = [:]

    public init(
        name: String, file: String, baseURL: String, auth: AuthPlacement, credentialVariables: [Role: String],
        loginVariables: [Role: LoginVariables] = [:], login: LoginSpec? = nil, fixtures: [String: JSON],
        errorMessagePointer: JSONPointer, allowMutations: Bool, readings: [String: String] = [:]
    ) {
        self.name = name
        self.file = file
        self.baseURL = baseURL
        self.auth = auth
        self.credentialVariables = credentialVariables
        self.loginVariables = loginVariables
        self.login = login
        self.fixtures = fixtures
        self.errorMessagePointer = errorMessagePointer
        self.allowMutations = allowMutations
        self.readings = readings
    }
}

public struct LoginVariables: Sendable, Hashable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// The vendor's login call: `POST /auth/login` with `username` and
/// `password`, answering `token` and `expiresInMinutes` (default 15).
public struct LoginSpec: Sendable, Hashable {
    public var path: String = "/auth/login"
    public var tokenPointer: JSONPointer = JSONPointer(tokens: ["token"])
    public var expiresPointer: JSONPointer = JSONPointer(tokens: ["expiresInMinutes"])
    public var defaultExpiresMinutes: Double = 15
    public init() {}
}

/// Credential values, read from the environment. Never printed: `description`
/// shows `***`; they enter a request only as it is sent, and what the target
/// sends back is scrubbed of them before anything keeps it.
public struct Credentials: Sendable, CustomStringConvertible {
    package var byRole: [Role: String]
    /// Roles that log in, with their username and password.
    public var logins: [Role: (username: String, password: String)]
    /// Why a role has no credential (e.g. the environment variable is unset).
    public var missing: [Role: String]

    public init(
        byRole: [Role: String], logins: [Role: (username: String, password: String)] = [:], missing: [Role: String] = [:]
    ) {
        self.byRole = byRole
        self.logins = logins
        self.missing = missing
    }

    public func has(_ role: Role) -> Bool { byRole[role] != nil || logins[role] != nil }

    /// Reads each role's variable from `environment`.
    public init(profile: TargetProfile, environment: [String: String]) {
        var found: [Role: String] = [:]
        var missing: [Role: String] = [:]
        for (role, variable) in profile.credentialVariables {
            if let v = environment[variable], !v.isEmpty {
                found[role] = v
            } else {
                missing[role] = "environment variable \(variable) is not set"
            }
        }
        var logins: [Role: (username: String, password: String)] = [:]
        for (role, v) in profile.loginVariables {
            if let u = environment[v.username], !u.isEmpty, let p = environment[v.password], !p.isEmpty {
                logins[role] = (u, p)
            } else {
                let unset = [v.username, v.password].filter { (environment[$0] ?? "").isEmpty }
                missing[role] = "environment variable\(unset.count > 1 ? "s" : "") \(unset.joined(separator: " and ")) \(unset.count > 1 ? "are" : "is") not set"
            }
        }
        self.init(byRole: found, logins: logins, missing: missing)
    }

    /// The environment variables named by the profile whose value cannot
    /// travel byte for byte where the profile puts it, each with the reason
    /// (never the value): a control character (CR, LF, NUL…) would inject a
    /// line into the request head, and in a cookie a `;` would end the cookie
    /// early and start another, while spaces around the value are trimmed by
    /// the server (RFC 6265 §5.2). Other bytes (a space inside, `"`, `\`, `,`)
    /// travel as they are. Checked at start, so nothing is sent.
    public static func refusedVariables(profile: TargetProfile, environment: [String: String]) -> [(variable: String, reason: String)] {
        Set(profile.credentialVariables.values).sorted().compactMap { v in
            guard let value = environment[v] else { return nil }
            if !HeaderValue.isValid(value) {
                return (v, "holds a control character (CR, LF, NUL or another), which would inject a line into the request head")
            }
            if case .cookie(let name) = profile.auth,
                value.utf8.contains(0x3B) || value.utf8.first.map({ $0 == 0x20 || $0 == 0x09 }) == true
                    || value.utf8.last.map({ $0 == 0x20 || $0 == 0x09 }) == true
            {
                return (v, "holds a ';' or starts or ends with a space, which cannot travel unchanged in the cookie \(name) (a ';' ends the cookie and starts another; the spaces around a cookie value are trimmed)")
            }
            return nil
        }
    }

    public var description: String { "Credentials(\((Array(byRole.keys) + Array(logins.keys)).map(\.rawValue).sorted()): ***)" }
    /// Values that must never appear in any output (tokens and passwords).
    public var secrets: [String] { Array(byRole.values) + logins.values.map(\.password) }
}
