import JSONKit

/// What the target shows about a profile before any case: where the
/// documented message of a provoked error sits, and whether the target takes
/// the credentials as the profile sends them. A profile mistake it shows
/// stops the run (exit 2) naming the profile key and the fix: a correct
/// server is never failed for our setup.
public struct ProfileCheck: Sendable {
    /// Profile mistakes the target shows, each naming the key, what the
    /// target does instead and the fix. Any one stops the run.
    public var problems: [String] = []
    /// What was checked, or why it could not be, one line each.
    public var notes: [String] = []
    /// The placement the target accepted a credential in (discovery), when one was.
    public var acceptedAuth: AuthPlacement?
    /// Where the provoked error's documented message sits in its body, when found.
    public var messagePointer: JSONPointer?
    /// The `Content-Type` of the provoked error's answer.
    public var contentType: String?
    /// The request that provoked the error, credentials never included.
    public var request: String?

    public init() {}
}

/// Placements a credential commonly travels in, in the order discovery tries them.
public enum AuthCandidates {
    public static let common: [AuthPlacement] = [
        .query(name: "token"),
        .header(name: "Authorization", prefix: "Bearer "),
        .header(name: "X-Auth-Token", prefix: ""),
        .header(name: "X-API-Key", prefix: ""),
        .header(name: "Authorization", prefix: "Token "),
        .cookie(name: "token"),
    ]

    /// `header X-Auth-Token`, `query token`, `cookie token`: what a user reads.
    public static func describe(_ a: AuthPlacement) -> String {
        switch a {
        case .query(let name): return "query ?\(name)=…"
        case .header(let name, let prefix): return "header \(name): \(prefix)…"
        case .cookie(let name): return "cookie \(name)=…"
        }
    }

    /// The profile's `auth` value for a placement, e.g. `{"in": "header", "name": "X-Auth-Token", "prefix": ""}`.
    public static func json(_ a: AuthPlacement) -> JSON {
        switch a {
        case .query(let name): return ["in": "query", "name": .string(name)]
        case .header(let name, let prefix): return ["in": "header", "name": .string(name), "prefix": .string(prefix)]
        case .cookie(let name): return ["in": "cookie", "name": .string(name)]
        }
    }
}

/// Where a text sits in a JSON document.
enum MessageLocator {
    /// The pointers of every string member or element equal to `text`, the
    /// shallowest first (document order among equals). At most `limit` nodes
    /// are visited: a hostile body costs a bounded walk.
    package static func pointers(of text: String, in document: JSON, limit: Int = 100_000) -> [JSONPointer] {
        var found: [[String]] = []
        var visited = 0
        var stack: [(JSON, [String])] = [(document, [])]
        while let (node, path) = stack.popLast(), visited < limit {
            visited += 1
            switch node {
            case .string(let s) where s == text: found.append(path)
            case .array(let items):
                for (i, item) in items.enumerated().reversed() { stack.append((item, path + [String(i)])) }
            case .object(let o):
                for m in Array(o).reversed() { stack.append((m.value, path + [m.key])) }
            default: break
            }
        }
        return found.enumerated().sorted { a, b in
            a.element.count != b.element.count ? a.element.count < b.element.count : a.offset < b.offset
        }.map { JSONPointer(tokens: $0.element) }
    }
}

extension Runner {
    /// The read-only request that provokes a documented error: the first
    /// preflight request expecting a status that its endpoint documents with
    /// exactly one error row (an unknown id's 404). A fixture it needs that
    /// the profile lacks is replaced by a well-formed value nothing should
    /// have (an id of `f`s), so that even a profile without fixtures is checked.
    func errorProbe() -> (role: Role, planned: PlannedRequest, error: DocumentedError, endpoint: Endpoint)? {
        for check in suite.preflight where check.pool == nil && check.find == nil {
            guard let endpoint = suite.endpoint(check.endpoint) else { continue }
            let rows = endpoint.errors.filter { $0.status == check.status }
            guard rows.count == 1, let row = rows.first else { continue }
            var bindings = target.fixtures
            var usable = true
            for name in check.fixtures where bindings[name] == nil {
                switch suite.fixtureTypes[name]?.kind {
                case .id?: bindings[name] = .string(String(repeating: "f", count: 24))
                default: usable = false
                }
            }
            guard usable else { continue }
            var step = Step(
                endpoint: endpoint.id, covers: "success",
                request: RequestTemplate(pathParams: check.params, query: [], headers: [], body: nil),
                expect: Expectation(status: check.status, errorMessage: nil, schema: nil, assertions: []), captures: [])
            step.readings = []
            return (check.role, Planner.resolve(step, endpoint: endpoint, bindings: bindings), row, endpoint)
        }
        return nil
    }

    /// Sends `planned` as `role` with the credential in `placement` (nil: none).
    func probe(_ planned: PlannedRequest, role: Role, secret: String?, placement: AuthPlacement) async -> Result<HTTPExchange, SendFailure> {
        var me = self
        me.target.auth = placement
        var ignored: [String] = []
        return await me.send(me.wire(planned, role: role, secret: secret).0, attempts: &ignored)
    }

    /// Checks the profile against the target before any case (see
    /// `ProfileCheck`); the overall deadline binds it too, from when it starts.
    public func checkProfile() async -> ProfileCheck {
        var me = self
        if let d = options.deadline, me.deadlineAt == nil { me.deadlineAt = options.clock.now() + min(max(d, 0), 365 * 86400) }
        return await me.checkingProfile()
    }

    func checkingProfile() async -> ProfileCheck {
        var out = ProfileCheck()
        guard let provoked = errorProbe() else {
            out.notes.append("errorMessagePointer not checked: the suite has no read-only request that provokes a documented error")
            return out
        }
        let shown = "\(provoked.planned.method) \(provoked.planned.path)"
        out.request = shown
        let roles = [provoked.role] + suite.access.credentialRoles.filter { $0 != provoked.role }
        var refused: [Role] = []
        var tried: [Role] = []
        var answer: (role: Role, exchange: HTTPExchange)?
        var firstSecret: (Role, String)?
        for role in roles where credentials.has(role) {
            let secret: String?
            do { secret = try await tokens.token(for: role) } catch {
                out.notes.append("\(role): \(error.message)")
                continue
            }
            guard let secret else { continue }
            if firstSecret == nil { firstSecret = (role, secret) }
            tried.append(role)
            switch await probe(provoked.planned, role: role, secret: secret, placement: target.auth) {
            case .failure(let why):
                out.notes.append("profile not checked: \(shown) as \(role): \(why.message)")
                return out
            case .success(let e):
                if e.status == 401 {
                    refused.append(role)
                    continue
                }
                answer = (role, e)
            }
            if answer != nil { break }
        }
        let file = target.file
        if answer == nil, !refused.isEmpty, let (role, secret) = firstSecret {
            var problem =
                "auth: the target refuses the credential of every role as \(file) sends it (\(AuthCandidates.describe(target.auth))): "
                + "\(shown) answered 401 for \(refused.map(\.rawValue).joined(separator: ", "))"
            if let (placement, _) = await discoverAuth(provoked.planned, role: role, secret: secret, except: target.auth) {
                out.acceptedAuth = placement
                problem += "; it accepts \(role)'s credential as \(AuthCandidates.describe(placement)): set \"auth\": "
                    + JSONWriter().string(AuthCandidates.json(placement)) + " in \(file)"
            } else {
                problem += "; no other common placement was accepted either ("
                    + AuthCandidates.common.map(AuthCandidates.describe).joined(separator: ", ")
                    + "): check the exported credentials and \"auth\" in \(file)"
            }
            out.problems.append(problem)
            return out
        }
        guard let (role, exchange) = answer else {
            if tried.isEmpty {
                out.notes.append("errorMessagePointer not checked: no credential for \(provoked.role) or any other role")
            }
            return out
        }
        let scrub = await scrubber()
        locate(provoked.error, in: exchange, request: "\(shown) as \(role)", scrub: scrub, into: &out)
        if let found = out.messagePointer, found != target.errorMessagePointer {
            out.problems.append(
                "errorMessagePointer: \(file) says \(target.errorMessagePointer), but the documented message "
                    + "'\(provoked.error.message)' of the error \(shown) as \(role) provoked (\(exchange.status)) is at \(found): "
                    + "set \"errorMessagePointer\": \"\(found)\" in \(file); the body: \(bodyExcerpt(exchange.body, scrub: scrub))")
        } else if out.messagePointer != nil {
            out.notes.append(
                "errorMessagePointer \(target.errorMessagePointer) confirmed: \(shown) as \(role) answered \(exchange.status) '\(provoked.error.message)'")
        }
        return out
    }

    /// Finds the documented message of `error` in the answer, or says why not.
    func locate(_ error: DocumentedError, in exchange: HTTPExchange, request: String, scrub: Scrubber, into out: inout ProfileCheck) {
        out.contentType = exchange.headers["content-type"]
        guard exchange.status == error.status else {
            out.notes.append("errorMessagePointer not checked: \(request) answered \(exchange.status), not the documented \(error.status)")
            return
        }
        guard let body = try? JSONParser.parse(exchange.body) else {
            out.notes.append(
                "errorMessagePointer not checked: the \(exchange.status) answer to \(request) is not JSON: \(bodyExcerpt(exchange.body, scrub: scrub))")
            return
        }
        guard let found = MessageLocator.pointers(of: error.message, in: body).first else {
            out.notes.append(
                "errorMessagePointer not checked: the \(exchange.status) answer to \(request) does not carry the documented message "
                    + "'\(error.message)' anywhere (the cases judge it): \(bodyExcerpt(exchange.body, scrub: scrub))")
            return
        }
        out.messagePointer = target.errorMessagePointer.resolve(in: body)?.stringValue == error.message ? target.errorMessagePointer : found
    }

    /// The first of `candidates` (then the common ones) in which the target
    /// does not refuse `secret` with 401, with its answer.
    func discoverAuth(
        _ planned: PlannedRequest, role: Role, secret: String, candidates: [AuthPlacement] = [], except: AuthPlacement? = nil
    ) async -> (AuthPlacement, HTTPExchange)? {
        var seen: [AuthPlacement] = except.map { [$0] } ?? []
        for placement in candidates + AuthCandidates.common where !seen.contains(placement) {
            seen.append(placement)
            guard case .success(let e) = await probe(planned, role: role, secret: secret, placement: placement) else { return nil }
            if e.status != 401 { return (placement, e) }
        }
        return nil
    }

    /// Discovery for a new profile: how credentials travel (the first of
    /// `preferred`, then the common placements, that `role`'s credential is
    /// not refused in), where the provoked error's message sits, the content type.
    public func discover(role: Role, preferred: [AuthPlacement]) async -> ProfileCheck {
        var out = ProfileCheck()
        guard let provoked = errorProbe() else {
            out.notes.append("nothing probed: the suite has no read-only request that provokes a documented error")
            return out
        }
        let shown = "\(provoked.planned.method) \(provoked.planned.path)"
        out.request = shown
        let scrub = await scrubber()
        let secret: String
        do {
            guard let s = try await tokens.token(for: role) else {
                out.notes.append("nothing probed: no credential for \(role)")
                return out
            }
            secret = s
        } catch {
            out.notes.append("nothing probed: \(error.message)")
            return out
        }
        // Without a credential first: a target that does not refuse that cannot tell us where one goes.
        switch await probe(provoked.planned, role: role, secret: nil, placement: target.auth) {
        case .failure(let why):
            out.notes.append("could not reach the target: \(shown): \(why.message)")
            return out
        case .success(let bare):
            guard bare.status == 401 else {
                out.notes.append(
                    "how credentials travel: not found: \(shown) without a credential answered \(bare.status), not 401, so a refusal cannot be told apart")
                locate(provoked.error, in: bare, request: shown, scrub: scrub, into: &out)
                return out
            }
        }
        guard let (placement, answer) = await discoverAuth(provoked.planned, role: role, secret: secret, candidates: preferred) else {
            out.notes.append(
                "how credentials travel: not found: \(shown) as \(role) answered 401 in every placement tried ("
                    + (preferred + AuthCandidates.common.filter { !preferred.contains($0) }).map(AuthCandidates.describe).joined(separator: ", ") + ")")
            return out
        }
        out.acceptedAuth = placement
        locate(provoked.error, in: answer, request: "\(shown) as \(role)", scrub: scrub, into: &out)
        return out
    }

    /// At most 300 bytes of a body, scrubbed of every credential, on one line.
    func bodyExcerpt(_ body: [UInt8], scrub: Scrubber) -> String {
        let head = Array(body.prefix(300 + scrub.longestForm))
        var text = Runner.clipped(scrub.bytes(head), to: 300)
        if head.count < body.count, !text.hasSuffix(Runner.truncatedMark) { text += Runner.truncatedMark }
        return text.replacingOccurrences("\n", " ")
    }
}
