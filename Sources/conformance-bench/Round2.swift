// Figures of the second performance round (issue 24), printed only; no
// assertion (ratios are for one run on one machine).
//
// rate: the read-only cases repeated (BENCH_CASES, default 3,000) against the
// simulator over loopback, --jobs BENCH_JOBS (default 8): requests per
// second, connections opened and threads started per request, with the
// connections kept alive and without (one per request, as before); then the
// same over https (Tests/Tools/tls-front.py before the simulator); then the
// whole suite over http and over https. BENCH_SCHEMES=http (or https) runs one.
// When wrk is on PATH, it is pointed at a simulator with the GET requests the
// cases sent (recorded from one run, replayed in turn by a Lua script, over
// --jobs connections kept alive) and its rate printed beside ours.
//
// load [N...]: the suite loaded as `run` loads it, made N cases (default
// 0, 2,500 and 25,000) with copies of its case files under new ids in a
// temporary copy of Cases, median of 3; the 25,000-case line against the goal.
//
// startup: `conformance run --list` (the release executable beside this
// one), 20 runs, median and spread.
import ConformanceCLI
import ConformanceKit
import Foundation
import HTTPServer
import JSONKit
import Synchronization

func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let d = (ContinuousClock.now - start).components
    return Double(d.seconds) + Double(d.attoseconds) / 1e18
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// One run of `suite` against a fresh simulator, over http or (through a TLS front) https.
func timedRun(suite: Suite, profile: TargetProfile, jobs: Int, https: Bool, keepAlive: Bool) async throws
    -> (wall: Double, requests: Int, passed: Int, cases: Int, statistics: TransportStatistics)
{
    let sim = try EmbeddedSimulator()
    defer { sim.stop() }
    var front: TLSFront?
    var target = profile
    if https {
        let port = Int(sim.baseURL.split(separator: ":").last!)!
        front = try TLSFront(backendPort: port)
        target.baseURL = "https://127.0.0.1:\(front!.port)"
    } else {
        target.baseURL = sim.baseURL
    }
    defer { front?.stop() }
    let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
    let transport = URLSessionTransport(maxConnections: jobs, caFile: front?.caFile, keepAliveSeconds: keepAlive ? 2 : 0)
    defer { transport.closeConnections() }
    let start = ContinuousClock.now
    let r = await Conformance.run(
        suite: suite, target: target, credentials: credentials, transport: transport, options: RunOptions(jobs: jobs, timeout: 30))
    let wall = secondsSince(start)
    return (wall, r.results.reduce(0) { $0 + $1.requests }, r.passed, r.results.count, transport.statistics)
}

func rateBenchmark() async throws {
    let env = ProcessInfo.processInfo.environment
    let root = CommandLine.arguments.dropFirst(2).first ?? "Cases"
    let (suite, _) = try SuiteLoader.load(root: root)
    let (profile, _) = try TargetLoader.load(path: root + "/targets/simulator.json", suite: suite)
    let count = env["BENCH_CASES"].flatMap { Int($0) } ?? 3_000
    let jobs = env["BENCH_JOBS"].flatMap { Int($0) } ?? 8
    let readOnly = suite.cases.filter { !$0.isMutating(in: suite) }
    var many = suite
    many.cases = (0..<count).map { i in
        var c = readOnly[i % readOnly.count]
        c.id += "-\(i)"
        return c
    }
    print("conformance-bench rate — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores, --jobs \(jobs)")
    print("\(count) read-only cases (the suite's \(readOnly.count), repeated) against the simulator on loopback:")
    print("https through " + (TLSFront.socat != nil ? "socat OPENSSL-LISTEN (a process per connection; BENCH_TLS_FRONT=python for tls-front.py)" : "Tests/Tools/tls-front.py (Python; no socat on PATH)") + ", openssl s_client per kept connection on our side")
    print("scheme  keep-alive  requests  wall (s)   req/s  connections  conn/req  threads  threads/req  passed")
    var rates: [String: Double] = [:]
    // BENCH_ROUNDS (default 2): each pair alternated that often, the best rate kept (a shared machine lends the cores unevenly).
    let rounds = max(1, env["BENCH_ROUNDS"].flatMap { Int($0) } ?? 2)
    // BENCH_SCHEMES (default "http,https"): which schemes to run (e.g. "http" alone, to profile).
    let schemes = (env["BENCH_SCHEMES"] ?? "http,https").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let httpsChoices = [false, true].filter { schemes.contains($0 ? "https" : "http") }
    for https in httpsChoices {
        for keepAlive in Array(repeating: [true, false], count: rounds).flatMap({ $0 }) {
            let r = try await timedRun(suite: many, profile: profile, jobs: jobs, https: https, keepAlive: keepAlive)
            let rate = Double(r.requests) / r.wall
            rates["\(https) \(keepAlive)"] = max(rate, rates["\(https) \(keepAlive)"] ?? 0)
            print(
                String(
                    format: "%-6@  %-10@  %8d  %8.2f  %6.0f  %11d  %8.3f  %7d  %11.3f  %d of %d", (https ? "https" : "http") as NSString,
                    (keepAlive ? "yes" : "no") as NSString, r.requests, r.wall, rate, r.statistics.connections,
                    Double(r.statistics.connections) / Double(max(1, r.requests)), r.statistics.threads,
                    Double(r.statistics.threads) / Double(max(1, r.requests)), r.passed, r.cases))
        }
    }
    if let a = rates["false true"], let b = rates["false false"], let c = rates["true true"], let d = rates["true false"] {
        print(String(format: "best of each: keep-alive vs one connection per request: http %.2f×, https %.2f×; http vs https (keep-alive): %.2f×", a / b, c / d, a / c))
    }
    if schemes.contains("http"), let ours = rates["false true"] {
        try await wrkComparison(suite: many, profile: profile, jobs: jobs, ours: ours)
    }

    print("\nthe whole suite (\(suite.cases.count) cases), --jobs \(jobs), keep-alive:")
    var walls: [Bool: Double] = [:]
    for https in httpsChoices {
        // Three runs each, the median: one run is 0.3 s, noisy on a shared machine.
        var w: [Double] = []
        var last: (wall: Double, requests: Int, passed: Int, cases: Int, statistics: TransportStatistics)?
        for _ in 0..<3 {
            let r = try await timedRun(suite: suite, profile: profile, jobs: jobs, https: https, keepAlive: true)
            w.append(r.wall)
            last = r
        }
        walls[https] = median(w)
        if let r = last {
            print(
                String(
                    format: "%-5@  median wall %.3f s  (%@)  %d requests, %d connections, %d threads, %d of %d passed",
                    (https ? "https" : "http") as NSString, median(w), w.map { String(format: "%.3f", $0) }.joined(separator: ", ") as NSString,
                    r.requests, r.statistics.connections, r.statistics.threads, r.passed, r.cases))
        }
    }
    if let h = walls[false], let s = walls[true] { print(String(format: "https / http: %.2f×", s / h)) }
}

/// A copy of `root` whose cases/ holds copies of the suite's case files
/// under new ids (matrices expand as theirs do), as many as make the loaded
/// suite `cases` cases or the first count above it (the suite's own included).
func generatedSuite(root: String, cases wanted: Int, reuse: Bool = false) throws -> (dir: String, files: Int, expected: Int) {
    let fm = FileManager.default
    // How many cases each file makes (a matrix makes one a cell).
    let (base, _) = try SuiteLoader.load(root: root, digest: false)
    let perFile = Dictionary(grouping: base.cases, by: \.file).mapValues(\.count)
    let display = SuiteLoader.displayPath(root) + "/cases/"
    let dir = NSTemporaryDirectory() + "bench-load-" + (reuse ? "kept" : "\(ProcessInfo.processInfo.processIdentifier)") + "-\(wanted)"
    let marker = dir + "/.bench-complete"
    if reuse, let text = try? String(contentsOfFile: marker, encoding: .utf8) {
        let parts = text.split(separator: " ").compactMap { Int($0) }
        if parts.count == 2 { return (dir, parts[0], parts[1]) }
    }
    try? fm.removeItem(atPath: dir)
    try fm.copyItem(atPath: root, toPath: dir)
    let caseDir = dir + "/cases"
    let files = (fm.enumerator(atPath: caseDir)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.sorted()
    var texts: [(file: String, object: JSONObject, cases: Int)] = []
    for f in files {
        guard let data = fm.contents(atPath: caseDir + "/" + f),
            case .object(let object) = try JSONParser.parse([UInt8](data), dialect: .json5), object["id"]?.stringValue != nil,
            let n = perFile[display + f], n > 0
        else { continue }
        texts.append((f, object, n))
    }
    guard !texts.isEmpty else { throw BenchError("no case files with an id under \(caseDir)") }
    try fm.createDirectory(atPath: caseDir + "/generated", withIntermediateDirectories: true)
    var written = 0
    var expected = base.cases.count
    var k = 0
    while expected < wanted {
        for (f, object, n) in texts where expected < wanted {
            var copy = object
            copy["id"] = .string(object["id"]!.stringValue! + "-g\(k)")
            // The relative $schema of a file one level deeper.
            if let s = copy["$schema"]?.stringValue { copy["$schema"] = .string("../" + s) }
            let name = f.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".json", with: "-g\(k).json")
            _ = fm.createFile(atPath: caseDir + "/generated/" + name, contents: Data(JSONWriter().bytes(.object(copy))))
            written += 1
            expected += n
        }
        k += 1
    }
    if reuse { try "\(written) \(expected)".write(toFile: marker, atomically: true, encoding: .utf8) }
    return (dir, written, expected)
}

/// The load of a suite of N cases (the suite's own and copies of its case
/// files), as `run` loads it (the certification digest computed), median of 3.
func loadBenchmark() throws {
    let sizes = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }
    print("conformance-bench load — release build; the suite's case files copied under new ids up to N cases, loaded as `run` does (digest included), median of 3")
    print("cases asked  case files added  cases loaded  load (s)  per case (µs)  CPU (s)")
    var at25k: (wall: Double, cpu: Double, cases: Int)?
    for n in sizes.isEmpty ? [0, 2_500, 25_000] : sizes {
        // BENCH_LOAD_KEEP=1 keeps the generated copy (its path printed) and
        // takes it again on the next run, to profile the load alone.
        let keep = ProcessInfo.processInfo.environment["BENCH_LOAD_KEEP"] == "1"
        let (dir, files, expected) = try generatedSuite(root: "Cases", cases: n, reuse: keep)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        if keep { print("(kept: \(dir))") }
        var times: [Double] = []
        var cpu: [Double] = []
        var cases = 0
        for _ in 0..<3 {
            let before = cpuSeconds(children: false)
            let start = ContinuousClock.now
            let (suite, _) = try SuiteLoader.load(root: dir)
            times.append(secondsSince(start))
            cpu.append(cpuSeconds(children: false) - before)
            cases = suite.cases.count
        }
        if cases != expected { throw BenchError("expected \(expected) cases, loaded \(cases)") }
        print(String(format: "%11d  %16d  %12d  %8.3f  %13.1f  %7.3f", n, files, cases, median(times), median(times) / Double(max(1, cases)) * 1e6, median(cpu)))
        if n == 25_000 { at25k = (median(times), median(cpu), cases) }
    }
    if let r = at25k {
        print(String(format: "25,000 cases (%d loaded): %.3f s wall, %.3f s CPU (goal: under 0.6 s)", r.cases, r.wall, r.cpu))
    }
    print(String(format: "load average %.2f; CPU is the process's (user + system, every core) during the load", loadAverage()))
}

func startupBenchmark() throws {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let exe = here.appendingPathComponent("conformance").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        throw BenchError("\(exe) not found: swift build -c release --product conformance first")
    }
    let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 20
    var times: [Double] = []
    var cpu: [Double] = []
    for i in 0..<(runs + 1) {
        let before = cpuSeconds(children: true)
        let start = ContinuousClock.now
        let status = try spawnAndWait(exe, ["run", "--list"])
        let t = secondsSince(start)
        if status != 0 { throw BenchError("conformance run --list exited \(status)") }
        if i > 0 {  // the first warms the page cache
            times.append(t * 1000)
            cpu.append((cpuSeconds(children: true) - before) * 1000)
        }
    }
    let s = times.sorted()
    print("conformance-bench startup — `conformance run --list`, \(runs) runs after one warm-up")
    print(String(format: "median %.1f ms (min %.1f, max %.1f); CPU (user + system) median %.1f ms (goal: 50 ms)", median(times), s.first ?? 0, s.last ?? 0, median(cpu)))
    print(String(format: "load average %.2f (wall time on a shared machine waits for a core; the CPU time does not)", loadAverage()))
}

/// Runs `exe` with `args`, its output to /dev/null, and waits for it: its
/// exit status. With posix_spawn and waitpid on Linux: Foundation's
/// `Process.waitUntilExit` looks every 50 ms, which added 50 ms to the wall
/// time of a run of about 50.
func spawnAndWait(_ exe: String, _ args: [String]) throws -> Int32 {
    #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("cannot start \(exe): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid: error \(errno)") }
        }
        // WIFEXITED / WEXITSTATUS; a signal counts as a failure.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    #else
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    #endif
}

/// The resident set now (not the peak), from /proc/self/statm; 0 where there is none.
func residentMB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// memory [N]: where a run's memory goes as the cases multiply. N generated
/// cases (default 10,000) are the suite's read-only cases repeated under new
/// ids (copies in the suite's case list: the loaded suite grows as a
/// generated one would), planned and run against the simulator in this
/// process (`--jobs` BENCH_JOBS, default 8) over loopback, then every report
/// rendered in memory as `run` writes them. Prints the resident set after each
/// stage and the peak, and the growth per case. One N per process: the peak
/// is the process's.
func memoryBenchmark() async throws {
    let n = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }.first ?? 10_000
    let jobs = ProcessInfo.processInfo.environment["BENCH_JOBS"].flatMap { Int($0) } ?? 8
    let (suite, _) = try SuiteLoader.load(root: "Cases")
    let (profile, _) = try TargetLoader.load(path: "Cases/targets/simulator.json", suite: suite)
    print("conformance-bench memory — release build, \(n) generated cases (the suite's read-only cases repeated under new ids), --jobs \(jobs)")
    print("stage                                    resident (MB)  peak so far (MB)")
    func line(_ stage: String) {
        let padded = stage.count < 40 ? stage + String(repeating: " ", count: 40 - stage.count) : stage
        print(padded + String(format: "  %13.1f  %16.1f", residentMB(), peakMemoryMB()))
    }
    line("suite loaded (\(suite.cases.count) cases)")
    let base = peakMemoryMB()
    let readOnly = suite.cases.filter { !$0.isMutating(in: suite) }
    var big = suite
    big.cases = (0..<n).map { i in
        var c = readOnly[i % readOnly.count]
        c.id += "-\(i)"
        return c
    }
    line("\(n) cases generated")
    let sim = try EmbeddedSimulator()
    defer { sim.stop() }
    var target = profile
    target.baseURL = sim.baseURL
    let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
    let plan = Planner.plan(suite: big, target: target, credentials: credentials)
    line("planned (\(plan.count) jobs)")
    let transport = URLSessionTransport(maxConnections: jobs)
    defer { transport.closeConnections() }
    let start = ContinuousClock.now
    let result = await Conformance.run(
        suite: big, target: target, credentials: credentials, transport: transport, options: RunOptions(jobs: jobs, timeout: 30),
        plan: plan)
    let wall = secondsSince(start)
    line("run (\(result.passed) of \(result.results.count) passed, \(String(format: "%.1f", wall)) s)")
    let meta = RunMetadata(toolVersion: "bench", suiteVersion: "bench", targetName: target.name, baseURL: target.baseURL, profileFile: "bench")
    var bytes = JUnitReporter.render(result).utf8.count
    bytes += JSONReporter.render(result, meta: meta).utf8.count
    bytes += MarkdownReporter.render(result).utf8.count
    bytes += HTMLReporter.render(result).utf8.count
    line("reports rendered (\(bytes / 1024) KB)")
    let peak = peakMemoryMB()
    print(String(format: "peak %.1f MB; growth over the loaded suite %.1f MB, %.2f KB a case", peak, peak - base, (peak - base) * 1024 / Double(max(1, n))))
}

/// User + system CPU seconds of this process, or of its waited-for children.
func cpuSeconds(children: Bool) -> Double {
    var usage = rusage()
    #if os(Linux)
        getrusage(__rusage_who_t(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue), &usage)
    #else
        getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The one-minute load average (the machine is shared; figures vary with it).
func loadAverage() -> Double {
    var avg = [0.0, 0.0, 0.0]
    return getloadavg(&avg, 3) > 0 ? avg[0] : 0
}

/// Records the GET requests a run sends (at most `limit`), passing each on.
final class RecordingTransport: Transport {
    let inner: URLSessionTransport
    let limit: Int
    let recorded = Mutex<[OutgoingRequest]>([])

    init(_ inner: URLSessionTransport, limit: Int) {
        self.inner = inner
        self.limit = limit
    }

    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        if request.method == "GET" { recorded.withLock { if $0.count < limit { $0.append(request) } } }
        return try await inner.send(request, timeout: timeout)
    }
}

/// wrk against a fresh simulator with the GET requests the read-only cases
/// send (recorded from one run against it, so that tokens and ids are its
/// own), replayed in turn over `jobs` connections for 5 s; its rate beside
/// ours. Without wrk on PATH, says how to get it.
func wrkComparison(suite: Suite, profile: TargetProfile, jobs: Int, ours: Double) async throws {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    guard let wrk = path.split(separator: ":").map({ String($0) + "/wrk" }).first(where: { access($0, X_OK) == 0 }) else {
        print("wrk: not on PATH (apt-get install wrk, then run again for its figure on the same GET mix)")
        return
    }
    let sim = try EmbeddedSimulator()
    defer { sim.stop() }
    var target = profile
    target.baseURL = sim.baseURL
    let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
    let inner = URLSessionTransport(maxConnections: jobs, caFile: nil, keepAliveSeconds: 2)
    defer { inner.closeConnections() }
    let recorder = RecordingTransport(inner, limit: 5_000)
    _ = await Conformance.run(
        suite: suite, target: target, credentials: credentials, transport: recorder, options: RunOptions(jobs: jobs, timeout: 30))
    let requests = recorder.recorded.withLock { $0 }
    guard !requests.isEmpty else { throw BenchError("the run sent no GET request to replay") }
    func lua(_ s: String) -> String { "[==[" + s + "]==]" }
    var script = "local reqs = {\n"
    for r in requests {
        guard let u = URLComponents(string: r.url) else { continue }
        let target = (u.percentEncodedPath.isEmpty ? "/" : u.percentEncodedPath) + (u.percentEncodedQuery.map { "?" + $0 } ?? "")
        let headers = r.headers.filter { $0.name.lowercased() != "host" }.map { "[\(lua($0.name))] = \(lua($0.value))" }.joined(separator: ", ")
        script += "  wrk.format(\"GET\", \(lua(target)), {\(headers)}),\n"
    }
    script += "}\nlocal i = 0\nrequest = function()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n"
    let file = NSTemporaryDirectory() + "bench-wrk-\(ProcessInfo.processInfo.processIdentifier).lua"
    // The recorded requests carry the simulator's tokens: readable by us alone.
    guard FileManager.default.createFile(atPath: file, contents: Data(script.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw BenchError("could not write \(file)")
    }
    defer { try? FileManager.default.removeItem(atPath: file) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: wrk)
    p.arguments = ["-t", "2", "-c", String(jobs), "-d", "5s", "-s", file, sim.baseURL]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
        let theirs = Double(line.split(separator: " ").last ?? "")
    else {
        print("wrk: no rate in its output: \(text.prefix(300))")
        return
    }
    let non2xx = text.split(separator: "\n").first { $0.contains("Non-2xx") }.map { ", " + $0.trimmingCharacters(in: .whitespaces) } ?? ""
    print(
        String(
            format: "wrk on the same GET mix (%d requests recorded from the cases, replayed in turn; -t 2 -c %d -d 5s, keep-alive): %.0f req/s%@; ours (best, keep-alive): %.0f req/s = %.2f× wrk",
            requests.count, jobs, theirs, non2xx as NSString, ours, ours / theirs))
}
