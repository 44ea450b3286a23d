import ConformanceKit
import Foundation
import HTTPServer
import JSONKit
import TelecomXSimulator

extension CLI {
    public static let serveHelp = """
        conformance serve — run the TelecomX simulator as a mock server

        USAGE
          conformance serve [--host 127.0.0.1] [--port 8080] [--latency 50ms] [--fault NAME]... [--variant NAME]...
                            [--fixtures] [--log]

        Prints the URL, the demo tokens of the seeded users and where the seeded
        fixtures are (Cases/targets/simulator.json; --fixtures lists them), then
        serves until interrupted (Ctrl-C or SIGTERM).

        ADMIN ENDPOINT (served only when bound to a loopback address, so only the loopback reaches it)
          GET  /__admin/config   the faults and variants on
          POST /__admin/config   {"faults": [NAME…], "variants": [NAME…]}: switch without a restart
                                 (the seeded state again); an unknown name answers 400 and changes nothing
          POST /__admin/reset    the seeded state again, same faults and variants (SIGHUP does the same)

        OPTIONS
          --host ADDRESS   address to bind (default: 127.0.0.1, loopback only)
          --port N         port (default: 8080; 0 picks a free one)
          --fault NAME     deviate from the docs in one named way; repeatable (see `conformance faults`)
          --variant NAME   behave in a way the docs allow; repeatable, 'all' for every one (see `conformance variants`)
          --latency TIME   answer every request this late (e.g. 50ms), like a remote server
          --fixtures       list the seeded fixtures (ids, numbers, pools) the suite's simulator profile names
          --log            print one line per request: method, path, query and status, every
                           credential replaced by *** (headers and bodies are never logged)
          --suite DIR      the suite folder, for --fixtures (default: Cases)
          -h, --help       this help
        """

    static func serve(_ args: [String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help", "fixtures", "log"], options: ["host", "port", "latency", "suite"], repeatable: ["fault", "variant"])
        guard let p = try parseArguments(args, spec: spec, help: serveHelp, console: console) else { return .passed }
        let port = try p.value("port").map { s throws(UsageError) -> Int in
            guard let v = Int(s), (0...65535).contains(v) else { throw UsageError("--port must be 0…65535, got '\(s)'") }
            return v
        } ?? 8080
        let faults = try namedFaults(p.values("fault"))
        let variants = try namedVariants(p.values("variant"))
        let latency = try p.value("latency").map { s throws(UsageError) -> Double in
            guard let v = parseDuration(s) else { throw UsageError("--latency must be like 50ms or 0.05s, got '\(s)'") }
            return v
        } ?? 0
        let host = p.value("host") ?? "127.0.0.1"
        let out = console.out
        var log: (@Sendable (String) -> Void)?
        if p.has("log") { log = { @Sendable line in out("log: " + line) } }
        let serving = ServeHandler(faults: faults, variants: variants, host: host, latency: latency, log: log)
        let simulator = serving.simulator
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: host, port: port), handler: serving.handler)
        let bound = try server.start()
        console.out("TelecomX simulator listening on http://\(p.value("host") ?? "127.0.0.1"):\(bound)")
        if !faults.isEmpty { console.out("faults: \(faults.map(\.name).joined(separator: ", "))") }
        if !variants.isEmpty { console.out("variants: \(variants.map(\.name).joined(separator: ", "))") }
        console.out(
            variants.contains { $0.name == "x-auth-token" }
                ? "demo tokens (pass as the header X-Auth-Token: …, the only place x-auth-token reads):"
                : "demo tokens (pass as ?token=…, Authorization: Bearer … or the cookie token=…):")
        for (role, token) in simulator.tokensByRole {
            console.out("  export TELECOMX_\(role)_TOKEN=\(token)")
        }
        console.out("demo logins for POST /auth/login (Cases/targets/simulator-login.json):")
        for (role, e) in Seed.standard.employeesByRole {
            console.out("  export TELECOMX_\(role)_USER=\(e.email) TELECOMX_\(role)_PASSWORD=\(e.password)")
        }
        let profile = p.suiteRoot + "/targets/simulator.json"
        if p.has("fixtures") {
            console.out("seeded fixtures (\(profile), \"fixtures\"):")
            for line in Self.fixtureLines(profile: profile) { console.out("  " + line) }
        } else {
            console.out("seeded fixtures: \(profile) (\"fixtures\"; --fixtures lists them)")
        }
        if serving.adminAllowed {
            console.out("admin (loopback only): GET|POST /__admin/config {\"faults\":[…],\"variants\":[…]}, POST /__admin/reset")
        } else {
            console.out("admin endpoint off: bound to \(host), not a loopback address")
        }
        console.out("press Ctrl-C to stop; kill -HUP \(getpid()) (or POST /__admin/reset) resets the store")
        // SIGHUP: the seeded state again, without a restart.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { [out] in
            serving.reset()
            out("reset: the seeded state again (SIGHUP)")
        }
        hangup.resume()
        defer {
            hangup.cancel()
            signal(SIGHUP, SIG_DFL)
        }
        await waitForTermination()
        server.shutdown()
        console.out("stopped")
        return .passed
    }

    /// `name = value` for each fixture of the simulator's profile, or why it cannot be read.
    static func fixtureLines(profile: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: profile), let doc = try? JSONParser.parse([UInt8](data)),
            let fixtures = doc["fixtures"]?.objectValue
        else { return ["cannot read \(profile) (fixtures): pass --suite DIR"] }
        let width = fixtures.map(\.key.count).max() ?? 0
        return fixtures.map { m in m.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + JSONWriter().string(m.value) }
    }
}
