// Tests' support that needs only Foundation: the project's paths, scratch
// folders, child processes. Shared by every test target (the engine's unit
// tests depend on nothing else of ours).
import Foundation
import Synchronization

/// Paths of the project, found from this file's location.
public enum Project {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    public static var cases: String { root + "/Cases" }
    public static var shared: String { (root as NSString).deletingLastPathComponent + "/shared" }
}

/// A fresh temporary folder, removed by the caller with `cleanup()`.
public struct TempDir {
    public let path: String
    public init() {
        path = NSTemporaryDirectory() + "conformance-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    public func write(_ rel: String, _ text: String) throws {
        let full = path + "/" + rel
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }
    public func read(_ rel: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path + "/" + rel)), as: UTF8.self)
    }
    /// A copy of the project's suite, to break on purpose.
    public func copySuite() throws -> String {
        let dst = path + "/Cases"
        try FileManager.default.copyItem(atPath: Project.cases, toPath: dst)
        return dst
    }
}

/// Runs a program and returns its exit status and combined output.
public func runProcess(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A program's path on PATH, or nil.
public func executablePath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// xmllint's path; tests that validate reports need it, and `.ci/run` installs it.
public func xmllintPath() -> String? { executablePath("xmllint") }

/// Runs a program with a time limit: it is killed (SIGKILL) when `timeoutSeconds`
/// pass. Output goes through a file, so a child the program leaves behind
/// cannot hold the read open.
public func runProcess(_ executable: String, _ args: [String], timeoutSeconds: Double) throws
    -> (status: Int32, output: String, timedOut: Bool)
{
    final class State: Sendable {
        let value = Mutex<(finished: Bool, timedOut: Bool)>((false, false))
    }
    let outputFile = NSTemporaryDirectory() + "process-output-" + UUID().uuidString
    guard FileManager.default.createFile(atPath: outputFile, contents: nil), let sink = FileHandle(forWritingAtPath: outputFile) else {
        throw CocoaError(.fileWriteUnknown)
    }
    defer { try? FileManager.default.removeItem(atPath: outputFile) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.standardOutput = sink
    p.standardError = sink
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let pid = p.processIdentifier
    let state = State()
    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
        let kill = state.value.withLock { s -> Bool in
            guard !s.finished else { return false }
            s.timedOut = true
            return true
        }
        if kill { _ = Foundation.kill(pid, SIGKILL) }
    }
    p.waitUntilExit()
    let timedOut = state.value.withLock { s -> Bool in
        s.finished = true
        return s.timedOut
    }
    try? sink.close()
    let data = (try? Data(contentsOf: URL(fileURLWithPath: outputFile))) ?? Data()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self), timedOut)
}
