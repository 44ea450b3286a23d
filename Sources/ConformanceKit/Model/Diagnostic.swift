/// A problem found while loading the suite or a target profile: the file, the
/// key path inside it, what is wrong, and (when we can guess) how to fix it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    /// Path of the file, relative to the working directory when possible.
    public var file: String
    /// Dotted key path inside the file (`expect.status`, `errors[3].message`); empty for the whole file.
    public var keyPath: String
    public var message: String
    public var hint: String?

    public init(_ severity: Severity = .error, file: String, keyPath: String, message: String, hint: String? = nil) {
        self.severity = severity
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
    }

    /// `Cases/x.json: expect.status: must be an integer (did you mean ...)`
    public var description: String {
        var s = file + ": "
        if !keyPath.isEmpty { s += keyPath + ": " }
        if severity == .warning { s += "warning: " }
        s += message
        if let hint { s += " (\(hint))" }
        return s
    }
}

/// Thrown when loading found at least one error-level diagnostic.
public struct SuiteLoadError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// "Did you mean" for a misspelled name: the closest candidate within a small edit distance.
public func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    let w = Array(word.lowercased())
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        let limit = max(1, min(3, (c.count + 1) / 3))
        if d <= limit, best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and transpositions of neighbours (`titel` → `title`) each cost 1. The
/// package's one edit distance: the loader's "did you mean", rename
/// detection and the documentation lint all use it.
package func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
