import JSONKit

/// Replaces every occurrence of a secret (a credential value) with `***`.
/// Every string a report can show passes through one of these.
public struct Redactor: Sendable {
    let secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a secret that contains another is replaced whole.
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    public func callAsFunction(_ s: String) -> String {
        var out = s
        for secret in secrets where out.containsText(secret) {
            out = out.replacingOccurrences(secret, "***")
        }
        return out
    }
}

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
