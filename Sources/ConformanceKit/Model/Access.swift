/// Who a case runs as: a name declared in `Cases/access.json`. The engine
/// knows no role by name; what a role holds (its access level, how its user
/// relates to the fixture customer, whether it carries a credential) is asked
/// of the suite's `AccessModel`.
public struct Role: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }
    public init(stringLiteral name: String) { self.rawValue = name }
    public var description: String { rawValue }
}

/// How a role's user relates to the fixture customer (the customer the
/// fixture account `account.id` belongs to) and to that customer's reseller.
/// It decides, with an access rule's scopes, which cells of an access matrix
/// are allowed.
public enum RoleRelation: String, Sendable, Hashable, CaseIterable {
    /// The user belongs to the fixture customer.
    case customer
    /// The user belongs to the fixture customer's reseller.
    case reseller
    /// The user belongs to a customer under another reseller.
    case otherCustomer = "other-customer"
    /// The user belongs to another reseller.
    case otherReseller = "other-reseller"
    /// The user belongs to no customer and no reseller (an operator, or nobody).
    case none
}

/// One documented access level, as a page names it.
public struct AccessLevel: Sendable, Hashable {
    public var name: String
    public var description: String
    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// One role the suite runs as.
public struct RoleDefinition: Sendable, Hashable {
    public var role: Role
    /// The documented access level the role's user holds; nil: none (no credential, or a user without a level).
    public var level: String?
    public var relation: RoleRelation
    /// Whether the role carries a credential (false: requests go without one).
    public var credential: Bool
    public var description: String
    public init(role: Role, level: String?, relation: RoleRelation, credential: Bool, description: String) {
        self.role = role
        self.level = level
        self.relation = relation
        self.credential = credential
        self.description = description
    }
}

/// What the docs answer a request whose access level is insufficient
/// (`denied` in access.json): the status and message of the error row each
/// endpoint documents for it. Matrix cells a rule denies expect that row.
public struct DeniedAnswer: Sendable, Hashable {
    public var status: Int
    public var message: String
    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

/// The documented access levels, in the docs' order, and the roles a suite
/// runs as, in the order reports list them (`Cases/access.json`).
public struct AccessModel: Sendable, Hashable {
    public var levels: [AccessLevel]
    public var roles: [RoleDefinition]
    /// The answer to an insufficient level (`denied`); nil when the file states none.
    public var denied: DeniedAnswer?
    /// The file they were read from, for diagnostics that send the reader there.
    public var file: String
    public init(levels: [AccessLevel] = [], roles: [RoleDefinition] = [], file: String = "access.json") {
        self.levels = levels
        self.roles = roles
        self.file = file
    }

    package var levelNames: [String] { levels.map(\.name) }
    var roleNames: [Role] { roles.map(\.role) }

    public func definition(of role: Role) -> RoleDefinition? { roles.first { $0.role == role } }
    /// The access level `role` holds; nil for a role without one (or an undeclared role).
    public func level(of role: Role) -> String? { definition(of: role)?.level }
    public func relation(of role: Role) -> RoleRelation? { definition(of: role)?.relation }
    /// Whether requests as `role` carry a credential (an undeclared role is taken to).
    package func hasCredential(_ role: Role) -> Bool { definition(of: role)?.credential ?? true }
    func isDeclared(_ role: Role) -> Bool { definition(of: role) != nil }
    package func isLevel(_ name: String) -> Bool { levels.contains { $0.name == name } }

    /// The error row of `endpoint` that documents the denied answer, if both exist.
    func deniedRow(of endpoint: Endpoint) -> DocumentedError? {
        guard let denied else { return nil }
        return endpoint.errors.first { $0.status == denied.status && $0.message == denied.message }
    }

    /// Roles that carry a credential, in declared order (what a target profile gives credentials for).
    public var credentialRoles: [Role] { roles.filter(\.credential).map(\.role) }

    /// What an access matrix tries when it names no roles: the first role
    /// declared for each level, in level order, then every role without a
    /// credential.
    package var matrixRoles: [Role] {
        var out: [Role] = []
        for l in levels {
            if let r = roles.first(where: { $0.level == l.name }) { out.append(r.role) }
        }
        return out + roles.filter { !$0.credential }.map(\.role)
    }

    /// Levels no declared role holds: no case can run as them.
    package var levelsWithoutRole: [String] {
        levels.map(\.name).filter { name in !roles.contains { $0.level == name } }
    }
}

extension AccessGrant {
    /// Whether an access rule lets a user holding `level`, related to the
    /// fixture customer as `user`, act on the customer of an access-matrix
    /// cell (`cell`, relative to the fixture customer). A cell of nil is a
    /// request about the user's own customer or reseller. Returns nil when
    /// the suite cannot tell: a user under another reseller on the other
    /// reseller's customer (whether that customer is the user's own is a fact
    /// of the target's fixtures, not of the rule).
    public static func allows(
        _ rule: [AccessGrant], level: String?, user: RoleRelation, cell: Relation?
    ) -> Bool? {
        guard let level else { return false }
        var unknown = false
        for g in rule where g.level == level {
            switch g.scope {
            case .any:
                return true
            case .customer:
                // "if user belongs to the customer"
                switch (user, cell) {
                case (.customer, nil), (.customer, .own?), (.otherCustomer, nil): return true
                case (.otherCustomer, .otherReseller?): unknown = true
                default: break
                }
            case .reseller:
                // "if customer belongs to the reseller"
                switch (user, cell) {
                case (.reseller, nil), (.reseller, .own?), (.reseller, .sameReseller?), (.otherReseller, nil): return true
                case (.otherReseller, .otherReseller?): unknown = true
                default: break
                }
            }
        }
        return unknown ? nil : false
    }
}
