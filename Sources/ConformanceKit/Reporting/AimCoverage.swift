/// What the suite aims at beyond the documented rows (issue #25: the kinds
/// of deviation independent servers showed that no case aimed at), each
/// with the cases aimed at it: those tagged `aim:NAME`, and for the rules
/// that live in invariants or schemas, the cases or members that carry them.
/// `conformance coverage` lists them; an aim no case takes says so.
public enum AimCoverage {
    public struct Aim: Sendable, Hashable {
        public var name: String
        public var what: String
    }

    public static let aims: [Aim] = [
        Aim(name: "every-page", what: "every item of every page judged as the first page's (a walk)"),
        Aim(name: "recoverable", what: "every listed deleted account: deleted and preterminateUntil present, 30 days apart, window open"),
        Aim(name: "presence", what: "members shown only under a condition (only if pbx>0; voicemail only if feature.voicemail is active and sipAccount and pbx is not), judged in every answer"),
        Aim(name: "filter-control", what: "a search whose answer may be nothing has a control that must find the fixture"),
        Aim(name: "filter-unlisted", what: "a field the page does not list as searched does not find the fixture"),
        Aim(name: "offset-filter", what: "offset applies together with filter"),
        Aim(name: "malformed-id", what: "an ACCOUNT_ID of neither documented form: a documented 4xx, never a 5xx"),
        Aim(name: "exact-lookup", what: "lookups are exact: an id prefix, a number suffix, trailing whitespace find nothing"),
        Aim(name: "path-encoding", what: "a number's + sent as %2B in the path"),
        Aim(name: "created-access", what: "a created account obeys the access line for every role"),
        Aim(name: "non-json-body", what: "a body that is not JSON: a documented 4xx, never a 5xx"),
        Aim(name: "round-trip", what: "what was sent comes back as sent (UTF-8 text, nested custom data)"),
        Aim(name: "concurrent-create", what: "two creates of one number at once: exactly one succeeds, the other 409 number"),
    ]

    /// Per aim, the cases (or, for `presence`, the schema members) aimed at it.
    public static func compute(_ suite: Suite) -> [(aim: Aim, by: [String])] {
        aims.map { aim in
            let by: [String]
            switch aim.name {
            case "every-page":
                by = suite.cases.filter { c in c.steps.contains { s in s.expect.invariants.contains { if case .walk = $0 { true } else { false } } } }.map(\.id)
            case "recoverable":
                by = suite.cases.filter { c in
                    c.steps.contains { s in s.expect.invariants.contains { if case .eachDaysAfter = $0 { true } else { false } } }
                }.map(\.id)
            case "presence":
                by = Set(suite.presence.flatMap { ref, rules in rules.map { ref + "#/" + $0.path.joined(separator: "/") } }).sorted()
            default:
                by = suite.cases.filter { $0.tags.contains("aim:" + aim.name) }.map(\.id)
            }
            return (aim, by.sorted())
        }
    }

    public static func render(_ suite: Suite) -> [String] {
        let computed = compute(suite)
        var out = ["aims beyond the documented rows, with the cases (or members) aimed at each"]
        let width = (aims.map(\.name.count).max() ?? 10) + 2
        for (aim, by) in computed {
            let shown = by.prefix(4).joined(separator: ", ") + (by.count > 4 ? ", … (+\(by.count - 4))" : "")
            out.append(
                "  " + aim.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + (by.isEmpty ? "no case aimed: " + aim.what : "\(by.count): \(shown) — \(aim.what)"))
        }
        let missed = computed.filter { $0.by.isEmpty }.count
        out.append("aims: \(aims.count), \(aims.count - missed) aimed at, \(missed) not")
        return out
    }
}
