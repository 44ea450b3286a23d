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
        Fault(name: "get-renamed-row", endpoint: "mvno-account-get", summary: "restOfWorldRoaming is sent as restOfWorld (the name the page's example uses), same content"),
        Fault(name: "get-deleting-as-deleted", endpoint: "mvno-account-get", summary: "an account in state DELETING is reported with state 'DELETED' (not one of the documented values)"),
        Fault(name: "get-by-number-broken", endpoint: "mvno-account-get", summary: "lookup by E.164 number answers 404"),
        Fault(name: "wrong-content-type", endpoint: "*", summary: "JSON bodies are sent as text/plain"),
        Fault(name: "unauthenticated-allowed", endpoint: "*", summary: "requests without a token are served as ADMIN"),
        Fault(name: "create-duplicate-number", endpoint: "mvno-account-create", summary: "a number in use on another account is sold again (200 instead of 409 number)"),
        Fault(name: "create-in-use-422", endpoint: "mvno-account-create", summary: "a number in use on another account answers 422 instead of 409"),
        Fault(name: "create-customer-message", endpoint: "mvno-account-create", summary: "an unknown customer answers 404 with message 'not_found' instead of 'customer'"),
        Fault(name: "create-fiveg-default-false", endpoint: "mvno-account-create", summary: "an omitted feature.fiveG is stored false (documented default true)"),
        Fault(name: "create-explicit-false-ignored", endpoint: "mvno-account-create", summary: "feature flags sent explicitly are overwritten by the documented defaults"),
        Fault(name: "create-custom-unbounded", endpoint: "mvno-account-create", summary: "custom data over 4 KB is accepted"),
        Fault(name: "create-custom-limit-3999", endpoint: "mvno-account-create", summary: "custom data over 3999 bytes is rejected (one byte below the 4000 of the strictest reading of 4Kb)"),
        Fault(name: "create-custom-limit-4097", endpoint: "mvno-account-create", summary: "custom data of 4097 bytes is accepted (one byte over 4096)"),
        Fault(name: "create-custom-limit-8k", endpoint: "mvno-account-create", summary: "custom data is accepted up to 8 KB (8192 bytes)"),
        Fault(name: "create-icc-max-19", endpoint: "mvno-account-create", summary: "an mvnoSim ICC of 20 digits answers 422 mvnoSim (the documented 18-20 read as 18-19)"),
        Fault(name: "create-500-on-bad-type", endpoint: "mvno-account-create", summary: "a field of the wrong type (pbx as a string) answers 500 internal_error instead of a 4xx"),
        Fault(name: "create-past-start-date", endpoint: "mvno-account-create", summary: "a startDate in the past is accepted"),
        Fault(name: "create-sim-exclusivity", endpoint: "mvno-account-create", summary: "mvnoSim, esim and autoAssignSim together are accepted (the first wins)"),
        Fault(name: "create-blocked-customer", endpoint: "mvno-account-create", summary: "accounts may be created for a blocked customer"),
        Fault(name: "create-cross-tenant", endpoint: "mvno-account-create", summary: "an OWNER or RESELLER may create accounts for any customer"),
        Fault(name: "create-viewer-allowed", endpoint: "mvno-account-create", summary: "VIEWER and MANAGER may create accounts for their customer"),
        Fault(name: "create-leak-restricted", endpoint: "mvno-account-create", summary: "the create answer shows socs, socsOverride, purchaseInfo and notes to every role"),
        Fault(name: "create-pbx-as-string", endpoint: "mvno-account-create", summary: "pbx in the create answer is a string (\"0\") instead of a number"),
        Fault(name: "create-not-persisted", endpoint: "mvno-account-create", summary: "the created account is answered but not stored: GET by id or number answers 404"),
        Fault(name: "create-porting-as-in-use", endpoint: "mvno-account-create", summary: "a ported-in number is reported numberState IN_USE without a porting id"),
        Fault(name: "create-premium-for-all", endpoint: "mvno-account-create", summary: "premium numbers are sold to every role, not only ADMIN"),
        Fault(name: "create-renamed-topup-sms", endpoint: "mvno-account-create", summary: "feature.dataTopUpSms is answered as feature.sendTopUpSms (the name the get page's example uses), same value"),
        Fault(name: "create-no-body-500", endpoint: "mvno-account-create", summary: "a request without a body answers 500 internal_error instead of 400 bad_request"),
        Fault(name: "create-sim-reusable", endpoint: "mvno-account-create", summary: "a SIM given as mvnoSim stays available after the account is created"),
        Fault(name: "deleted-offset-off-by-one", endpoint: "mvno-deleted-list", summary: "each page starts one item after the offset asked for, so walking the pages skips items"),
        Fault(name: "deleted-limit-ignored", endpoint: "mvno-deleted-list", summary: "every page holds up to 100 items whatever limit asks (limit is echoed, not applied)"),
        Fault(name: "deleted-max-not-enforced", endpoint: "mvno-deleted-list", summary: "limit above 500 is not held to the documented max: limit=1000 answers limit 1000 and 650 items"),
        Fault(name: "deleted-limit-max-499", endpoint: "mvno-deleted-list", summary: "limit is held to 499 instead of the documented max 500: limit=500 answers limit 499"),
        Fault(name: "deleted-limit-min-2", endpoint: "mvno-deleted-list", summary: "limit is held to at least 2 instead of the documented min 1: limit=1 answers limit 2 and two items"),
        Fault(name: "deleted-default-limit-50", endpoint: "mvno-deleted-list", summary: "without limit, pages hold 50 items and limit answers 50 instead of the documented default 100"),
        Fault(name: "deleted-filter-ignored", endpoint: "mvno-deleted-list", summary: "filter is ignored: every deleted account is listed"),
        Fault(name: "deleted-filter-skips-imsi-notes", endpoint: "mvno-deleted-list", summary: "filter searches number, deviceType and simNumber only, not the documented IMSI and notes"),
        Fault(name: "deleted-total-is-page-count", endpoint: "mvno-deleted-list", summary: "total counts the items of the page instead of every match"),
        Fault(name: "deleted-cross-reseller-leak", endpoint: "mvno-deleted-list", summary: "RESELLER_ADMIN sees the deleted accounts of every reseller, not only its own"),
        Fault(name: "deleted-preterminate-29-days", endpoint: "mvno-deleted-list", summary: "preterminateUntil is 29 days after deleted instead of 30"),
        Fault(name: "deleted-admin-fields-leak", endpoint: "mvno-deleted-list", summary: "socs, socsOverride and socLimit (ADMIN only) are shown to RESELLER_ADMIN"),
        Fault(name: "deleted-admin-denied", endpoint: "mvno-deleted-list", summary: "ADMIN is answered 403 access_denied (only RESELLER_ADMIN is let in)"),
        Fault(name: "deleted-reseller-allowed", endpoint: "mvno-deleted-list", summary: "RESELLER (not RESELLER_ADMIN) may list its reseller's deleted accounts"),
        Fault(name: "deleted-state-deleted", endpoint: "mvno-deleted-list", summary: "state is 'DELETED' (not one of the documented values)"),
        Fault(name: "create-custom-limit-4050", endpoint: "mvno-account-create", summary: "custom data over 4050 bytes is rejected: 4001 bytes are taken (only a 4096-byte Kb allows that) and 4096 refused (only a 1000-byte Kb allows that), two readings of 4Kb in one server"),
        Fault(name: "deleted-filter-case-mixed", endpoint: "mvno-deleted-list", summary: "filter matches notes in any letter case but number, deviceType, ICC and IMSI in exact case only: two readings of the filter's letter case in one server"),
    ]

    public static func named(_ name: String) -> Fault? { catalogue.first { $0.name == name } }
}
