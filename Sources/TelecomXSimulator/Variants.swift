import Foundation
import JSONKit

/// A named way for the simulator to behave that the docs allow but that
/// differs from its default: the mirror of `Fault`. Running the suite against
/// a variant proves that no case fails a server for something the pages leave
/// free. A variant never makes the simulator depart from what the pages state.
public struct Variant: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var summary: String
    /// Why a conforming server may do this: the doc text that allows it
    /// (quoted from ../shared/api-docs/, with the page), or why it is free.
    public var allowedBy: String

    /// The alternative of a reading (`Cases/readings.json`) the variant takes;
    /// nil for a freedom the docs leave (framing, member order, empty values…),
    /// which `allowedBy` names.
    public var takes: ReadingOption? = nil

    /// When the variant's answers differ from the default, if not always
    /// (e.g. only across a DST change): a whole-suite run on an ordinary day
    /// cannot see it take its alternative, so a test with the simulator's
    /// clock set there does (named here).
    public var differsOnlyWhen: String? = nil

    /// An option of a reading: its id and the option's id.
    public struct ReadingOption: Sendable, Hashable, CustomStringConvertible {
        public var reading: String
        public var option: String
        public var description: String { "\(reading)=\(option)" }
    }

    static func reading(_ reading: String, _ option: String) -> ReadingOption { ReadingOption(reading: reading, option: option) }

    public var description: String { name }

    /// "Every variant on": every freedom, and for each reading the first
    /// variant of the catalogue that takes one of its alternatives (two
    /// alternatives of one reading exclude each other; each is run alone).
    public static var allOn: [Variant] {
        var seen = Set<String>()
        return catalogue.filter { v in v.takes.map { seen.insert($0.reading).inserted } ?? true }
    }

    public static let catalogue: [Variant] = [
        Variant(
            name: "null-for-empty",
            summary: "every documented property without a value is sent as null (top level and inside sent objects, also role-restricted fields hidden from the caller), on GET /mvno/{id}, the POST /mvno answer and every item of GET /mvno/deleted",
            allowedBy: "The pages' own examples send empty properties as null: mvno-account-get.txt \"extension: null, … custom: null, … name: null, listed: false, porting: null\"; mvno-deleted-list.txt \"pbx: null, extension: null, extensionNumber: null, … name: null, porting: null, … deleteDate: null\"."),
        Variant(
            name: "omit-empty",
            summary: "properties without a value (null, empty list, empty object, empty text) are left out of every account object, also those the simulator sends as null by default (mvnoSimNetworkChangeTo, pbx, deleteDate)",
            allowedBy: "All three pages: \"Note that properties holding no value may be omitted from the object.\""),
        Variant(
            name: "create-201",
            summary: "POST /mvno answers 201 Created instead of 200",
            allowedBy: "mvno-account-create.txt gives no status: \"The response will be the newly created MVNO account, if no errors occurred.\" RFC 9110 §15.3.2: 201 is the status for a request that created a resource. (reading create-success-status)",
            takes: reading("create-success-status", "201")),
        Variant(
            name: "create-202",
            summary: "POST /mvno answers 202 Accepted instead of 200, with the account as it stands (create-201 wins when both are on)",
            allowedBy: "mvno-account-create.txt gives no status: \"The response will be the newly created MVNO account, if no errors occurred.\" and documents the state a created account may be in: \"Allowed values are 'ACTIVE', 'CREATING', 'DELETING', 'BLOCKED'.\" A stack that provisions asynchronously answers 202 (RFC 9110 §15.3.3). (reading create-success-status)",
            takes: reading("create-success-status", "202")),
        Variant(
            name: "reseller-admin-as-reseller",
            summary: "RESELLER_ADMIN counts as a RESELLER of its own reseller on GET /mvno/{id} and POST /mvno: it may read and create its reseller's customers' accounts and sees what RESELLER sees (notes)",
            allowedBy: "The access lines name levels, not whether they are hierarchical: mvno-account-get.txt \"RESELLER if customer belongs to the reseller. ADMIN.\", mvno-account-create.txt \"RESELLER if customer belongs to the reseller. ADMIN.\", and notes is \"(RESELLER/ADMIN only)\"; a RESELLER_ADMIN is a reseller's user, so reading the levels as hierarchical is open. (reading reseller-admin-access)",
            takes: reading("reseller-admin-access", "as-reseller")),
        Variant(
            name: "reseller-authorizes-porting",
            summary: "a RESELLER may send portingReady: true for a port-in (default: only the customer's OWNER or ADMIN)",
            allowedBy: "mvno-account-create.txt has the row \"403 | number | Insufficient access level to authorize porting of number\" but does not say which levels may authorize porting; \"portingReady | Boolean | True if porting shall be set to stage IN_READY.\" names no level. (reading porting-authorization)",
            takes: reading("porting-authorization", "reseller-may")),
        Variant(
            name: "error-envelope",
            summary: "error bodies are {\"error\": {\"code\": MESSAGE, \"text\": DESCRIPTION, \"status\": STATUS}}: the message at /error/code (profile Cases/targets/simulator-envelope.json)",
            allowedBy: "The pages give each error's status, message and description in their Errors tables but never the body's shape (\"| Error code | Message | Description |\"); targets name where the message is with errorMessagePointer."),
        Variant(
            name: "errors-array",
            summary: "error bodies are {\"errors\": [{\"code\": STATUS, \"message\": MESSAGE, \"description\": DESCRIPTION}]}: the message at /errors/0/message (profile Cases/targets/simulator-errors-array.json; error-envelope wins when both are on)",
            allowedBy: "The pages give each error's status, message and description in their Errors tables but never the body's shape (\"| Error code | Message | Description |\"); targets name where the message is with errorMessagePointer."),
        Variant(
            name: "x-auth-token",
            summary: "the credential travels only in the header X-Auth-Token (no prefix); ?token=, Authorization: Bearer and the cookie token= are ignored, so a request carrying only them answers 401 (profile Cases/targets/simulator-x-auth-token.json)",
            allowedBy: "The pages never say how a credential travels (none of mvno-account-get.txt, mvno-account-create.txt, mvno-deleted-list.txt names a token, header or cookie); a vendor may choose any header."),
        Variant(
            name: "chunked",
            summary: "answers are sent with Transfer-Encoding: chunked, in three chunks, instead of Content-Length",
            allowedBy: "The pages say nothing about framing; HTTP/1.1 lets a server choose chunked transfer coding for any response to an HTTP/1.1 request (RFC 9112 §6.1, §7.1)."),
        Variant(
            name: "connection-close",
            summary: "every answer carries Connection: close and the server closes the connection after it",
            allowedBy: "The pages say nothing about connections; HTTP/1.1 lets a server close after any response it marks Connection: close (RFC 9112 §9.6)."),
        Variant(
            name: "dates-no-millis",
            summary: "date-times are sent without milliseconds when they have none (2015-01-01T00:00:00Z instead of 2015-01-01T00:00:00.000Z)",
            allowedBy: "The pages type dates as \"Date\" without a format, and their own examples write both: mvno-account-get.txt \"invoicedUntil: '2015-01-01T00:00:00.000Z'\" and \"purchaseInfo: { … date: '2020-20-20T00:00:00Z'\" (a day that does not exist, but written without milliseconds); RFC 3339 makes the fraction optional (time-secfrac)."),
        Variant(
            name: "dates-offset",
            summary: "date-times are sent with a +01:00 offset, the same instant (2015-01-01T01:00:00.000+01:00 for 2015-01-01T00:00:00.000Z)",
            allowedBy: "The pages type dates as \"Date\" without a time zone rule; RFC 3339 §5.6 allows a numeric offset (time-numoffset) in place of Z, and the server is Danish (CET is +01:00)."),
        Variant(
            name: "lowercase-ids",
            summary: "24-hex ids are sent in lowercase hex; accounts (GET /mvno/{id}) and customers (POST /mvno) are found whatever the letter case of their id",
            allowedBy: "mvno-account-get.txt: \"Id of the MVNO account (24 hex-char string)\"; the pages do not fix the case of the hex digits (their examples write upper case: '1234567890ABCDEF12345678')."),
        Variant(
            name: "uppercase-ids",
            summary: "24-hex ids are sent in upper case hex, as the pages' examples write them (wins over lowercase-ids when both are on); accounts and customers are found whatever the letter case of their id",
            allowedBy: "mvno-account-get.txt: \"Id of the MVNO account (24 hex-char string)\" does not fix the case of the hex digits, and the page's own examples write upper case: \"Query example https://api.telecomx.dk/mvno/1234567890ABCDEF12345678\", \"_id: '1234567890ABCDEF12345678'\"."),
        Variant(
            name: "reordered-members",
            summary: "the members of every object are sent in reverse order",
            allowedBy: "The pages fix no member order; RFC 8259 §1: \"An object is an unordered collection of zero or more name/value pairs\"."),
        Variant(
            name: "optional-members",
            summary: "documented members the simulator leaves out are added with inert values of their documented types: socsOverride[].startEOM and setBySystem false (deleted list: startEOM only), info.updating/dataDisabled/usageBlock false, topUp.data 0 (dnd and voicemail: see only-if-inert)",
            allowedBy: "The response tables document them: mvno-account-get.txt \"socsOverride[].startEOM | Boolean\", \"socsOverride[].setBySystem | Boolean\", \"info.usageBlock | Boolean\", \"topUp | Object\" with \"data | Number | … Reset every month.\"; mvno-deleted-list.txt \"socsOverride[].startEOM Boolean\"."),
        Variant(
            name: "base64-tokens",
            summary: "the demo tokens are base64-like and end in +/== (one per role); they are accepted as Authorization: Bearer … and as the cookie token=… byte for byte (profiles Cases/targets/simulator-bearer.json, simulator-cookie.json)",
            allowedBy: "The pages pass a token but do not say what one looks like; base64 (RFC 4648 §4) uses + / and = padding, and RFC 6750 §2.1 allows them in a Bearer token (b64token)."),
        Variant(
            name: "exact-case-filter",
            summary: "the GET /mvno/deleted filter matches exact letter case only ('fairphone' does not find 'Fairphone 5')",
            allowedBy: "mvno-deleted-list.txt: \"filter [optional] To filter the MVNO accounts, this can be used. Number, deviceType, simNumber (ICC), IMSI and notes will be searched.\" It says what is searched, not whether letter case counts. (reading filter-letter-case)",
            takes: reading("filter-letter-case", "exact-case")),
        Variant(
            name: "limit-rejected",
            summary: "GET /mvno/deleted answers 400 bad_request to a limit outside 1…500 instead of holding it to the bounds",
            allowedBy: "mvno-deleted-list.txt: \"limit [optional] The number of MVNO accounts to return, default 100, min 1, max 500.\" gives the bounds but not what a value outside them gets; answering 400 to a request outside documented bounds is common HTTP practice (RFC 9110 §15.5.1). (reading limit-out-of-range)",
            takes: reading("limit-out-of-range", "rejected-400")),
        Variant(
            name: "malformed-id-400",
            summary: "GET /mvno/{ACCOUNT_ID} answers 400 bad_request to an ACCOUNT_ID that is neither 24 hex nor an E.164 number, instead of 404 mvnoAccount",
            allowedBy: "mvno-account-get.txt: \"| Param | ACCOUNT_ID | Id of the MVNO account (24 hex-char string) or E.164 phone number. |\" says what an ACCOUNT_ID is, and the page's only rows are 404 mvnoAccount and 403 access_denied: what a value of neither form gets is open; 400 is HTTP's answer to a malformed request (RFC 9110 §15.5.1). (reading malformed-account-id)",
            takes: reading("malformed-account-id", "400-bad_request")),
        Variant(
            name: "custom-limit-4000",
            summary: "POST /mvno answers 422 custom to custom data over 4000 bytes (a Kb read as 1000 bytes) instead of over 4096",
            allowedBy: "mvno-account-create.txt: \"custom | Object | [optional] custom data that 3rd parties may append, max. 4Kb.\" does not say how many bytes a Kb is (reading custom-size-4kb).",
            takes: reading("custom-size-4kb", "4000-bytes")),
        Variant(
            name: "limit-rejected-422",
            summary: "GET /mvno/deleted answers 422 limit to a limit outside 1…500 instead of holding it to the bounds (limit-rejected wins when both are on)",
            allowedBy: "mvno-deleted-list.txt: \"limit [optional] The number of MVNO accounts to return, default 100, min 1, max 500.\" gives the bounds but no error for a value outside them (reading limit-out-of-range).",
            takes: reading("limit-out-of-range", "rejected-422")),
        Variant(
            name: "limit-out-of-range-default",
            summary: "GET /mvno/deleted reads a limit outside 1…500 as no limit: the page holds the default 100 and limit answers 100 (limit-rejected and limit-rejected-422 win when on)",
            allowedBy: "mvno-deleted-list.txt: \"limit [optional] The number of MVNO accounts to return, default 100, min 1, max 500.\" gives the bounds and a default but no error for a value outside them; a stack that reads an unusable limit as none (JavaScript's `Number(limit) || 100` does so for 0) answers the default (reading limit-out-of-range).",
            takes: reading("limit-out-of-range", "default-100")),
        Variant(
            name: "unauthenticated-401-other",
            summary: "a request without a token is answered 401 with the message 'unauthorized' (not credentials_invalid)",
            allowedBy: "No page of the three says what a request without credentials answers (reading unauthenticated-answer); 401 is HTTP's status for missing credentials (RFC 9110 §15.5.2), the message is the server's.",
            takes: reading("unauthenticated-answer", "401")),
        Variant(
            name: "unauthenticated-403",
            summary: "a request without a token is answered 403 access_denied, the pages' answer for insufficient access (unauthenticated-401-other wins when both are on)",
            allowedBy: "No page of the three says what a request without credentials answers (reading unauthenticated-answer); the pages answer insufficient access with \"| 403 | access_denied | Insufficient access level |\".",
            takes: reading("unauthenticated-answer", "403-access_denied")),
        Variant(
            name: "foreign-number-404",
            summary: "POST /mvno answers a well-formed E.164 number outside the Danish numbering plan with 404 number (Phone number not found)",
            allowedBy: "mvno-account-create.txt has \"| 404 | number | Phone number not found |\" and \"| 422 | number | The number is invalid |\" and does not say which a number the target can never sell gets (reading foreign-number).",
            takes: reading("foreign-number", "404-number")),
        Variant(
            name: "foreign-number-409",
            summary: "POST /mvno answers a well-formed E.164 number outside the Danish numbering plan with 409 number (The number is not available) (foreign-number-404 wins when both are on)",
            allowedBy: "mvno-account-create.txt has \"| 409 | number | The number is not available |\" and does not say which row a number the target can never sell gets (reading foreign-number).",
            takes: reading("foreign-number", "409-number")),
        Variant(
            name: "services-ignored",
            summary: "POST /mvno ignores the member services (the account is created whatever it holds)",
            allowedBy: "services is in no request table of mvno-account-create.txt, only in the row \"| 422 | services | One or more services not found or not valid |\" (reading services-member).",
            takes: reading("services-member", "ignored")),
        Variant(
            name: "newrateplan-ignored",
            summary: "POST /mvno ignores the member newRatePlan (the account is created whatever it holds)",
            allowedBy: "newRatePlan is in the response table of mvno-account-create.txt, not in its request table; only the row \"| 404 | newRatePlan | New rate plan not found or not valid |\" names it (reading newrateplan-member).",
            takes: reading("newrateplan-member", "ignored")),
        Variant(
            name: "customer-missing-400",
            summary: "POST /mvno answers a body without customer with 400 bad_request (MVNO account not found in body of request)",
            allowedBy: "mvno-account-create.txt gives \"| 404 | customer | Customer not found |\" and \"| 400 | bad_request | MVNO account not found in body of request |\" and does not say which a body without customer gets (reading customer-missing).",
            takes: reading("customer-missing", "400-bad_request")),
        Variant(
            name: "data-sharing-over-max-422",
            summary: "POST /mvno answers more than 3 dataSharingSims with 422 dataSharingSims instead of 400 bad_request",
            allowedBy: "mvno-account-create.txt: \"List of add-on data sharing SIM cards, max 3, TDC network only.\" gives no error row for a fourth (reading data-sharing-sims-over-max).",
            takes: reading("data-sharing-sims-over-max", "rejected-422")),
        Variant(
            name: "unnamed-member-ignored",
            summary: "POST /mvno ignores a member of the wrong type, format or enum when no error row names it (feature.mms: 1, notes: true…): the account is created as if it had not been sent",
            allowedBy: "The request table of mvno-account-create.txt gives each member's type but no row for a wrong one (e.g. \"| notes | String | Note about the account (RESELLER/ADMIN only). |\"); reading generated-negative-answer.",
            takes: reading("generated-negative-answer", "ignored")),
        Variant(
            name: "owner-may-not-authorize-porting",
            summary: "RESELLER and ADMIN may send portingReady: true for a port-in; the customer's OWNER is answered 403 number",
            allowedBy: "mvno-account-create.txt: \"| 403 | number | Insufficient access level to authorize porting of number |\" names no level (reading porting-authorization).",
            takes: reading("porting-authorization", "owner-may-not")),
        Variant(
            name: "only-admin-authorizes-porting",
            summary: "only ADMIN may send portingReady: true for a port-in; OWNER and RESELLER are answered 403 number (reseller-authorizes-porting and owner-may-not-authorize-porting win when on)",
            allowedBy: "mvno-account-create.txt: \"| 403 | number | Insufficient access level to authorize porting of number |\" names no level (reading porting-authorization).",
            takes: reading("porting-authorization", "admin-only")),
        Variant(
            name: "reseller-rate-plans",
            summary: "a rate plan belongs to a reseller: ratePlan or newRatePlan of another reseller's plan answers 404 ratePlan / 404 newRatePlan (5d1…05 is reseller 2's, the others reseller 1's)",
            allowedBy: "mvno-account-create.txt: \"| 404 | ratePlan | Rate plan not found or not valid |\" does not say valid for whom (reading rate-plan-scope).",
            takes: reading("rate-plan-scope", "reseller-plans")),
        Variant(
            name: "nosim-without-sim-object",
            summary: "an account created with nosim has no mvnoSim in the create answer nor in GET (the network chosen is not shown)",
            allowedBy: "mvno-account-create.txt: \"If created without sim should be used, leave ICC blank and set this to the network to use: TDC or TELENOR.\" says what to send, not what mvnoSim then holds (reading nosim-answer).",
            takes: reading("nosim-answer", "no-mvnoSim")),
        Variant(
            name: "port-in-without-donor-sim",
            summary: "a port-in without donorSimNumber is created (numberState PORTING_IN, no donor SIM)",
            allowedBy: "mvno-account-create.txt: \"| donorSimNumber | String | [optional] ICC number of the SIM card at the donor operator that currently has the phone number to port. |\" (reading donor-sim-optional).",
            takes: reading("donor-sim-optional", "optional")),
        Variant(
            name: "trunk-conflict-sip-account",
            summary: "POST /mvno answers extension and sipAccount in one request with 409 extension, and takes an extension that is on a trunk elsewhere",
            allowedBy: "mvno-account-create.txt: \"| 409 | extension | Cannot be assigned to extension, is already assigned to trunk |\" does not say which combination is on a trunk (reading trunk-conflict).",
            takes: reading("trunk-conflict", "with-sip-account")),
        Variant(
            name: "trunk-conflict-either",
            summary: "POST /mvno answers 409 extension both to an extension already on a trunk and to extension with sipAccount in one request (trunk-conflict-sip-account wins when both are on)",
            allowedBy: "mvno-account-create.txt: \"| 409 | extension | Cannot be assigned to extension, is already assigned to trunk |\" does not say which combination is on a trunk (reading trunk-conflict).",
            takes: reading("trunk-conflict", "either")),
        Variant(
            name: "billing-customer-owner-only-ignored",
            summary: "POST /mvno ignores billingCustomer sent by a level other than OWNER (the account is created without it)",
            allowedBy: "mvno-account-create.txt: \"| billingCustomer | ObjectID | Alternate customer to bill this MVNO to (OWNER only). |\" has no row for another level sending it (reading owner-only-billing-customer).",
            takes: reading("owner-only-billing-customer", "ignored")),
        Variant(
            name: "billing-customer-owner-only-refused",
            summary: "POST /mvno answers billingCustomer sent by a level other than OWNER with 403 access_denied (wins over billing-customer-owner-only-ignored)",
            allowedBy: "mvno-account-create.txt: \"| billingCustomer | ObjectID | Alternate customer to bill this MVNO to (OWNER only). |\" has no row for another level sending it (reading owner-only-billing-customer).",
            takes: reading("owner-only-billing-customer", "refused")),
        Variant(
            name: "restricted-members-refused",
            summary: "POST /mvno answers notes from a level other than RESELLER/ADMIN, and purchaseInfo or socsOverride from a level other than ADMIN, with 403 access_denied (instead of ignoring them)",
            allowedBy: "mvno-account-create.txt: \"| notes | String | Note about the account (RESELLER/ADMIN only). |\", \"| Purchase Info (ADMIN only) |\" say who may, not what another level's value gets (reading restricted-member-other-level).",
            takes: reading("restricted-member-other-level", "refused")),
        Variant(
            name: "auto-assign-sim-network-only",
            summary: "POST /mvno takes autoAssignSim only as a network name (TDC or TELENOR): true is answered 422 mvnoSim",
            allowedBy: "mvno-account-create.txt: \"| autoAssignSim | Boolean | If an auto-assign SIM should be used, leave mvnoSim and esim blank, and set this property either TDC or TELENOR. |\" types it Boolean and says to set a network (reading auto-assign-sim-true).",
            takes: reading("auto-assign-sim-true", "rejected")),
        Variant(
            name: "deleted-account-readable",
            summary: "GET /mvno/{id} and GET /mvno/{number} of a deleted, still recoverable account answer 200 with the account (its SIM's ICC and IMSI, its notes) instead of 404 mvnoAccount",
            allowedBy: "mvno-account-get.txt: \"This request will return the specified MVNO account.\" does not say whether a deleted account is found; mvno-deleted-list.txt: \"the list of deleted MVNO accounts that can still be recovered\" keeps them on the server. No case asserts either answer; the preflight reads it to confirm deleted.filter.imsi and deleted.filter.notes."),
        Variant(
            name: "preterminate-danish-days",
            summary: "GET /mvno/deleted counts preterminateUntil as 30 calendar days in Danish time (Europe/Copenhagen) after deleted: the same wall-clock time, so 719 or 721 hours across a DST change",
            allowedBy: "mvno-deleted-list.txt: \"This date is 30 days from when the voice account was deleted.\" does not say whether a day is 24 hours or a calendar day, nor in which time zone; the vendor is Danish (reading preterminate-days).",
            takes: reading("preterminate-days", "danish-calendar-days"),
            differsOnlyWhen: "a deleted account's 30 days span a DST change (end of March or October); PreterminateDaysTests sets the simulator's clock to April 2026"),
        Variant(
            name: "type-errors-400",
            summary: "POST /mvno answers a member holding a value of the wrong JSON type (pbx: [1], number: true, feature.mms: \"maybe\") with 400 bad_request, also where a row of the member says its value is invalid (reading generated-negative-answer, option bad-request)",
            allowedBy: "mvno-account-create.txt: \"| 400 | bad_request | MVNO account not found in body of request |\": a body whose member has another type than the request table's is not an MVNO account, as a stack that checks types before it reads the account answers (reading generated-negative-answer).",
            takes: reading("generated-negative-answer", "bad-request")),
        Variant(
            name: "type-errors-member-named",
            summary: "POST /mvno answers a member holding a value of the wrong JSON type with 422 and the member's dotted name as the message (422 feature.mms, 422 pbx, 422 customer) (reading generated-negative-answer, option member-named)",
            allowedBy: "mvno-account-create.txt's error table names the member at fault in every message (\"| 422 | number |\", \"| 404 | mvnoSim |\", \"| 404 | dataSharingSims.simNumber |\"…); applying that convention to a wrongly typed member the table does not list is the pages' own habit (reading generated-negative-answer).",
            takes: reading("generated-negative-answer", "member-named")),
        Variant(
            name: "type-errors-not-found",
            summary: "POST /mvno answers a malformed id in customer, sipAccount, extension or ratePlan (a value of the wrong JSON type) with the member's 404 not-found row, as a stack that looks the id up before it checks its type (reading generated-negative-answer, option other-4xx)",
            allowedBy: "mvno-account-create.txt: \"| 404 | ratePlan | Rate plan not found or not valid |\", \"| 404 | customer | Customer not found |\"…: an id no account has is not found, and the page does not say that a malformed one is answered otherwise (reading generated-negative-answer).",
            takes: reading("generated-negative-answer", "other-4xx")),
        Variant(
            name: "notes-mention-devices",
            summary: "GET /mvno/deleted: the notes of one deleted account in five name another phone than its deviceType (\"Replaced the Nokia G22 by a new subscription\" on an Apple iPhone 15; never the Fairphone 5, which deleted.filter.deviceType promises is in no notes), so a filter by a phone also finds accounts whose listed fields do not show it",
            allowedBy: "mvno-deleted-list.txt: \"Number, deviceType, simNumber (ICC), IMSI and notes will be searched.\" Notes are free text (mvno-account-get.txt: \"notes | String | Note about the account\"), and the list item does not show them, nor the IMSI."),
        Variant(
            name: "only-if-inert",
            summary: "members shown \"only if\" are shown outside their condition holding a value that sets nothing (default: left out): dnd false unless pbx > 0 (GET /mvno/{id}, the POST /mvno answer, every item of GET /mvno/deleted); voicemail with notify NONE unless feature.voicemail is true and there is neither sipAccount nor pbx (GET and the create answer)",
            allowedBy: "The pages' own example shows dnd beside a pbx of 0: mvno-account-get.txt \"pbx: 0, extension: null, dnd: false\"; a Boolean column is always serialized, and voicemail settings are kept while not in use (reading only-if-presence).",
            takes: reading("only-if-presence", "inert-otherwise")),
    ]

    public static func named(_ name: String) -> Variant? { catalogue.first { $0.name == name } }
}

extension TelecomXSimulator {
    /// Under `deleted-account-readable`: a deleted, still recoverable account
    /// found by its id or number, as GET /mvno/{id} shows an account (its SIM
    /// with ICC and IMSI, its notes), from what the deleted list keeps of it.
    func deletedAccount(_ key: String) -> JSON? {
        let d: DeletedAccount?
        if isObjectID(key) {
            d = deletedAccounts.first { $0.id.lowercased() == key.lowercased() }
        } else if isE164(key) {
            d = deletedAccounts.first { $0.number == key }
        } else {
            d = nil
        }
        guard let d else { return nil }
        var o = JSONObject()
        for k in ["_id", "customer", "state"] { o[k] = d.document[k] }
        o["type"] = "MVNO"
        for k in ["number", "ratePlan", "numberState", "startDate"] {
            if let v = d.document[k], !v.isNull { o[k] = v }
        }
        var sim = JSONObject()
        if let icc = d.document["simNumber"], !icc.isNull { sim["simNumber"] = icc }
        sim["imsi"] = .string(d.imsi)
        o["mvnoSim"] = .object(sim)
        if let notes = d.notes { o["notes"] = .string(notes) }
        return .object(o)
    }
}

// MARK: the variants, each in one place

extension TelecomXSimulator {
    func varies(_ variant: String) -> Bool { variants.contains(variant) }

    /// The access level a caller is judged by on GET /mvno/{id} and POST /mvno:
    /// RESELLER for a RESELLER_ADMIN under `reseller-admin-as-reseller`.
    func level(of caller: Employee) -> String {
        caller.accessLevel == "RESELLER_ADMIN" && varies("reseller-admin-as-reseller") ? "RESELLER" : caller.accessLevel
    }

    /// The demo token of `employee` under the simulator's variants.
    func token(of employee: Employee) -> String {
        varies("base64-tokens") ? Self.base64Token(employee.token) : employee.token
    }

    /// Demo tokens by role name, as `conformance serve` prints them and the
    /// embedded simulator hands them to the runner.
    public var tokensByRole: [(role: String, token: String)] {
        seed.employeesByRole.map { ($0.role, token(of: $0.employee)) }
    }

    /// `sim-owner-c1-token` → `c2ltLW93bmVyLWMxLXRva2Vu+/==`: its base64 without padding, then `+/==`.
    static func base64Token(_ token: String) -> String {
        let b = Data(token.utf8).base64EncodedString()
        return String(b.prefix { $0 != "=" }) + "+/=="
    }

    /// Which documented object a body is, for the variants that fill in or leave out members.
    enum DocumentedObject {
        case account
        case createAnswer
        case deletedItem

        /// The members of the page's response table: top level, and inside
        /// objects (`a.b`) and list items (`a[].b`). Rows whose nesting the
        /// page leaves ambiguous (`data`, `minutes`, the second `invoicedUntil`)
        /// are named only where the simulator puts them (`topUp.data`,
        /// `socLimit.data`, `smartWatch.invoicedUntil`).
        var documentedMembers: [String] {
            switch self {
            case .account: return DocumentedMembers.account
            case .createAnswer: return DocumentedMembers.createAnswer
            case .deletedItem: return DocumentedMembers.deletedItem
            }
        }
    }

    /// The member variants of one account object (GET, the create answer, a
    /// deleted item), applied after what the caller may see has been decided.
    func presented(_ body: JSON, as kind: DocumentedObject) -> JSON {
        guard case .object(var o) = body else { return body }
        if varies("optional-members") { addOptionalMembers(&o, kind) }
        // "only if": left out outside the condition (the suite's reading), or shown inert (only-if-inert).
        if varies("only-if-inert") { showInertOutsideCondition(&o, kind) } else { leaveOutOutsideCondition(&o) }
        // With both on, each object kind takes one: nulls for GET and the create answer, omission for the deleted list.
        let nulls = varies("null-for-empty") && !(varies("omit-empty") && kind == .deletedItem)
        if nulls {
            for path in kind.documentedMembers { fillNull(&o, path: path[...]) }
        } else if varies("omit-empty") {
            o = omittingEmpty(o)
        }
        return .object(o)
    }

    func addOptionalMembers(_ o: inout JSONObject, _ kind: DocumentedObject) {
        if case .array(let list)? = o["socsOverride"] {
            o["socsOverride"] = .array(
                list.map { item in
                    guard case .object(var s) = item else { return item }
                    if s["startEOM"] == nil { s["startEOM"] = false }
                    if kind != .deletedItem, s["setBySystem"] == nil { s["setBySystem"] = false }
                    return .object(s)
                })
        }
        guard kind != .deletedItem else { return }
        var info = o["info"]?.objectValue ?? JSONObject()
        for k in ["updating", "dataDisabled", "usageBlock"] where info[k] == nil { info[k] = false }
        o["info"] = .object(info)
        if o["topUp"] == nil { o["topUp"] = ["data": 0] }
    }

    /// Whether pbx and voicemail's conditions hold: "(only if pbx>0)", and
    /// "only if feature.voicemail is active and sipAccount and pbx is not".
    static func onlyIfConditions(_ o: JSONObject) -> (pbx: Bool, voicemail: Bool) {
        let pbx = (o["pbx"]?.numberValue ?? 0) > 0
        let active = o["feature"]?.objectValue?["voicemail"] == .bool(true)
        let trunk = !(o["sipAccount"]?.isNull ?? true) && o["sipAccount"] != .string("")
        return (pbx, active && !trunk && !pbx)
    }

    /// By default: dnd left out unless pbx > 0, voicemail unless its
    /// condition holds (what is stored stays; an answer shows it only then).
    func leaveOutOutsideCondition(_ o: inout JSONObject) {
        let holds = Self.onlyIfConditions(o)
        if !holds.pbx { o["dnd"] = nil }
        if !holds.voicemail { o["voicemail"] = nil }
    }

    /// only-if-inert: outside their condition, dnd is shown false and
    /// voicemail (GET and the create answer, whose tables have it) with
    /// notify NONE, keeping its other settings.
    func showInertOutsideCondition(_ o: inout JSONObject, _ kind: DocumentedObject) {
        let holds = Self.onlyIfConditions(o)
        if !holds.pbx { o["dnd"] = false }
        if !holds.voicemail, kind != .deletedItem {
            var vm = o["voicemail"]?.objectValue ?? JSONObject()
            vm["notify"] = "NONE"
            o["voicemail"] = .object(vm)
        }
    }

    /// Sets the member at `path` (`a`, `a.b`, `a[].b`) to null where it is
    /// missing, inside objects and list items that are there.
    func fillNull(_ o: inout JSONObject, path: Substring) {
        guard let dot = path.firstIndex(of: ".") else {
            if o[String(path)] == nil { o[String(path)] = .null }
            return
        }
        var head = path[..<dot]
        let rest = path[path.index(after: dot)...]
        let isList = head.hasSuffix("[]")
        if isList { head = head.dropLast(2) }
        let key = String(head)
        switch o[key] {
        case .object(var inner)? where !isList:
            fillNull(&inner, path: rest)
            o[key] = .object(inner)
        case .array(let items)? where isList:
            o[key] = .array(
                items.map { item in
                    guard case .object(var inner) = item else { return item }
                    fillNull(&inner, path: rest)
                    return .object(inner)
                })
        default:
            break
        }
    }

    /// Leaves out null, "", [] and {} members, at every depth (client `custom` data as sent).
    func omittingEmpty(_ o: JSONObject) -> JSONObject {
        var out = JSONObject()
        for m in o {
            var v = m.value
            if m.key != "custom" { v = omittingEmpty(v) }
            switch v {
            case .null, .string(""), .array([]): continue
            case .object(let inner) where inner.isEmpty: continue
            default: out[m.key] = v
            }
        }
        return out
    }

    func omittingEmpty(_ v: JSON) -> JSON {
        switch v {
        case .object(let o): return .object(omittingEmpty(o))
        case .array(let a): return .array(a.map(omittingEmpty))
        default: return v
        }
    }

    /// The variants of the encoding of every JSON body: dates, id case and
    /// member order. Client `custom` data is sent as stored.
    func encoded(_ body: JSON) -> JSON {
        guard
            varies("dates-no-millis") || varies("dates-offset") || varies("lowercase-ids") || varies("uppercase-ids")
                || varies("reordered-members")
        else { return body }
        return recode(body)
    }

    private func recode(_ v: JSON) -> JSON {
        switch v {
        case .string(let s): return .string(recode(s))
        case .array(let a): return .array(a.map(recode))
        case .object(let o):
            var members = o.members.map { m in
                JSONObject.Member(key: m.key, value: m.key == "custom" ? m.value : recode(m.value))
            }
            if varies("reordered-members") { members.reverse() }
            return .object(JSONObject(members))
        default: return v
        }
    }

    private func recode(_ s: String) -> String {
        if varies("uppercase-ids"), isObjectID(s) { return s.uppercased() }
        if varies("lowercase-ids"), isObjectID(s) { return s.lowercased() }
        guard varies("dates-no-millis") || varies("dates-offset"), s.utf8.count >= 20, let seconds = RFC3339.seconds(s) else {
            return s
        }
        let offset = varies("dates-offset") ? 3_600.0 : 0
        var text = RFC3339.format(seconds + offset)  // YYYY-MM-DDTHH:MM:SS.sssZ
        if varies("dates-no-millis"), text.hasSuffix(".000Z") { text = String(text.dropLast(5)) + "Z" }
        if varies("dates-offset") { text = String(text.dropLast()) + "+01:00" }
        return text
    }

    /// The error body under `errors-array`.
    func arrayedError(_ status: Int, _ message: String, _ description: String) -> JSON {
        ["errors": [["code": .number(Double(status)), "message": .string(message), "description": .string(description)]]]
    }

    /// The error body under `error-envelope`.
    func envelopedError(_ status: Int, _ message: String, _ description: String) -> JSON {
        ["error": ["code": .string(message), "text": .string(description), "status": .number(Double(status))]]
    }
}

/// The members of each page's response table (see `DocumentedObject.documentedMembers`).
enum DocumentedMembers {
    static let sim = ["simNumber", "imsi", "network", "puk1", "puk2", "pin1", "pin2", "formFactor", "activationCode"]
    static let feature = [
        "highRate", "international", "data", "fiveG", "publicIP", "chargedServices", "voicemail", "secretNumber", "roaming",
        "roamingData", "mms", "dataTopUpSms", "smartWatchSim", "disableHdAudio",
    ]
    static let networkChange = sim + ["when", "socs"]
    static let socsOverride = ["soc", "newSoc", "expireEOM", "startEOM", "setBySystem"]
    static let purchaseInfo = ["orderId", "date", "paymentOption", "serial"]

    static func nested(_ parent: String, _ members: [String]) -> [String] { members.map { parent + "." + $0 } }

    /// mvno-account-get.txt, Response.
    static let account: [String] =
        [
            "_id", "customer", "state", "type", "number", "feature", "mvnoSim", "dataSharingSims", "mvnoSimNetworkChangeTo",
            "voicemail", "donorSimNumber", "sipAccount", "pbx", "extension", "dnd", "ratePlan", "newRatePlan", "socs",
            "socsOverride", "notes", "custom", "billingCustomer", "invoicedUntil", "startDate", "deleteDate",
            "employeeDeleteDate", "info", "deviceType", "numberState", "employee", "employeeName", "employeeBillingCustomer",
            "name", "listed", "porting", "purchaseInfo", "topUp", "socLimit", "smartWatch", "restOfWorldRoaming",
        ]
        + nested("feature", feature) + nested("mvnoSim", sim)
        + nested("dataSharingSims[]", sim + ["number", "name"])
        + nested("mvnoSimNetworkChangeTo", networkChange)
        + nested("voicemail", ["notify", "email", "emailFile", "pin", "pinBlockedUntil", "defaultGreeting", "greetings"])
        + nested("voicemail.greetings[]", ["key", "fileId"])
        + nested("socsOverride[]", socsOverride)
        + nested("info", ["updating", "dataDisabled", "imei", "usageBlock"])
        + nested("purchaseInfo", purchaseInfo) + ["topUp.data", "socLimit.data", "socLimit.minutes"]
        + nested("smartWatch", ["eid", "model", "number", "state", "createdAt", "invoicedUntil", "orderState", "smartWatchSim"])
        + nested("smartWatch.smartWatchSim", sim)
        + nested("restOfWorldRoaming", ["productId", "productName", "productPrice", "isOverride", "keepAfterExpire"])

    /// mvno-account-create.txt, Response.
    static let createAnswer: [String] =
        [
            "_id", "customer", "state", "type", "number", "feature", "mvnoSim", "dataSharingSims", "mvnoSimNetworkChangeTo",
            "voicemail", "donorSimNumber", "sipAccount", "pbx", "ratePlan", "extension", "dnd", "newRatePlan", "socs",
            "socsOverride", "notes", "custom", "invoicedUntil", "billingCustomer", "info", "numberState", "employee", "name",
            "listed", "porting", "purchaseInfo", "topUp", "restOfWorldRoaming",
        ]
        + nested("feature", feature) + nested("mvnoSim", sim + ["autoAssign"])
        + nested("dataSharingSims[]", sim + ["number"])
        + nested("mvnoSimNetworkChangeTo", networkChange)
        + nested("voicemail", ["notify", "email", "emailFile", "pin", "pinBlockedUntil"])
        + nested("socsOverride[]", socsOverride)
        + nested("info", ["updating", "dataDisabled", "imei", "deviceType", "usageBlock"])
        + nested("purchaseInfo", purchaseInfo) + ["topUp.data"]
        + nested("restOfWorldRoaming", ["productId", "name", "isOverride", "keepAfterExpire", "price"])

    /// mvno-deleted-list.txt, "MVNO account object (JSON)".
    static let deletedItem: [String] =
        [
            "_id", "state", "number", "customer", "customerName", "reseller", "resellerName", "ratePlan", "ratePlanName",
            "preterminateUntil", "deleted", "pbx", "extension", "extensionNumber", "dnd", "dataDisabled", "updating",
            "numberState", "employee", "employeeName", "name", "porting", "usageBlock", "deviceType", "startDate",
            "deleteDate", "simNumber", "imei", "socs", "socsOverride", "socLimit",
        ]
        + nested("socsOverride[]", ["soc", "newSoc", "expireEOM", "startEOM"]) + ["socLimit.data", "socLimit.minutes"]
}
