// What the schemas' annotations say, read once at load (`Suite.visibility`,
// `Suite.presence`) and applied by Checking.

/// A field the docs show only to some access levels, found from the schema's
/// `x-visibility` annotation (the levels that see it).
public struct VisibilityRule: Sendable, Hashable {
    /// Path from the body's root; `*` stands for any array element.
    public var path: [String]
    public var levels: Set<String>

    public var pattern: String { path.map { "/" + $0 }.joined() }
}

/// A member the docs show only when a sibling member holds a number above a
/// bound ("(only if pbx>0)"), from the schema's `x-onlyIf` annotation:
/// `{"member": "pbx", "above": 0, "source": "PAGE:LINE"}`.
public struct PresenceRule: Sendable, Hashable {
    /// Path of the conditional member from the body's root; `*` stands for any array element.
    public var path: [String]
    /// The sibling member the condition reads.
    public var member: String
    /// The member holds a value only when the sibling's number is above this.
    public var above: Double
    /// The page line that states the condition.
    public var source: String
}
