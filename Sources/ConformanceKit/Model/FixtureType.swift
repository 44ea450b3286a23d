import JSONKit

/// What a fixture's value must be, from the catalogue (`Cases/fixtures.json`,
/// each entry's `type`): checked when a target profile loads, so a mistyped
/// fixture is a profile problem (exit 2), never a run of target failures.
struct FixtureType: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A 24-hex-character id.
        case id
        /// An E.164 phone number: '+' and 8 to 15 digits, the first not 0.
        case e164
        /// An ICC (SIM card) number: 18 to 20 digits.
        case icc
        case string
        case integer
        case number
        case object
    }
    public var kind: Kind
    /// An array of values of `kind` (a pool, taken from one per case).
    var isArray: Bool

    /// `id`, `e164[]`, …
    public init?(_ text: String) {
        let array = text.hasSuffix("[]")
        guard let k = Kind(rawValue: array ? String(text.dropLast(2)) : text) else { return nil }
        kind = k
        isArray = array
    }

    public var description: String { kind.rawValue + (isArray ? "[]" : "") }

    /// In words, for a diagnostic: "a 24-hex id (a string)", "an array of E.164 numbers".
    public var words: String {
        let one: String
        switch kind {
        case .id: one = isArray ? "24-hex ids (strings)" : "a 24-hex id (a string)"
        case .e164: one = isArray ? "E.164 numbers (strings like \"+4520000001\")" : "an E.164 number (a string like \"+4520000001\")"
        case .icc: one = isArray ? "ICC numbers (strings of 18 to 20 digits)" : "an ICC number (a string of 18 to 20 digits)"
        case .string: one = isArray ? "non-empty strings" : "a non-empty string"
        case .integer: one = isArray ? "integers" : "an integer"
        case .number: one = isArray ? "numbers" : "a number"
        case .object: one = isArray ? "objects" : "an object"
        }
        return isArray ? "a non-empty array of " + one : one
    }

    /// Why `value` is not of this type; nil when it is.
    public func problem(_ value: JSON) -> String? {
        if isArray {
            guard case .array(let items) = value else { return "found \(FixtureType.found(value))" }
            if items.isEmpty { return "found an empty array" }
            for (i, item) in items.enumerated() {
                if let p = FixtureType(kind: kind, isArray: false).problem(item) { return "element \(i): \(p)" }
            }
            return nil
        }
        switch (kind, value) {
        case (.id, .string(let s)):
            return s.utf8.count == 24 && s.utf8.allSatisfy(isHex) ? nil : "found \(FixtureType.found(value))"
        case (.e164, .string(let s)):
            let u = Array(s.utf8)
            let ok = u.count >= 9 && u.count <= 16 && u[0] == UInt8(ascii: "+") && u[1] != UInt8(ascii: "0")
                && u.dropFirst().allSatisfy(isDigit)
            return ok ? nil : "found \(FixtureType.found(value))"
        case (.icc, .string(let s)):
            return (18...20).contains(s.utf8.count) && s.utf8.allSatisfy(isDigit) ? nil : "found \(FixtureType.found(value))"
        case (.string, .string(let s)):
            return s.isEmpty ? "found an empty string" : nil
        case (.integer, .number):
            return value.isInteger ? nil : "found \(FixtureType.found(value))"
        case (.number, .number), (.object, .object):
            return nil
        default:
            return "found \(FixtureType.found(value))"
        }
    }

    init(kind: Kind, isArray: Bool) {
        self.kind = kind
        self.isArray = isArray
    }

    static func found(_ v: JSON) -> String {
        switch v {
        case .string(let s): return "the string \"\(s.count > 40 ? String(s.prefix(39)) + "…" : s)\""
        case .number: return "the number \(v.description)"
        case .bool(let b): return "\(b)"
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

private func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }
private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
