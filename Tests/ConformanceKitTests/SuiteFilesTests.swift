import Foundation
import JSONKit
import TestSupport
import Testing

@testable import ConformanceKit

/// The loader's file layer: listing with `readdir`, reading with POSIX calls,
/// key paths kept as links. Each is compared with what it replaced.
@Suite struct SuiteFilesTests {
    /// The listing `SuiteFiles.list` replaced (FileManager), for the comparison.
    func listedByFileManager(_ dir: String, recursive: Bool) -> [String] {
        let fm = FileManager.default
        let all: [String] =
            recursive
            ? (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            : ((try? fm.contentsOfDirectory(atPath: dir)) ?? [])
        return all.filter { $0.hasSuffix(".json") || $0.hasSuffix(".json5") }.sorted()
    }

    @Test func listsWhatFileManagerListed() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        for rel in [
            "a.json", "b.json5", "notes.txt", ".hidden.json", "sub/c.json", "sub/deeper/d.json", "sub/deeper/e.md",
            "z/y/x/w.json", "folder.json/inside.json",
        ] {
            try tmp.write("tree/" + rel, "{}")
        }
        let dir = tmp.path + "/tree"
        // A link to a folder is listed by name (it ends in .json) but not walked into, as before.
        try FileManager.default.createSymbolicLink(atPath: dir + "/linked.json", withDestinationPath: dir + "/sub")
        for recursive in [true, false] {
            let listed = SuiteFiles.list(dir, recursive: recursive)
            #expect(listed == listedByFileManager(dir, recursive: recursive), "recursive: \(recursive)")
        }
        #expect(SuiteFiles.list(dir, recursive: true).contains("sub/deeper/d.json"))
        #expect(SuiteFiles.list(dir + "/missing", recursive: true).isEmpty)
    }

    @Test func readsEveryByteOfFilesOfAnySize() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        for size in [0, 1, 4095, 4096, 4097, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let path = tmp.path + "/f\(size)"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            #expect(SuiteFiles.readBytes(path) == bytes, "size \(size)")
        }
        #expect(SuiteFiles.readBytes(tmp.path + "/missing") == nil)
        #expect(SuiteFiles.readBytes(tmp.path) == nil, "a folder is not a file to read")
    }

    /// Opened relative to a folder's descriptor (as the case files are), a
    /// file reads the same bytes as by its whole path, at every size about a
    /// page and about the one-read path's edge (the size `fstat` gives).
    @Test func readsTheSameBytesRelativeToAFolder() throws {
        /// As the loader reads a case file: opened ahead relative to the folder, read, closed.
        func readRelative(_ rel: String, in folder: Int32) -> [UInt8]? {
            let fd = SuiteFiles.opened([rel], in: folder)[0]
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            return SuiteFiles.readBytes(descriptor: fd)
        }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let folder = open(tmp.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(folder >= 0)
        defer { close(folder) }
        for size in [0, 1, 4095, 4096, 4097, 65_536, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
            try tmp.write("sub/f\(size).json", String(decoding: [], as: UTF8.self))
            #expect(FileManager.default.createFile(atPath: tmp.path + "/sub/f\(size).json", contents: Data(bytes)))
            #expect(readRelative("sub/f\(size).json", in: folder) == bytes, "size \(size)")
            #expect(readRelative(tmp.path + "/sub/f\(size).json", in: folder) == bytes, "an absolute path ignores the folder")
        }
        #expect(readRelative("sub/missing.json", in: folder) == nil)
        #expect(readRelative("sub", in: folder) == nil, "a folder is not a file to read")
        // Not a regular file: read on to its end, whatever size it reports.
        let procStat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let fromProc = SuiteFiles.readBytes("/proc/self/stat").map { String(decoding: $0, as: UTF8.self) }
        #expect(fromProc?.split(separator: " ").first == procStat.split(separator: " ").first && (fromProc?.count ?? 0) > 20)
        // parse: the same node and the same record of the file read, by path or from a descriptor opened ahead.
        try tmp.write("sub/case.json", #"{"id": "a", "n": [1, 2, {"k": "é"}]}"#)
        let byPath = DiagnosticSink(), ahead = DiagnosticSink()
        let a = SuiteFiles.parse(path: tmp.path + "/sub/case.json", display: "Cases/cases/sub/case.json", sink: byPath)
        let fd = try #require(SuiteFiles.opened(["sub/case.json"], in: folder).first)
        #expect(fd >= 0)
        var opened = stat()
        #expect(fstat(fd, &opened) == 0)
        let b = SuiteFiles.parse(path: tmp.path + "/sub/case.json", display: "Cases/cases/sub/case.json", sink: ahead, descriptor: fd)
        #expect(a?.value == b?.value && a?.value["n"]?[2]?["k"] == "é")
        #expect(byPath.read == ahead.read && ahead.read == [tmp.path + "/sub/case.json"])
        #expect(byPath.digests == ahead.digests && ahead.digests.first?.count == 64)
        // Closed: the number is free, or (tests run in parallel) another file has it since.
        var now = stat()
        let reused = fcntl(fd, F_GETFD) != -1 && fstat(fd, &now) == 0
        #expect(!reused || now.st_ino != opened.st_ino || now.st_dev != opened.st_dev, "parse closes the descriptor it is given")
    }

    /// A batch opened ahead: a descriptor for each file that opens, -1 for
    /// one that does not (the reader then opens it by path and says why), and
    /// -1 for all when the folder is not open; the files read back whole.
    @Test func aBatchOpenedAheadReadsTheSameFiles() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let names = (0..<40).map { "d\($0 % 3)/f\($0).json" }
        for (i, n) in names.enumerated() { try tmp.write(n, String(repeating: "x", count: i * 97)) }
        let folder = open(tmp.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(folder >= 0)
        defer { close(folder) }
        let asked = Array(names.prefix(5)) + ["missing.json"] + Array(names.dropFirst(5))
        let fds = SuiteFiles.opened(asked, in: folder)
        #expect(fds.count == asked.count && fds[5] == -1)
        for (name, fd) in zip(asked, fds) where name != "missing.json" {
            #expect(fd >= 0, "\(name)")
            let i = Int(name.split(separator: "f").last!.dropLast(5))!
            #expect(SuiteFiles.readBytes(descriptor: fd) == Array(String(repeating: "x", count: i * 97).utf8), "\(name)")
            close(fd)
        }
        #expect(SuiteFiles.opened(names, in: -1).allSatisfy { $0 == -1 })
    }

    @Test func aFolderNamedLikeACaseFileCannotBeRead() throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        try tmp.write("x.json/inner.json", "{}")
        let sink = DiagnosticSink()
        #expect(SuiteFiles.parse(path: tmp.path + "/x.json", display: "Cases/cases/x.json", sink: sink) == nil)
        #expect(sink.items.map(\.description) == ["Cases/cases/x.json: cannot read the file"])
    }

    /// A node keeps its path as links; the path and key path read back as the
    /// segments that led to it, and its diagnostics carry them.
    @Test func nodesKeepTheirKeyPath() {
        let sink = DiagnosticSink()
        let root = Node(value: .null, path: [.key("steps")], file: "f.json", sink: sink)
        let leaf = root.element(2, .null).child("expect", .null).child("status", .string("x"))
        #expect(leaf.path == [.key("steps"), .index(2), .key("expect"), .key("status")])
        #expect(leaf.keyPath == "steps[2].expect.status")
        _ = leaf.int
        #expect(sink.items.map(\.description) == ["f.json: steps[2].expect.status: must be an integer, found string"])
        let rebuilt = Node(value: .null, path: leaf.path, file: "f.json", sink: sink)
        #expect(rebuilt.keyPath == leaf.keyPath)
        #expect(Node(value: .null, path: [], file: "f.json", sink: sink).path.isEmpty)
    }

    /// Duplicate keys are found in a small object (by a scan) and in a large
    /// one (by a set), each reported once, at its own key path.
    @Test func duplicateKeysAreReportedInSmallAndLargeObjects() {
        for count in [3, 40] {
            let sink = DiagnosticSink()
            var members = (0..<count).map { JSONObject.Member(key: "k\($0)", value: .number(Double($0))) }
            members.append(JSONObject.Member(key: "k1", value: .null))
            members.append(JSONObject.Member(key: "k1", value: .null))
            let node = Node(value: .object(JSONObject(members)), path: [.key("o")], file: "f.json", sink: sink)
            #expect(node.object(keys: (0..<count).map { "k\($0)" }) != nil)
            #expect(
                sink.items.map(\.description) == Array(repeating: "f.json: o.k1: duplicate key 'k1'", count: 2),
                "\(count) members")
        }
    }

    /// `run --list` loads without the digest: nothing else changes, and the
    /// digest a run computes is still the one `verify` asks the loader for.
    @Test func aLoadWithoutTheDigestDiffersInTheDigestOnly() throws {
        let (full, fullWarnings) = try SuiteLoader.load(root: Project.cases)
        let (listed, listedWarnings) = try SuiteLoader.load(root: Project.cases, digest: false)
        #expect(listed.digest.files.isEmpty && listed.digest.sha256.isEmpty)
        #expect(full.digest.files.count == full.files.count && full.digest.sha256.count == 64)
        #expect(full.digest.files.allSatisfy { $0.sha256.count == 64 })
        #expect(listed.files == full.files)
        // (Ids, not whole cases: a date bound's cases hold the instant of the load.)
        #expect(listed.cases.map(\.id) == full.cases.map(\.id) && !full.cases.isEmpty)
        #expect(listedWarnings.map(\.description) == fullWarnings.map(\.description))
        #expect(SuiteLoader.digestOfFilesRead(root: Project.cases) == full.digest)
    }
}
