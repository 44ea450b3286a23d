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

/// A server to judge: where it is, how to authenticate, which fixtures it has.
public struct TargetProfile: Sendable {
    public var name: String
    public var file: String
    public var baseURL: String
    public var auth: AuthPlacement
    /// Environment variable holding each role's credential.
    public var credentialVariables: [Role: String]
    /// Values the cases' `{{variables}}` resolve to on this target.
    public var fixtures: [String: JSON]
    /// Where the documented error message sits in an error body.
    public var errorMessagePointer: JSONPointer
    /// Whether cases that create or change data may run here.
    public var allowMutations: Bool
}

/// Credential values, read from the environment. Never printed: `description`
/// is redacted, and every output goes through a `Redactor` built from these.
public struct Credentials: Sendable, CustomStringConvertible {
    public var byRole: [Role: String]
    /// Why a role has no credential (e.g. the environment variable is unset).
    public var missing: [Role: String]

    public init(byRole: [Role: String], missing: [Role: String] = [:]) {
        self.byRole = byRole
        self.missing = missing
    }

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
        self.init(byRole: found, missing: missing)
    }

    public var description: String { "Credentials(\(byRole.keys.sorted().map(\.rawValue)): ***)" }
    public var secrets: [String] { Array(byRole.values) }
}
