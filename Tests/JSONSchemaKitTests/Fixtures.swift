import JSONKit
import JSONSchemaKit
import Testing

/// Small schemas in the style of the TelecomX suite: an account document that
/// refers to a shared "common" document by a relative URI.
enum Fixtures {
    static let commonURI = "file:///Cases/schemas/common.schema.json"
    static let accountURI = "file:///Cases/schemas/account.schema.json"

    static let common: JSON = json(
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "common.schema.json",
          "$defs": {
            "objectid": { "description": "A 24 hex-character id.", "type": "string", "format": "objectid" },
            "Date": { "type": "string", "format": "date-time" },
            "E164": { "type": "string", "format": "e164" },
            "ICC": { "type": "string", "format": "icc" },
            "Network": { "description": "Network provider.", "enum": ["TELENOR", "TDC"] }
          }
        }
        """)

    static let account: JSON = json(
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "account.schema.json",
          "title": "MVNO account",
          "type": "object",
          "required": ["_id", "number"],
          "properties": {
            "_id": { "$ref": "common.schema.json#/$defs/objectid", "x-visibility": ["ADMIN"] },
            "number": { "$ref": "common.schema.json#/$defs/E164" },
            "state": { "enum": ["ACTIVE", "CREATING", "DELETING", "BLOCKED"] },
            "startDate": { "$ref": "common.schema.json#/$defs/Date" },
            "feature": {
              "type": "object",
              "properties": {
                "roaming": { "type": "boolean" },
                "data": { "type": "boolean" }
              }
            },
            "mvnoSim": {
              "type": "object",
              "required": ["simNumber"],
              "properties": {
                "simNumber": { "$ref": "common.schema.json#/$defs/ICC" },
                "network": { "$ref": "common.schema.json#/$defs/Network" }
              }
            },
            "socs": { "type": "array", "items": { "type": "string" } },
            "custom": { "type": "object", "additionalProperties": true }
          }
        }
        """)

    static func json(_ text: String) -> JSON {
        do {
            return try JSONParser.parse(text)
        } catch {
            preconditionFailure("fixture: \(error)")
        }
    }

    static func registry() throws -> SchemaRegistry {
        var r = SchemaRegistry()
        try r.register(common, uri: commonURI)
        try r.register(account, uri: accountURI)
        return r
    }

    static func accountSchema(assertFormats: Bool = true, undescribed: Bool = false) throws -> CompiledSchema {
        try registry().compile(
            accountURI,
            options: ValidationOptions(assertFormats: assertFormats, reportUndescribedProperties: undescribed))
    }

    /// A valid account, to be broken one way at a time.
    static let validAccount: JSON = json(
        """
        {
          "_id": "5f1e0b9c2a4d3e6f7a8b9c0d",
          "number": "+4512345678",
          "state": "ACTIVE",
          "startDate": "2023-12-02T05:00:00Z",
          "feature": { "roaming": true, "data": false },
          "mvnoSim": { "simNumber": "8945020012345678901", "network": "TDC" },
          "socs": ["SOC1"]
        }
        """)

    static func account(_ edit: (inout JSONObject) -> Void) -> JSON {
        guard case .object(var o) = validAccount else { preconditionFailure() }
        edit(&o)
        return .object(o)
    }

    static func setting(_ pointer: JSONPointer, to value: JSON?, in doc: JSON) -> JSON {
        guard let first = pointer.tokens.first else { return value ?? .null }
        guard case .object(var o) = doc else { preconditionFailure("not an object") }
        let rest = JSONPointer(tokens: Array(pointer.tokens.dropFirst()))
        if rest.tokens.isEmpty {
            o[first] = value
        } else {
            o[first] = setting(rest, to: value, in: o[first] ?? .object(JSONObject()))
        }
        return .object(o)
    }
}
