// Release-build benchmarks. Run: swift run -c release conformance-bench [schema]
//
// runner: 10,000 cases for throughput and peak memory; the suite against the
// simulator with 50 ms latency for --jobs 1, 4, 8, 16 beside the lower bound.
//
// schema: parse + validate a generated deleted-accounts page of 500
// fully-populated accounts (about 520 KB) and a fully-populated account,
// many times; prints the median ms per document (parse, validate, total),
// the 10th/90th percentiles and mean of the total, MB/s and peak memory.
//
// hostile: 400 MB answers from a loopback server (Content-Length, then
// chunked; over http://, then over https:// through Tests/Tools/tls-front.py,
// which needs python3 and openssl), the runner reading with --max-body-mb 10
// --jobs 8; prints the peak memory after each. The server streams the answer
// (HTTPServer's RawBehaviour.repeated): it never holds 400 MB either.
//
// rate, load, startup, memory: see Round2.swift; acceptance (all of them, and
// the schema figure against orjson + jsonschema-rs, in one run): Acceptance.swift.
//
// All apply the allocator settings of the conformance executable
// (AllocatorTuning); BENCH_DEFAULT_MALLOC=1 measures without them.
import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import HTTPServer
import JSONKit
import JSONSchemaKit
import TelecomXSimulator

#if canImport(Glibc)
    import Glibc
#endif

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func peakMemoryMB() -> Double {
    var usage = rusage()
    #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // KiB on Linux
    #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1024 / 1024  // bytes on Darwin
    #endif
}

func milliseconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) * 1e3 + Double(c.attoseconds) / 1e15
}

/// Parses and validates `bytes` repeatedly for `seconds` and prints, per
/// document, the median parse, validate and total times, the 10th and 90th
/// percentiles and the mean of the total, and MB/s at the median. Each run is
/// timed on its own so that the median is not skewed by the moments a shared
/// machine lends the core to someone else.
@discardableResult
func measure(_ label: String, bytes: [UInt8], schema: CompiledSchema, seconds: Double = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "") ?? 3) -> Double {
    // Warm up and check the document is valid (a benchmark of a failing document would measure the wrong path).
    let doc = try! JSONParser.parse(bytes)
    let check = schema.validate(doc)
    precondition(check.violations.isEmpty, "generated \(label) is invalid: \(check.violations.prefix(3))")
    var parses: [Double] = []
    var validations: [Double] = []
    var totals: [Double] = []
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    var sink = 0
    let ms = milliseconds
    while clock.now < deadline || parses.count < 10 {
        let t0 = clock.now
        let v = try! JSONParser.parse(bytes)
        let t1 = clock.now
        // The parsed document is freed inside validate's timing (its last use).
        let r = schema.validate(v)
        let t2 = clock.now
        sink &+= r.violations.count
        parses.append(ms(t1 - t0))
        validations.append(ms(t2 - t1))
        totals.append(ms(t2 - t0))
    }
    func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
    }
    let median = percentile(totals, 0.5)
    let mean = totals.reduce(0, +) / Double(totals.count)
    let mbps = Double(bytes.count) / 1e6 / (median / 1e3)
    func f(_ x: Double) -> String { String(format: "%.3f", x) }
    print(
        "\(label.padding(toLength: 31, withPad: " ", startingAt: 0)) \(String(format: "%6.1f", Double(bytes.count) / 1000)) KB  "
            + "median: parse \(f(percentile(parses, 0.5))) + validate \(f(percentile(validations, 0.5))) = \(f(median)) ms  "
            + "(p10 \(f(percentile(totals, 0.1))), p90 \(f(percentile(totals, 0.9))), mean \(f(mean)))  "
            + "\(String(format: "%.0f", mbps)) MB/s  \(totals.count) runs\(sink == 0 ? "" : " !")"
    )
    return median
}

/// The tape (JSONTape and validate(_: JSONTape), the path the runner takes
/// since the twelfth pass; Benchmarks.md, "Round 2") on the same
/// bytes: its parse alone; the parse and a walk that reads every value
/// through the view (the kinds, the numbers, each string's bytes); the parse
/// and the validation of the tape (the figure item 5 asks for: the path for
/// answers that are only validated); and the parse with the tree made from
/// the tape. Medians in ms. Returns (parse, parse + validate).
@discardableResult
func measureTape(_ label: String, bytes: [UInt8], schema: CompiledSchema, seconds: Double = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "") ?? 3) -> (parse: Double, validated: Double) {
    let tree = try! JSONParser.parse(bytes)
    let tape = try! JSONTape.parse(bytes)
    precondition(JSONWriter().bytes(tape.materialize()) == JSONWriter().bytes(tree), "the tape reads \(label) differently")
    // A benchmark of the fallback (the tree) would measure the wrong path.
    precondition(schema.vouches(for: tape), "the fast pass does not vouch for \(label)")
    precondition(schema.validate(tape) == schema.validate(tree), "the tape's result for \(label) is not the tree's")
    func walk(_ v: JSONView) -> Int {
        switch v.kind {
        case .null: return 1
        case .bool: return v.boolValue! ? 2 : 3
        case .number: return Int(v.numberValue!.bitPattern & 7)
        case .string: return v.withUTF8 { $0.count } ?? 0
        case .array: return v.elements.reduce(0) { $0 &+ walk($1) }
        case .object: return v.members.reduce(0) { $0 &+ ($1.key.withUTF8 { $0.count } ?? 0) &+ walk($1.value) }
        }
    }
    var parse: [Double] = [], walked: [Double] = [], made: [Double] = [], validated: [Double] = []
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(seconds)
    var sink = 0
    // Each timing includes freeing the tape (and the tree), as `measure`'s validation includes freeing the tree.
    func timed(_ into: inout [Double], _ body: () -> Int) {
        let t0 = clock.now
        sink &+= body()
        into.append(milliseconds(clock.now - t0))
    }
    while clock.now < deadline || parse.count < 10 {
        timed(&parse) { try! JSONTape.parse(bytes).wordCount }
        timed(&walked) { try! JSONTape.parse(bytes).withRoot { walk($0) } }
        timed(&validated) { schema.validate(try! JSONTape.parse(bytes)).violations.count + 1 }
        timed(&made) {
            if case .object = try! JSONTape.parse(bytes).materialize() { return 1 }
            return 0
        }
    }
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    func f(_ x: Double) -> String { String(format: "%.3f", x) }
    print(
        "\(label.padding(toLength: 31, withPad: " ", startingAt: 0)) \(String(format: "%6.1f", Double(bytes.count) / 1000)) KB  "
            + "tape: parse \(f(median(parse))) ms (\(String(format: "%.0f", Double(bytes.count) / 1e6 / (median(parse) / 1e3))) MB/s), "
            + "parse + walk \(f(median(walked))) ms, parse + validate \(f(median(validated))) ms, parse + tree from the tape \(f(median(made))) ms  \(parse.count) runs\(sink == 0 ? " !" : "")"
    )
    return (median(parse), median(validated))
}

func schemaBenchmark() throws {
    let root = CommandLine.arguments.dropFirst(2).first ?? "Cases"
    let (suite, _) = try SuiteLoader.load(root: root)
    var registry = SchemaRegistry()
    for (ref, doc) in suite.schemas.sorted(by: { $0.key < $1.key }) {
        try registry.register(doc, uri: SuiteLoader.schemaBase + ref)
    }
    let options = SuiteLoader.apiValidation
    // The list endpoint (the one with paging) and a read of one account (a
    // GET without paging): their response schemas, from the suite.
    guard let list = suite.endpoints.first(where: { $0.paging != nil }), let listSchema = list.responseSchema,
        let read = suite.endpoints.first(where: { $0.method == "GET" && $0.paging == nil }), let readSchema = read.responseSchema
    else { throw BenchError("the suite has no list endpoint with paging and no single read") }
    let page = try registry.compile(SuiteLoader.schemaBase + listSchema, options: options)
    let accountSchema = try registry.compile(SuiteLoader.schemaBase + readSchema, options: options)

    let pageDoc = BenchmarkDocuments.deletedPage(count: 500, total: 650)
    let pageBytes = JSONWriter().bytes(pageDoc)
    let account0 = try JSONParser.parse(Array(BenchmarkDocuments.fullAccountJSON.utf8))
    if let dir = ProcessInfo.processInfo.environment["BENCH_DUMP"], !dir.isEmpty {
        // The same page and the suite's schemas as the validator sees them
        // (augmented at load), for a side-by-side run with other validators
        // (orjson + jsonschema-rs: Tests/Tools/compare-jsonschema-rs.py).
        let base = URL(fileURLWithPath: dir, isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try Data(pageBytes).write(to: base.appendingPathComponent("page.json"))
        try Data(JSONWriter().bytes(account0)).write(to: base.appendingPathComponent("account.json"))
        for (ref, doc) in suite.schemas {
            let file = base.appendingPathComponent(ref)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(JSONWriter().bytes(doc)).write(to: file)
        }
        print("wrote page.json, account.json and \(suite.schemas.count) schemas to \(dir) (page schema \(listSchema), account schema \(readSchema))")
    }
    print("conformance-bench schema — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    recordFigure("schema.page.median", measure("deleted page, 500 accounts", bytes: pageBytes, schema: page))
    measure("account (get), fully populated", bytes: JSONWriter().bytes(account0), schema: accountSchema)
    let tape = measureTape("deleted page, 500 accounts", bytes: pageBytes, schema: page)
    recordFigure("schema.page.tape", tape.parse)
    recordFigure("schema.page.tapeValidated", tape.validated)
    measureTape("account (get), fully populated", bytes: JSONWriter().bytes(account0), schema: accountSchema)
    print(String(format: "peak memory (max RSS): %.1f MB", peakMemoryMB()))
}


/// runner: first 10,000 cases without latency (throughput and peak memory,
/// measured first so that the peak is theirs), then the whole suite against the
/// simulator with 50 ms latency for several --jobs, beside the lower bound.
func runnerBenchmark() async throws {
    let root = CommandLine.arguments.dropFirst(2).first ?? "Cases"
    let (suite, _) = try SuiteLoader.load(root: root)
    let (profile, _) = try TargetLoader.load(path: root + "/targets/simulator.json", suite: suite)
    print("conformance-bench runner — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    func seconds(since start: ContinuousClock.Instant) -> Double {
        let wall = (ContinuousClock.now - start).components
        return Double(wall.seconds) + Double(wall.attoseconds) / 1e18
    }

    // 10,000 cases: the read-only cases repeated under new ids, no latency.
    // (BENCH_CASES and BENCH_JOBS change the count and --jobs, to see how memory grows.)
    let env = ProcessInfo.processInfo.environment
    let count = env["BENCH_CASES"].flatMap { Int($0) } ?? 10_000
    let jobs = env["BENCH_JOBS"].flatMap { Int($0) } ?? 8
    let readOnly = suite.cases.filter { !$0.isMutating(in: suite) }
    var big = suite
    big.cases = []
    var k = 0
    while big.cases.count < count {
        for c in readOnly where big.cases.count < count {
            var copy = c
            copy.id = "\(c.id)-\(k)"
            big.cases.append(copy)
        }
        k += 1
    }
    let before = peakMemoryMB()
    let start = ContinuousClock.now
    let r = try await EmbeddedSimulator.run(suite: big, profile: profile, faults: [], options: RunOptions(jobs: jobs, timeout: 30))
    let wall = seconds(since: start)
    let requests = r.results.reduce(0) { $0 + $1.requests }
    print(String(format: "%d cases (the %d read-only cases repeated; jobs %d, no latency): %d requests in %.2f s, %.0f cases/s, %d passed",
        count, readOnly.count, jobs, requests, wall, Double(r.results.count) / wall, r.passed))
    print(String(format: "peak memory (max RSS): %.1f MB (%.1f MB before the run: suite loaded, simulator seeded)", peakMemoryMB(), before))

    if env["BENCH_CASES"] != nil || env["BENCH_JOBS"] != nil { return }
    let latency = 0.050
    print("\nthe suite, simulator latency 50 ms:")
    print("jobs   cases  requests  wall (s)  lower bound (s)  ratio")
    for jobs in [1, 4, 8, 16] {
        let start = ContinuousClock.now
        let r = try await EmbeddedSimulator.run(
            suite: suite, profile: profile, faults: [], options: RunOptions(jobs: jobs, timeout: 30), latency: latency)
        let wall = seconds(since: start)
        let requests = r.results.reduce(0) { $0 + $1.requests }
        let longest = r.results.map(\.requests).max() ?? 0
        // Each request costs at least one latency; a case's requests are sequential.
        let bound = Double(max(longest, Int((Double(requests) / Double(jobs)).rounded(.up)))) * latency
        let bad = r.results.count { $0.verdict != .passed }
        print(
            String(format: "%4d  %6d  %8d  %8.2f  %15.2f  %5.2f", jobs, r.results.count, requests, wall, bound, wall / bound)
                + (bad > 0 ? "  (\(bad) did not pass!)" : ""))
    }
}

func hostileBenchmark() async throws {
    let env = ProcessInfo.processInfo.environment
    let root = "Cases"
    let (suite, _) = try SuiteLoader.load(root: root)
    var (profile, _) = try TargetLoader.load(path: root + "/targets/simulator.json", fixtureCatalogue: suite.fixtures)
    let count = env["BENCH_CASES"].flatMap { Int($0) } ?? 42
    let jobs = 8
    let capMB = 10
    let answerMB = env["BENCH_ANSWER_MB"].flatMap { Int($0) } ?? 400
    let readOnly = suite.cases.filter { !$0.isMutating(in: suite) && $0.steps.count == 1 }
    var many = suite
    many.cases = repeated(readOnly, count: count)
    print("conformance-bench hostile — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    print("\(count) cases, each answered with \(answerMB) MB; --max-body-mb \(capMB) --jobs \(jobs); bound: jobs × cap + 100 MB = \(jobs * capMB + 100) MB")
    print(String(format: "peak memory before: %.1f MB", peakMemoryMB()))
    let piece = 64 << 10
    let pieces = answerMB << 20 / piece
    let filler = [UInt8](repeating: 0x20, count: piece)
    let framings: [(String, RawBehaviour)] = [
        ("Content-Length", .repeated(
            head: Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(pieces * piece)\r\nConnection: close\r\n\r\n".utf8),
            chunk: filler, times: pieces, tail: [])),
        ("chunked", .repeated(
            head: Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8),
            chunk: Array("\(String(piece, radix: 16))\r\n".utf8) + filler + Array("\r\n".utf8), times: pieces,
            tail: Array("0\r\n\r\n".utf8))),
    ]
    let only = CommandLine.arguments.dropFirst(2).first
    for tls in [false, true] {
    for (name, behaviour) in framings where only == nil || only == name.lowercased() || only == (tls ? "https" : "http") {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { _ in .raw(behaviour) }
        let port = try server.start()
        var front: TLSFront?
        if tls {
            front = try TLSFront(backendPort: port)
            profile.baseURL = "https://127.0.0.1:\(front!.port)"
        } else {
            profile.baseURL = "http://127.0.0.1:\(port)"
        }
        var env: [String: String] = [:]
        for (role, variable) in profile.credentialVariables { env[variable] = "bench-\(role.rawValue)" }
        let credentials = Credentials(profile: profile, environment: env)
        let start = ContinuousClock.now
        let r = await Conformance.run(
            suite: many, target: profile, credentials: credentials,
            transport: URLSessionTransport(maxConnections: jobs, maxBodyBytes: capMB << 20, caFile: front?.caFile),
            options: RunOptions(jobs: jobs, timeout: 60))
        let wall = (ContinuousClock.now - start).components
        front?.stop()
        server.shutdown()
        let capped = r.results.count { if case .error(let m) = $0.verdict { m.contains("MB cap") } else { false } }
        print((tls ? "https, " : "http, ") + name
            + String(format: ": %d of %d cases stopped at the cap in %.2f s; peak memory (max RSS) so far: %.1f MB",
                capped, r.results.count, Double(wall.seconds) + Double(wall.attoseconds) / 1e18, peakMemoryMB())
            + (tls && !URLSessionTransport.tlsInProcess ? " (the openssl s_client processes, separate, are not counted)" : ""))
        if capped != r.results.count {
            let other = r.results.first { if case .error(let m) = $0.verdict { !m.contains("MB cap") } else { true } }
            print("  not stopped at the cap: \(other.map { "\($0.caseID): \($0.verdict)" } ?? "")")
        }
    }
    }
}

/// A TLS front before a plain loopback server, with a throwaway self-signed
/// certificate (as the TLS tests use it). The front stands for the TLS
/// terminator before a staging server; its own CPU shares the two cores with
/// our client, so which one it is moves the https figure, and the benchmark
/// prints it. In order of preference (`BENCH_TLS_FRONT=nginx|socat|python`
/// asks for one):
/// - nginx's stream module (`nginx-light` and `libnginx-mod-stream` on
///   Debian): pre-forked workers, an event loop, TLS terminated and the bytes
///   relayed to the backend, as a staging server's front does;
/// - `socat OPENSSL-LISTEN`: a process forked per connection, each loading the
///   certificate and key again (about 7 ms of CPU a connection here);
/// - Tests/Tools/tls-front.py: Python, a thread per connection, every chunk
///   relayed in Python.
final class TLSFront {
    enum Kind {
        case nginx(String, module: String)
        case socat(String)
        case python
    }

    let dir: String
    let port: Int
    let process: Process
    let input = Pipe()
    let kind: String
    var caFile: String { dir + "/cert.pem" }

    static let chosen: Kind = {
        let env = ProcessInfo.processInfo.environment
        let wanted = env["BENCH_TLS_FRONT"]
        func onPath(_ name: String, extra: [String] = []) -> String? {
            let path = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init) + extra
            return path.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
        }
        if wanted == nil || wanted == "nginx", let nginx = onPath("nginx", extra: ["/usr/sbin"]) {
            let module = "/usr/lib/nginx/modules/ngx_stream_module.so"
            if FileManager.default.fileExists(atPath: module) { return .nginx(nginx, module: module) }
        }
        if wanted == nil || wanted == "socat", let socat = onPath("socat") { return .socat(socat) }
        return .python
    }()

    /// The front as a figure (`recordFigure` keeps numbers): 0 nginx, 1 socat, 2 Python.
    static var code: Double {
        switch chosen {
        case .nginx: return 0
        case .socat: return 1
        case .python: return 2
        }
    }

    /// What the acceptance's https line says about the front, from `code`.
    static func named(code: Double?) -> String {
        switch code {
        case 0: return "through nginx"
        case 1: return "through socat, a process per connection; apt-get install nginx-light libnginx-mod-stream for the front a staging server has"
        case 2: return "through the Python front; apt-get install nginx-light libnginx-mod-stream for the front a staging server has"
        default: return "the front not recorded"
        }
    }

    /// What the benchmark's header says about the front.
    static var described: String {
        switch chosen {
        case .nginx: return "nginx's stream module (worker processes with an event loop; BENCH_TLS_FRONT=socat or python for the others)"
        case .socat: return "socat OPENSSL-LISTEN (a process per connection; no nginx with its stream module on PATH; BENCH_TLS_FRONT=python for tls-front.py)"
        case .python: return "Tests/Tools/tls-front.py (Python; neither nginx with its stream module nor socat on PATH)"
        }
    }

    init(backendPort: Int) throws {
        dir = NSTemporaryDirectory() + "/bench-tls-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let req = Process()
        req.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        req.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=bench",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"]
        req.standardError = FileHandle.nullDevice
        try req.run()
        req.waitUntilExit()
        process = Process()
        switch TLSFront.chosen {
        case .nginx(let nginx, let module):
            // Neither front can say which port it chose: take a free one (a
            // listener on port 0, closed), then wait until the front accepts on it.
            let p = try TLSFront.freePort()
            let config = """
                load_module \(module);
                daemon off;
                worker_processes 2;
                pid \(dir)/nginx.pid;
                error_log \(dir)/error.log;
                events { worker_connections 256; }
                stream {
                    server {
                        listen 127.0.0.1:\(p) ssl backlog=64;
                        ssl_certificate \(dir)/cert.pem;
                        ssl_certificate_key \(dir)/key.pem;
                        proxy_pass 127.0.0.1:\(backendPort);
                    }
                }

                """
            try config.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: nginx)
            process.arguments = ["-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf"]
            process.standardInput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try TLSFront.waitUntilAccepting(p, process: process, name: "nginx")
            port = p
            kind = "nginx \(TLSFront.version(nginx, ["-v"], prefix: "nginx version: nginx/")) (stream module, 2 worker processes)"
        case .socat(let socat):
            // backlog=64 (socat's default is 5, as tls-front.py's is 64): eight
            // connections opened at once overflowed it, and each SYN dropped
            // cost a 1 s retransmission (TcpExtListenOverflows counted them).
            let p = try TLSFront.freePort()
            process.executableURL = URL(fileURLWithPath: socat)
            process.arguments = [
                "OPENSSL-LISTEN:\(p),bind=127.0.0.1,reuseaddr,fork,nodelay,backlog=64,verify=0,cert=\(dir)/cert.pem,key=\(dir)/key.pem",
                "TCP:127.0.0.1:\(backendPort),nodelay",
            ]
            process.standardInput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try TLSFront.waitUntilAccepting(p, process: process, name: "socat")
            port = p
            kind = "socat \(TLSFront.version(socat, ["-V"], prefix: "socat version ")) (OPENSSL-LISTEN, a process per connection)"
        case .python:
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "Tests/Tools/tls-front.py", dir + "/cert.pem", dir + "/key.pem", String(backendPort)]
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let d = output.fileHandleForReading.availableData
                if d.isEmpty { break }
                text += String(decoding: d, as: UTF8.self)
            }
            guard text.hasPrefix("PORT "), let p = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "tls-front.py did not start: \(text)"])
            }
            port = p
            kind = "Tests/Tools/tls-front.py (Python, a thread per connection)"
        }
    }

    /// Waits (10 s at most) until something accepts on `port`, while `process` runs.
    static func waitUntilAccepting(_ port: Int, process: Process, name: String) throws {
        let until = ContinuousClock.now + .seconds(10)
        while !accepts(port) {
            guard process.isRunning, ContinuousClock.now < until else { throw BenchError("\(name) did not listen on port \(port)") }
            usleep(10_000)
        }
    }

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw BenchError("socket failed") }
        defer { close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else { throw BenchError("could not bind a loopback port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func accepts(_ port: Int) -> Bool {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { return false }
        defer { close(s) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// The version `exe` prints after `prefix` (on standard output or error), or "".
    static func version(_ exe: String, _ arguments: [String], prefix: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        guard (try? p.run()) != nil else { return "" }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count).split(separator: " ")[0]) } ?? ""
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        // SIGKILL for socat: it inherits our ignored SIGTERM (the runner
        // watches it), so terminate() would leave it running. Its children
        // end with their connections.
        // (nginx sets its own handler: SIGTERM stops its master and workers.)
        if case .socat = TLSFront.chosen { kill(process.processIdentifier, SIGKILL) }
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// matrix: the fault and variant matrices as the tests run them, in-process
/// (no sockets): one clean run, each fault over its endpoint's cases by the
/// detection rule, each variant over the whole suite; wall time of each part
/// and the costliest cases of the clean run.
func matrixBenchmark() async throws {
    let suite = try ProjectSuite.suite(root: CommandLine.arguments.dropFirst(2).first ?? ProjectSuite.cases)
    let profile = try ProjectSuite.profile("simulator.json")
    let options = RunOptions(jobs: 4, timeout: 10)
    func seconds(since start: ContinuousClock.Instant) -> Double {
        let wall = (ContinuousClock.now - start).components
        return Double(wall.seconds) + Double(wall.attoseconds) / 1e18
    }
    print("conformance-bench matrix — \(ProcessInfo.processInfo.activeProcessorCount) cores, in-process simulator")
    var start = ContinuousClock.now
    let clean = await InProcessSimulator.run(suite: suite, profile: profile, options: options)
    let cleanWall = seconds(since: start)
    let requests = clean.results.reduce(0) { $0 + $1.requests }
    print(String(format: "clean run: %d cases, %d requests in %.2f s", clean.results.count, requests, cleanWall))
    for r in clean.results.sorted(by: { $0.durationSeconds > $1.durationSeconds }).prefix(8) {
        print(String(format: "  %-45@ %5d requests %7.3f s", r.caseID as NSString, r.requests, r.durationSeconds))
    }
    start = ContinuousClock.now
    var missed: [String] = []
    for f in Fault.catalogue {
        let r = await InProcessSimulator.run(suite: FaultDetection.scope(of: f, in: suite), profile: profile, faults: [f], options: options)
        if FaultDetection.catching(f, faulted: r, clean: clean).isEmpty { missed.append(f.name) }
    }
    print(String(format: "%d faults over their endpoints: %.2f s%@", Fault.catalogue.count, seconds(since: start),
        missed.isEmpty ? "" : " (NOT DETECTED: \(missed.joined(separator: ", ")))"))
    start = ContinuousClock.now
    for v in Variant.catalogue {
        _ = await InProcessSimulator.run(suite: suite, profile: profile, variants: [v], options: options)
    }
    print(String(format: "%d variants over the whole suite: %.2f s", Variant.catalogue.count, seconds(since: start)))
}

// As the conformance executable does; BENCH_DEFAULT_MALLOC=1 measures without it.
if ProcessInfo.processInfo.environment["BENCH_DEFAULT_MALLOC"] != "1" { AllocatorTuning.apply() }
let which = CommandLine.arguments.dropFirst().first ?? "schema"
do {
    switch which {
    case "schema": try schemaBenchmark()
    case "runner": try await runnerBenchmark()
    case "hostile": try await hostileBenchmark()
    case "matrix": try await matrixBenchmark()
    case "rate": try await rateBenchmark()
    case "load": try loadBenchmark()
    case "startup": try startupBenchmark()
    case "memory": try await memoryBenchmark()
    case "acceptance": try acceptanceBenchmark()
    default:
        FileHandle.standardError.write(
            Data(
                "usage: conformance-bench schema|runner [SUITE_DIR]|hostile [content-length|chunked|http|https]|matrix [SUITE_DIR]|rate [SUITE_DIR]|load [N...]|startup|memory [N]|acceptance\n"
                    .utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
