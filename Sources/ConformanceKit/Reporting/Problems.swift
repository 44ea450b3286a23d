/// Failing findings that share a cause, grouped so that a report can say
/// "3 problems in 41 failing cases" before it lists the cases.
///
/// Two failure findings have the same cause when they come from the same
/// check on the same endpoint, at the same normalized pointer (array indices
/// read as `*`, so `/widgets/0/state` and `/widgets/7/state` are one
/// place), under the same schema rule (keyword path), with the same expected
/// value. A visibility finding's expected value names the role that saw the
/// field ("absent for SOME_ROLE (…)"); the role is the case's, not the cause's, so
/// it is left out of the key. An erroring case is a problem of its own kind
/// (`error`), grouped by endpoint and reason. Warnings are not problems.
public struct Problem: Sendable, Hashable {
    /// 1-based rank in the run's list (most cases first).
    public var number: Int
    /// The check (`status`, `schema`, `visibility`, …) or `error`.
    public var check: String
    public var endpointID: String
    /// The normalized JSON pointer (`*` for array indices), or nil.
    public var pointer: String?
    /// The schema keyword path, for schema findings.
    public var keyword: String?
    /// The expected value the findings share (normalized for visibility), or the error reason.
    public var expected: String
    /// The message of the first finding of the group, as an example.
    public var message: String
    /// How many cases have at least one finding of this group.
    public var caseCount: Int { caseSeqs.count }
    /// The ids of the first of them (at most `Problems.caseIDsKept`), in plan
    /// order: what the console, summary.md and annotations show. A report that
    /// lists every case reads the ids back by seq (`Problems.caseIDBySeq`).
    public var firstCaseIDs: [String]
    /// Every such case's `seq`, in plan order (reports link to `#case-SEQ`):
    /// 8 bytes a case, not its id.
    package var caseSeqs: [Int]

    /// A one-line name: `visibility /notes on widget-get`.
    public var title: String {
        var parts = [check]
        if let pointer { parts.append(pointer.isEmpty ? "(root)" : pointer) }
        if let keyword, !keyword.isEmpty { parts.append("[\(keyword)]") }
        return parts.joined(separator: " ") + " on \(endpointID)"
    }
}

package enum Problems {
    /// The problems of a run, most cases first (ties in order of first appearance).
    /// Pure: the same results give the same problems.
    private struct Key: Hashable {
        var check, endpoint: String
        var pointer, keyword: String?
        var expected: String
    }

    public static func group(_ results: CaseResults) -> [Problem] {
        // Only failed and errored cases make problems: the others are not read back.
        group(results.matching(\.isBad))
    }

    public static func group(_ results: some Sequence<CaseResult>) -> [Problem] {
        var order: [Key] = []
        var groups: [Key: Problem] = [:]
        func add(_ key: Key, message: String, _ r: CaseResult) {
            if var g = groups[key] {
                groups[key] = nil  // uniquely referenced while it grows
                if g.caseSeqs.last != r.seq {
                    if g.firstCaseIDs.count < caseIDsKept { g.firstCaseIDs.append(r.caseID) }
                    g.caseSeqs.append(r.seq)
                }
                groups[key] = g
            } else {
                order.append(key)
                groups[key] = Problem(
                    number: 0, check: key.check, endpointID: key.endpoint, pointer: key.pointer, keyword: key.keyword,
                    expected: key.expected, message: message, firstCaseIDs: [r.caseID], caseSeqs: [r.seq])
            }
        }
        for r in results {
            // `if`, not `switch`: outcomes added later (not failures) are not problems.
            if r.verdict == .failed {
                for f in r.failures {
                    let key = Key(
                        check: f.check.rawValue, endpoint: r.endpointID, pointer: f.pointer.map { normalizedPointer($0.description) },
                        keyword: f.keyword.map(normalizedPointer), expected: normalizedExpected(f))
                    add(key, message: f.message, r)
                }
                if r.failures.isEmpty {
                    add(Key(check: "failed", endpoint: r.endpointID, pointer: nil, keyword: nil, expected: ""), message: "failed", r)
                }
            } else if case .error(let why) = r.verdict {
                add(Key(check: "error", endpoint: r.endpointID, pointer: nil, keyword: nil, expected: why), message: why, r)
            }
        }
        let first = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let sorted = order.sorted { a, b in
            let na = groups[a]!.caseCount, nb = groups[b]!.caseCount
            return na != nb ? na > nb : first[a]! < first[b]!
        }
        return sorted.enumerated().map { i, key in
            var p = groups[key]!
            p.number = i + 1
            return p
        }
    }

    /// Case ids kept per problem: as many as any place shows (summary.md's 30).
    static let caseIDsKept = 30

    /// Case id by seq, each read back when asked (for reports that list every
    /// case of a problem: `caseSeqs.lazy.map(caseID)`). Results are in plan
    /// order with seq = index unless they were merged or filtered: then an index by seq.
    package static func caseIDBySeq(_ results: CaseResults) -> (Int) -> String {
        if results.indices.allSatisfy({ results.glance($0).seq == $0 }) {
            return { seq in results.indices.contains(seq) ? results[seq].caseID : "" }
        }
        var index: [Int: Int] = [:]
        for i in results.indices where index[results.glance(i).seq] == nil { index[results.glance(i).seq] = i }
        return { seq in index[seq].map { results[$0].caseID } ?? "" }
    }

    /// Cases with at least one problem (failed or errored), counted once each.
    /// Each problem's seqs ascend when the results were grouped in seq order
    /// (always, unless merged out of order): then a merge with a cursor per
    /// problem counts them, with nothing kept per case; otherwise a set.
    package static func caseCount(_ problems: [Problem]) -> Int {
        guard problems.allSatisfy({ p in zip(p.caseSeqs, p.caseSeqs.dropFirst()).allSatisfy { $0 < $1 } }) else {
            return Set(problems.flatMap(\.caseSeqs)).count
        }
        var cursors = Array(repeating: 0, count: problems.count)
        var count = 0
        while true {
            // The smallest seq not yet counted; every problem holding it steps past it.
            var low = Int.max
            for (k, p) in problems.enumerated() where cursors[k] < p.caseSeqs.count { low = min(low, p.caseSeqs[cursors[k]]) }
            if low == Int.max { return count }
            count += 1
            for (k, p) in problems.enumerated() where cursors[k] < p.caseSeqs.count && p.caseSeqs[cursors[k]] == low { cursors[k] += 1 }
        }
    }

    /// "3 problems in 41 failing cases" (or "1 problem in 1 failing case").
    package static func headline(_ problems: [Problem]) -> String {
        let n = problems.count, cases = caseCount(problems)
        return "\(n) problem\(n == 1 ? "" : "s") in \(cases) failing case\(cases == 1 ? "" : "s")"
    }

    /// For each failed or errored case, the numbers of the problems it shows,
    /// asked in the order of the results the problems were grouped from (as
    /// the cases are written): each problem's seqs are a subsequence of
    /// theirs, so a cursor per problem, not a map of every case.
    struct NumbersBySeq {
        let problems: [Problem]
        var cursors: [Int]

        init(_ problems: [Problem]) {
            self.problems = problems
            cursors = Array(repeating: 0, count: problems.count)
        }

        /// The numbers (ascending) of the problems the next case, `seq`, is in.
        mutating func next(_ seq: Int) -> [Int] {
            var out: [Int] = []
            for (k, p) in problems.enumerated() where cursors[k] < p.caseSeqs.count && p.caseSeqs[cursors[k]] == seq {
                cursors[k] += 1
                out.append(p.number)
            }
            return out.sorted()
        }
    }

    /// A JSON pointer with every all-digit token read as `*`.
    static func normalizedPointer(_ pointer: String) -> String {
        guard pointer.contains(where: \.isNumber) else { return pointer }
        return pointer.split(separator: "/", omittingEmptySubsequences: false).map { token in
            !token.isEmpty && token.allSatisfy(\.isASCII) && token.allSatisfy(\.isNumber) ? "*" : String(token)
        }.joined(separator: "/")
    }

    /// The expected value without the case's role, for visibility findings.
    static func normalizedExpected(_ f: Finding) -> String {
        guard f.check == .visibility, f.expected.hasPrefix("absent for ") else { return f.expected }
        let rest = f.expected.dropFirst("absent for ".count)
        guard let space = rest.firstIndex(of: " ") else { return "absent" }
        return "absent" + rest[space...]
    }
}

/// Warnings that share a cause (check, endpoint, pointer with array indices
/// as `*`), as problems group failures: one line per group with how many
/// findings and cases, so 2,018 warnings about one undocumented member of
/// each array item read as one line.
package struct WarningGroup: Sendable, Hashable {
    public var check: String
    public var endpointID: String
    public var pointer: String?
    /// Warning findings in the group (an array item each, often).
    public var findings: Int
    /// Cases with a finding of the group (a count: the reports list the findings case by case).
    public var cases: Int
    /// The last of them, so that a case with several findings counts once.
    var lastCaseID: String
    public var message: String

    /// Most findings first (ties in order of first appearance).
    private struct Key: Hashable {
        var check, endpoint: String
        var pointer: String?
    }

    public static func group(_ results: CaseResults) -> [WarningGroup] {
        group(results.matching(\.hasWarnings))
    }

    public static func group(_ results: some Sequence<CaseResult>) -> [WarningGroup] {
        var order: [Key] = []
        var groups: [Key: WarningGroup] = [:]
        for r in results {
            for f in r.warnings {
                let key = Key(check: f.check.rawValue, endpoint: r.endpointID, pointer: f.pointer.map { Problems.normalizedPointer($0.description) })
                if var g = groups[key] {
                    g.findings += 1
                    if g.lastCaseID != r.caseID {
                        g.cases += 1
                        g.lastCaseID = r.caseID
                    }
                    groups[key] = g
                } else {
                    order.append(key)
                    groups[key] = WarningGroup(
                        check: key.check, endpointID: key.endpoint, pointer: key.pointer, findings: 1, cases: 1, lastCaseID: r.caseID, message: f.message)
                }
            }
        }
        let first = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.sorted { a, b in
            let na = groups[a]!.findings, nb = groups[b]!.findings
            return na != nb ? na > nb : first[a]! < first[b]!
        }.map { groups[$0]! }
    }
}

/// The ambiguous cases grouped by reading and the option the target took,
/// in order of first appearance: how many cases, and the ids of the first
/// `keep` (the console and summary.md show a few; the reports list each case).
package struct AmbiguityGroup: Sendable {
    /// The group's first finding (its reading, what we read, what the target took).
    package var finding: Finding
    package var count: Int
    package var firstCaseIDs: [String]

    package static func group(_ results: CaseResults, keep: Int) -> [AmbiguityGroup] {
        var groups: [AmbiguityGroup] = []
        for r in results.matching({ $0.kind == .ambiguous }) {
            for f in r.ambiguities {
                if let i = groups.firstIndex(where: { $0.finding.reading == f.reading && $0.finding.actual == f.actual }) {
                    groups[i].count += 1
                    if groups[i].firstCaseIDs.count < keep { groups[i].firstCaseIDs.append(r.caseID) }
                } else {
                    groups.append(AmbiguityGroup(finding: f, count: 1, firstCaseIDs: [r.caseID]))
                }
            }
        }
        return groups
    }
}
