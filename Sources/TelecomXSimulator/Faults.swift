/// A named, realistic way for the simulator to depart from the docs. Running
/// the suite against a fault proves that some case notices it.
public struct Fault: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The endpoint the fault affects (`*` for all).
    public var endpoint: String
    public var summary: String

    public var description: String { name }

    public static let catalogue: [Fault] = [
        Fault(name: "get-not-found-status", endpoint: "mvno-account-get", summary: "an unknown account answers 400 instead of 404"),
        Fault(name: "get-not-found-message", endpoint: "mvno-account-get", summary: "an unknown account answers 404 with message 'not_found' instead of 'mvnoAccount'"),
        Fault(name: "get-drop-number", endpoint: "mvno-account-get", summary: "the account is returned without its 'number'"),
        Fault(name: "get-wrong-enum", endpoint: "mvno-account-get", summary: "state is 'Active' (not one of the documented values)"),
        Fault(name: "get-bool-as-number", endpoint: "mvno-account-get", summary: "feature.data is 1 instead of true"),
        Fault(name: "get-short-id", endpoint: "mvno-account-get", summary: "_id has 23 hex characters"),
        Fault(name: "get-bad-date", endpoint: "mvno-account-get", summary: "startDate is '2020-20-20T00:00:00Z'"),
        Fault(name: "get-leak-restricted", endpoint: "mvno-account-get", summary: "ADMIN-only and RESELLER-only fields are shown to every role"),
        Fault(name: "get-cross-tenant", endpoint: "mvno-account-get", summary: "any authenticated user may read any account"),
        Fault(name: "get-by-number-broken", endpoint: "mvno-account-get", summary: "lookup by E.164 number answers 404"),
        Fault(name: "wrong-content-type", endpoint: "*", summary: "JSON bodies are sent as text/plain"),
        Fault(name: "unauthenticated-allowed", endpoint: "*", summary: "requests without a token are served as ADMIN"),
    ]

    public static func named(_ name: String) -> Fault? { catalogue.first { $0.name == name } }
}
