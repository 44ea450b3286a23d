import ConformanceKit
import JSONKit
import JSONSchemaKit

extension DocLint {
    /// Validates one example against its table's schema and turns the result into findings.
    struct ExampleChecker {
        let schemas: DocSchemas
        let example: ParsedExample
        let document: DocSchemas.Document

        func check(into c: inout FindingCollector) throws(DocLintError) {
            let compiled = try schemas.compile(document.uri)
            try report(
                compiled.validate(example.json), root: document.node, value: example.json, prefix: [], reading: nil,
                into: &c)
        }

        /// `value` is the instance that was validated against `root`; it sits at `prefix` in the example.
        /// `reading` is set when an undocumented key is being checked as the table key it probably means.
        func report(
            _ result: ValidationResult, root: SchemaNode, value: JSON, prefix: [JSONPathSegment],
            reading: (key: String, as: String)?, into c: inout FindingCollector
        ) throws(DocLintError) {
            let note = reading.map { " (reading '\($0.key)' as the table's '\($0.as)')" } ?? ""
            for v in result.violations {
                let path = prefix + ExampleChecker.segments(v.instanceLocation, in: value)
                c.add(
                    .invalidExample, field: JSONPathSegment.render(path), describe(v, in: value) + note,
                    offset: example.pageOffset(path))
            }
            for u in result.undescribed {
                guard let key = u.tokens.last else { continue }
                let rel = ExampleChecker.segments(u, in: value)
                let path = prefix + rel
                let parentRel = Array(rel.dropLast())
                let parentValue = JSONPointer(tokens: Array(u.tokens.dropLast())).resolve(in: value)?.objectValue
                var message = "key '\(key)' is not in the table"
                var renamed: Suggestion?
                if let parent = schemas.node(at: parentRel, from: root) {
                    let present = Set(parentValue?.keys ?? [])
                    let candidates = schemas.properties(parent).filter { !present.contains($0.name) }
                    if let s = Suggestion.find(for: key, among: candidates, schemas: schemas) {
                        message += " (did you mean \(s.text)?)"
                        renamed = s
                    } else if reading == nil, let other = elsewhere(key, parent: parentRel) {
                        message += " (the table has \(other))"
                    }
                }
                c.add(
                    .undocumentedExampleKey, field: JSONPathSegment.render(path), message + note,
                    offset: example.pageOffset(path))
                // Check the members of an object under the name it probably should have.
                if reading == nil, let s = renamed, schemas.isObject(s.node), let sub = u.resolve(in: value),
                    sub.objectValue != nil
                {
                    let compiled = try schemas.compile(s.node.reference)
                    try report(
                        compiled.validate(sub), root: s.node, value: sub, prefix: path, reading: (key, s.name), into: &c
                    )
                }
            }
        }

        /// Where else the schema of this example documents a property named `key`.
        func elsewhere(_ key: String, parent: [JSONPathSegment]) -> String? {
            var here = ""
            for seg in parent {
                switch seg {
                case .key(let k): here += (here.isEmpty ? "" : ".") + k
                case .index: here += "[]"
                }
            }
            let own = here.isEmpty ? key : here + "." + key
            guard
                let hit = schemas.propertyPaths(from: document.node).first(where: { $0.name == key && $0.path != own })
            else { return nil }
            return hit.path.contains(".") ? "'\(hit.path)'" : "'\(key)' at the top level"
        }

        // MARK: describing violations

        func describe(_ v: SchemaViolation, in root: JSON) -> String {
            let instance = v.instanceLocation.resolve(in: root) ?? .null
            let keywordValue = schemas.value(at: v.absoluteKeywordLocation)?.value
            let definition = ExampleChecker.definitionName(v.absoluteKeywordLocation)
            let shown = ExampleChecker.show(instance)
            switch v.keyword {
            case "format":
                let format = keywordValue?.stringValue ?? v.expected
                let reason = instance.stringValue.flatMap { FormatReason.reason(format: format, $0) }
                return "\(shown) is not a valid \(ExampleChecker.formatName(format, definition))"
                    + (reason.map { ": " + $0 } ?? "")
            case "type":
                let expected = keywordValue.flatMap(ExampleChecker.typeList) ?? v.expected
                if let definition { return "\(shown) is not a valid \(definition): expected \(expected)" }
                return "\(shown) is not \(expected)"
            case "enum":
                let values = keywordValue?.arrayValue ?? []
                var s = "\(shown) is not one of \(values.map(ExampleChecker.show).joined(separator: ", "))"
                if let str = instance.stringValue,
                    let near = ExampleChecker.nearValue(str, values.compactMap(\.stringValue))
                {
                    s += " (did you mean '\(near)'?)"
                }
                return s
            case "const":
                return "\(shown) is not \(keywordValue.map(ExampleChecker.show) ?? v.expected)"
            case "pattern":
                return "\(shown) does not match the pattern \(keywordValue?.stringValue ?? v.expected)"
            case "anyOf", "oneOf":
                if let d = v.details.first { return describe(d, in: root) }
                return "\(shown) matches none of the allowed forms (\(v.expected))"
            default:
                let prefix = v.instanceLocation.description + ": "
                return v.message.hasPrefix(prefix) ? String(v.message.dropFirst(prefix.count)) : v.message
            }
        }

        /// Instance path segments of a pointer: array elements as indexes.
        static func segments(_ p: JSONPointer, in value: JSON) -> [JSONPathSegment] {
            var cur: JSON? = value
            var out: [JSONPathSegment] = []
            for t in p.tokens {
                if case .array(let a)? = cur, let i = Int(t) {
                    out.append(.index(i))
                    cur = i >= 0 && i < a.count ? a[i] : nil
                } else {
                    out.append(.key(t))
                    cur = cur?[t]
                }
            }
            return out
        }

        /// The name of the `$defs` entry a keyword location is in (`Id`, `Date`), if any.
        static func definitionName(_ location: String) -> String? {
            guard let hash = location.firstIndex(of: "#"),
                let p = try? JSONPointer(parsing: String(location[hash...]))
            else { return nil }
            guard let i = p.tokens.lastIndex(where: { $0 == "$defs" || $0 == "definitions" }), i + 1 < p.tokens.count
            else { return nil }
            return p.tokens[i + 1]
        }

        /// A value as the docs write it: strings in single quotes, the rest as compact JSON.
        static func show(_ v: JSON) -> String {
            if let s = v.stringValue { return "'\(s)'" }
            let s = JSONWriter().string(v)
            return s.count > 60 ? String(s.prefix(59)) + "…" : s
        }

        static func formatName(_ format: String, _ definition: String?) -> String {
            switch format {
            case "objectid": return definition ?? "Id"
            case "icc": return "ICC number"
            case "e164": return "E.164 phone number"
            case "email": return "e-mail address"
            default: return format
            }
        }

        /// `"string"` → "a string"; `["number", "null"]` → "a number or null".
        static func typeList(_ v: JSON) -> String? {
            func article(_ t: String) -> String {
                t == "null" ? t : (["a", "e", "i", "o", "u"].contains(t.prefix(1)) ? "an " : "a ") + t
            }
            if let s = v.stringValue { return article(s) }
            guard let a = v.arrayValue?.compactMap(\.stringValue), !a.isEmpty else { return nil }
            return a.map(article).joined(separator: " or ")
        }

        /// An allowed value the given one is probably meant to be.
        static func nearValue(_ s: String, _ values: [String]) -> String? {
            let l = s.lowercased()
            return values.first { v in
                let lv = v.lowercased()
                return lv.hasPrefix(l) || l.hasPrefix(lv) || DocLint.editDistance(l, lv) <= 2
            }
        }
    }

    /// "Did you mean": the table key an undocumented example key probably stands for.
    struct Suggestion {
        let name: String
        let node: SchemaNode
        /// How to say it: `'restOfWorldRoaming'`, `'state' with the value 'ACTIVE'`.
        let text: String

        /// The rename rule the checker uses (`Rename.intended`), then the key
        /// being one of a property's values (`active` for `state: 'ACTIVE'`).
        static func find(
            for key: String, among candidates: [(name: String, node: SchemaNode)], schemas: DocSchemas
        ) -> Suggestion? {
            if let name = Rename.intended(by: key, among: candidates.map(\.name)),
                let c = candidates.first(where: { $0.name == name })
            {
                return Suggestion(name: c.name, node: c.node, text: "'\(c.name)'")
            }
            let lowerKey = key.lowercased()
            let upper = Rename.words(key).map { $0.uppercased() }.joined(separator: "_")
            for c in candidates {
                if let v = schemas.enumStrings(c.node).first(where: { $0 == upper || $0.lowercased() == lowerKey }) {
                    return Suggestion(name: c.name, node: c.node, text: "'\(c.name)' with the value '\(v)'")
                }
            }
            return nil
        }
    }

    /// Why a string is not a valid value of a format, in words (the validator says
    /// that it is not; this says what is wrong with it).
    enum FormatReason {
        static func reason(format: String, _ s: String) -> String? {
            switch format {
            case "date-time": return dateTime(s)
            case "objectid":
                if s.count != 24 { return "\(s.count) characters, an id has 24 hexadecimal characters" }
                if let bad = s.first(where: { !$0.isHexDigit }) { return "'\(bad)' is not a hexadecimal character" }
                return nil
            case "icc":
                if s.contains(where: { !$0.isASCII || !$0.isNumber }) { return "an ICC number has digits only" }
                return s.count < 18 || s.count > 20 ? "\(s.count) digits, expected 18 to 20" : nil
            case "e164": return "expected '+' and 8 to 15 digits, the first not 0"
            default: return nil
            }
        }

        /// What is wrong with an RFC 3339 date-time, or nil.
        static func dateTime(_ s: String) -> String? {
            let b = Array(s.utf8)
            func at(_ i: Int) -> UInt8? { i < b.count ? b[i] : nil }
            func digits(_ i: Int, _ n: Int) -> Int? {
                guard i + n <= b.count else { return nil }
                var v = 0
                for k in i..<(i + n) {
                    guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                    v = v * 10 + Int(b[k] - 0x30)
                }
                return v
            }
            let colon = UInt8(ascii: ":")
            guard let y = digits(0, 4), at(4) == UInt8(ascii: "-"), let m = digits(5, 2), at(7) == UInt8(ascii: "-"),
                let d = digits(8, 2)
            else { return "expected YYYY-MM-DD at the start" }
            guard (1...12).contains(m) else { return "month \(m) is out of range" }
            guard d >= 1 && d <= DayMath.daysIn(month: m, year: y) else {
                return "day \(d) is out of range for that month"
            }
            guard at(10) == UInt8(ascii: "T") || at(10) == UInt8(ascii: "t") else {
                return "expected 'T' and a time after the date"
            }
            guard let hh = digits(11, 2), at(13) == colon, let mm = digits(14, 2) else {
                return "expected hh:mm:ss after 'T'"
            }
            guard at(16) == colon, let ss = digits(17, 2) else {
                return "the time has no seconds (expected hh:mm:ss)"
            }
            guard hh <= 23 else { return "hour \(hh) is out of range" }
            guard mm <= 59 else { return "minute \(mm) is out of range" }
            guard ss <= 60 else { return "second \(ss) is out of range" }
            var k = 19
            if at(k) == UInt8(ascii: ".") {
                k += 1
                let start = k
                while let c = at(k), c >= 0x30 && c <= 0x39 { k += 1 }
                if k == start { return "expected digits after '.'" }
            } else if let c = at(k), c >= 0x30 && c <= 0x39 {
                return "the seconds have more than two digits"
            }
            guard let z = at(k) else { return "missing time zone (Z or ±hh:mm)" }
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                return k + 1 == b.count ? nil : "unexpected characters after the time zone"
            }
            if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                guard k + 6 == b.count, let oh = digits(k + 1, 2), at(k + 3) == colon, let om = digits(k + 4, 2),
                    oh <= 23, om <= 59
                else { return "time zone offset must be ±hh:mm" }
                return nil
            }
            return "expected a time zone (Z or ±hh:mm) after the time"
        }
    }

    /// Calendar arithmetic on the proleptic Gregorian calendar, UTC.
    enum DayMath {
        static func daysIn(month m: Int, year y: Int) -> Int { CivilDate.daysInMonth(year: y, month: m) }

        /// Days since 1970-01-01.
        static func days(year y: Int, month m: Int, day d: Int) -> Int {
            CivilDate(year: y, month: m, day: d).daysSince1970
        }

        /// `YYYY-MM-DD` of a day number.
        static func civil(_ z0: Int) -> String { CivilDate(daysSince1970: z0).text }

        /// Seconds since the epoch of a date-time read leniently: a valid
        /// `YYYY-MM-DD`, then `Thh:mm` if present (seconds and zone ignored).
        static func lenientSeconds(_ s: String) -> Int? {
            let b = Array(s.utf8)
            func digits(_ i: Int, _ n: Int) -> Int? {
                guard i + n <= b.count else { return nil }
                var v = 0
                for k in i..<(i + n) {
                    guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                    v = v * 10 + Int(b[k] - 0x30)
                }
                return v
            }
            guard let y = digits(0, 4), b.count >= 10, b[4] == 0x2D, let m = digits(5, 2), b[7] == 0x2D,
                let d = digits(8, 2), (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
            else { return nil }
            var seconds = days(year: y, month: m, day: d) * 86400
            if b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), let hh = digits(11, 2),
                b[13] == UInt8(ascii: ":"), let mm = digits(14, 2), hh <= 23, mm <= 59
            {
                seconds += hh * 3600 + mm * 60
            }
            return seconds
        }
    }
}
