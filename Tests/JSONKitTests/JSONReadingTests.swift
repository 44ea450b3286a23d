import Foundation
import JSONKit
import Testing

/// `JSONReading` through a tape (`JSONView`) against the tree (`JSON`): every
/// question the checks ask, asked of every value of many documents, with
/// the keys that make member lookup hard (duplicates, keys equal only
/// canonically, the Kelvin sign, escaped keys, long keys, the empty key).
@Suite struct JSONReadingTests {
    /// Keys to look up in an object besides its own: each is absent, present,
    /// or equal to a present one only as `String ==` has it.
    static let probes = [
        "", "a", "b", "id", "K", "\u{212A}", ";", "\u{37E}", "`", "\u{1FEF}", "é", "e\u{301}", "naïve", "nai\u{308}ve",
        "a-key-longer-than-sixteen-bytes", "a-key-longer-than-sixteen-bytez", "missing", "mvnoAccounts", "total", "0",
    ]

    static let documents = [
        #"{"a":1,"a":2,"b":{"a":3},"":4,"K":5,"\u212A":6}"#,
        #"{"é":1,"e\u0301":2,"naïve":[1,2,{"naïve":3}],"nai\u0308ve":null}"#,
        #"{"\u037E":1,";":2,"`":3,"\u1FEF":4,"\"q\"":5,"a\nb":6,"a\u0000b":7}"#,
        #"{"a-key-longer-than-sixteen-bytes":1,"a-key-longer-than-sixteen-bytez":2,"a-key-longer-than-sixteen-bytes":3}"#,
        #"[null,true,false,0,-0,1e400,-1e400,1.5,9007199254740993,"","x",[],{},[[]],[{}],{"":[]}]"#,
        #"{"total":3,"mvnoAccounts":[{"id":"1","pbx":0},{"id":2,"pbx":1,"extension":"10"},{"id":null}],"limit":2,"offset":0}"#,
        #""just a string""#, "42", "null", "[]", "{}",
    ]

    /// Every pair of a tree's value and the view's, in document order.
    static func walk(_ tree: JSON, _ view: JSONView, at path: String, _ visit: (JSON, JSONView, String) -> Void) {
        visit(tree, view, path)
        if let a = tree.arrayValue, let b = view.elementValues, a.count == b.count {
            for (i, (x, y)) in zip(a, b).enumerated() { walk(x, y, at: path + "/\(i)", visit) }
        }
        if case .object(let o) = tree {
            var views: [(String, JSONView)] = []
            view.forEachMember { k, v in
                views.append((k, v))
                return true
            }
            if views.count == o.members.count {
                for (m, (_, v)) in zip(o.members, views) { walk(m.value, v, at: path + "/" + m.key, visit) }
            }
        }
    }

    /// What one value answers, as text: the same for the tree's and the view's.
    static func answers<V: JSONReading>(_ v: V, probes: [String]) -> [String] {
        var out = [
            "null \(v.isNull)", "bool \(String(describing: v.boolValue))", "number \(v.numberValue.map { String($0.bitPattern) } ?? "nil")",
            "string \(v.stringValue.map { Array($0.utf8).description } ?? "nil")", "kinds \(v.isString) \(v.isArray) \(v.isObject)",
            "type \(v.typeName)", "int \(String(describing: v.intValue))", "integer \(v.isInteger)",
            "count \(String(describing: v.elementCount)) \(String(describing: v.elementValues?.count))",
            "whole \(JSONWriter().string(v.materialize()))",
        ]
        var keys: [String] = []
        v.forEachMember { k, _ in
            keys.append(k)
            return true
        }
        out.append("keys \(keys.map { Array($0.utf8) })")
        var firstTwo = 0
        v.forEachMember { _, _ in
            firstTwo += 1
            return firstTwo < 2
        }
        out.append("stops \(firstTwo)")
        for key in keys + probes {
            out.append("member \(Array(key.utf8)): \(v.member(key).map { JSONWriter().string($0.materialize()) } ?? "nil")")
            let pointer = JSONPointer(tokens: [key])
            out.append("pointer \(Array(key.utf8)): \(pointer.resolve(in: v).map { JSONWriter().string($0.materialize()) } ?? "nil")")
        }
        // Many keys in one pass, as `member` finds each.
        var found: [V?] = []
        v.lookUp(JSONKeys(keys + probes), into: &found)
        out.append("look-up \(found.map { $0.map { JSONWriter().string($0.materialize()) } ?? "nil" })")
        for i in [-1, 0, 1, 2, 15, 16] {
            out.append("element \(i): \(v.element(i).map { JSONWriter().string($0.materialize()) } ?? "nil")")
        }
        return out
    }

    @Test func theViewAnswersAsTheTree() throws {
        var values = 0
        var members = 0
        var files = Self.documents.map { Array($0.utf8) }
        let cases = JSONTapeTests.repo.appendingPathComponent("Cases")
        if let e = FileManager.default.enumerator(atPath: cases.path) {
            for case let name as String in e where name.hasSuffix(".json") {
                files.append(Array(try Data(contentsOf: cases.appendingPathComponent(name))))
            }
        }
        #expect(files.count > 20, "\(files.count) documents")
        for (n, bytes) in files.enumerated() {
            // A case file written as JSON5 (comments) is no answer: left out.
            guard let tree = try? JSONParser.parse(bytes) else { continue }
            try JSONTape.parse(bytes).withRoot { root in
                Self.walk(tree, root, at: "") { t, v, path in
                    values += 1
                    if t.isObject { members += t.objectValue?.count ?? 0 }
                    let (a, b) = (Self.answers(t, probes: Self.probes), Self.answers(v, probes: Self.probes))
                    // Told apart by line, not shown whole: a document of Cases may be long.
                    let differing = zip(a, b).first { $0 != $1 }.map { "\($0.0) / \($0.1)" }
                    #expect(a.count == b.count && differing == nil, "document \(n) at \(path): \(differing ?? "as many answers")")
                }
            }
        }
        #expect(values > 5_000 && members > 1_000, "\(values) values, \(members) members")
        // The lookups the probes are for: as `String ==` has them, the view as the tree.
        let tricky = try JSONTape.parse(Array(Self.documents[0].utf8))
        tricky.withRoot { v in
            #expect(v.member("a")?.numberValue == 2, "the last of the name")
            #expect(v.member("K")?.numberValue == 6 && v.member("\u{212A}")?.numberValue == 6, "K and the Kelvin sign are ==")
        }
        try JSONTape.parse(Array(Self.documents[1].utf8)).withRoot { v in
            #expect(v.member("é")?.numberValue == 2 && v.member("e\u{301}")?.numberValue == 2, "canonically equivalent keys are ==")
        }
    }
}
