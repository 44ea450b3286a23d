import ConformanceKit
import Foundation
import HTTPServer
import TelecomXSimulator

extension CLI {
    public static let serveHelp = """
        conformance serve — run the TelecomX simulator as a mock server

        USAGE
          conformance serve [--host 127.0.0.1] [--port 8080] [--latency 50ms] [--fault NAME]... [--variant NAME]...

        Prints the URL and the demo tokens of the seeded users, then serves
        until interrupted (Ctrl-C or SIGTERM).

        OPTIONS
          --host ADDRESS   address to bind (default: 127.0.0.1, loopback only)
          --port N         port (default: 8080; 0 picks a free one)
          --fault NAME     deviate from the docs in one named way; repeatable (see `conformance faults`)
          --variant NAME   behave in a way the docs allow; repeatable, 'all' for every one (see `conformance variants`)
          --latency TIME   answer every request this late (e.g. 50ms), like a remote server
          -h, --help       this help
        """

    static func serve(_ args: [String], console: Console) async throws -> ExitStatus {
        let spec = ArgumentSpec(flags: ["help"], options: ["host", "port", "latency"], repeatable: ["fault", "variant"])
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
        let simulator = TelecomXSimulator(faults: faults, variants: variants)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: p.value("host") ?? "127.0.0.1", port: port),
            handler: withLatency(latency, simulator.handler))
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
        console.out("press Ctrl-C to stop")
        await waitForTermination()
        server.shutdown()
        console.out("stopped")
        return .passed
    }
}
