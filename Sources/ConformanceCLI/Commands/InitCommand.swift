import ConformanceKit
import Foundation
import JSONKit

extension CLI {
    static let initHelp = """
        conformance init — scaffold a target profile for a new server

        USAGE
          conformance init --name NAME --base-url URL [--auth query|header|cookie|login] [--out FILE] [--force]

        Writes Cases/targets/NAME.json (or --out FILE) with the base URL, how credentials travel,
        one environment variable per role, and an empty fixtures section; then lists the fixtures
        the suite needs and the variables to export. Missing values are asked for only when
        standard input is a terminal; otherwise they must be given as flags.

        --auth query   ?token=… (the vendor docs' style)      header  Authorization: Bearer …
               cookie  Cookie: token=…                        login   POST /auth/login per role
        """

    static func initProfile(_ args: [String], environment: [String: String], console: Console) throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "force"], options: ["name", "base-url", "auth", "out", "suite"])
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
        let auth = try value("auth", "How credentials travel: query, header, cookie or login", default: "header")
        let suiteRoot = p.suiteRoot
        let out = p.value("out") ?? suiteRoot + "/targets/\(name).json"
        if FileManager.default.fileExists(atPath: out), !p.has("force") {
            throw UsageError("\(out) exists; pass --force to overwrite it")
        }
        let prefix = "TELECOMX_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
        var profile = JSONObject()
        profile["$schema"] = .string(relativePath(from: (out as NSString).deletingLastPathComponent, to: suiteRoot + "/meta/target.schema.json"))
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
        switch auth {
        case "query": profile["auth"] = ["in": "query", "name": "token"]
        case "header", "login": profile["auth"] = ["in": "header", "name": "Authorization", "prefix": "Bearer "]
        case "cookie": profile["auth"] = ["in": "cookie", "name": "token"]
        default: throw UsageError("--auth must be query, header, cookie or login, got '\(auth)'")
        }
        if auth == "login" {
            profile["login"] = ["path": "/auth/login", "tokenPointer": "/token", "expiresPointer": "/expiresInMinutes"]
            for r in roles {
                let u = prefix + r.rawValue + "_USER", pw = prefix + r.rawValue + "_PASSWORD"
                credentials[r.rawValue] = ["username": .string(u), "password": .string(pw)]
                exports.append("export \(u)=…  \(pw)=…")
            }
        } else {
            for r in roles {
                let v = prefix + r.rawValue + "_TOKEN"
                credentials[r.rawValue] = .string(v)
                exports.append("export \(v)=…")
            }
        }
        profile["credentials"] = .object(credentials)
        profile["fixtures"] = .object(JSONObject())
        profile["errorMessagePointer"] = "/message"
        profile["allowMutations"] = false
        try writeAtomically(JSONWriter(pretty: true).string(.object(profile)) + "\n", to: out)
        console.out("wrote \(out)")
        console.out("")
        console.out("1. Export one credential per role (never put them in the file):")
        for e in exports { console.out("   " + e) }
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

    /// `to` as a path relative to the folder `from` (both may be relative to the working directory).
    static func relativePath(from dir: String, to file: String) -> String {
        func parts(_ p: String) -> [String] {
            let abs = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
            return (abs as NSString).standardizingPath.split(separator: "/").map(String.init)
        }
        let a = parts(dir.isEmpty ? "." : dir), b = parts(file)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
    }
}
