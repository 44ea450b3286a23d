import Foundation
import JSONKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects diagnostics while a file is read.
final class DiagnosticSink {
    var items: [Diagnostic] = []
    /// Every file read through `SuiteFiles.parse`, as the path it was read at
    /// (what the suite digest covers: `SuiteLoader.filesRead`).
    var read: [String] = []
    /// SHA-256 (hex) of each file in `read`, in the same order, of the bytes
    /// as they were read ("" when `computesDigests` is false): the suite
    /// digest, computed once, while loading.
    var digests: [String] = []
    /// Whether `digests` is filled: `run --list` needs no digest and skips
    /// hashing every file (a sink made for one file inherits its loader's choice).
    let computesDigests: Bool
    init(computesDigests: Bool = true) { self.computesDigests = computesDigests }
    func add(_ d: Diagnostic) { items.append(d) }
    var hasErrors: Bool { items.contains { $0.severity == .error } }
}

/// A value inside a file, with the key path that leads to it, so every
/// problem found while reading it can say where it is.
struct Node {
    let value: JSON
    /// The last segment of the path and, through it, every one before it: a
    /// child costs one small object instead of a copy of its parent's path
    /// (a large suite makes a node for every member it reads), and the path
    /// is put together only when something asks for it (a diagnostic).
    private let link: PathLink?
    let file: String
    let sink: DiagnosticSink

    init(value: JSON, path: [JSONPathSegment], file: String, sink: DiagnosticSink) {
        self.init(value: value, link: path.reduce(nil) { PathLink(parent: $0, segment: $1) }, file: file, sink: sink)
    }

    private init(value: JSON, link: PathLink?, file: String, sink: DiagnosticSink) {
        self.value = value
        self.link = link
        self.file = file
        self.sink = sink
    }

    /// The path from the file's root to this value.
    var path: [JSONPathSegment] {
        var out: [JSONPathSegment] = []
        var at = link
        while let l = at {
            out.append(l.segment)
            at = l.parent
        }
        return out.reversed()
    }

    var keyPath: String { JSONPathSegment.render(path) }

    func error(_ message: String, hint: String? = nil) {
        sink.add(Diagnostic(.error, file: file, keyPath: keyPath, message: message, hint: hint))
    }

    func warning(_ message: String, hint: String? = nil) {
        sink.add(Diagnostic(.warning, file: file, keyPath: keyPath, message: message, hint: hint))
    }

    func child(_ key: String, _ value: JSON) -> Node {
        Node(value: value, link: PathLink(parent: link, segment: .key(key)), file: file, sink: sink)
    }

    func element(_ index: Int, _ value: JSON) -> Node {
        Node(value: value, link: PathLink(parent: link, segment: .index(index)), file: file, sink: sink)
    }

    /// Reads an object whose keys must come from `keys`; reports unknown keys
    /// with a "did you mean". Keys starting with `$` (`$schema`, `$comment`) are always allowed.
    func object(keys: [String]) -> ObjectNode? {
        guard case .object(let o) = value else {
            error("must be an object, found \(value.typeName)")
            return nil
        }
        // A node for a member only when it has something to report; the
        // duplicates found by a scan of the members before it (an object in a
        // suite file has a few), or by a set when it has many.
        var seen: Set<String>? = o.count > 16 ? Set(minimumCapacity: o.count) : nil
        for (i, m) in o.enumerated() {
            let duplicate: Bool
            if seen != nil {
                duplicate = !seen!.insert(m.key).inserted
            } else {
                duplicate = o.members[..<i].contains { $0.key == m.key }
            }
            if duplicate {
                child(m.key, m.value).error("duplicate key '\(m.key)'")
            }
            if m.key.hasPrefix("$") { continue }
            if !keys.contains(m.key) {
                let hint = closestMatch(to: m.key, in: keys).map { "did you mean '\($0)'?" }
                    ?? "allowed keys: \(keys.joined(separator: ", "))"
                child(m.key, m.value).error("unknown key '\(m.key)'", hint: hint)
            }
        }
        return ObjectNode(node: self, object: o)
    }

    var string: String? {
        guard case .string(let s) = value else {
            error("must be a string, found \(value.typeName)")
            return nil
        }
        return s
    }

    var nonEmptyString: String? {
        guard let s = string else { return nil }
        if s.isEmpty {
            error("must not be empty")
            return nil
        }
        return s
    }

    var int: Int? {
        guard let i = value.intValue else {
            error("must be an integer, found \(value.typeName == "number" ? "\(value)" : value.typeName)")
            return nil
        }
        return i
    }

    var bool: Bool? {
        guard case .bool(let b) = value else {
            error("must be true or false, found \(value.typeName)")
            return nil
        }
        return b
    }

    var array: [Node]? {
        guard case .array(let a) = value else {
            error("must be an array, found \(value.typeName)")
            return nil
        }
        return a.enumerated().map { element($0.offset, $0.element) }
    }

    var strings: [String]? {
        guard let a = array else { return nil }
        let s = a.compactMap(\.string)
        return s.count == a.count ? s : nil
    }

    var httpStatus: Int? {
        guard let i = int else { return nil }
        guard (100...599).contains(i) else {
            error("must be an HTTP status between 100 and 599, found \(i)")
            return nil
        }
        return i
    }
}

/// One segment of a `Node`'s path, linked to the one before it.
final class PathLink: Sendable {
    let parent: PathLink?
    let segment: JSONPathSegment
    init(parent: PathLink?, segment: JSONPathSegment) {
        self.parent = parent
        self.segment = segment
    }
}

struct ObjectNode {
    let node: Node
    let object: JSONObject

    func optional(_ key: String) -> Node? {
        object[key].map { node.child(key, $0) }
    }

    func required(_ key: String) -> Node? {
        guard let v = object[key] else {
            node.error("missing required key '\(key)'")
            return nil
        }
        return node.child(key, v)
    }

    /// All members, each as a node.
    var members: [(key: String, node: Node)] {
        object.filter { !$0.key.hasPrefix("$") }.map { ($0.key, node.child($0.key, $0.value)) }
    }
}

public enum SuiteFiles {
    /// How many case files a loader thread opens at once (`opened`).
    static let readAheadBatch = 32

    /// Opens `rels` (paths relative to the open folder `folder`) and asks the
    /// kernel to read each ahead (`POSIX_FADV_WILLNEED`), so that their reads
    /// go to the disk together rather than one after another. With the files
    /// out of the page cache, the 19,346 case files of a 25,000-case suite
    /// took 2.24 s to read one at a time (1.12 s of it CPU: in a virtual
    /// machine each read notified the disk device on its own), and 0.48 s
    /// (0.30 s of CPU) opened 32 at a time with the advice; in the cache,
    /// 0.10-0.12 s either way, the advice adding about a microsecond a file.
    /// A file that cannot be opened here, and every file when `folder` is
    /// not open (-1), gets -1: the reader opens it by its path then, and says
    /// why it cannot. After a first "too many open files", the rest of the
    /// batch is left to the reader, which closes each file as it finishes it.
    static func opened(_ rels: [String], in folder: Int32) -> [Int32] {
        var out = [Int32](repeating: -1, count: rels.count)
        guard folder >= 0 else { return out }
        for (i, rel) in rels.enumerated() {
            let fd = openat(folder, rel, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == EMFILE || errno == ENFILE { break }
                continue
            }
            #if os(Linux)
                _ = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED)
            #endif
            out[i] = fd
        }
        return out
    }

    /// Target profiles in `root/targets`, as paths.
    public static func listTargets(_ root: String) -> [String] {
        list(root + "/targets", recursive: false).map { root + "/targets/" + $0 }
    }

    /// Reads and parses a JSON/JSON5 file, reporting problems against `display`.
    /// With `descriptor` (the file at `path`, already open: the case files
    /// are opened ahead, a batch at a time, see `SuiteLoader.readCaseFiles`),
    /// reads from it and closes it; otherwise opens `path`.
    static func parse(path: String, display: String, sink: DiagnosticSink, descriptor: Int32? = nil) -> Node? {
        let read =
            if let descriptor {
                readBytes(descriptor: descriptor)
            } else {
                readBytes(path)
            }
        if let descriptor { close(descriptor) }
        guard let bytes = read else {
            sink.add(Diagnostic(file: display, keyPath: "", message: "cannot read the file"))
            return nil
        }
        sink.read.append(path)
        sink.digests.append(sink.computesDigests ? SHA256.hex(SHA256.hash(bytes)) : "")
        do {
            let json = try JSONParser.parse(bytes, dialect: .json5)
            return Node(value: json, path: [], file: display, sink: sink)
        } catch {
            sink.add(
                Diagnostic(
                    file: display, keyPath: error.keyPath,
                    message: "\(error.message) at line \(error.line), column \(error.column)"))
            return nil
        }
    }

    /// The bytes of the file at `path`, read with POSIX calls into one array
    /// (`FileManager.contents` went through `Data` and was copied twice more);
    /// nil when it cannot be opened or read (a folder, no permission).
    ///
    /// A regular file whose read comes back short at exactly the size `fstat`
    /// gave is whole: the second read that would only find the end is not
    /// made (half the reads of a large load). A read short of that size, a
    /// file that grew, and anything that is not a regular file read on to
    /// the end as before.
    static func readBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readBytes(descriptor: fd)
    }

    /// The bytes of the open file `fd`, from where it stands to its end (it is not closed).
    static func readBytes(descriptor fd: Int32) -> [UInt8]? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = max(0, Int(st.st_size))
        let regular = (st.st_mode & S_IFMT) == S_IFREG
        // One byte more than the size, so that the read that finds the end needs no growth.
        var out = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == out.count { out.append(contentsOf: repeatElement(0, count: max(4096, out.count))) }
            let asked = out.count - filled
            let n = out.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + filled, asked)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            filled += n
            if regular, n < asked, filled == size { break }
        }
        out.removeSubrange(filled...)
        return out
    }

    /// `.json` and `.json5` files below `dir`, sorted, as paths relative to `dir`.
    /// Listed with `opendir`/`readdir` (FileManager's enumerator was a tenth
    /// of a large suite's load); as it did, hidden entries count and a
    /// symbolic link is listed but not descended into.
    static func list(_ dir: String, recursive: Bool) -> [String] {
        var out: [String] = []
        func walk(_ dir: String, prefix: String) {
            guard let d = opendir(dir) else { return }
            defer { closedir(d) }
            while let entry = readdir(d) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                let rel = prefix + name
                if name.hasSuffix(".json") || name.hasSuffix(".json5") { out.append(rel) }
                guard recursive else { continue }
                var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
                if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                    var st = stat()
                    isDirectory = lstat(dir + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
                }
                if isDirectory { walk(dir + "/" + name, prefix: rel + "/") }
            }
        }
        walk(dir, prefix: "")
        return out.sorted()
    }
}
