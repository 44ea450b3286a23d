/// Which cases need each fixture: a case runs only when the target profile has
/// every fixture it uses, so a fixture "unlocks" the cases that use it. Used
/// by `conformance init` and `conformance fixtures` to say what to fill in first.
public struct FixtureUsage: Sendable, Hashable {
    public var name: String
    /// What the fixture must be (from `Cases/fixtures.json`).
    public var description: String
    /// The cases that use it, in suite order.
    public var caseIDs: [String]

    /// Every fixture of the catalogue, most cases first, then by name.
    public static func compute(_ suite: Suite) -> [FixtureUsage] {
        var byName: [String: [String]] = [:]
        for c in suite.cases {
            for name in c.fixtureVariables where byName[name]?.last != c.id { byName[name, default: []].append(c.id) }
        }
        let names = Set(suite.fixtures.keys).union(byName.keys)
        return names.map { FixtureUsage(name: $0, description: suite.fixtures[$0] ?? "", caseIDs: byName[$0] ?? []) }
            .sorted { a, b in a.caseIDs.count != b.caseIDs.count ? a.caseIDs.count > b.caseIDs.count : a.name < b.name }
    }

    /// The cases whose fixtures `present` all holds.
    public static func runnable(_ suite: Suite, present: Set<String>) -> [String] {
        suite.cases.filter { $0.fixtureVariables.allSatisfy(present.contains) }.map(\.id)
    }
}
