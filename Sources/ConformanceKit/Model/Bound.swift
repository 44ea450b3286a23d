/// A bound a page states (a min, max, length, count, size or date), as the
/// endpoint spec's `bounds` records it, with the cases generated on each side.
public struct Bound: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Bytes of the member's serialized JSON.
        case size
        /// Characters (digits) of a string.
        case length
        /// Elements of an array.
        case count
        /// An integer value (a query parameter).
        case range
        /// A date-time: `min: "today"`.
        case date
    }
    /// The case ids' stem (`create-bound-custom`).
    public var id: String
    public var endpoint: String
    /// The member or query parameter the bound is on.
    public var field: String
    public var kind: Kind
    public var min: Int?
    public var max: Int?
    /// The page, line and the words that state the bound.
    public var page: String
    public var line: Int
    public var quote: String
    /// The generated cases, lowest value first.
    public var cases: [String]

    /// "max 4096", "18…20", "today or later".
    public var summary: String {
        switch (kind, min, max) {
        case (.date, _, _): return "today or later"
        case (_, let lo?, let hi?): return "\(lo)…\(hi)"
        case (_, let lo?, nil): return "min \(lo)"
        case (_, nil, let hi?): return "max \(hi)"
        default: return ""
        }
    }
}
