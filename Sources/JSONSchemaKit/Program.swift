import JSONKit

/// One schema object (or boolean schema), as the compiler produces it; lowered into `Program` tables.
final class Node: Sendable {
    /// The keywords that assert or apply, in schema order (`unevaluated*` last).
    let keywords: [Keyword]
    /// "<document uri>#<pointer>"
    let location: String
    /// Index of the schema resource this node belongs to.
    let resource: Int
    /// The node has `unevaluatedProperties`/`unevaluatedItems`: its in-place
    /// keywords must collect annotations.
    let hasUnevaluated: Bool
    /// The node is the boolean schema `false`.
    let isFalse: Bool
    /// The node declares `properties` (for undescribed-member reporting).
    let declaresProperties: Bool

    init(keywords: [Keyword], location: String, resource: Int, isFalse: Bool, declaresProperties: Bool) {
        self.keywords = keywords
        self.location = location
        self.resource = resource
        self.isFalse = isFalse
        self.declaresProperties = declaresProperties
        hasUnevaluated = keywords.contains {
            switch $0.op {
            case .unevaluatedProperties, .unevaluatedItems: return true
            default: return false
            }
        }
    }
}

struct Keyword: Sendable {
    /// The keyword as written in the schema ("properties", "$ref", ...).
    let name: String
    let op: Op
}

struct TypeMask: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let null = TypeMask(rawValue: 1)
    static let boolean = TypeMask(rawValue: 2)
    static let object = TypeMask(rawValue: 4)
    static let array = TypeMask(rawValue: 8)
    static let number = TypeMask(rawValue: 16)
    static let string = TypeMask(rawValue: 32)
    static let integer = TypeMask(rawValue: 64)

    static let names: [(String, TypeMask)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("string", .string), ("integer", .integer),
    ]

    var description: String {
        TypeMask.names.filter { contains($0.1) }.map(\.0).joined(separator: " or ")
    }
}

struct NamedChild: Sendable {
    let name: String
    let node: Int
}

struct PatternChild: Sendable {
    let regex: ECMARegex
    let node: Int
}

struct Dependency: Sendable {
    let property: String
    let required: [String]
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema,
/// evaluated in one pass over the instance's members.
struct MembersOp: Sendable {
    /// name → child node
    let properties: [String: NamedChild]
    let hasProperties: Bool
    let patterns: [PatternChild]
    let additional: Int?
}

enum Op: Sendable {
    case falseSchema
    case type(TypeMask)
    case enumeration([JSON], strings: [String]?)
    case constant(JSON)
    case multipleOf(Double)
    case maximum(Double)
    case exclusiveMaximum(Double)
    case minimum(Double)
    case exclusiveMinimum(Double)
    case maxLength(Int)
    case minLength(Int)
    case pattern(ECMARegex)
    case format(FormatKind)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    /// contains, with minContains/maxContains (`minName` is the keyword reported when too few match).
    case contains(node: Int, min: Int, max: Int?)
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    case dependentRequired([Dependency])
    case members(MembersOp)
    case propertyNames(Int)
    case dependentSchemas([NamedChild])
    case prefixItems([Int])
    case items(node: Int, from: Int)
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case ref(Int)
    case dynamicRef(node: Int, anchor: String?)
    case unevaluatedProperties(Int)
    case unevaluatedItems(Int)
}
