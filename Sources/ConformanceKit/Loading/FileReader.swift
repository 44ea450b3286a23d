import Foundation
import JSONKit

/// Collects diagnostics while a file is read.
final class DiagnosticSink {
    var items: [Diagnostic] = []
    /// Every file read through `SuiteFiles.parse`, as the path it was read at
    /// (what the suite digest covers: `SuiteLoader.filesRead`).
    var read: [String] = []
    /// SHA-256 (hex) of each file in `read`, of the bytes as they were read:
    /// the suite digest, computed once, while loading.
    var digests: [String: String] = [:]
    func add(_ d: Diagnostic) { items.append(d) }
    var hasErrors: Bool { items.contains { $0.severity == .error } }
}

/// A value inside a file, with the key path that leads to it, so every
/// problem found while reading it can say where it is.
struct Node {
    let value: JSON
    let path: [JSONPathSegment]
    let file: String
    let sink: DiagnosticSink

    var keyPath: String { JSONPathSegment.render(path) }

    func error(_ message: String, hint: String? = nil) {
        sink.add(Diagnostic(.error, file: file, keyPath: keyPath, message: message, hint: hint))
    }

    func warning(_ message: String, hint: String? = nil) {
        sink.add(Diagnostic(.warning, file: file, keyPath: keyPath, message: message, hint: hint))
    }

    func child(_ key: String, _ value: JSON) -> Node {
        Node(value: value, path: path + [.key(key)], file: file, sink: sink)
    }

    func element(_ index: Int, _ value: JSON) -> Node {
        Node(value: value, path: path + [.index(index)], file: file, sink: sink)
    }

    /// Reads an object whose keys must come from `keys`; reports unknown keys
    /// with a "did you mean". Keys starting with `$` (`$schema`, `$comment`) are always allowed.
    func object(keys: [String]) -> ObjectNode? {
        guard case .object(let o) = value else {
            error("must be an object, found \(value.typeName)")
            return nil
        }
        var seen = Set<String>()
        for m in o {
            let at = child(m.key, m.value)
            if !seen.insert(m.key).inserted {
                at.error("duplicate key '\(m.key)'")
            }
            if m.key.hasPrefix("$") { continue }
            if !keys.contains(m.key) {
                let hint = closestMatch(to: m.key, in: keys).map { "did you mean '\($0)'?" }
                    ?? "allowed keys: \(keys.joined(separator: ", "))"
                at.error("unknown key '\(m.key)'", hint: hint)
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
    /// Target profiles in `root/targets`, as paths.
    public static func listTargets(_ root: String) -> [String] {
        list(root + "/targets", recursive: false).map { root + "/targets/" + $0 }
    }

    /// Reads and parses a JSON/JSON5 file, reporting problems against `display`.
    static func parse(path: String, display: String, sink: DiagnosticSink) -> Node? {
        guard let data = FileManager.default.contents(atPath: path) else {
            sink.add(Diagnostic(file: display, keyPath: "", message: "cannot read the file"))
            return nil
        }
        sink.read.append(path)
        sink.digests[path] = SHA256.hex(SHA256.hash([UInt8](data)))
        do {
            let json = try JSONParser.parse([UInt8](data), dialect: .json5)
            return Node(value: json, path: [], file: display, sink: sink)
        } catch {
            sink.add(
                Diagnostic(
                    file: display, keyPath: error.keyPath,
                    message: "\(error.message) at line \(error.line), column \(error.column)"))
            return nil
        }
    }

    /// `.json` and `.json5` files below `dir`, sorted, as paths relative to `dir`.
    static func list(_ dir: String, recursive: Bool) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        if recursive {
            guard let e = fm.enumerator(atPath: dir) else { return [] }
            while let rel = e.nextObject() as? String {
                if rel.hasSuffix(".json") || rel.hasSuffix(".json5") { out.append(rel) }
            }
        } else {
            out = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter {
                $0.hasSuffix(".json") || $0.hasSuffix(".json5")
            }
        }
        return out.sorted()
    }
}
