import JSONKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON Schema equality: numbers by value, objects regardless of member order,
/// and strings by code points. (Swift's `String ==` uses canonical
/// equivalence, under which "é" equals "e\u{301}"; JSON Schema does not.)
enum Exact {
    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0)
            }
        }
    }

    static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return equal(x, y)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            var distinct = 0
            for (i, m) in x.members.enumerated() {
                // Only the last occurrence of a key counts.
                if x.members[(i + 1)...].contains(where: { equal($0.key, m.key) }) { continue }
                distinct += 1
                guard let other = value(y, m.key), equal(m.value, other) else { return false }
            }
            var distinctY = 0
            for (i, m) in y.members.enumerated() where !y.members[(i + 1)...].contains(where: { equal($0.key, m.key) })
            {
                distinctY += 1
            }
            return distinct == distinctY
        default:
            return false
        }
    }

    /// The value of the last member named exactly `key`.
    static func value(_ o: JSONObject, _ key: String) -> JSON? {
        var i = o.count - 1
        while i >= 0 {
            if equal(o[i].key, key) { return o[i].value }
            i -= 1
        }
        return nil
    }

    @inline(__always)
    static func has(_ o: JSONObject, _ key: String) -> Bool {
        for m in o.members where equal(m.key, key) { return true }
        return false
    }
}
