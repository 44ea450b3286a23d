// The simulator as a process of its own (`conformance serve --port 0`, the
// release executable beside this one), so that a benchmark measuring the
// harness's memory does not count the simulator's: a run against a staging
// server has no simulator in its process.
import ConformanceKit
import Foundation

final class SimulatorProcess {
    let process: Process
    let output: FileHandle
    let baseURL: String
    /// The `export NAME=value` assignments `serve` prints (demo tokens and logins).
    let exported: [String: String]

    /// Starts `conformance serve --port 0` and reads what it prints up to its
    /// last start-up line (bounded: 20 s, 64 KB). `extra` is passed on
    /// (`--fault NAME`, `--variant NAME`).
    init(_ extra: [String] = []) throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let exe = here.appendingPathComponent("conformance").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            throw BenchError("\(exe) not found: swift build -c release --product conformance first (or BENCH_SIMULATOR=embedded)")
        }
        let p = Process()
        if let cpus = CorePinning.cpus, let taskset = CorePinning.taskset {
            p.executableURL = URL(fileURLWithPath: taskset)
            p.arguments = ["-c", String(cpus.simulator), exe, "serve", "--port", "0"] + extra
        } else {
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["serve", "--port", "0"] + extra
        }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        output = pipe.fileHandleForReading
        var text = ""
        let deadline = ContinuousClock.now + .seconds(20)
        while !text.contains("press Ctrl-C"), text.utf8.count < 65_536, ContinuousClock.now < deadline {
            let chunk = output.availableData
            if chunk.isEmpty { break }  // end of file: it exited
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let listening = text.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
            let url = listening.split(separator: " ").last, text.contains("press Ctrl-C")
        else {
            p.terminate()
            p.waitUntilExit()
            throw BenchError("conformance serve did not start (it printed \(text.utf8.count) bytes)")
        }
        baseURL = String(url)
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("export ") {
            for assignment in line.split(separator: " ").dropFirst() where assignment.contains("=") {
                let parts = assignment.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { env[String(parts[0])] = String(parts[1]) }
            }
        }
        exported = env
    }

    /// The peak resident set of the simulator's process so far (VmHWM), in MB.
    var peakMB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }

    /// The user + system CPU seconds of the simulator's process so far
    /// (/proc/PID/stat, to the clock tick); 0 when it cannot be read.
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // After the name: the state (field 3) first; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / max(Double(sysconf(Int32(_SC_CLK_TCK))), 1)
    }

    /// SIGTERM, then waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// BENCH_PIN=1 (with BENCH_SIMULATOR=process): the simulator's process on
/// one CPU, this process (our client) and what it starts (wrk) on another,
/// as when the harness runs on one machine and the server on another: each
/// side a core of its own, neither taking CPU from the other. Without it,
/// client and simulator share every core, so that each millisecond our
/// client spends judging is one the simulator cannot serve in (the ratio to
/// wrk then weighs our client's CPU against the simulator's).
/// Pinned with util-linux's `taskset`: the simulator started under it, this
/// process's threads moved with `taskset -a -p` (threads started later
/// inherit their starter's CPU).
enum CorePinning {
    static let requested = ProcessInfo.processInfo.environment["BENCH_PIN"] == "1"

    /// The CPU of the simulator and the one of our client, once `apply` pinned this process.
    nonisolated(unsafe) private(set) static var cpus: (simulator: Int, client: Int)?

    static var taskset: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { String($0) + "/taskset" } + ["/usr/bin/taskset"]).first { access($0, X_OK) == 0 }
    }

    /// The CPUs this process may run on (/proc/self/status, Cpus_allowed_list: "0-3,6").
    static func allowedCPUs() -> [Int] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return [] }
        var out: [Int] = []
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let ends = range.split(separator: "-").compactMap { Int($0) }
            if ends.count == 1 { out.append(ends[0]) } else if ends.count == 2, ends[0] <= ends[1] { out += Array(ends[0]...ends[1]) }
        }
        return out
    }

    /// Checks the setting and pins this process (before anything is started):
    /// a clear error when it cannot be honoured; nothing when not requested.
    static func apply() throws {
        guard let pin = ProcessInfo.processInfo.environment["BENCH_PIN"] else { return }
        guard pin == "1" else { throw BenchError("BENCH_PIN=\(pin): give 1 (the simulator on one CPU, our client and wrk on another) or leave it unset") }
        guard BenchSimulator.separate else {
            throw BenchError("BENCH_PIN=1 pins the simulator's own process: set BENCH_SIMULATOR=process too")
        }
        guard let taskset else { throw BenchError("BENCH_PIN=1 needs taskset (util-linux) on PATH") }
        let allowed = allowedCPUs()
        guard allowed.count >= 2 else {
            throw BenchError("BENCH_PIN=1 needs two CPUs to give one to each side; this process may run on \(allowed.count)")
        }
        let chosen = (simulator: allowed[0], client: allowed[1])
        let status = try spawnAndWait(taskset, ["-a", "-p", "-c", String(chosen.client), String(getpid())])
        guard status == 0 else { throw BenchError("taskset -a -p -c \(chosen.client) \(getpid()) failed (exit status \(status))") }
        cpus = chosen
    }
}
