import Foundation
import JSONKit

// What a request looks like: on the wire (the credential added at the last
// moment) and for people (the redacted URL and headers, the curl line).
extension Runner {
    /// What each step of a job would send, secrets redacted and values captured
    /// at run time shown as their `{{captured.NAME}}` placeholders (for --dry-run).
    public func describe(_ job: Job) -> [RequestSummary] {
        job.steps.compactMap { step in
            guard let endpoint = suite.endpoint(step.endpoint) else { return nil }
            var bindings = job.fixtures
            for other in job.steps.flatMap(\.captures) {
                bindings[capturedPrefix + other.name] = .string("{{\(capturedPrefix)\(other.name)}}")
            }
            let planned = Planner.resolve(step, endpoint: endpoint, bindings: bindings)
            let placeholder = credentials.has(job.testCase.role) ? "***" : nil
            var summary = wire(planned, role: job.testCase.role, secret: placeholder).1
            summary.url = summary.url.replacingOccurrences("%7B%7B", "{{").replacingOccurrences("%7D%7D", "}}")
            return summary
        }
    }

    /// The request as sent (with the credential) and as shown (with `***`).
    func wire(_ p: PlannedRequest, role: Role, secret: String?) -> (OutgoingRequest, RequestSummary) {
        var headers = p.headers.map { (name: $0.name, value: $0.value) }
        var bodyBytes: [UInt8]?
        if let text = p.rawBody {
            bodyBytes = Array(text.utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append((name: "Content-Type", value: "application/json"))
            }
        } else if let body = p.body {
            bodyBytes = JSONWriter().bytes(body)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append((name: "Content-Type", value: "application/json"))
            }
        }
        // Logged-in roles have no variable of their own: the curl line names one to set.
        let variable = "${\(target.credentialVariables[role] ?? "TOKEN_\(role.rawValue)")}"
        let base = target.baseURL.hasSuffix("/") ? String(target.baseURL.dropLast()) : target.baseURL

        /// The request with the credential written as `credential` (the value,
        /// `***`, or a shell variable reference), or without it (`inline`
        /// false: curl adds a query credential itself, percent-encoded).
        /// Headers and cookies carry the credential byte for byte; only the
        /// query percent-encodes it, as it does every query value.
        // The query's own pairs are the same in the three renderings: encoded once (perf, issue 24).
        // Each URL is written into one `String` of the size it needs, not
        // joined from pieces (perf, issue 24: the renderings and the curl line
        // made 18 allocations a request).
        let query = p.query.map { encodeQuery($0.name) + "=" + encodeQuery($0.value) }.joined(separator: "&")
        func render(_ credential: String?, encode: Bool, inline: Bool = true) -> (url: String, headers: [(name: String, value: String)]) {
            var last: String?
            var h = headers
            if let credential {
                switch target.auth {
                case .query(let name): if inline { last = encodeQuery(name) + "=" + (encode ? encodeQuery(credential) : credential) }
                case .header(let name, let prefix): h.append((name, prefix + credential))
                case .cookie(let name): h.append((name: "Cookie", value: "\(name)=\(credential)"))
                }
            }
            return (Runner.url(base, p.path, query: query, last: last), h)
        }
        let real = render(secret, encode: true)
        let shown = render(secret == nil ? nil : "***", encode: false)
        let out = OutgoingRequest(method: p.method, url: real.url, headers: real.headers, body: bodyBytes)

        // A ready-to-paste curl line that sends what the harness sent: the
        // credential as an environment-variable reference, byte for byte in a
        // header or cookie, percent-encoded by curl in the query (--url-query,
        // appended last, where the harness puts it).
        let forShell = render(secret == nil ? nil : variable, encode: false, inline: false)
        var curl = ""
        curl.reserveCapacity(
            64 + 2 * (forShell.url.utf8.count + forShell.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 8 } + (bodyBytes?.count ?? 0)))
        curl += "curl -sS -X "
        curl += p.method
        curl += " "
        curl += shellDoubleQuoted(forShell.url, keeping: variable)
        if secret != nil, case .query(let name) = target.auth {
            curl += " --url-query "
            curl += shellDoubleQuoted(encodeQuery(name) + "=" + variable, keeping: variable)
        }
        for h in forShell.headers {
            curl += " -H "
            curl += shellDoubleQuoted("\(h.name): \(h.value)", keeping: variable)
        }
        if let bodyBytes {
            curl += " --data-binary "
            curl += shellSingleQuoted(String(decoding: bodyBytes, as: UTF8.self))
        }

        let summary = RequestSummary(
            method: p.method, url: shown.url, headers: shown.headers.map { "\($0.name): \($0.value)" },
            body: p.rawBody ?? p.body.map { JSONWriter().string(SensitiveFields.mask($0, names: sensitive)) }, curl: curl)
        return (out, summary)
    }
}

extension Runner {
    /// `base` and `path`, then `?` and the query's pairs (`query`, joined by
    /// `&`), with `last` as the last pair: in one `String` of the size it needs.
    static func url(_ base: String, _ path: String, query: String, last: String?) -> String {
        var url = ""
        url.reserveCapacity(base.utf8.count + path.utf8.count + query.utf8.count + (last?.utf8.count ?? 0) + 2)
        url += base
        url += path
        if !query.isEmpty {
            url += "?"
            url += query
        }
        if let last {
            url += query.isEmpty ? "?" : "&"
            url += last
        }
        return url
    }
}

/// Percent-encodes a query name or value (RFC 3986 unreserved characters
/// kept): over the bytes, the string itself when nothing needs escaping (a
/// `Character` appended per byte was 0.5 % of a keep-alive run's client
/// CPU, perf issue 24; HotPathTests keeps that code and compares).
func encodeQuery(_ s: String) -> String {
    func kept(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: true
        default: false
        }
    }
    let u = s.utf8
    guard u.contains(where: { !kept($0) }) else { return s }
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(u.count * 3)
    for b in u {
        if kept(b) {
            out.append(b)
        } else {
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0F)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// `"…"` for a POSIX shell, escaping everything but the one variable reference we mean to expand.
func shellDoubleQuoted(_ s: String, keeping reference: String) -> String {
    asciiShellDoubleQuoted(s, keeping: reference) ?? characterShellDoubleQuoted(s, keeping: reference)
}

/// `shellDoubleQuoted` by `Character`, for any text (the ASCII path is
/// compared with it in HotPathTests).
func characterShellDoubleQuoted(_ s: String, keeping reference: String) -> String {
    func esc(_ part: Substring) -> String {
        var out = ""
        for c in part {
            if c == "\"" || c == "\\" || c == "$" || c == "`" { out.append("\\") }
            out.append(c)
        }
        return out
    }
    let parts = s.split(separator: reference, omittingEmptySubsequences: false)
    return "\"" + parts.map(esc).joined(separator: reference) + "\""
}

/// `'…'` for a POSIX shell.
func shellSingleQuoted(_ s: String) -> String {
    "'" + s.replacingOccurrences("'", "'\\''") + "'"
}

/// `shellDoubleQuoted` for ASCII text, over bytes: each ASCII character is
/// one byte and one `Character` (CR LF aside, which is never escaped nor in
/// a reference), so the result is the same as the `Character` walk and the
/// `split` by the reference, which together were 2.5 % of a run's CPU
/// (perf, issue 24: every request's curl line is written). nil for other text.
func asciiShellDoubleQuoted(_ s: String, keeping reference: String) -> String? {
    var s = s
    var reference = reference
    return s.withUTF8 { text -> String? in
        reference.withUTF8 { ref -> String? in
            guard !ref.isEmpty, !text.contains(where: { $0 >= 0x80 }), !ref.contains(where: { $0 >= 0x80 }) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(text.count + 8)
            out.append(0x22)
            var i = 0
            while i < text.count {
                if i + ref.count <= text.count, text[i] == ref[0],
                    memcmp(text.baseAddress! + i, ref.baseAddress!, ref.count) == 0
                {
                    out.append(contentsOf: ref)
                    i += ref.count
                    continue
                }
                let b = text[i]
                if b == 0x22 || b == 0x5C || b == 0x24 || b == 0x60 { out.append(0x5C) }
                out.append(b)
                i += 1
            }
            out.append(0x22)
            return String(decoding: out, as: UTF8.self)
        }
    }
}
