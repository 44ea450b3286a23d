// Figures of the second performance round (issue 24), printed only; no
// assertion (ratios are for one run on one machine).
//
// rate: the read-only cases repeated (BENCH_CASES, default 3,000) against the
// simulator over loopback, --jobs BENCH_JOBS (default 8): requests per
// second, connections opened and threads started per request, with the
// connections kept alive and without (one per request, as before); then the
// same over https (Tests/Tools/tls-front.py before the simulator); then the
// whole suite over http and over https. BENCH_SCHEMES=http (or https) runs one;
// BENCH_KEEPALIVE=only leaves out the runs without keep-alive;
// BENCH_ENDPOINTS=a,b (or -a) keeps (or leaves out) the cases of endpoints.
// When wrk is on PATH, it is pointed at a simulator with the GET requests the
// cases sent (recorded from one run, replayed in turn by a Lua script, over
// --jobs connections kept alive) right after each of our http keep-alive
// runs and for about as long, and each pair's ratio printed (the simulator
// runs in this process for both, so both share the two cores with it). CPU
// per request is this process's: ours, client and simulator; under wrk, the
// simulator's alone, with wrk's own beside it. Right after wrk, the same
// requests go through our transport alone (answers read whole and dropped,
// as wrk does), so that the gap to wrk is split into what carrying the
// requests costs and what judging the answers costs.
// BENCH_SIMULATOR=process runs each simulator as a process of its own
// (`conformance serve --port 0`, the release executable beside this one), as
// one would to point wrk and `conformance run` at it by hand: this process's
// CPU is then our client's alone, and the simulator's is read from /proc.
// BENCH_PIN=1 (with BENCH_SIMULATOR=process) also gives each side a CPU of
// its own (taskset): the simulator one, our client and wrk another, as when
// the harness and the server run on different machines (see `CorePinning`).
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
    -> (wall: Double, requests: Int, passed: Int, cases: Int, statistics: TransportStatistics, cpu: Double, machineCPU: Double, simulatorCPU: Double)
{
    let sim = try BenchSimulator()
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
    let simulatorBefore = sim.separateCPUSeconds()
    let cpuBefore = sim.cpuSecondsWithOurs(), busyBefore = machineBusySeconds()
    let start = ContinuousClock.now
    let r = await Conformance.run(
        suite: suite, target: target, credentials: credentials, transport: transport, options: RunOptions(jobs: jobs, timeout: 30))
    let wall = secondsSince(start)
    // Client and simulator, wherever the simulator runs.
    let simulatorAfter = sim.separateCPUSeconds()
    let cpu = sim.cpuSecondsWithOurs() - cpuBefore, busy = machineBusySeconds() - busyBefore
    return (wall, r.results.reduce(0) { $0 + $1.requests }, r.passed, r.results.count, transport.statistics, cpu, busy, simulatorAfter - simulatorBefore)
}

func rateBenchmark() async throws {
    let env = ProcessInfo.processInfo.environment
    try BenchSimulator.checkSetting()
    try CorePinning.apply()
    let root = CommandLine.arguments.dropFirst(2).first ?? "Cases"
    let (suite, _) = try SuiteLoader.load(root: root)
    let (profile, _) = try TargetLoader.load(path: root + "/targets/simulator.json", suite: suite)
    let count = env["BENCH_CASES"].flatMap { Int($0) } ?? 3_000
    let jobs = env["BENCH_JOBS"].flatMap { Int($0) } ?? 8
    var readOnly = suite.cases.filter { !$0.isMutating(in: suite) }
    // BENCH_ENDPOINTS=a,b keeps the read-only cases of those endpoints alone
    // (-a leaves a's out): e.g. mvno-account-get for the small answers,
    // mvno-deleted-list for the pages, to see what each costs.
    if let wanted = env["BENCH_ENDPOINTS"] {
        let names = wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let kept = Set(names.filter { !$0.hasPrefix("-") }), left = Set(names.filter { $0.hasPrefix("-") }.map { String($0.dropFirst()) })
        let known = Set(readOnly.map(\.endpoint))
        if let unknown = kept.union(left).subtracting(known).sorted().first {
            throw BenchError("BENCH_ENDPOINTS: no read-only case of endpoint \(unknown); the endpoints are \(known.sorted().joined(separator: ", "))")
        }
        readOnly = readOnly.filter { (kept.isEmpty || kept.contains($0.endpoint)) && !left.contains($0.endpoint) }
        guard !readOnly.isEmpty else { throw BenchError("BENCH_ENDPOINTS=\(wanted) leaves no case") }
    }
    var many = suite
    many.cases = repeated(readOnly, count: count)
    print("conformance-bench rate — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores, --jobs \(jobs)")
    print("\(count) read-only cases (the suite's \(readOnly.count)\(env["BENCH_ENDPOINTS"].map { " of BENCH_ENDPOINTS=" + $0 } ?? ""), repeated) against the simulator on loopback:")
    print("https through " + TLSFront.described + "; on our side: " + URLSessionTransport.tlsCarrier)
    print(
        BenchSimulator.separate
            ? "the simulator: a process of its own for each run (BENCH_SIMULATOR=process)"
                + (CorePinning.cpus.map { "; pinned (BENCH_PIN=1): the simulator on CPU \($0.simulator), our client and wrk on CPU \($0.client)" }
                    ?? "; client and simulator share the cores (BENCH_PIN=1 gives each a CPU of its own)")
            : "the simulator: in this process (BENCH_SIMULATOR=process runs it as a process of its own)")
    print("(CPU ms/req: user + system CPU per request of our client (and its TLS, when in the process) and of the simulator; not s_client, socat or wrk)")
    print("scheme  keep-alive  requests  wall (s)   req/s  CPU ms/req  connections  conn/req  threads  threads/req  passed")
    var rates: [String: Double] = [:]
    // BENCH_ROUNDS (default 2): each pair alternated that often, the best rate kept (a shared machine lends the cores unevenly).
    let rounds = max(1, env["BENCH_ROUNDS"].flatMap { Int($0) } ?? 2)
    // BENCH_SCHEMES (default "http,https"): which schemes to run (e.g. "http" alone, to profile).
    let schemes = (env["BENCH_SCHEMES"] ?? "http,https").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let httpsChoices = [false, true].filter { schemes.contains($0 ? "https" : "http") }
    // BENCH_WRK=no skips wrk (to profile our side alone). Otherwise wrk runs
    // right after each of our http keep-alive runs, for about as long.
    let wrk = schemes.contains("http") && env["BENCH_WRK"] != "no" ? try await WrkReplay(suite: many, profile: profile, jobs: jobs) : nil
    var pairs: [(ours: Double, oursCPU: Double, wrk: WrkReplay.Run)] = []
    var alone: [Double] = []
    for https in httpsChoices {
        // BENCH_KEEPALIVE=only leaves out the runs with one connection per request (to profile the kept ones alone).
        let modes = env["BENCH_KEEPALIVE"] == "only" ? [true] : [true, false]
        for keepAlive in Array(repeating: modes, count: rounds).flatMap({ $0 }) {
            let r = try await timedRun(suite: many, profile: profile, jobs: jobs, https: https, keepAlive: keepAlive)
            let rate = Double(r.requests) / r.wall
            rates["\(https) \(keepAlive)"] = max(rate, rates["\(https) \(keepAlive)"] ?? 0)
            if !https, keepAlive, rate >= (rates["false true"] ?? 0) {
                recordFigure("rate.ours", rate)
                recordFigure("rate.connectionsPerRequest", Double(r.statistics.connections) / Double(max(1, r.requests)))
            }
            let cpu = r.cpu * 1000 / Double(max(1, r.requests))
            print(
                String(
                    format: "%-6@  %-10@  %8d  %8.2f  %6.0f  %10.3f  %11d  %8.3f  %7d  %11.3f  %d of %d", (https ? "https" : "http") as NSString,
                    (keepAlive ? "yes" : "no") as NSString, r.requests, r.wall, rate, cpu, r.statistics.connections,
                    Double(r.statistics.connections) / Double(max(1, r.requests)), r.statistics.threads,
                    Double(r.statistics.threads) / Double(max(1, r.requests)), r.passed, r.cases))
            if r.simulatorCPU > 0 {
                // The simulator a process of its own: the two shares apart (the client's is what our changes move).
                print(
                    String(
                        format: "        CPU ms/req apart: our client %.3f, the simulator's process %.3f", (r.cpu - r.simulatorCPU) * 1000 / Double(max(1, r.requests)),
                        r.simulatorCPU * 1000 / Double(max(1, r.requests))))
            }
            if !https, keepAlive, let wrk, let w = try wrk.replay(seconds: max(2, Int(r.wall.rounded()))) {
                pairs.append((rate, cpu, w))
                print(
                    String(
                        format: "  then wrk  %6.0f req/s  CPU ms/req: simulator %.3f, wrk %.3f  (%d requests; %@)  ours / wrk %.2f× (by CPU per request: %.2f×)",
                        w.rate, w.simulatorCPU * 1000 / Double(max(1, w.served)), w.wrkCPU * 1000 / Double(max(1, w.served)), w.served,
                        w.non2xx as NSString, rate / w.rate,
                        (w.simulatorCPU + w.wrkCPU) * 1000 / Double(max(1, w.served)) / max(cpu, 1e-9)))
                // What the gap is made of: the same requests through our
                // transport alone (read, not judged), right after, as many as ours sent.
                let a = await wrk.transportAlone(count: r.requests)
                alone.append(a.rate / w.rate)
                let simulatorMs = w.simulatorCPU * 1000 / Double(max(1, w.served))
                print(
                    String(
                        format: "  then our transport alone (the same GET mix, answers read whole and dropped, as wrk does: not parsed, not judged)  %6.0f req/s  CPU ms/req %.3f  ours / wrk %.2f×  (answers %.1f KB on average; %d failed)",
                        a.rate, a.cpu * 1000 / Double(max(1, a.requests)), a.rate / w.rate, Double(a.bytes) / Double(max(1, a.requests - a.failures)) / 1000,
                        a.failures))
                // Where the simulator's CPU under wrk is set aside (an
                // estimate: its CPU under our client, or under our transport
                // alone, is not measured apart when it runs in this process), a
                // difference below zero is noise, not a negative cost.
                func client(_ ms: Double) -> String {
                    ms >= 0 ? String(format: "%.3f ms", ms) : "not separable (the simulator's CPU under wrk set aside, an estimate)"
                }
                if BenchSimulator.separate {
                    // Measured apart: the simulator's process under our client, under our transport alone and under wrk.
                    let ownMs = r.simulatorCPU * 1000 / Double(max(1, r.requests))
                    let aloneMs = a.simulatorCPU * 1000 / Double(max(1, a.requests))
                    print(
                        String(
                            format: "  our client's CPU per request (the simulator's own process: %.3f ms under our client, %.3f ms under our transport alone, %.3f ms under wrk): %@ judged, %@ transport alone; wrk %.3f ms",
                            ownMs, aloneMs, simulatorMs, String(format: "%.3f ms", cpu - ownMs) as NSString,
                            String(format: "%.3f ms", a.cpu * 1000 / Double(max(1, a.requests)) - aloneMs) as NSString,
                            w.wrkCPU * 1000 / Double(max(1, w.served))))
                } else {
                    print(
                        String(
                            format: "  our client's CPU per request, the simulator's (%.3f ms, under wrk) set aside: %@ judged, %@ transport alone; wrk %.3f ms",
                            simulatorMs, client(cpu - simulatorMs) as NSString, client(a.cpu * 1000 / Double(max(1, a.requests)) - simulatorMs) as NSString,
                            w.wrkCPU * 1000 / Double(max(1, w.served))))
                }
            }
        }
    }
    if let a = rates["false true"], let b = rates["false false"], let c = rates["true true"], let d = rates["true false"] {
        print(String(format: "best of each: keep-alive vs one connection per request: http %.2f×, https %.2f×; http vs https (keep-alive): %.2f×", a / b, c / d, a / c))
    }
    // The ratio by CPU: what the rates would be if both were bound by the
    // same cores (wrk's CPU and the simulator's per request, against ours:
    // client and simulator); less moved by other processes than the wall.
    if let wrk, !pairs.isEmpty {
        let ratios = pairs.map { $0.ours / $0.wrk.rate }
        let byCPU = pairs.map { ($0.wrk.simulatorCPU + $0.wrk.wrkCPU) * 1000 / Double(max(1, $0.wrk.served)) / max($0.oursCPU, 1e-9) }
        print(
            String(
                format: "wrk on the same GET mix (%@; -t %d -c %d, keep-alive; the simulator %@, as for ours): ours / wrk %@, median %.2f×; by CPU per request %@, median %.2f×",
                wrk.described as NSString, WrkReplay.threads, jobs, (BenchSimulator.separate ? "a process of its own" : "in this process") as NSString, ratios.map { String(format: "%.2f×", $0) }.joined(separator: ", ") as NSString, median(ratios),
                byCPU.map { String(format: "%.2f×", $0) }.joined(separator: ", ") as NSString, median(byCPU)))
        print(String(format: "our transport alone on the same mix: ours / wrk %@, median %.2f×", alone.map { String(format: "%.2f×", $0) }.joined(separator: ", ") as NSString, median(alone)))
        recordFigure("rate.ratio", median(ratios))
        recordFigure("rate.byCPU", median(byCPU))
        recordFigure("rate.alone", median(alone))
    }

    print("\nthe whole suite (\(suite.cases.count) cases), --jobs \(jobs), keep-alive, http and https in turn:")
    // BENCH_SUITE_RUNS (default 15) runs of each, http and https taking turns
    // (so that both meet the same moments of a shared machine's load), the
    // medians: one run is 0.1-0.2 s. With 5 runs of each, the ratio moved
    // between 1.29 and 1.46 from one invocation to the next on this machine.
    let suiteRuns = max(1, env["BENCH_SUITE_RUNS"].flatMap { Int($0) } ?? 15)
    var w: [Bool: [Double]] = [:]
    var busy: [Bool: [Double]] = [:], own: [Bool: [Double]] = [:]
    var last: [Bool: (wall: Double, requests: Int, passed: Int, cases: Int, statistics: TransportStatistics, cpu: Double, machineCPU: Double, simulatorCPU: Double)] = [:]
    for _ in 0..<suiteRuns {
        for https in httpsChoices {
            let r = try await timedRun(suite: suite, profile: profile, jobs: jobs, https: https, keepAlive: true)
            busy[https, default: []].append(r.machineCPU)
            own[https, default: []].append(r.cpu)
            w[https, default: []].append(r.wall)
            last[https] = r
        }
    }
    var walls: [Bool: Double] = [:]
    for https in httpsChoices {
        let times = w[https] ?? []
        walls[https] = median(times)
        if let r = last[https] {
            print(
                String(
                    format: "%-5@  median wall %.3f s  (%@)  %d requests, %d connections, %d threads, %d of %d passed",
                    (https ? "https" : "http") as NSString, median(times), times.map { String(format: "%.3f", $0) }.joined(separator: ", ") as NSString,
                    r.requests, r.statistics.connections, r.statistics.threads, r.passed, r.cases))
            print(
                String(
                    format: "       median CPU: client and simulator %.3f s, the whole machine %.3f s (the front's processes too; to 10 ms)",
                    median(own[https] ?? []), median(busy[https] ?? [])))
        }
    }
    if let h = walls[false], let s = walls[true] {
        print(String(format: "https / http: %.2f× (TLS carrier: %@)", s / h, (URLSessionTransport.tlsInProcess ? "libssl in the process" : "openssl s_client") as NSString))
        recordFigure("https.ratio", s / h)
        recordFigure("https.front", TLSFront.code)
    }
    print(String(format: "load average %.2f at the end (the machine is shared: figures move with it)", loadAverage()))
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
        if n == 25_000 {
            at25k = (median(times), median(cpu), cases)
            recordFigure("load.median", median(times))
            if let first = times.first { recordFigure("load.first", first) }
        }
        print("             each load (s): " + times.map { String(format: "%.3f", $0) }.joined(separator: ", ") + "; CPU (s): " + cpu.map { String(format: "%.3f", $0) }.joined(separator: ", "))
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
    recordFigure("startup.median", median(times))
    recordFigure("startup.runs", Double(times.count))
    print(String(format: "load average %.2f (wall time on a shared machine waits for a core; the CPU time does not)", loadAverage()))
}

/// Runs `exe` with `args`, its output to /dev/null (with `showing`, where ours goes), and waits for it: its
/// exit status. With posix_spawn and waitpid on Linux: Foundation's
/// `Process.waitUntilExit` looks every 50 ms, which added 50 ms to the wall
/// time of a run of about 50.
func spawnAndWait(_ exe: String, _ args: [String], showing: Bool = false, extra: [String: String] = [:]) throws -> Int32 {
    // With `showing`, the child writes where we write: what we printed goes out first
    // (our standard output may be a pipe, fully buffered). `extra` is added to our environment.
    if showing { fflush(nil) }
    #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !showing {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let envp: [UnsafeMutablePointer<CChar>?] =
            extra.isEmpty ? [] : env.sorted { $0.key < $1.key }.map { strdup($0.key + "=" + $0.value) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = extra.isEmpty ? posix_spawn(&pid, exe, &actions, nil, argv, environ) : posix_spawn(&pid, exe, &actions, nil, argv, envp)
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
        if !extra.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 } }
        if !showing {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
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
/// generated one would), planned and run against the simulator
/// (`--jobs` BENCH_JOBS, default 8) over loopback, as `run` runs them. The
/// simulator is a process of its own (`conformance serve --port 0`, the
/// release executable beside this one), as a staging server would be, so
/// the peak printed is the harness's; its own peak (VmHWM) is printed
/// apart. BENCH_SIMULATOR=embedded runs it in this process instead (its
/// seeded state, threads and garbage then count in the peak). Each result is spooled to a private file as its case finishes
/// (`RunOptions.resultSpool`), then every report streamed to its file
/// (`ReportFormat.write`) in a temporary folder, removed at the end. The
/// allocator settings `run` applies (`AllocatorTuning`) are applied here too
/// (main.swift; BENCH_DEFAULT_MALLOC=1 leaves them out). Prints the resident
/// set after each stage and the peak, and the growth per case. One N per
/// process: the peak is the process's. The console's lines (what `run`
/// prints) are produced too, into a counter, after the reports.
/// BENCH_FAULT=a,b (simulator `--fault` names, `conformance faults`) makes
/// the cases fail, BENCH_VARIANT=a,b (`--variant`) makes them ambiguous: e.g.
/// BENCH_FAULT=wrong-content-type fails every case (JSON sent as text/plain),
/// so that what is kept per failing case shows. Not with BENCH_SIMULATOR=embedded.
func memoryBenchmark() async throws {
    let n = CommandLine.arguments.dropFirst(2).compactMap { Int($0) }.first ?? 10_000
    let jobs = ProcessInfo.processInfo.environment["BENCH_JOBS"].flatMap { Int($0) } ?? 8
    let (suite, _) = try SuiteLoader.load(root: "Cases")
    let (profile, _) = try TargetLoader.load(path: "Cases/targets/simulator.json", suite: suite)
    let embedded = ProcessInfo.processInfo.environment["BENCH_SIMULATOR"] == "embedded"
    var simulatorArguments: [String] = []
    for (variable, option) in [("BENCH_FAULT", "--fault"), ("BENCH_VARIANT", "--variant")] {
        for name in (ProcessInfo.processInfo.environment[variable] ?? "").split(separator: ",") { simulatorArguments += [option, String(name)] }
    }
    if embedded, !simulatorArguments.isEmpty { throw BenchError("BENCH_FAULT and BENCH_VARIANT need the simulator as a process (not BENCH_SIMULATOR=embedded)") }
    print("conformance-bench memory — release build, \(n) generated cases (the suite's read-only cases repeated under new ids), --jobs \(jobs)")
    print(
        embedded
            ? "simulator: in this process (BENCH_SIMULATOR=embedded): its memory counts in the peak"
            : "simulator: a separate process (conformance serve --port 0\(simulatorArguments.isEmpty ? "" : " " + simulatorArguments.joined(separator: " "))): the peak is the harness's alone")
    print("stage                                    resident (MB)  peak so far (MB)")
    func line(_ stage: String) {
        let padded = stage.count < 40 ? stage + String(repeating: " ", count: 40 - stage.count) : stage
        print(padded + String(format: "  %13.1f  %16.1f", residentMB(), peakMemoryMB()))
    }
    line("suite loaded (\(suite.cases.count) cases)")
    let base = peakMemoryMB()
    let readOnly = suite.cases.filter { !$0.isMutating(in: suite) }
    var big = suite
    big.cases = repeated(readOnly, count: n)
    line("\(n) cases generated")
    var target = profile
    let credentials: Credentials
    var sim: EmbeddedSimulator?
    var server: SimulatorProcess?
    defer {
        sim?.stop()
        server?.stop()
    }
    if embedded {
        let s = try EmbeddedSimulator()
        sim = s
        target.baseURL = s.baseURL
        credentials = Credentials(profile: target, environment: s.environment(for: profile))
    } else {
        let s = try SimulatorProcess(simulatorArguments)
        server = s
        target.baseURL = s.baseURL
        credentials = Credentials(profile: target, environment: s.exported)
    }
    line(embedded ? "simulator started (this process)" : "simulator started (pid \(server!.process.processIdentifier))")
    let plan = Planner.plan(suite: big, target: target, credentials: credentials)
    line("planned (\(plan.count) jobs)")
    let transport = URLSessionTransport(maxConnections: jobs)
    defer { transport.closeConnections() }
    var options = RunOptions(jobs: jobs, timeout: 30)
    options.resultSpool = NSTemporaryDirectory()  // as `run` does
    // The resident set and peak when the last case finishes, before the run's
    // checks over all results and the coverage (`Conformance.run` does both after).
    let lastCase = Mutex<(Double, Double)?>(nil)
    let tuned = ProcessInfo.processInfo.environment["BENCH_DEFAULT_MALLOC"] != "1"
    options.progress = { done, total, _ in
        if done == total {
            lastCase.withLock { $0 = (residentMB(), peakMemoryMB()) }
            if tuned { AllocatorTuning.releaseFreed() }  // as `run` does
        }
    }
    let start = ContinuousClock.now
    let cpuBefore = cpuSeconds(children: false)
    let result = await Conformance.run(
        suite: big, target: target, credentials: credentials, transport: transport, options: options, plan: plan)
    let wall = secondsSince(start)
    let cpu = cpuSeconds(children: false) - cpuBefore
    if let (resident, peak) = lastCase.withLock({ $0 }) {
        print("cases run".padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "  %13.1f  %16.1f", resident, peak))
    }
    let spooled = result.results.isSpooled ? "spooled" : "in memory"
    line("run + coverage (\(result.passed) of \(result.results.count) passed, \(spooled), \(String(format: "%.1f", wall)) s)")
    // Throughput, to weigh allocator settings: the harness's CPU (user + system) is the figure a busy machine does not blur.
    print(
        String(
            format: "run: %.0f cases/s, the harness's CPU %.1f s (%.0f µs a case)", Double(n) / max(wall, 1e-9), cpu,
            cpu * 1e6 / Double(max(1, n))))
    let meta = RunMetadata(toolVersion: "bench", suiteVersion: "bench", targetName: target.name, baseURL: target.baseURL, profileFile: "bench")
    let dir = NSTemporaryDirectory() + "conformance-bench-reports-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let reportsStart = ContinuousClock.now
    try ReportFormat.write(result, context: ReportContext(meta: meta), to: dir)
    let reportSeconds = secondsSince(reportsStart)
    var bytes = 0
    for f in ReportFormat.all {
        bytes += ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + f.file)[.size]) as? Int) ?? 0
    }
    line("reports written (\(bytes / 1024) KB, \(String(format: "%.1f", reportSeconds)) s)")
    // The console, as `run` prints it (RunCommand.printVerdicts), into a counter.
    var consoleLines = 0, consoleBytes = 0
    ConsoleReporter.write(result) { l in
        consoleLines += 1
        consoleBytes += l.utf8.count + 1
    }
    line("console (\(consoleLines) lines, \(consoleBytes / 1024) KB)")
    let peak = peakMemoryMB()
    recordFigure("memory.peak", peak)
    print(
        String(
            format: "peak %.1f MB (%@, --jobs %d); growth over the loaded suite %.1f MB, %.2f KB a case", peak,
            (embedded ? "harness and simulator in one process" : "the harness alone") as NSString, jobs, peak - base,
            (peak - base) * 1024 / Double(max(1, n))))
    if let server {
        print(String(format: "simulator process peak (VmHWM) %.1f MB, not counted above", server.peakMB))
    }
    print(String(format: "load average %.2f", loadAverage()))
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

/// The whole machine's busy CPU seconds so far (every process, the kernel's
/// work included: /proc/stat's first line less idle and iowait), to 10 ms.
/// Around a suite run on an otherwise idle machine, it is what the run cost:
/// our client, the simulator, and the TLS front's processes, which our own
/// rusage does not see.
func machineBusySeconds() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
        let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return 0 }
    let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard ticks.count >= 5 else { return 0 }
    let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
    return (ticks.reduce(0, +) - ticks[3] - ticks[4]) / max(hz, 1)
}

/// The one-minute load average (the machine is shared; figures vary with it).
func loadAverage() -> Double {
    var avg = [0.0, 0.0, 0.0]
    return getloadavg(&avg, 3) > 0 ? avg[0] : 0
}

/// Records the GET requests a run sends, and what their answers weigh, so
/// that wrk and our transport alone replay the run's own mix. Every request
/// is kept up to `limit`; past it, a uniform sample of `limit` (reservoir
/// sampling, seeded: `SplitMix64`), so memory is bounded whatever the run sends.
final class RecordingTransport: Transport {
    struct Recorded {
        var requests: [OutgoingRequest] = []
        /// GET requests sent (recorded or not), their answers' body bytes, and the answers not 2xx or 3xx.
        var sent = 0
        var bytes = 0
        var non2xx = 0
        /// Requests of other methods: not replayed.
        var others = 0
        var random = SplitMix64(0x5EED_1E55)
    }
    let inner: URLSessionTransport
    let limit: Int
    let recorded = Mutex(Recorded())

    init(_ inner: URLSessionTransport, limit: Int) {
        self.inner = inner
        self.limit = limit
    }

    func send(_ request: OutgoingRequest, timeout: Double) async throws(TransportError) -> HTTPExchange {
        let exchange = try await inner.send(request, timeout: timeout)
        let limit = self.limit
        recorded.withLock { r in
            guard request.method == "GET" else { return r.others += 1 }
            r.sent += 1
            r.bytes += exchange.body.count
            if !(200..<400).contains(exchange.status) { r.non2xx += 1 }
            if r.requests.count < limit {
                r.requests.append(request)
            } else {
                let k = Int(r.random.next() % UInt64(r.sent))
                if k < limit { r.requests[k] = request }
            }
        }
        return exchange
    }
}

/// wrk against a simulator of its own with the GET requests the read-only
/// cases send (recorded from one run against that simulator, so that tokens
/// and ids are its own), replayed in turn over `jobs` connections kept alive.
/// The replay is the run's whole mix, shuffled, each of wrk's threads
/// starting at a point of its own: the run sends its cases in plan order, so
/// any stretch of its list holds a few kinds of case, and wrk seldom ends on
/// a whole turn of it. Until the eighteenth pass (issue 24) only the first
/// 5,000 requests were recorded, unshuffled: with 10,000 cases (13,083 GET
/// requests) the answers were 32 KB on average in our run and 49 KB in wrk's
/// replay (the pages alone: 63 KB and 47 KB). At the rate mode's 3,000 cases
/// every request was recorded, but both of wrk's threads began at the top of
/// the list and stopped partway through a turn.
/// `replay` runs it once; the benchmark calls it right after each of our
/// http keep-alive runs, so that each pair shares the machine's load of the
/// moment (the cores are shared; a wrk run minutes later is no comparison).
final class WrkReplay {
    let wrk: String
    let sim: BenchSimulator
    let file: String
    let jobs: Int
    let recorded: Int
    /// The recorded GET requests, shuffled (with the simulator's tokens: kept in memory only).
    let requests: [OutgoingRequest]
    /// What the recorded run sent: its GET requests, their answers' average size, the share not 2xx or 3xx, and requests of other methods.
    let mix: (sent: Int, averageBytes: Double, non2xx: Double, others: Int)
    /// At most this many requests are kept (a uniform sample of the run's past it).
    static let recordLimit = 200_000
    /// wrk's threads (`-t`).
    static let threads = 2

    struct Run {
        var rate: Double
        var served: Int
        var non2xx: String
        var simulatorCPU: Double
        var wrkCPU: Double
    }

    /// nil (having said why) when wrk is not on PATH.
    init?(suite: Suite, profile: TargetProfile, jobs: Int) async throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let wrk = path.split(separator: ":").map({ String($0) + "/wrk" }).first(where: { access($0, X_OK) == 0 }) else {
            print("wrk: not on PATH (apt-get install wrk, then run again for its figure on the same GET mix)")
            return nil
        }
        self.wrk = wrk
        self.jobs = jobs
        sim = try BenchSimulator()
        var target = profile
        target.baseURL = sim.baseURL
        let credentials = Credentials(profile: target, environment: sim.environment(for: profile))
        let inner = URLSessionTransport(maxConnections: jobs, caFile: nil, keepAliveSeconds: 2)
        defer { inner.closeConnections() }
        let recorder = RecordingTransport(inner, limit: WrkReplay.recordLimit)
        _ = await Conformance.run(
            suite: suite, target: target, credentials: credentials, transport: recorder, options: RunOptions(jobs: jobs, timeout: 30))
        let r = recorder.recorded.withLock { $0 }
        guard !r.requests.isEmpty else { throw BenchError("the run sent no GET request to replay") }
        var random = SplitMix64(0x5EED_5A1E)
        let requests = r.requests.shuffled(using: &random)
        recorded = requests.count
        self.requests = requests
        mix = (r.sent, Double(r.bytes) / Double(max(1, r.sent)), Double(r.non2xx) / Double(max(1, r.sent)), r.others)
        func lua(_ s: String) -> String { "[==[" + s + "]==]" }
        var script = "local reqs = {\n"
        for r in requests {
            guard let u = URLComponents(string: r.url) else { continue }
            let target = (u.percentEncodedPath.isEmpty ? "/" : u.percentEncodedPath) + (u.percentEncodedQuery.map { "?" + $0 } ?? "")
            let headers = r.headers.filter { $0.name.lowercased() != "host" }.map { "[\(lua($0.name))] = \(lua($0.value))" }.joined(separator: ", ")
            script += "  wrk.format(\"GET\", \(lua(target)), {\(headers)}),\n"
        }
        // Each of wrk's threads starts at a point of its own in the list (setup numbers them).
        script += """
            }
            local threads = 0
            function setup(thread)
              thread:set("number", threads)
              threads = threads + 1
            end
            local i = 0
            function init(args)
              i = math.floor((number or 0) * #reqs / \(WrkReplay.threads)) % #reqs
            end
            request = function()
              i = i % #reqs + 1
              return reqs[i]
            end

            """
        file = NSTemporaryDirectory() + "bench-wrk-\(ProcessInfo.processInfo.processIdentifier).lua"
        // The recorded requests carry the simulator's tokens: readable by us alone.
        guard FileManager.default.createFile(atPath: file, contents: Data(script.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BenchError("could not write \(file)")
        }
    }

    /// The replayed mix, for the summary line.
    var described: String {
        let sample = recorded < mix.sent ? "a uniform sample of \(recorded)" : "all of them"
        return String(
            format: "%d GET requests sent by a run of the same cases against a simulator of its own, %@, replayed shuffled; answers %.1f KB on average, %.1f %% not 2xx or 3xx%@",
            mix.sent, sample, mix.averageBytes / 1000, mix.non2xx * 100,
            mix.others > 0 ? "; \(mix.others) requests of other methods not replayed" : "")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: file)
        sim.stop()
    }

    /// One wrk run of `seconds`; nil (having said why) when its output has no rate.
    func replay(seconds: Int) throws -> Run? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        p.arguments = ["-t", String(WrkReplay.threads), "-c", String(jobs), "-d", "\(seconds)s", "-s", file, sim.baseURL]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        // CPU while wrk runs: the simulator's (this process's, when it runs in
        // it: nothing else of ours runs then); wrk's own is a child's, counted once reaped.
        let simulatorBefore = sim.cpuSecondsWithOurs()
        let wrkBefore = cpuSeconds(children: true)
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let simulatorCPU = sim.cpuSecondsWithOurs() - simulatorBefore
        let wrkCPU = cpuSeconds(children: true) - wrkBefore
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(line.split(separator: " ").last ?? "")
        else {
            print("wrk: no rate in its output: \(text.prefix(300))")
            return nil
        }
        let non2xx = text.split(separator: "\n").first { $0.contains("Non-2xx") }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "all 2xx or 3xx"
        let served = text.split(separator: "\n").first { $0.contains("requests in") }.flatMap {
            Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        } ?? 0
        return Run(rate: rate, served: served, non2xx: non2xx, simulatorCPU: simulatorCPU, wrkCPU: wrkCPU)
    }
}

extension WrkReplay {
    struct Alone {
        var rate: Double
        var requests: Int
        var cpu: Double
        var bytes: Int
        var failures: Int
        /// The simulator's share of `cpu` when it is a process of its own (0 otherwise).
        var simulatorCPU: Double
    }

    /// Our transport alone on wrk's mix: the recorded requests in turn from
    /// `jobs` tasks over `jobs` kept connections, each answer read whole
    /// (under the same caps) and dropped, neither parsed nor judged, as wrk
    /// does; `count` requests against the same simulator. CPU is our
    /// transport's and the simulator's.
    func transportAlone(count: Int) async -> Alone {
        let transport = URLSessionTransport(maxConnections: jobs, caFile: nil, keepAliveSeconds: 2)
        defer { transport.closeConnections() }
        let requests = self.requests
        let jobs = self.jobs
        let cpuBefore = sim.cpuSecondsWithOurs(), simulatorBefore = sim.separateCPUSeconds()
        let start = ContinuousClock.now
        let (bytes, failures) = await withTaskGroup(of: (Int, Int).self) { group in
            for j in 0..<jobs {
                group.addTask {
                    var bytes = 0
                    var failures = 0
                    var i = j
                    while i < count {
                        do {
                            bytes += try await transport.send(requests[i % requests.count], timeout: 30).body.count
                        } catch {
                            failures += 1
                        }
                        i += jobs
                    }
                    return (bytes, failures)
                }
            }
            var total = (0, 0)
            for await r in group { total = (total.0 + r.0, total.1 + r.1) }
            return total
        }
        let wall = secondsSince(start)
        return Alone(
            rate: Double(count) / wall, requests: count, cpu: sim.cpuSecondsWithOurs() - cpuBefore, bytes: bytes, failures: failures,
            simulatorCPU: sim.separateCPUSeconds() - simulatorBefore)
    }
}

/// `count` cases taken from `pool` in turn, each under a new id (`ID-i`):
/// the generated cases of the rate, memory and hostile modes.
func repeated(_ pool: [Case], count: Int) -> [Case] {
    (0..<count).map { i in
        var c = pool[i % pool.count]
        c.id += "-\(i)"
        return c
    }
}

/// The simulator of the rate mode: in this process (the default), or with
/// BENCH_SIMULATOR=process a process of its own (`conformance serve`).
final class BenchSimulator {
    let embedded: EmbeddedSimulator?
    let process: SimulatorProcess?
    var baseURL: String { embedded?.baseURL ?? process?.baseURL ?? "" }
    static let separate = ProcessInfo.processInfo.environment["BENCH_SIMULATOR"] == "process"

    /// Refuses a BENCH_SIMULATOR that names neither place (before anything is printed or started).
    static func checkSetting() throws {
        if let v = ProcessInfo.processInfo.environment["BENCH_SIMULATOR"], !["process", "embedded"].contains(v) {
            throw BenchError("BENCH_SIMULATOR=\(v): give process (a process of its own) or embedded (in this process, the rate mode's default)")
        }
    }

    init() throws {
        try BenchSimulator.checkSetting()
        if BenchSimulator.separate {
            embedded = nil
            process = try SimulatorProcess()
        } else {
            embedded = try EmbeddedSimulator()
            process = nil
        }
    }

    /// `profile`'s credential variables, set to the simulator's demo tokens.
    func environment(for profile: TargetProfile) -> [String: String] {
        embedded?.environment(for: profile) ?? process?.exported ?? [:]
    }

    /// The user + system CPU seconds of the simulator's own process so far;
    /// 0 when it runs in this process (then its CPU is this process's).
    func separateCPUSeconds() -> Double { process?.cpuSeconds ?? 0 }

    /// This process's CPU seconds and the simulator's, wherever it runs.
    func cpuSecondsWithOurs() -> Double { cpuSeconds(children: false) + separateCPUSeconds() }

    func stop() {
        embedded?.stop()
        process?.stop()
    }
}
