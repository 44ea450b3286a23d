import JSONKit

/// A request with every variable filled in. It carries no credential: the
/// runner adds that at the last moment, so a plan is safe to print.
public struct PlannedRequest: Sendable, Hashable {
    public var method: String
    /// Path with parameters substituted and percent-encoded.
    public var path: String
    public var query: [QueryParameter]
    public var headers: [Header]
    public var body: JSON?

    public struct QueryParameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }
}

/// One case, ready to run (or the reason it will not).
public struct Job: Sendable {
    public var seq: Int
    public var testCase: Case
    public var endpoint: Endpoint
    public var request: PlannedRequest?
    public var skipReason: String?
}

public enum Planner {
    /// Cases in a stable order (endpoint id, then case id), numbered, with
    /// variables resolved against the target's fixtures.
    public static func plan(suite: Suite, target: TargetProfile, credentials: Credentials) -> [Job] {
        let ordered = suite.cases.sorted { ($0.endpoint, $0.id) < ($1.endpoint, $1.id) }
        var jobs: [Job] = []
        for (seq, c) in ordered.enumerated() {
            guard let ep = suite.endpoint(c.endpoint) else { continue }
            var job = Job(seq: seq, testCase: c, endpoint: ep, request: nil, skipReason: nil)
            let needed = c.request.variables + c.expect.assertions.flatMap { a -> [String] in
                if case .equals(let t) = a.kind { return t.variables }
                return []
            }
            if let missing = needed.first(where: { target.fixtures[$0] == nil }) {
                job.skipReason = "target \(target.name) has no fixture '\(missing)' (\(suite.fixtures[missing] ?? "")); add it to \(target.file)"
            } else if c.role != .anonymous, credentials.byRole[c.role] == nil {
                job.skipReason = "no credential for role \(c.role): "
                    + (credentials.missing[c.role] ?? "\(target.file) names no environment variable for \(c.role) under credentials")
            } else if ep.mutating, !target.allowMutations {
                job.skipReason = "mutating case; target \(target.name) does not allow mutations (set \"allowMutations\": true in \(target.file))"
            } else {
                job.request = resolve(c, endpoint: ep, fixtures: target.fixtures)
            }
            jobs.append(job)
        }
        return jobs
    }

    static func resolve(_ c: Case, endpoint: Endpoint, fixtures: [String: JSON]) -> PlannedRequest {
        var path = ""
        var rest = Substring(endpoint.path)
        while let open = rest.firstIndex(of: "{") {
            path += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            let value = c.request.pathParams[name].map { substitute($0, fixtures).textValue } ?? ""
            path += percentEncodePathSegment(value)
            rest = after[after.index(after: close)...]
        }
        path += rest
        return PlannedRequest(
            method: endpoint.method, path: path,
            query: c.request.query.map { .init(name: $0.name, value: substitute($0.value, fixtures).textValue) },
            headers: c.request.headers.map { .init(name: $0.name, value: substitute($0.value, fixtures).textValue) },
            body: c.request.body.map { substitute($0, fixtures) })
    }

    /// Replaces `{{name}}` in every string. A string that is exactly one
    /// variable takes the fixture's JSON value (so numbers stay numbers).
    public static func substitute(_ t: Template, _ fixtures: [String: JSON]) -> JSON {
        func walk(_ v: JSON) -> JSON {
            switch v {
            case .string(let s):
                let names = Template.variableNames(in: s)
                if names.isEmpty { return v }
                if names.count == 1, s.hasPrefix("{{"), s.hasSuffix("}}"), let whole = fixtures[names[0]],
                    s.dropFirst(2).dropLast(2).trimmingCharactersSpaces() == names[0]
                {
                    return whole
                }
                return .string(replaceVariables(in: s, fixtures))
            case .array(let a): return .array(a.map(walk))
            case .object(let o):
                return .object(JSONObject(o.map { .init(key: replaceVariables(in: $0.key, fixtures), value: walk($0.value)) }))
            default: return v
            }
        }
        return walk(t.raw)
    }

    static func replaceVariables(in s: String, _ fixtures: [String: JSON]) -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            let name = after[after.startIndex..<close.lowerBound].trimmingSpaces()
            out += fixtures[name]?.textValue ?? ""
            rest = after[close.upperBound...]
        }
        return out + rest
    }

    static func percentEncodePathSegment(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80, c.isLetter || c.isNumber || "-._~+:@!$&'()*,;=".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

extension Substring {
    func trimmingCharactersSpaces() -> String { self.trimmingSpaces() }
}

extension JSON {
    /// The value as it reads in a URL or header: strings bare, others as JSON.
    var textValue: String {
        if case .string(let s) = self { return s }
        return description
    }
}
