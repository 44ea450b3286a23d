import ConformanceKit
import Certification
import Foundation
import JSONKit
import Testing

/// What a certification covers: every suite file that can change a verdict
/// (derived from what the loader reads), and a bundle that holds exactly its
/// files, read only inside it.
@Suite(.serialized) struct CertificationScopeTests {
    @Test func theSuiteDigestCoversEveryFileTheLoaderReads() throws {
        let files = Certification.suiteFiles(root: Project.cases)
        for f in ["access.json", "readings.json", "api.json", "fixtures.json", "cases/mvno-account-get/get-by-id.json"] {
            #expect(files.contains(f), "\(f) is not covered: \(files.prefix(8))")
        }
        #expect(files.contains { $0.hasPrefix("endpoints/") } && files.contains { $0.hasPrefix("schemas/") })
        // Profiles, meta-schemas and the importer's overrides change no verdict: the loader does not read them.
        #expect(!files.contains { $0.hasPrefix("targets/") || $0.hasPrefix("meta/") || $0 == "import-overrides.json" }, "\(files)")
        #expect(files == files.sorted() && Set(files).count == files.count)
    }

    /// A bundle copied to `name` and changed by `edit`, then verified against `suite`.
    func verifyCopy(
        of bundle: String, in tmp: TempDir, name: String, suite: String, _ edit: (String) throws -> Void
    ) async throws -> (status: Int32, out: String) {
        let copy = tmp.path + "/" + name
        try FileManager.default.copyItem(atPath: bundle, toPath: copy)
        try edit(copy)
        let (status, c) = await conformance(["verify", copy, "--suite", suite])
        return (status, c.out + c.err)
    }

    /// Rewrites the manifest with `change` and recomputes its own digest, so only what `change` did can fail.
    static func editManifest(_ dir: String, _ change: (inout JSON) -> Void) throws {
        let path = dir + "/manifest.json"
        var m = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        change(&m)
        let text = JSONWriter(pretty: true).string(m) + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let line = "\(SHA256.hex(SHA256.hash(Array(text.utf8))))  manifest.json\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: path + ".sha256"))
    }

    @Test func verifyRefusesAChangedSuiteExtraFilesPathsOutsideAndLinks() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let suite = try tmp.copySuite()
        let bundle = tmp.path + "/bundle"
        let (status, c) = await conformance(
            ["certify", "--suite", suite, "--target", suite + "/targets/simulator.json", "--simulator", "--out", bundle])
        #expect(status == 0, "\(c.out)\n\(c.err)")

        // Intact: it says what it verified.
        let (ok, v) = await conformance(["verify", bundle, "--suite", suite])
        #expect(ok == 0, "\(v.out)")
        let digest = try #require(Certification.claim(dir: bundle)?.suiteSha256)
        #expect(digest.count == 64)
        #expect(v.out.contains("certifies simulator (") && v.out.contains("against suite \(digest): certifiable"), "\(v.out)")
        // Target, digest, verdict and level, each on its own line.
        #expect(v.out.contains("\n  target:       simulator http://127.0.0.1:"), "\(v.out)")
        #expect(v.out.contains("\n  suite digest: \(digest)\n  verdict:      certifiable\n  level:        required ("), "\(v.out)")
        let level = try #require(Certification.claim(dir: bundle)?.level)
        #expect(level.contains(" required cases passed; ") && !level.hasPrefix("required (0 of 0"), "\(level)")
        #expect(!FileManager.default.fileExists(atPath: bundle + "/" + ReportsLockName.name), "the run's lock is gone")

        // An extra file.
        let extra = try await verifyCopy(of: bundle, in: tmp, name: "extra", suite: suite) { dir in
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        }
        #expect(extra.status == 1)
        #expect(extra.out.contains("notes.txt: an extra file; a bundle holds only"), "\(extra.out)")

        // A report replaced by a symbolic link (to an identical copy outside the bundle).
        let linked = try await verifyCopy(of: bundle, in: tmp, name: "linked", suite: suite) { dir in
            try FileManager.default.copyItem(atPath: dir + "/summary.md", toPath: tmp.path + "/outside-summary.md")
            try FileManager.default.removeItem(atPath: dir + "/summary.md")
            try FileManager.default.createSymbolicLink(atPath: dir + "/summary.md", withDestinationPath: tmp.path + "/outside-summary.md")
        }
        #expect(linked.status == 1)
        #expect(linked.out.contains("summary.md: a symbolic link"), "\(linked.out)")

        // A manifest path that leaves the bundle (the file it names exists and matches).
        let outside = try await verifyCopy(of: bundle, in: tmp, name: "outside", suite: suite) { dir in
            try FileManager.default.copyItem(atPath: dir + "/results.json", toPath: tmp.path + "/results.json")
            try Self.editManifest(dir) { m in
                guard case .array(var reports) = m["reports"] ?? .null else { return }
                for i in reports.indices where reports[i]["file"] == "results.json" {
                    reports[i] = ["file": "../results.json", "sha256": reports[i]["sha256"] ?? .null]
                }
                if case .object(var o) = m {
                    o["reports"] = .array(reports)
                    m = .object(o)
                }
            }
        }
        #expect(outside.status == 1)
        #expect(outside.out.contains("reports names '../results.json', which leaves the bundle; not read"), "\(outside.out)")
        #expect(outside.out.contains("reports does not list results.json"), "\(outside.out)")

        // The suite's readings.json edited after certification.
        let readings = suite + "/readings.json"
        let original = try String(contentsOfFile: readings, encoding: .utf8)
        try Data((original + "\n").utf8).write(to: URL(fileURLWithPath: readings))
        let (changed, w) = await conformance(["verify", bundle, "--suite", suite])
        #expect(changed == 1)
        #expect(w.out.contains("the suite differs from the one certified: readings.json (changed)"), "\(w.out)")
        try Data(original.utf8).write(to: URL(fileURLWithPath: readings))
    }
}

/// The reports folder lock's file name, as the CLI writes it.
enum ReportsLockName {
    static let name = ".conformance-run.lock"
}
