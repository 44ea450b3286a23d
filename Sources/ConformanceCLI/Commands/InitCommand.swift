import ConformanceKit
import Foundation
import JSONKit

extension CLI {
    static let initHelp = """
        conformance init — scaffold a target profile for a new server

        USAGE
          conformance init --name NAME --base-url URL [--auth query|header|cookie|login]
                           [--header-name NAME [--prefix TEXT]] [--out FILE] [--force]

        Writes Cases/targets/NAME.json (or --out FILE) with the base URL, how credentials travel,
        one environment variable per role (each role explained in one line), and an empty
        fixtures section; then lists the fixtures the suite needs and the variables to export.
        Missing values are asked for only when standard input is a terminal; otherwise they
        must be given as flags.

        DISCOVERY
        With at least one role's variable exported (e.g. TELECOMX_NAME_ADMIN_TOKEN), init asks
        the server before writing, read-only: one GET of an unknown id without a credential
        (it must answer 401), then with the credential in each common placement until one is
        not refused (--auth first, then ?token=, Authorization: Bearer, X-Auth-Token,
        X-API-Key, Authorization: Token, cookie token); in the documented error that answers,
        it finds where the documented message sits (errorMessagePointer) and notes the
        content type. It writes what it found and says so; what it could not find keeps the
        default, and says that too. Nothing is sent when no variable is exported.

        --auth query   ?token=… (the vendor docs' style)      header  Authorization: Bearer …
               cookie  Cookie: token=…                        login   POST /auth/login per role
        --header-name NAME  with --auth header: the header that carries the credential
                            (e.g. X-Auth-Token); its --prefix defaults to "" (to "Bearer "
                            for Authorization)
        --prefix TEXT       with --auth header: what precedes the credential ("" for none)
        """

    static func initProfile(_ args: [String], environment: [String: String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(
            flags: ["help", "force"], options: ["name", "base-url", "auth", "out", "suite", "header-name", "prefix"])
        guard let p = try parseArguments(args, spec: spec, help: initHelp, console: console) else { return .passed }
        let interactive = isatty(0) == 1
        func value(_ key: String, _ question: String, default d: String? = nil) throws(UsageError) -> String {
            if let v = p.value(key), !v.isEmpty { return v }
            if interactive {
                console.out(question + (d.map { " [\($0)]" } ?? "") + ": ", terminator: false)
                if let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    return line.trimmingCharacters(in: .whitespaces)
                }
            }
            if let d { return d }
            throw UsageError("init needs --\(key) (standard input is not a terminal, so nothing is asked)")
        }
        let name = try value("name", "Profile name (e.g. staging)")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw UsageError("--name may hold letters, digits, '-' and '_' only")
        }
        let baseURL = try value("base-url", "Base URL of the server (e.g. https://staging.api.example)")
        if let problem = TargetLoader.baseURLProblem(baseURL) { throw UsageError("--base-url: \(problem)") }
        let authGiven = p.value("auth") != nil || p.value("header-name") != nil
        let auth = try value(
            "auth", "How credentials travel: query, header, cookie or login", default: p.value("header-name") != nil ? "header" : "header")
        if p.value("header-name") != nil || p.value("prefix") != nil, auth != "header" {
            throw UsageError("--header-name and --prefix go with --auth header, not --auth \(auth)")
        }
        if let h = p.value("header-name"), h.isEmpty || !h.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }) {
            throw UsageError("--header-name must be a header name (visible ASCII, no ':')")
        }
        // The prefix goes into the request head before the credential: no line may be injected.
        if let x = p.value("prefix"), !OutgoingRequest(method: "GET", url: "/", headers: [("X", x)], body: nil).isHeadSafe {
            throw UsageError("--prefix must not hold control characters (CR, LF, NUL, …): it goes into the request head")
        }
        let suiteRoot = p.suiteRoot
        let out = p.value("out") ?? suiteRoot + "/targets/\(name).json"
        if FileManager.default.fileExists(atPath: out), !p.has("force") {
            throw UsageError("\(out) exists; pass --force to overwrite it")
        }
        let prefix = "TELECOMX_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
        var profile = JSONObject()
        profile["$schema"] = .string(schemaReference(from: (out as NSString).deletingLastPathComponent, suiteRoot: suiteRoot))
        profile["name"] = .string(name)
        profile["description"] = .string("Target profile for \(name), scaffolded by conformance init.")
        profile["baseURL"] = .string(baseURL)
        var credentials = JSONObject()
        var exports: [String] = []
        // One credential for each role the suite declares with one (access.json).
        let roles: [Role]
        do { roles = try SuiteLoader.loadAccess(root: suiteRoot).credentialRoles } catch {
            for d in error.diagnostics { console.err(d.description) }
            return .usage
        }
        var placement: AuthPlacement
        switch auth {
        case "query": placement = .query(name: "token")
        case "header":
            let header = p.value("header-name") ?? "Authorization"
            placement = .header(name: header, prefix: p.value("prefix") ?? (header.lowercased() == "authorization" ? "Bearer " : ""))
        case "login": placement = .header(name: "Authorization", prefix: "Bearer ")
        case "cookie": placement = .cookie(name: "token")
        default: throw UsageError("--auth must be query, header, cookie or login, got '\(auth)'")
        }
        var credentialVariables: [Role: String] = [:]
        var loginVariables: [Role: LoginVariables] = [:]
        if auth == "login" {
            profile["login"] = ["path": "/auth/login", "tokenPointer": "/token", "expiresPointer": "/expiresInMinutes"]
            for r in roles {
                let u = prefix + r.rawValue + "_USER", pw = prefix + r.rawValue + "_PASSWORD"
                credentials[r.rawValue] = ["username": .string(u), "password": .string(pw)]
                loginVariables[r] = LoginVariables(username: u, password: pw)
                exports.append("export \(u)=…  \(pw)=…")
            }
        } else {
            for r in roles {
                let v = prefix + r.rawValue + "_TOKEN"
                credentials[r.rawValue] = .string(v)
                credentialVariables[r] = v
                exports.append("export \(v)=…")
            }
        }
        // Discovery: what the server shows, read-only, when a credential is exported.
        var draft = TargetProfile(
            name: name, file: SuiteLoader.displayPath(out), baseURL: baseURL, auth: placement,
            credentialVariables: credentialVariables, loginVariables: loginVariables,
            login: auth == "login" ? LoginSpec() : nil, fixtures: [:], errorMessagePointer: JSONPointer(tokens: ["message"]),
            allowMutations: false)
        let found = await discover(
            &draft, preferred: authGiven ? [placement] : [], roles: roles, suiteRoot: suiteRoot, environment: environment)
        profile["auth"] = AuthCandidates.json(draft.auth)
        profile["credentials"] = .object(credentials)
        profile["fixtures"] = .object(JSONObject())
        profile["errorMessagePointer"] = .string(draft.errorMessagePointer.description)
        profile["allowMutations"] = false
        try writeAtomically(JSONWriter(pretty: true).string(.object(profile)) + "\n", to: out)
        console.out("wrote \(out)")
        for line in found { console.out("   " + line) }
        console.out("")
        console.out("1. Export one credential per role (never put them in the file):")
        let described = (try? SuiteLoader.loadAccess(root: suiteRoot)).map { access in
            Dictionary(access.roles.map { ($0.role, $0.description) }, uniquingKeysWith: { a, _ in a })
        } ?? [:]
        let width = exports.map(\.count).max() ?? 0
        for (r, e) in zip(roles, exports) {
            let about = described[r].map { "  " + $0 } ?? ""
            console.out("   " + (about.isEmpty ? e : e.padding(toLength: width, withPad: " ", startingAt: 0) + about))
        }
        console.out("2. Add the fixtures that exist on \(name) under \"fixtures\" in \(out). They are listed by how many cases each")
        console.out("   unlocks, most first: a case runs only when every fixture it uses is set (the others are skipped with the reason).")
        if let suite = try? SuiteLoader.load(root: suiteRoot).suite {
            for u in FixtureUsage.compute(suite) {
                console.out("   \(u.name) (\(u.caseIDs.count) case\(u.caseIDs.count == 1 ? "" : "s")): \(u.description)")
            }
        }
        console.out("   'conformance fixtures --target \(out)' shows which are set and the cases each unlocks.")
        console.out("3. Set \"allowMutations\": true only on a server where creating accounts is acceptable.")
        console.out("4. Run: swift run conformance run --target \(out)")
        return .passed
    }

    /// Asks the server at `draft.baseURL` how credentials travel and where the
    /// error message sits, when a credential is exported; sets what it finds
    /// in `draft` and returns one line per finding (or why nothing was asked).
    static func discover(
        _ draft: inout TargetProfile, preferred: [AuthPlacement], roles: [Role], suiteRoot: String,
        environment: [String: String]
    ) async -> [String] {
        let pointerDefault = "errorMessagePointer: the default \(draft.errorMessagePointer) (where the documented message of an error sits in its body)"
        let checkedLater = "every run checks it against the server first and stops (exit 2) naming the pointer where the message is"
        let credentials = Credentials(profile: draft, environment: environment)
        let admin = roles.first { $0.rawValue == "ADMIN" }
        guard let role = (admin.map { [$0] } ?? []).first(where: credentials.has) ?? roles.first(where: credentials.has) else {
            let example = draft.credentialVariables[admin ?? roles.first ?? Role("ADMIN")] ?? draft.loginVariables.values.first?.username ?? ""
            return [
                "nothing asked of \(draft.baseURL): no credential exported (e.g. \(example)); export them and run init again with --force to discover how credentials travel and where error messages sit",
                "wrote \(pointerDefault), not checked: \(checkedLater)",
            ]
        }
        if let problem = TargetLoader.insecureCredentialsProblem(baseURL: draft.baseURL) {
            return ["nothing asked of \(draft.baseURL): \(problem)", "wrote \(pointerDefault), not checked: \(checkedLater)"]
        }
        guard let suite = try? SuiteLoader.load(root: suiteRoot).suite else { return ["nothing asked: the suite did not load"] }
        let runner = Conformance.engine(
            suite: suite, target: draft, credentials: credentials, transport: Network.transport(maxConnections: 1),
            options: RunOptions(jobs: 1, timeout: 15))
        let check = await runner.discover(role: role, preferred: preferred)
        var lines = ["asked \(draft.baseURL), read-only, as \(role)" + (check.request.map { " (\($0), an unknown id)" } ?? "") + ":"]
        if let a = check.acceptedAuth {
            draft.auth = a
            lines.append("auth: found: credentials travel as \(AuthCandidates.describe(a)) (a request without one answered 401, this one did not)")
        } else {
            lines.append("auth: not found; wrote \(AuthCandidates.describe(draft.auth)) (\(preferred.isEmpty ? "the default" : "as asked"))")
        }
        if let ptr = check.messagePointer {
            draft.errorMessagePointer = ptr
            lines.append("errorMessagePointer: found: \(ptr) holds the documented message of the error that answered")
        } else {
            lines.append("wrote \(pointerDefault), not found: \(checkedLater)")
        }
        if let ct = check.contentType {
            lines.append("content type: \(ct)" + (ct.lowercased().contains("json") ? "" : " (not JSON: the cases expect JSON bodies)"))
        }
        lines += check.notes
        return lines
    }

    /// `to` as a path relative to the folder `from` (both may be relative to the working directory).
    /// The profile's `$schema`: relative to the profile when it lies in the
    /// project (the suite's parent folder), so the checkout can move; an
    /// absolute `file://` URL when `--out` puts it elsewhere, where a relative
    /// path would climb out of, say, /tmp into one machine's checkout.
    package static func schemaReference(from dir: String, suiteRoot: String) -> String {
        let schema = absoluteParts(suiteRoot + "/meta/target.schema.json")
        let project = absoluteParts(suiteRoot).dropLast()
        if !project.isEmpty, absoluteParts(dir.isEmpty ? "." : dir).starts(with: project) {
            return relativePath(from: dir, to: suiteRoot + "/meta/target.schema.json")
        }
        return URL(fileURLWithPath: "/" + schema.joined(separator: "/")).absoluteString
    }

    static func absoluteParts(_ p: String) -> [String] {
        let abs = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        return (abs as NSString).standardizingPath.split(separator: "/").map(String.init)
    }

    static func relativePath(from dir: String, to file: String) -> String {
        let a = absoluteParts(dir.isEmpty ? "." : dir), b = absoluteParts(file)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
    }
}
