import JSONKit

/// Response fields whose values are masked in reports: SIM codes, the
/// voicemail pin, eSIM activation codes, and MitID identity data.
public enum SensitiveFields {
    public static let names: Set<String> = ["pin1", "pin2", "puk1", "puk2", "pin", "activationCode", "mitId"]

    public static func mask(_ v: JSON) -> JSON {
        switch v {
        case .object(let o):
            return .object(
                JSONObject(
                    o.map { m in
                        if names.contains(m.key), !m.value.isNull { return .init(key: m.key, value: "***") }
                        return .init(key: m.key, value: mask(m.value))
                    }))
        case .array(let a): return .array(a.map(mask))
        default: return v
        }
    }
}
