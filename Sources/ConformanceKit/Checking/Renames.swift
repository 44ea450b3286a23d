/// Whether a member name the docs do not describe is a documented member under
/// another name. One rule for the checker (an undocumented member close to a
/// documented one absent from the same object is a `renamed` failure) and for
/// `lint-docs` (an example key not in the table, "did you mean").
public enum Rename {
    /// The candidate `key` most probably stands for, or nil. Tried in order,
    /// the first rule that finds one wins:
    /// 1. a close spelling: edit distance at most a third of the candidate's
    ///    length (1 to 3), letter case ignored (`notes2` → `notes`);
    /// 2. the same words in another order (`deviceChangeColourTo` → `deviceColourChangeTo`);
    /// 3. one name's words containing the other's, fewest words apart
    ///    (`restOfWorld` → `restOfWorldRoaming`, `name` → `productName`);
    /// 4. most words shared (at least 60 % of the longer name's), the last word
    ///    included (`sendTopUpSms` → `dataTopUpSms`).
    /// Only pass candidates that could be meant: for a response, the documented
    /// members absent from the object (one that is present was not renamed).
    public static func intended(by key: String, among candidates: [String]) -> String? {
        guard !candidates.isEmpty else { return nil }
        let lowerKey = key.lowercased()
        var spelling: (d: Int, i: Int)?
        for (i, c) in candidates.enumerated() {
            let d = editDistance(Array(lowerKey), Array(c.lowercased()))
            if d <= max(1, min(3, c.count / 3)), spelling == nil || d < spelling!.d { spelling = (d, i) }
        }
        if let s = spelling { return candidates[s.i] }

        let kw = words(key)
        let kset = Set(kw)
        if let c = candidates.first(where: { words($0).sorted() == kw.sorted() }) { return c }

        var containment: (diff: Int, i: Int)?
        for (i, c) in candidates.enumerated() {
            let cset = Set(words(c))
            guard !kset.isEmpty, !cset.isEmpty, kset != cset, kset.isSubset(of: cset) || cset.isSubset(of: kset)
            else { continue }
            let diff = kset.symmetricDifference(cset).count
            if containment == nil || diff < containment!.diff { containment = (diff, i) }
        }
        if let c = containment { return candidates[c.i] }

        var overlap: (ratio: Double, i: Int)?
        for (i, c) in candidates.enumerated() {
            let cw = words(c)
            guard cw.last == kw.last else { continue }
            let ratio = Double(kset.intersection(cw).count) / Double(max(kset.count, Set(cw).count))
            if ratio >= 0.6, overlap == nil || ratio > overlap!.ratio { overlap = (ratio, i) }
        }
        if let o = overlap { return candidates[o.i] }
        return nil
    }

    /// camelCase / snake_case words, lowercased: `deviceColourChangeTo` → device, colour, change, to.
    public static func words(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        let chars = Array(s)
        for (i, ch) in chars.enumerated() {
            if ch == "_" || ch == "-" || ch == "." || ch == " " {
                if !cur.isEmpty { out.append(cur.lowercased()) }
                cur = ""
                continue
            }
            if ch.isUppercase, !cur.isEmpty,
                chars[i - 1].isLowercase || chars[i - 1].isNumber
                    || (i + 1 < chars.count && chars[i + 1].isLowercase)
            {
                out.append(cur.lowercased())
                cur = ""
            }
            cur.append(ch)
        }
        if !cur.isEmpty { out.append(cur.lowercased()) }
        return out
    }
}
