import ConformanceKit
import JSONKit

/// What a field row's description states beyond its type, read by rules of the
/// vendor's wiki style (never by the API's own words): enumerated values,
/// formats, bounds, defaults and who may see the field.
enum DescriptionRules {
    // MARK: enumerations

    /// The values a String row enumerates, and whether it is a single constant
    /// ("always 'X'"). Tried in order: "always X", "Allowed values are 'A', 'B'",
    /// a quoted list, "A - text B - text", a list of capitalised values
    /// ("RED, GREEN, BLUE"), a description that is only a list ("left or right").
    static func values(_ text: String) -> (values: [String], isConst: Bool)? {
        let words = tokens(text)
        if let k = words.firstIndex(where: { $0.lowercased() == "always" }) {
            var j = k + 1
            if j < words.count, words[j].lowercased() == "be" { j += 1 }
            // A quoted or capitalised value, or a word the description also quotes ("'xY'. Should always be xY").
            if j < words.count, let v = value(words[j]) ?? (words.contains("'\(words[j])'") ? words[j] : nil) {
                return ([v], true)
            }
        }
        let quoted = quotedList(text)
        if let r = text.range(of: "allowed values", options: [.caseInsensitive]) {
            let after = quotedList(String(text[r.upperBound...]))
            if after.count >= 1 { return (after, false) }
        }
        if quoted.count >= 2 { return (quoted, false) }
        let dashed = dashList(words)
        if dashed.count >= 2 { return (dashed, false) }
        let caps = capsList(withoutParentheses(text))
        if caps.count >= 2 { return (caps, false) }
        if let bare = bareList(text), bare.count >= 2 { return (bare, false) }
        return nil
    }

    /// Words and punctuation of a description: "a, b or c." → ["a", ",", "b", "or", "c", "."].
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inQuote = false
        for ch in text {
            if ch == "'" {
                cur.append(ch)
                if inQuote || cur == "'" { inQuote.toggle() }
                if !inQuote {
                    out.append(cur)
                    cur = ""
                }
                continue
            }
            if inQuote {
                cur.append(ch)
                continue
            }
            if ch == " " || ch == "\t" {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
            } else if ch == "," || ch == "." || ch == ":" || ch == ";" || ch == "(" || ch == ")" {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
                out.append(String(ch))
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// A value token: `'xY'` → xY, `RED` → RED.
    static func value(_ token: String) -> String? {
        if token.count >= 2, token.hasPrefix("'"), token.hasSuffix("'") { return String(token.dropFirst().dropLast()) }
        return isCaps(token) ? token : nil
    }

    static func isCaps(_ w: String) -> Bool {
        w.count >= 2 && w.first?.isLetter == true
            && w.allSatisfy { ($0.isASCII && $0.isUppercase) || $0.isNumber || $0 == "_" }
    }

    /// Quoted values joined by `,`, `or`, `, or`, `and`: the longest such run.
    static func quotedList(_ text: String) -> [String] {
        longestRun(tokens(text)) { t in t.count >= 2 && t.hasPrefix("'") && t.hasSuffix("'") ? String(t.dropFirst().dropLast()) : nil }
    }

    static func capsList(_ text: String) -> [String] {
        longestRun(tokens(text)) { isCaps($0) ? $0 : nil }
    }

    /// The longest run of values separated only by `,` / `or` / `and`.
    static func longestRun(_ words: [String], _ pick: (String) -> String?) -> [String] {
        var best: [String] = []
        var cur: [String] = []
        var expectValue = true
        for w in words {
            if expectValue, let v = pick(w) {
                cur.append(v)
                expectValue = false
            } else if !expectValue, [",", "or", "and"].contains(w) {
                expectValue = true
            } else if !cur.isEmpty, expectValue, w == "or" || w == "and" {
                continue  // ", or"
            } else {
                if cur.count > best.count { best = cur }
                cur = []
                expectValue = true
                if let v = pick(w) {
                    cur = [v]
                    expectValue = false
                }
            }
        }
        if cur.count > best.count { best = cur }
        return best
    }

    /// `IN_USE - in normal use PORTING_IN - …` → [IN_USE, PORTING_IN, …].
    static func dashList(_ words: [String]) -> [String] {
        var out: [String] = []
        for (i, w) in words.enumerated() where i + 1 < words.count && words[i + 1] == "-" && isCaps(w) { out.append(w) }
        return out
    }

    /// A description that is nothing but a list of single words: "left or right".
    static func bareList(_ text: String) -> [String]? {
        var words = tokens(text)
        if words.last == "." { words.removeLast() }
        guard words.contains("or") else { return nil }
        var out: [String] = []
        var expectValue = true
        for w in words {
            if [",", "or", "and"].contains(w) {
                if w == "," || expectValue == false { expectValue = true }
                continue
            }
            guard expectValue, w.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            out.append(w)
            expectValue = false
        }
        return out
    }

    static func withoutParentheses(_ text: String) -> String {
        var out = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth = max(0, depth - 1) } else if depth == 0 { out.append(ch) }
        }
        return out
    }

    // MARK: formats

    /// The keywords of the first format word (`ImportOverrides.formats`) the description names:
    /// a capitalised word as a whole word ("ABC"), anything else in any letter case ("some phrase").
    static func format(_ text: String, words formats: [(word: String, keywords: JSONObject)]) -> JSONObject? {
        let lower = text.lowercased()
        let words = Set(text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
        for f in formats {
            let whole = f.word.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }
            if whole ? words.contains(f.word) : lower.contains(f.word.lowercased()) { return f.keywords }
        }
        return nil
    }

    /// "32 digit code" → `^[0-9]{32}$` (not "18-20 digits", a range the endpoint's bounds hold).
    static func pattern(_ text: String) -> String? {
        let words = tokens(text)
        for (i, w) in words.enumerated() where i + 1 < words.count && words[i + 1].lowercased().hasPrefix("digit") {
            guard let n = Int(w), n > 0 else { continue }
            return "^[0-9]{\(n)}$"
        }
        return nil
    }

    // MARK: bounds

    /// "min 1, max 500", "max 3", "max. 4Kb": the numbers after `min`/`max`, and a size unit if any.
    static func bounds(_ text: String) -> (min: Double?, max: Double?, maxBytes: Int?) {
        let words = tokens(text)
        var lo: Double?
        var hi: Double?
        var bytes: Int?
        var i = 0
        while i < words.count {
            let w = words[i].lowercased()
            if w == "min" || w == "max" || w == "minimum" || w == "maximum" {
                var j = i + 1
                if j < words.count, words[j] == "." { j += 1 }
                if j < words.count {
                    let (number, unit) = splitUnit(words[j])
                    if let n = number {
                        if let u = unit ?? (j + 1 < words.count ? unitWord(words[j + 1]) : nil), w.hasPrefix("max") {
                            bytes = Int(n) * u
                        } else if w.hasPrefix("min") {
                            lo = n
                        } else {
                            hi = n
                        }
                    }
                }
            }
            i += 1
        }
        return (lo, hi, bytes)
    }

    static func splitUnit(_ w: String) -> (Double?, Int?) {
        let digits = w.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Double(digits) else { return (nil, nil) }
        let rest = String(w.dropFirst(digits.count))
        if rest.isEmpty { return (n, nil) }
        guard let u = unitWord(rest) else { return (nil, nil) }
        return (n, u)
    }

    static func unitWord(_ w: String) -> Int? {
        switch w.lowercased() {
        case "kb", "kib", "kbyte", "kbytes": return 1024
        case "mb", "mib": return 1024 * 1024
        case "bytes", "byte", "b": return 1
        default: return nil
        }
    }

    /// "[optional] …, default true." → the value after the last `default`.
    static func defaultValue(_ text: String, type: String) -> JSON? {
        let words = tokens(text)
        guard let k = words.lastIndex(where: { $0.lowercased() == "default" }), k + 1 < words.count else { return nil }
        let w = words[k + 1]
        switch type {
        case "boolean": return w == "true" ? .bool(true) : w == "false" ? .bool(false) : nil
        case "integer", "number": return Double(w).map(JSON.number)
        default: return nil
        }
    }

    // MARK: visibility

    /// "(LEVEL only)", "(A_LEVEL/B_LEVEL only)", "(Level only)" → the levels, upper-cased.
    static func visibility(_ text: String) -> [String]? {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "(") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ")") else { break }
            let inner = after[..<close].split(separator: " ").map(String.init)
            if inner.count >= 2, inner.last?.lowercased() == "only" {
                let joined = inner.dropLast().joined(separator: " ")
                var names: [String] = []
                for part in joined.split(whereSeparator: { $0 == "/" || $0 == "," || $0 == " " }) {
                    let w = String(part)
                    if w.lowercased() != "and" && w.lowercased() != "or" { names.append(w) }
                }
                // Level names are capitalised ("(Level only)"); "(abroad only)" names none.
                if !names.isEmpty, names.allSatisfy({ $0.first?.isUppercase == true && $0.allSatisfy { $0.isLetter || $0 == "_" } }) {
                    return names.map { $0.uppercased() }
                }
            }
            rest = after[after.index(after: close)...]
        }
        return nil
    }
}
