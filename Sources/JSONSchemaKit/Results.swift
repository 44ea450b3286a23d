import JSONKit

/// How a compiled schema validates.
public struct ValidationOptions: Sendable, Hashable {
    /// Treat `format` as an assertion (the specification makes it an annotation
    /// by default). Known formats: date-time, date, time, duration, email,
    /// hostname (RFC 1123 rules; A-labels are not IDNA-checked), ipv4, ipv6,
    /// uuid, json-pointer, relative-json-pointer, regex, uri, uri-reference,
    /// iri, iri-reference, uri-template, and the API's own objectid (24 hex
    /// characters), e164 ('+' and 8–15 digits, the first not 0) and icc (18–20
    /// digits). Unknown formats always pass. A meta-schema that lists the
    /// format-assertion vocabulary turns this on for its schemas.
    public var assertFormats: Bool = false
    /// Report object members that no schema describes (see `ValidationResult.undescribed`).
    public var reportUndescribedProperties: Bool = false
    /// A member that a `properties` keyword declares and whose value is `null`
    /// is taken as absent: its subschema is not applied (not standard JSON
    /// Schema; for documents that write "no value" as `null` or leave the
    /// member out, alike). Undeclared members are unaffected.
    public var nullMeansAbsent: Bool = false

    public init(assertFormats: Bool = false, reportUndescribedProperties: Bool = false, nullMeansAbsent: Bool = false) {
        self.assertFormats = assertFormats
        self.reportUndescribedProperties = reportUndescribedProperties
        self.nullMeansAbsent = nullMeansAbsent
    }
}

/// A schema that cannot be registered or compiled, and where: the document's
/// URI and a JSON pointer into that document.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var uri: String
    public var pointer: JSONPointer
    public var message: String

    public init(uri: String, pointer: JSONPointer, message: String) {
        self.uri = uri
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "\(uri)#\(pointer): \(message)" }
}

/// One way in which an instance fails its schema.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, e.g. `/device/colour`.
    public var instanceLocation: JSONPointer
    /// The evaluation path of keywords, e.g. `/properties/device/properties/colour/enum`
    /// (through a reference: `/$ref/properties/...`).
    public var keywordLocation: String
    /// `<document uri>#<pointer to the keyword in its document>`.
    public var absoluteKeywordLocation: String
    /// The failing keyword: "enum", "type", "format", "required", ...
    public var keyword: String
    /// What the schema expects, for people: `one of "RED", "BLUE"`, `type boolean`.
    public var expected: String
    /// The instance value as compact JSON, at most 80 characters ("missing" for `required`).
    public var actual: String
    /// One line, e.g. `/device/colour: "GREEN" is not one of "RED", "BLUE"`.
    public var message: String
    /// For `anyOf`/`oneOf` failures: the violations of the alternative that came
    /// closest to matching; for `contains`/`not`/`propertyNames`: empty.
    public var details: [SchemaViolation]

    public init(
        instanceLocation: JSONPointer, keywordLocation: String, absoluteKeywordLocation: String, keyword: String,
        expected: String, actual: String, message: String, details: [SchemaViolation] = []
    ) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.keyword = keyword
        self.expected = expected
        self.actual = actual
        self.message = message
        self.details = details
    }

    public var description: String { message }
}

/// The outcome of validating one instance.
public struct ValidationResult: Sendable, Hashable {
    /// All violations, sorted stably by instance location in document order
    /// (a parent before its members), then in schema order.
    public var violations: [SchemaViolation]
    /// With `reportUndescribedProperties`: members of objects that no applicable
    /// `properties`/`patternProperties` describes and no `additionalProperties`
    /// (or `unevaluatedProperties`) covers, in document order. Only objects whose
    /// applicable schemas declare `properties` are considered.
    public var undescribed: [JSONPointer] { undescribedMembers.map(\.pointer) }
    /// The same members, each with the names its object's schemas do describe.
    public var undescribedMembers: [UndescribedMember]

    public var isValid: Bool { violations.isEmpty }

    public init(violations: [SchemaViolation] = [], undescribedMembers: [UndescribedMember] = []) {
        self.violations = violations
        self.undescribedMembers = undescribedMembers
    }
}

/// A member no applicable schema describes, and what the schemas applied to
/// its object do describe there: the names their `properties` declare, sorted
/// (for "did you mean"; pattern properties have no name to offer).
public struct UndescribedMember: Sendable, Hashable {
    public var pointer: JSONPointer
    public var documentedSiblings: [String]

    public init(pointer: JSONPointer, documentedSiblings: [String]) {
        self.pointer = pointer
        self.documentedSiblings = documentedSiblings
    }
}

// MARK: - Rendering values for people

enum Render {
    /// Compact JSON of `value`, cut to at most `limit` characters with "…".
    static func actual(_ value: JSON, limit: Int = 80) -> String {
        var w = BoundedWriter(limit: limit + 1)
        w.write(value)
        if w.overflowed || w.count > limit {
            var s = String(w.out.prefix(limit - 1))
            s += "…"
            return s
        }
        return w.out
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        JSONWriter.writeString(s, into: &out)
        return out
    }

    static func number(_ n: Double) -> String { JSONWriter.formatNumber(n) }

    /// `"a", "b" or "c"`-style lists of JSON values, at most `max` shown.
    static func list(_ values: [JSON], max: Int = 12) -> String {
        var parts = values.prefix(max).map { actual($0, limit: 40) }
        if values.count > max { parts.append("… (\(values.count - max) more)") }
        return parts.joined(separator: ", ")
    }
}

/// A JSON writer that stops once it has produced `limit` characters.
struct BoundedWriter {
    let limit: Int
    var out = ""
    var count = 0
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    mutating func emit(_ s: String) {
        guard !overflowed else { return }
        out += s
        count += s.count
        if count > limit { overflowed = true }
    }

    mutating func write(_ value: JSON) {
        if overflowed { return }
        switch value {
        case .null: emit("null")
        case .bool(let b): emit(b ? "true" : "false")
        case .number(let n): emit(JSONWriter.humanNumber(n))
        case .string(let s):
            if s.utf8.count > limit {
                // Only the head can be shown.
                var head = ""
                JSONWriter.writeString(String(s.prefix(limit)), into: &head)
                emit(head)
            } else {
                var q = ""
                JSONWriter.writeString(s, into: &q)
                emit(q)
            }
        case .array(let a):
            emit("[")
            for (i, v) in a.enumerated() {
                if overflowed { return }
                if i > 0 { emit(",") }
                write(v)
            }
            emit("]")
        case .object(let o):
            emit("{")
            for (i, m) in o.members.enumerated() {
                if overflowed { return }
                if i > 0 { emit(",") }
                var k = ""
                JSONWriter.writeString(m.key, into: &k)
                emit(k)
                emit(":")
                write(m.value)
            }
            emit("}")
        }
    }
}
