import ConformanceKit
import Foundation
import Synchronization

/// The project's suite (`Cases/`) and its target profiles, loaded and
/// compiled once per process and shared by every caller: tests and
/// benchmarks ask small questions of the same suite, not reload it each time.
public enum ProjectSuite {
    /// The package's root, found from this file's location.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    public static var cases: String { root + "/Cases" }

    /// Loaded suites and profiles by path, each loaded once (a caller that
    /// asks while another loads waits for that load).
    static let suites = Mutex<[String: Result<Suite, SuiteLoadError>]>([:])
    static let profiles = Mutex<[String: Result<TargetProfile, SuiteLoadError>]>([:])

    /// The suite in `root` (the project's `Cases/` by default).
    public static func suite(root: String = cases) throws(SuiteLoadError) -> Suite {
        let loaded = suites.withLock { table in
            if let r = table[root] { return r }
            let r = Result { () throws(SuiteLoadError) -> Suite in try SuiteLoader.load(root: root).suite }
            table[root] = r
            return r
        }
        return try loaded.get()
    }

    /// The profile `name` in `Cases/targets/`, read for the project's suite.
    public static func profile(_ name: String) throws(SuiteLoadError) -> TargetProfile {
        let suite = try suite()
        let path = cases + "/targets/" + name
        let loaded = profiles.withLock { table in
            if let r = table[path] { return r }
            let r = Result { () throws(SuiteLoadError) -> TargetProfile in try TargetLoader.load(path: path, suite: suite).profile }
            table[path] = r
            return r
        }
        return try loaded.get()
    }
}
