// acceptance: issue 24's acceptance figures in one benchmark run. Each part
// is this executable run again as a child process (a fresh process, so that
// each peak and each start-up is its own), its output shown as it comes; the
// headline figure of each is handed back through a file (BENCH_FIGURES) and
// set against its goal in a table at the end. Figures only: whatever they
// are, the exit status is 0 unless a part could not run at all.
//
// The rate part runs twice: as `rate` alone does (the simulator in the
// child's process), then with the simulator a process of its own (http, kept
// connections), as one re-measuring by hand would run it; the goal is met
// only when both ratios meet it. A third run, when the machine lets this
// process use two CPUs and taskset is there, pins the simulator to one and
// our client and wrk to the other (BENCH_PIN=1), as when harness and server
// run on different machines: printed beside the others, for the owner to
// weigh; it does not change how the goal is judged.
//
// BENCH_PARTS=rate,load,startup,memory,schema (the default: all) picks the
// parts. Each part reads its own knobs (BENCH_CASES, BENCH_ROUNDS, ...) as
// when run alone. The schema part is set against orjson + jsonschema-rs
// when python3 can import both (`pip install orjson jsonschema-rs`); it says
// so when it cannot.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Hands a figure to `acceptance` when it runs this mode (BENCH_FIGURES names
/// the file; BENCH_FIGURE_PREFIX, when set, goes before the key). Nothing
/// when the mode runs alone.
func recordFigure(_ key: String, _ value: Double) {
    let env = ProcessInfo.processInfo.environment
    guard let path = env["BENCH_FIGURES"], !path.isEmpty, value.isFinite else { return }
    let line = (env["BENCH_FIGURE_PREFIX"] ?? "") + key + " " + String(value) + "\n"
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// The figures a file of `recordFigure` lines holds (the last of each key).
func readFigures(_ path: String) -> [String: Double] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
    }
    return out
}

func acceptanceBenchmark() throws {
    let env = ProcessInfo.processInfo.environment
    let known = ["rate", "load", "startup", "memory", "schema"]
    let parts = (env["BENCH_PARTS"] ?? known.joined(separator: ",")).split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
    }
    if let unknown = parts.first(where: { !known.contains($0) }) {
        throw BenchError("BENCH_PARTS: no part '\(unknown)'; the parts are \(known.joined(separator: ", "))")
    }
    // This executable, to run each part in a process of its own.
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let scratch = NSTemporaryDirectory() + "conformance-bench-acceptance-\(getpid())"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let figuresFile = scratch + "/figures"
    print("conformance-bench acceptance — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores; parts: \(parts.joined(separator: ", "))")
    print(String(format: "load average %.2f at the start (the machine is shared: figures move with it)", loadAverage()))
    var failedParts: [String] = []
    func part(_ title: String, _ args: [String], _ extra: [String: String] = [:]) throws {
        print("\n=== \(title): conformance-bench \(args.joined(separator: " "))" + (extra.isEmpty ? "" : " (" + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ")"))
        var e = extra
        e["BENCH_FIGURES"] = figuresFile
        let status = try spawnAndWait(exe, args, showing: true, extra: e)
        if status != 0 {
            print("(exit status \(status))")
            failedParts.append(title)
        }
    }
    if parts.contains("rate") {
        try part("rate", ["rate"])
        // As one re-measuring by hand would run it: `conformance serve`, then
        // wrk and our client against it (http, kept connections: the ratio's pairs).
        try part(
            "rate, the simulator a process of its own", ["rate"],
            ["BENCH_SIMULATOR": "process", "BENCH_SCHEMES": "http", "BENCH_KEEPALIVE": "only", "BENCH_SUITE_RUNS": "1", "BENCH_FIGURE_PREFIX": "process."])
        if CorePinning.taskset != nil, CorePinning.allowedCPUs().count >= 2 {
            try part(
                "rate, the simulator on a CPU of its own, our client and wrk on another", ["rate"],
                [
                    "BENCH_SIMULATOR": "process", "BENCH_PIN": "1", "BENCH_SCHEMES": "http", "BENCH_KEEPALIVE": "only", "BENCH_SUITE_RUNS": "1",
                    "BENCH_FIGURE_PREFIX": "pinned.",
                ])
        } else {
            print("\n(the pinned rate run is left out: it needs taskset and two CPUs this process may use)")
        }
    }
    if parts.contains("load") { try part("load", ["load", "25000"]) }
    if parts.contains("startup") { try part("startup", ["startup"]) }
    if parts.contains("memory") {
        try part("memory, every case passing", ["memory", "100000"])
        try part("memory, every case failing", ["memory", "100000"], ["BENCH_FAULT": "wrong-content-type", "BENCH_FIGURE_PREFIX": "failing."])
    }
    var pythonNote: String?
    if parts.contains("schema") {
        let dump = scratch + "/schema"
        try part("schema", ["schema"], ["BENCH_DUMP": dump])
        let script = "Tests/Tools/compare-jsonschema-rs.py"
        if try spawnAndWait("/usr/bin/env", ["python3", "-c", "import orjson, jsonschema_rs"]) != 0 {
            pythonNote = "python3 cannot import orjson and jsonschema_rs (pip install orjson jsonschema-rs): not compared"
        } else if !FileManager.default.fileExists(atPath: script) {
            pythonNote = "\(script) not found (run from the repository's root): not compared"
        } else {
            print("\n=== orjson + jsonschema-rs on the same page and schemas: python3 \(script)")
            if try spawnAndWait("/usr/bin/env", ["python3", script, dump], showing: true, extra: ["BENCH_FIGURES": figuresFile]) != 0 {
                failedParts.append("orjson + jsonschema-rs")
            }
        }
    }

    let f = readFigures(figuresFile)
    func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
    var rows: [(goal: String, figure: String, met: String)] = []
    func met(_ ok: Bool?) -> String { ok.map { $0 ? "met" : "NOT met" } ?? "not measured" }
    if parts.contains("rate") {
        if let r = f["rate.ratio"] {
            let cpu = f["rate.byCPU"].map { String(format: ", by CPU %.2f×", $0) } ?? ""
            let alone = f["rate.alone"].map { String(format: "; our transport alone %.2f×", $0) } ?? ""
            // Met only when it is met both ways the simulator can run.
            let apart = f["process.rate.ratio"]
            let apartText = apart.map { a in
                String(format: "; the simulator a process of its own: %.2f×", a) + (f["process.rate.alone"].map { String(format: " (transport alone %.2f×)", $0) } ?? "")
            } ?? ""
            // Shown, not judged: each side a CPU of its own.
            let pinnedText = f["pinned.rate.ratio"].map { p in
                String(format: "; each a CPU of its own (not judged): %.2f×", p) + (f["pinned.rate.alone"].map { String(format: " (transport alone %.2f×)", $0) } ?? "")
            } ?? ""
            rows.append((
                "keep-alive request rate ≥ 0.7× wrk (GET mix, judged)", String(format: "%.2f×", r) + cpu + alone + apartText + pinnedText,
                met(r >= 0.7 && (apart ?? r) >= 0.7)
            ))
        } else {
            let ours = f["rate.ours"].map { String(format: "ours %.0f req/s, %.3f connections a request; wrk not run (not on PATH?)", $0, f["rate.connectionsPerRequest"] ?? .nan) } ?? "not measured"
            rows.append(("keep-alive request rate ≥ 0.7× wrk (GET mix, judged)", ours, "not measured"))
        }
        let h = f["https.ratio"]
        // The figure depends on the TLS front before the simulator (Benchmarks.md, eighth pass): the line names it.
        let front = " (" + TLSFront.named(code: f["https.front"]) + ")"
        rows.append(("whole suite over https within 1.5× of http", h.map { String(format: "%.2f×", $0) + front } ?? "not measured", met(h.map { $0 <= 1.5 })))
    }
    if parts.contains("load") {
        let l = f["load.median"]
        let first = f["load.first"].map { " (median of 3; the first in its process " + ms($0) + ")" } ?? ""
        rows.append(("25,000 cases loaded in under 0.6 s", (l.map(ms) ?? "not measured") + (l == nil ? "" : first), met(l.map { $0 < 0.6 })))
    }
    if parts.contains("startup") {
        let s = f["startup.median"]
        let runs = f["startup.runs"].map { String(format: " (median of %.0f runs)", $0) } ?? ""
        rows.append(("`run --list` start-up ≤ 50 ms (median of 20)", s.map { String(format: "%.1f ms", $0) + runs } ?? "not measured", met(s.map { $0 <= 50 })))
    }
    if parts.contains("memory") {
        let p = f["memory.peak"], q = f["failing.memory.peak"]
        let text = [p.map { String(format: "%.1f MB every case passing", $0) }, q.map { String(format: "%.1f MB every case failing", $0) }]
            .compactMap { $0 }.joined(separator: ", ")
        let ok: Bool? = p == nil && q == nil ? nil : (p ?? 0) <= 100 && (q ?? 0) <= 100
        rows.append(("peak ≤ 100 MB at 100,000 generated cases", text.isEmpty ? "not measured" : text, met(ok)))
    }
    if parts.contains("schema") {
        // Item 5 asks for a faster path for the answers that are only validated:
        // the tape's (JSONTape, validate(_: JSONTape)), which the runner takes
        // (its checks read the tape too). The tree's figure, the path before, is printed beside it.
        let tree = f["schema.page.median"], tape = f["schema.page.tapeValidated"]
        let ours = tape ?? tree
        if let ours, let theirs = f["orjson.regex.median"] {
            let callbacks = f["orjson.callbacks.median"].map { String(format: "; %.2f× with the formats as Python callbacks", $0 / ours) } ?? ""
            let treeText = tape == nil ? "" : tree.map { String(format: "; the tree's path (the runner's before the twelfth pass) %.2f×, %.3f ms", theirs / $0, $0) } ?? ""
            rows.append((
                "(item 5) parse + validate ≥ 2× orjson + jsonschema-rs, regex formats",
                String(format: "%.2f× by the %@ (ours %.3f ms, theirs %.3f ms, medians)", theirs / ours, (tape == nil ? "tree (the tape not measured)" : "tape") as NSString, ours, theirs) + treeText + callbacks,
                met(theirs / ours >= 2)
            ))
        } else {
            rows.append((
                "(item 5) parse + validate ≥ 2× orjson + jsonschema-rs, regex formats",
                (ours.map { String(format: "ours %.3f ms; ", $0) } ?? "") + (pythonNote ?? "theirs not measured"), "not measured"
            ))
        }
    }
    print("\n=== issue 24's acceptance, from the parts above")
    let width = rows.map(\.goal.count).max() ?? 0
    for r in rows {
        print(r.goal.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + r.met.padding(toLength: 12, withPad: " ", startingAt: 0) + "  " + r.figure)
    }
    if !failedParts.isEmpty { print("parts that did not finish: \(failedParts.joined(separator: ", "))") }
    print(String(format: "load average %.2f at the end", loadAverage()))
    if !failedParts.isEmpty { throw BenchError("\(failedParts.count) part(s) did not finish") }
}
