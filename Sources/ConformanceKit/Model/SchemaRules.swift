import JSONKit

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

/// A member the docs show only under a condition on its siblings, from the
/// schema's `x-onlyIf` annotation. Two forms:
/// `{"member": "pbx", "above": 0, "source": "PAGE:LINE"}` ("(only if pbx>0)"), and
/// `{"all": [CONDITION, …], "source": "PAGE:LINE"}` where each CONDITION is
/// `{"member": "feature/voicemail", "is": true}` (the sibling holds that value),
/// `{"member": "sipAccount", "empty": true}` (absent, null or ""), or
/// `{"member": "pbx", "notAbove": 0}` (absent, null, or a number not above the bound)
/// ("only if feature.voicemail is active and sipAccount and pbx is not").
/// `"inert": [VALUE, …]` lists what the member may hold outside its condition
/// under the reading named by `"reading"` (`only-if-presence`, option
/// `inert-otherwise`): a value, or an object pattern whose listed members are
/// absent, null or equal. Such a value is `ambiguous` (a reading finding), not
/// a failure, unless a profile pins the reading.
public struct PresenceRule: Sendable, Hashable {
    /// Path of the conditional member from the body's root; `*` stands for any array element.
    public var path: [String]
    /// Every condition must hold for the member to hold a value.
    var conditions: [PresenceCondition]
    /// Values the member may hold outside its condition (nothing is in effect); empty: none.
    public var inert: [JSON] = []
    /// The reading whose alternative lets an inert value through (`only-if-presence`).
    public var reading: String? = nil
    /// The page line that states the condition.
    public var source: String

    /// The sibling the first condition reads (the `member`/`above` form's member).
    public var member: String { conditions.first?.member.joined(separator: ".") ?? "" }
}

/// One condition of a presence rule, on a member beside the conditional one
/// (`member` may reach into an object: `["feature", "voicemail"]`).
struct PresenceCondition: Sendable, Hashable {
    public enum Test: Sendable, Hashable {
        /// A number above the bound.
        case above(Double)
        /// Absent, null, or a number not above the bound.
        case notAbove(Double)
        /// Exactly this value.
        case equals(JSON)
        /// Absent, null or "".
        case empty
    }
    public var member: [String]
    public var test: Test
}
