import Foundation
import JSONKit

public enum TargetLoader {
    /// Reads a target profile. `fixtureCatalogue` is the suite's list of known
    /// fixture names: a profile naming another one gets a warning with a guess.
    /// With `access`, credentials must name its roles that carry one.
    public static func load(
        path: String, fixtureCatalogue: [String: String], access: AccessModel? = nil
    ) throws(SuiteLoadError) -> (profile: TargetProfile, warnings: [Diagnostic]) {
        try load(path: path, fixtureCatalogue: fixtureCatalogue, fixtureTypes: [:], readings: [], access: access)
    }

    /// Reads a target profile for `suite`: fixture names, fixture value types
    /// and pinned readings are checked against the suite.
    public static func load(path: String, suite: Suite) throws(SuiteLoadError) -> (
        profile: TargetProfile, warnings: [Diagnostic]
    ) {
        try load(
            path: path, fixtureCatalogue: suite.fixtures, fixtureTypes: suite.fixtureTypes, readings: suite.readings,
            access: suite.access)
    }

    static func load(
        path: String, fixtureCatalogue: [String: String], fixtureTypes: [String: FixtureType], readings: [Reading],
        access: AccessModel?
    ) throws(SuiteLoadError) -> (profile: TargetProfile, warnings: [Diagnostic]) {
        let sink = DiagnosticSink()
        let display = SuiteLoader.displayPath(path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw SuiteLoadError([Diagnostic(file: display, keyPath: "", message: "target profile not found")])
        }
        guard let node = SuiteFiles.parse(path: path, display: display, sink: sink),
            let profile = read(
                node, fixtureCatalogue: fixtureCatalogue, fixtureTypes: fixtureTypes, readings: readings, access: access),
            !sink.hasErrors
        else { throw SuiteLoadError(sink.items) }
        return (profile, sink.items)
    }

    static func read(
        _ node: Node, fixtureCatalogue: [String: String], fixtureTypes: [String: FixtureType] = [:],
        readings: [Reading] = [], access: AccessModel? = nil
    ) -> TargetProfile? {
        guard
            let o = node.object(keys: [
                "name", "description", "baseURL", "auth", "credentials", "fixtures", "errorMessagePointer",
                "allowMutations", "login", "readings", "minJudged", "confirmedFixtures",
            ])
        else { return nil }
        let name = o.required("name")?.nonEmptyString
        _ = o.optional("description")?.string
        var baseURL: String?
        if let b = o.required("baseURL"), let s = b.string {
            if let problem = baseURLProblem(s) { b.error(problem) } else { baseURL = s }
        }
        var auth: AuthPlacement?
        if let a = o.required("auth"), let ao = a.object(keys: ["in", "name", "prefix"]) {
            var name = ao.required("name")?.nonEmptyString
            var prefix = ao.optional("prefix")?.string ?? ""
            // Both reach the request head: a control character would inject a line.
            if let n = name, !OutgoingRequest(method: "GET", url: "/", headers: [(n, "")], body: nil).isHeadSafe {
                ao.optional("name")?.error("must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only): a control character or space would inject into the request head")
                name = nil
            }
            if !OutgoingRequest.isFieldValue(prefix) {
                ao.optional("prefix")?.error("holds a control character (CR, LF, NUL or another), which would inject a line into the request head")
                prefix = ""
            }
            if let inNode = ao.required("in"), let place = inNode.string, let name {
                switch place {
                case "query": auth = .query(name: name)
                case "header": auth = .header(name: name, prefix: prefix)
                case "cookie": auth = .cookie(name: name)
                default:
                    inNode.error(
                        "unknown placement '\(place)'",
                        hint: closestMatch(to: place, in: ["query", "header", "cookie"]).map { "did you mean '\($0)'?" }
                            ?? "query, header or cookie")
                }
                if prefix != "", place != "header" { ao.optional("prefix")?.error("prefix applies to in: header only") }
            }
        }
        var credentialVariables: [Role: String] = [:]
        var loginVariables: [Role: LoginVariables] = [:]
        if let c = o.required("credentials") {
            if case .object(let co) = c.value {
                for m in co {
                    let n = c.child(m.key, m.value)
                    let key = Node(value: .string(m.key), path: n.path, file: n.file, sink: n.sink)
                    let named: Role? = if let access { access.readRole(key) } else { Role(m.key) }
                    guard let role = named else { continue }
                    if let access, !access.hasCredential(role) {
                        n.error(
                            "\(role) never carries a credential (\(access.file) declares it with \"credential\": false)",
                            hint: "remove credentials.\(role)")
                        continue
                    }
                    if case .object = m.value {
                        guard let lo = n.object(keys: ["username", "password"]),
                            let u = lo.required("username")?.nonEmptyString, let pw = lo.required("password")?.nonEmptyString
                        else { continue }
                        for (k, v) in [("username", u), ("password", pw)] where !isEnvironmentVariableName(v) {
                            lo.optional(k)?.error(
                                "must name an environment variable (upper-case letters, digits, '_'), not hold the value itself",
                                hint: "credentials are never stored in files")
                        }
                        loginVariables[role] = LoginVariables(username: u, password: pw)
                        continue
                    }
                    guard let v = n.nonEmptyString else { continue }
                    if !isEnvironmentVariableName(v) {
                        n.error(
                            "must name an environment variable (upper-case letters, digits, '_'), not hold the credential itself",
                            hint: "credentials are never stored in files")
                        continue
                    }
                    credentialVariables[role] = v
                }
            } else {
                c.error("must be an object mapping each role to an environment variable name (or {username, password} variables)")
            }
        }
        var fixtures: [String: JSON] = [:]
        if let f = o.optional("fixtures") {
            if case .object(let fo) = f.value {
                for m in fo {
                    if fixtureCatalogue[m.key] == nil {
                        f.child(m.key, m.value).warning(
                            "'\(m.key)' is not a fixture the suite uses",
                            hint: closestMatch(to: m.key, in: fixtureCatalogue.keys).map { "did you mean '\($0)'?" })
                    }
                    if let type = fixtureTypes[m.key], let problem = type.problem(m.value) {
                        f.child(m.key, m.value).error(
                            "must be \(type.words); \(problem)",
                            hint: fixtureCatalogue[m.key].map { "Cases/fixtures.json: \(m.key): \($0)" })
                    }
                    fixtures[m.key] = m.value
                }
            } else {
                f.error("must be an object mapping fixture names to values")
            }
        }
        var pointer = JSONPointer(tokens: ["message"])
        if let p = o.optional("errorMessagePointer"), let s = p.string {
            do { pointer = try JSONPointer(parsing: s) } catch { p.error(error.description) }
        }
        let allow = o.optional("allowMutations")?.bool ?? false
        var minJudged: Double?
        if let mj = o.optional("minJudged") {
            if case .number(let v) = mj.value, v >= 0, v <= 100 {
                minJudged = v
            } else {
                mj.error("must be a percentage, a number from 0 to 100 (e.g. 80)")
            }
        }
        var login: LoginSpec?
        if let ln = o.optional("login"), let lo = ln.object(keys: ["path", "tokenPointer", "expiresPointer"]) {
            var spec = LoginSpec()
            if let pth = lo.optional("path")?.nonEmptyString { spec.path = pth }
            if let tp = lo.optional("tokenPointer"), let s = tp.string {
                do { spec.tokenPointer = try JSONPointer(parsing: s) } catch { tp.error(error.description) }
            }
            if let ep = lo.optional("expiresPointer"), let s = ep.string {
                do { spec.expiresPointer = try JSONPointer(parsing: s) } catch { ep.error(error.description) }
            }
            login = spec
        }
        if !loginVariables.isEmpty, login == nil {
            (o.optional("credentials") ?? node).error(
                "roles with username and password need a \"login\" section (e.g. {\"path\": \"/auth/login\"})")
        }
        var pins: [String: String] = [:]
        if let rn = o.optional("readings") {
            if case .object(let ro) = rn.value {
                for m in ro {
                    let n = rn.child(m.key, m.value)
                    guard let option = n.nonEmptyString else { continue }
                    guard let reading = readings.first(where: { $0.id == m.key }) else {
                        n.error(
                            "unknown reading '\(m.key)'",
                            hint: closestMatch(to: m.key, in: readings.map(\.id)).map { "did you mean '\($0)'?" }
                                ?? "conformance readings lists them")
                        continue
                    }
                    guard reading.option(option) != nil else {
                        n.error(
                            "'\(reading.id)' has no option '\(option)'",
                            hint: "options: \(reading.options.map(\.id).joined(separator: ", "))")
                        continue
                    }
                    pins[m.key] = option
                }
            } else {
                rn.error("must map reading ids to the option this target is held to, e.g. {\"create-success-status\": \"201\"}")
            }
        }
        var vouched: [String: String] = [:]
        if let cn = o.optional("confirmedFixtures") {
            if case .object(let co) = cn.value {
                for m in co {
                    let n = cn.child(m.key, m.value)
                    guard let how = n.nonEmptyString else { continue }
                    guard fixtureCatalogue[m.key] != nil else {
                        n.error(
                            "unknown fixture '\(m.key)'",
                            hint: closestMatch(to: m.key, in: fixtureCatalogue.keys).map { "did you mean '\($0)'?" })
                        continue
                    }
                    vouched[m.key] = how
                }
            } else {
                cn.error("must map fixture names to how you know each holds on the target, e.g. {\"deleted.filter.imsi\": \"read in the admin console\"}")
            }
        }
        guard let name, let baseURL, let auth else { return nil }
        var profile = TargetProfile(
            name: name, file: node.file, baseURL: baseURL, auth: auth, credentialVariables: credentialVariables,
            loginVariables: loginVariables, login: login, fixtures: fixtures, errorMessagePointer: pointer,
            allowMutations: allow)
        profile.readings = pins
        profile.minJudged = minJudged
        profile.confirmedFixtures = vouched
        return profile
    }

    /// nil when `s` is an absolute http(s) URL without user information, query or fragment.
    ///
    /// User information (`https://user:pass@host`) is refused rather than
    /// removed from outputs: credentials come from the environment variables
    /// a profile names, and a URL is printed in too many places to trust.
    /// The message does not repeat what stood before the `@`.
    public static func baseURLProblem(_ s: String) -> String? {
        if let c = URLComponents(string: s), c.user != nil || c.password != nil {
            var shown = c
            shown.user = nil
            shown.password = nil
            return "the base URL \(shown.string ?? "") carries user information (user:password@ before the host): "
                + "credentials are never put in a URL; name environment variables under \"credentials\" in the target profile"
        }
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = u.host, !host.isEmpty
        else { return "'\(s)' is not an absolute http:// or https:// URL" }
        if u.query != nil || u.fragment != nil { return "'\(s)' must not carry a query or fragment" }
        return nil
    }

    /// Why credentials must not go to this base URL: plain http to a host
    /// that is not loopback. nil when it is https or loopback.
    public static func insecureCredentialsProblem(baseURL: String) -> String? {
        guard let u = URL(string: baseURL), u.scheme?.lowercased() == "http", let host = u.host?.lowercased() else {
            return nil
        }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        return loopback ? nil : "credentials would travel unencrypted to \(host) over plain http://"
    }

    /// An environment variable name as POSIX writes them: upper-case
    /// letters, digits and '_', not starting with a digit. Lower case is
    /// refused: a token such as `sk_live_4eC39HqLyjW` would otherwise pass
    /// for a variable name and be printed in every report (`${…}` in curl
    /// lines, "not set" reasons).
    static func isEnvironmentVariableName(_ s: String) -> Bool {
        guard let f = s.utf8.first, !(f >= 0x30 && f <= 0x39) else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F }
    }
}
