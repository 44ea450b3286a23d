/// Which cases to run: by endpoint, tag and case-id glob (each repeatable;
/// kinds combine with AND, values of one kind with OR), and which shard.
public struct Selection: Sendable, Hashable {
    public var endpoints: [String] = []
    public var tags: [String] = []
    public var caseGlobs: [String] = []
    /// 1-based shard index and shard count.
    public var shard: Shard?
    /// `--exclude`: case-id globs or tags whose cases are left out (after the rest of the selection).
    public var excludes: [String] = []

    public struct Shard: Sendable, Hashable {
        public var index: Int
        public var count: Int
        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        /// Parses `I/N` with 1 ≤ I ≤ N.
        public init?(parsing s: String) {
            let parts = s.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
                return nil
            }
            self.init(index: i, count: n)
        }

        /// Why `--shard auto` found no shard in the environment.
        public struct AutoError: Error, Sendable, Hashable, CustomStringConvertible {
            public var message: String
            public var description: String { message }
        }

        /// `--shard auto`: the shard named by the CI system's parallel-job
        /// variables. GitLab (`parallel:`) sets `CI_NODE_INDEX` (1-based) and
        /// `CI_NODE_TOTAL`; Buildkite (`parallelism:`) sets
        /// `BUILDKITE_PARALLEL_JOB` (0-based) and `BUILDKITE_PARALLEL_JOB_COUNT`.
        public static func auto(environment env: [String: String]) throws(AutoError) -> Shard {
            func read(_ indexName: String, _ countName: String, base: Int, system: String) throws(AutoError) -> Shard? {
                let index = env[indexName].flatMap { $0.isEmpty ? nil : $0 }
                let count = env[countName].flatMap { $0.isEmpty ? nil : $0 }
                guard index != nil || count != nil else { return nil }
                guard let i = index.flatMap({ Int($0) }), let n = count.flatMap({ Int($0) }), n >= 1, (base..<(base + n)).contains(i)
                else {
                    throw AutoError(
                        message: "--shard auto: \(system)'s \(indexName)=\(index ?? "(unset)") and \(countName)=\(count ?? "(unset)") "
                            + "do not name a shard (\(indexName) counts from \(base))")
                }
                return Shard(index: i - base + 1, count: n)
            }
            if let s = try read("CI_NODE_INDEX", "CI_NODE_TOTAL", base: 1, system: "GitLab") { return s }
            if let s = try read("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", base: 0, system: "Buildkite") { return s }
            throw AutoError(
                message: "--shard auto: no parallel-job variables set (GitLab's CI_NODE_INDEX and CI_NODE_TOTAL, "
                    + "or Buildkite's BUILDKITE_PARALLEL_JOB and BUILDKITE_PARALLEL_JOB_COUNT); pass --shard I/N instead")
        }

        /// Stable on every machine: FNV-1a of the case id, not Swift's seeded hash.
        public func contains(_ caseID: String) -> Bool {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in caseID.utf8 {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
            return Int(h % UInt64(count)) == index - 1
        }
    }

    public init(endpoints: [String] = [], tags: [String] = [], caseGlobs: [String] = [], shard: Shard? = nil, excludes: [String] = []) {
        self.excludes = excludes
        self.endpoints = endpoints
        self.tags = tags
        self.caseGlobs = caseGlobs
        self.shard = shard
    }

    var isEverything: Bool { endpoints.isEmpty && tags.isEmpty && caseGlobs.isEmpty && shard == nil && excludes.isEmpty }

    /// A chain is one case, so a shard never splits it.
    public func matches(_ c: Case) -> Bool {
        if !endpoints.isEmpty, !endpoints.contains(c.endpoint) { return false }
        if !tags.isEmpty, !c.tags.contains(where: tags.contains) { return false }
        if !caseGlobs.isEmpty, !caseGlobs.contains(where: { globMatch($0, c.id) }) { return false }
        if let shard, !shard.contains(c.id) { return false }
        if excludes.contains(where: { c.tags.contains($0) || globMatch($0, c.id) }) { return false }
        return true
    }

    public func apply(to suite: Suite) -> Suite {
        var s = suite
        s.cases = suite.cases.filter(matches)
        return s
    }
}

/// `*` matches any run of characters, `?` one character.
public func globMatch(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern), t = Array(text)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
            pi += 1
            ti += 1
        } else if pi < p.count, p[pi] == "*" {
            star = pi
            mark = ti
            pi += 1
        } else if star >= 0 {
            pi = star + 1
            mark += 1
            ti = mark
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == "*" { pi += 1 }
    return pi == p.count
}
