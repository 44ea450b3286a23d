/// An ordered list of HTTP header fields with case-insensitive name lookup.
///
/// Field order and the spelling of names are preserved as given. Two header
/// lists are equal when they hold the same fields in the same order, names
/// compared case-insensitively and values exactly.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public typealias Element = (name: String, value: String)

    struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    private var fields: [Field]

    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The number of fields (a name that occurs twice counts twice).
    public var count: Int { fields.count }

    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of the field `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        fields.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }

    /// All values of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.compactMap { asciiCaseInsensitiveEquals($0.name, name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { asciiCaseInsensitiveEquals($0.name, name) }
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` with a single one, placed where the
    /// first of them was (or at the end when there was none).
    public mutating func set(name: String, value: String) {
        if let first = fields.firstIndex(where: { asciiCaseInsensitiveEquals($0.name, name) }) {
            fields[first] = Field(name: name, value: value)
            var index = fields.index(after: first)
            while index < fields.endIndex {
                if asciiCaseInsensitiveEquals(fields[index].name, name) {
                    fields.remove(at: index)
                } else {
                    index = fields.index(after: index)
                }
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    /// Removes every field called `name`.
    public mutating func remove(name: String) {
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
    }

    /// Whether any field called `name` lists `token` in its comma-separated
    /// value (case-insensitive), e.g. `hasToken("close", in: "Connection")`.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for value in values(name) {
            for part in value.split(separator: ",") {
                let trimmed = part.trimmingOWS()
                if asciiCaseInsensitiveEquals(trimmed, token) { return true }
            }
        }
        return false
    }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Field]>

        public mutating func next() -> Element? {
            guard let field = base.next() else { return nil }
            return (name: field.name, value: field.value)
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(base: fields.makeIterator())
    }

    public var underestimatedCount: Int { fields.count }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.fields.count == rhs.fields.count else { return false }
        for (left, right) in zip(lhs.fields, rhs.fields) {
            guard asciiCaseInsensitiveEquals(left.name, right.name), left.value == right.value else {
                return false
            }
        }
        return true
    }

    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}

/// Compares two strings byte for byte, folding ASCII letters to lower case.
func asciiCaseInsensitiveEquals<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
    let left = a.utf8
    let right = b.utf8
    guard left.count == right.count else { return false }
    for (x, y) in zip(left, right) where asciiLower(x) != asciiLower(y) {
        return false
    }
    return true
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
}

extension StringProtocol {
    /// Drops leading and trailing spaces and horizontal tabs (HTTP "OWS").
    func trimmingOWS() -> Substring {
        let view = self[...]
        var start = view.startIndex
        var end = view.endIndex
        while start < end, view[start] == " " || view[start] == "\t" {
            start = view.index(after: start)
        }
        while end > start {
            let before = view.index(before: end)
            guard view[before] == " " || view[before] == "\t" else { break }
            end = before
        }
        return Substring(view[start..<end])
    }
}
