import Foundation
import JSONKit

/// Pool entries (values of an array fixture taken with `{{take POOL}}`)
/// that runs against one target consumed: a number bought stays bought, so
/// the next run against the same server skips it. Kept per target in a small
/// file (`<reports>/.pools/<digest of the base URL>.json`) that holds the
/// target's name and base URL and the values taken, never a credential. Only
/// values the profile still lists are kept, so it never outgrows the profile.
public struct PoolLedger: Sendable, Hashable {
    /// Pool name → the values taken (their JSON text), in the order taken.
    public var used: [String: [String]] = [:]

    public init(used: [String: [String]] = [:]) { self.used = used }

    /// The ledger file of the target at `baseURL` under `dir`.
    public static func path(dir: String, baseURL: String) -> String {
        var base = baseURL.lowercased()
        while base.hasSuffix("/") { base.removeLast() }
        return dir + "/.pools/" + String(SHA256.hex(SHA256.hash(base)).prefix(16)) + ".json"
    }

    /// The key a value is recorded under: its JSON text.
    public static func key(_ value: JSON) -> String { JSONWriter().string(value) }

    /// The ledger at `path`; empty when there is none. A file that cannot be
    /// read as a ledger is an error naming it (never silently forgotten).
    public static func load(path: String) throws(LedgerError) -> PoolLedger {
        guard FileManager.default.fileExists(atPath: path) else { return PoolLedger() }
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse(Array(data)),
            case .object(let pools)? = json["pools"]
        else {
            throw LedgerError(message: "\(path) is not a pool ledger (a JSON object with \"pools\"); delete it or pass --reset-pools")
        }
        var out = PoolLedger()
        for m in pools {
            guard case .array(let values) = m.value else { continue }
            out.used[m.key] = values.compactMap(\.stringValue)
        }
        return out
    }

    /// Keeps only values `fixtures` still lists in their pools.
    public func pruned(to fixtures: [String: JSON]) -> PoolLedger {
        var out = PoolLedger()
        for (pool, values) in used {
            guard case .array(let listed)? = fixtures[pool] else { continue }
            let keys = Set(listed.map(PoolLedger.key))
            let kept = values.filter(keys.contains)
            if !kept.isEmpty { out.used[pool] = kept }
        }
        return out
    }

    /// Adds the values each job took that was sent (at least one request).
    public mutating func record(_ jobs: Plan, _ results: CaseResults) {
        // Only the results of jobs that took a value are read back.
        let taking = jobs.takingPositions
        let took = Set(taking)
        var sent: [Int: Bool] = [:]
        for i in results.indices where took.contains(results.glance(i).seq) {
            let r = results[i]
            sent[r.seq] = (sent[r.seq] ?? false) || r.requests > 0
        }
        for job in taking.map({ jobs[$0] }) where sent[job.seq] == true {
            for (pool, value) in job.taken.sorted(by: { $0.key < $1.key }) {
                let k = PoolLedger.key(value)
                if !(used[pool] ?? []).contains(k) { used[pool, default: []].append(k) }
            }
        }
    }

    /// The file's text: target, base URL and the values taken per pool.
    public func text(target: String, baseURL: String) -> String {
        var pools = JSONObject()
        for pool in used.keys.sorted() { pools[pool] = .array((used[pool] ?? []).map { .string($0) }) }
        let doc: JSON = [
            "$comment": "Pool entries earlier runs took from this target (conformance run); the next run skips them. Delete this file or pass --reset-pools to forget them.",
            "target": .string(target), "baseURL": .string(baseURL), "pools": .object(pools),
        ]
        return JSONWriter(pretty: true).string(doc) + "\n"
    }

    /// `create.freeNumbers: 50 of 200 left` for each pool of `fixtures` the ledger names.
    public func remaining(in fixtures: [String: JSON]) -> [(pool: String, left: Int, total: Int)] {
        used.keys.sorted().compactMap { pool in
            guard case .array(let listed)? = fixtures[pool] else { return nil }
            let taken = Set(used[pool] ?? [])
            return (pool, listed.count { !taken.contains(PoolLedger.key($0)) }, listed.count)
        }
    }
}

public struct LedgerError: Error, Sendable {
    public var message: String
}
