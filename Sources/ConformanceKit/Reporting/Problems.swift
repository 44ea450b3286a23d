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
    /// The cases with at least one finding of this group, in plan order.
    public var caseIDs: [String]
    /// Their `seq`, parallel to `caseIDs` (reports link to `#case-SEQ`).
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
                if g.caseSeqs.last != r.seq {
                    g.caseIDs.append(r.caseID)
                    g.caseSeqs.append(r.seq)
                }
                groups[key] = g
            } else {
                order.append(key)
                groups[key] = Problem(
                    number: 0, check: key.check, endpointID: key.endpoint, pointer: key.pointer, keyword: key.keyword,
                    expected: key.expected, message: message, caseIDs: [r.caseID], caseSeqs: [r.seq])
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
            let na = groups[a]!.caseIDs.count, nb = groups[b]!.caseIDs.count
            return na != nb ? na > nb : first[a]! < first[b]!
        }
        return sorted.enumerated().map { i, key in
            var p = groups[key]!
            p.number = i + 1
            return p
        }
    }

    /// Cases with at least one problem (failed or errored), counted once each.
    package static func caseCount(_ problems: [Problem]) -> Int {
        Set(problems.flatMap(\.caseSeqs)).count
    }

    /// "3 problems in 41 failing cases" (or "1 problem in 1 failing case").
    package static func headline(_ problems: [Problem]) -> String {
        let n = problems.count, cases = caseCount(problems)
        return "\(n) problem\(n == 1 ? "" : "s") in \(cases) failing case\(cases == 1 ? "" : "s")"
    }

    /// For each case seq, the numbers of the problems it shows.
    static func numbersBySeq(_ problems: [Problem]) -> [Int: [Int]] {
        var out: [Int: [Int]] = [:]
        for p in problems { for s in p.caseSeqs { out[s, default: []].append(p.number) } }
        return out.mapValues { $0.sorted() }
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
    public var caseIDs: [String]
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
                    if g.caseIDs.last != r.caseID { g.caseIDs.append(r.caseID) }
                    groups[key] = g
                } else {
                    order.append(key)
                    groups[key] = WarningGroup(
                        check: key.check, endpointID: key.endpoint, pointer: key.pointer, findings: 1, caseIDs: [r.caseID], message: f.message)
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
