import JSONKit
import JSONSchemaKit

public struct CheckOptions: Sendable {
    /// Undocumented response fields fail instead of warn.
    public var strict: Bool
    public init(strict: Bool = false) { self.strict = strict }
}

/// Judges one exchange against the case's expectation and the endpoint's documented contract.
package enum Checker {
    public struct Judgement: Sendable {
        public var verdict: Verdict
        public var findings: [Finding]
        /// The body read as JSON (its tape; `tree` makes the tree on first ask), when it was JSON.
        package var parsed: ParsedJSON?

        package init(verdict: Verdict, findings: [Finding], parsed: ParsedJSON?) {
            self.verdict = verdict
            self.findings = findings
            self.parsed = parsed
        }
    }

    /// What a step's answer is judged against.
    package struct Context: Sendable {
        public var expect: Expectation
        public var endpoint: Endpoint
        public var role: Role
        public var request: PlannedRequest
        /// Fixtures and captured values.
        public var bindings: [String: JSON]
        /// Our clock (seconds since 1970), for rules about "now" when the
        /// answer carries no readable Date header.
        public var now: Double? = nil
    }

    /// The findings of the checks that read only the answer and what stays
    /// the same for every judgement of one step's answer (the schema, its
    /// presence rules, the invariants; not the expectation's status,
    /// message or assertions), kept by schema or rule so that judging the
    /// answer again as one of the step's alternatives, with the same schema
    /// or rule, does not walk it again (perf, issue 24). One per answer and
    /// context: only `expect` may differ between the judgements that share it.
    package final class Memo {
        let strict: Bool
        var schema: [String: [Finding]] = [:]
        var presence: [String: [Finding]] = [:]
        var invariants: [Invariant: [Finding]] = [:]
        init(strict: Bool) { self.strict = strict }
    }

    public static func judge(
        _ exchange: HTTPExchange, context: Context, suite: Suite, target: TargetProfile, options: CheckOptions,
        memo givenMemo: Memo? = nil
    ) -> Judgement {
        let memo = givenMemo?.strict == options.strict ? givenMemo : nil
        let expect = context.expect.oneOf.isEmpty ? context.expect : context.expect.row(answering: exchange, at: target.errorMessagePointer)
        var findings: [Finding] = []

        if exchange.status != expect.status {
            let rows = expect.oneOfSummary()
            findings.append(
                Finding(
                    check: .status, expected: expect.oneOf.isEmpty ? "\(expect.status)" : "one of \(rows)", actual: "\(exchange.status)",
                    message: expect.oneOf.isEmpty
                        ? "expected status \(expect.status), got \(exchange.status)"
                        : "expected one of the documented rows \(rows), got status \(exchange.status)"))
        }

        let contentType = exchange.headers["content-type"]
        let isJSONType = contentType.map(isJSONContentType) ?? false
        if !exchange.body.isEmpty || expect.errorMessage != nil || expect.schema != nil {
            if !isJSONType {
                findings.append(
                    Finding(
                        check: .contentType, expected: "application/json", actual: contentType ?? "(none)",
                        message: "expected Content-Type application/json, got \(contentType ?? "no Content-Type")"))
            }
        }

        let needsBody = expect.errorMessage != nil || expect.schema != nil || !expect.assertions.isEmpty
        var parsed: ParsedJSON?
        if !exchange.body.isEmpty || needsBody {
            do {
                parsed = try exchange.parsedJSON()
            } catch {
                let encoding = exchange.headers["content-encoding"]?.trimmingCharacters(in: .whitespaces)
                let gzipMagic = exchange.body.count >= 2 && exchange.body[0] == 0x1F && exchange.body[1] == 0x8B
                let why =
                    if exchange.body.isEmpty {
                        "the response body is empty"
                    } else if let encoding, !encoding.isEmpty, encoding.lowercased() != "identity" {
                        // We send no Accept-Encoding: an encoded body was not asked for, and is not decoded.
                        "the response body is Content-Encoding: \(shorten(encoding, to: 40)), which was not asked for (no Accept-Encoding was sent); not read as JSON"
                    } else if gzipMagic {
                        "the response body is gzip-compressed (it starts with 1F 8B) without a Content-Encoding header; not read as JSON"
                    } else {
                        "the response body is not JSON: \(error)"
                    }
                if findings.isEmpty {
                    // Nothing judged wrong so far, and what we must judge is unreadable.
                    return Judgement(verdict: .error(why), findings: [], parsed: nil)
                }
                findings.append(Finding(check: .contentType, expected: "a JSON body", actual: "unreadable", message: why))
                return Judgement(verdict: .failed, findings: findings, parsed: nil)
            }
        }

        if let parsed {
            findings += parsed.tape.withRoot { body in
                judgeBody(
                    body, tape: parsed.tape, exchange: exchange, expect: expect, context: context, suite: suite, target: target,
                    options: options, memo: memo)
            }
        }

        let failed = findings.contains { $0.severity == .failure }
        return Judgement(verdict: failed ? .failed : .passed, findings: findings, parsed: parsed)
    }

    /// The findings about a JSON answer's body (`body`, the root of its `tape`):
    /// its error message, schema, visibility, presence, assertions and invariants.
    static func judgeBody(
        _ body: JSONView, tape: JSONTape, exchange: HTTPExchange, expect: Expectation, context: Context, suite: Suite, target: TargetProfile,
        options: CheckOptions, memo: Memo?
    ) -> [Finding] {
        var findings: [Finding] = []
        // Only judge the body against what this status means: a body of the
        // wrong kind would bury the real finding (the status) under noise.
        let statusMatches = exchange.status == expect.status
        if let message = expect.errorMessage, statusMatches {
            let pointer = target.errorMessagePointer
            let actual = pointer.resolve(in: body)
            // Several rows of the answered status: the message is one of theirs.
            let messages = expect.oneOf.isEmpty ? [message] : expect.messages(ofStatus: expect.status)
            if !messages.contains(where: { $0 == actual?.stringValue }) {
                let wanted = messages.count == 1 ? "'\(message)'" : "\(expect.status) with one of: \(messages.joined(separator: ", "))"
                findings.append(
                    Finding(
                        check: .errorMessage, pointer: pointer,
                        expected: messages.count == 1 ? message : "one of: \(messages.joined(separator: ", "))",
                        actual: actual.map { shorten($0.materialize().description) } ?? "missing",
                        message: actual == nil
                            ? "expected error message \(wanted) at \(pointer), but there is none"
                            : "expected error message \(wanted) at \(pointer), got \(Checker.show(actual!))"))
            }
        }

        if let ref = expect.schema, statusMatches, let schema = suite.compiledSchemas[ref] {
            if let kept = memo?.schema[ref] {
                findings += kept
            } else {
                var found: [Finding] = []
                let result = schema.validate(tape)
                for v in result.violations {
                    found.append(
                        Finding(
                            check: .schema, pointer: v.instanceLocation, keyword: v.keywordLocation,
                            expected: v.expected, actual: v.actual, message: v.message))
                }
                for m in result.undescribedMembers {
                    found.append(undocumented(m, in: body, schema: ref, strict: options.strict))
                }
                memo?.schema[ref] = found
                findings += found
            }
        }

        if let ref = expect.schema, statusMatches, let rules = suite.visibility[ref] {
            findings += Visibility.leaks(
                in: body, rules: rules, role: context.role, level: suite.access.level(of: context.role),
                readAs: expect.visibilityLevel)
        }

        if let ref = expect.schema, statusMatches, let plan = suite.presencePlan(for: ref) {
            if let kept = memo?.presence[ref] {
                findings += kept
            } else {
                let found = Presence.violations(in: body, plan: plan, readings: suite.readings, pinned: target.readings)
                memo?.presence[ref] = found
                findings += found
            }
        }

        if statusMatches {
            for a in expect.assertions {
                if let f = check(a, in: body, fixtures: context.bindings) { findings.append(f) }
            }
            if let paging = context.endpoint.paging {
                for inv in expect.invariants {
                    if let kept = memo?.invariants[inv] {
                        findings += kept
                        continue
                    }
                    let found = Invariants.check(
                        inv, body: body, paging: paging, request: context.request, bindings: context.bindings,
                        now: exchange.headers["date"].flatMap(Invariants.httpDate) ?? context.now)
                    memo?.invariants[inv] = found
                    findings += found
                }
            }
        }

        return findings
    }

    /// A member no schema of the answer describes: `renamed` (a failure) when
    /// its name is close to a documented member its object lacks (null counts
    /// as lacking: it holds no value), otherwise `undocumented-field`, a
    /// warning unless `strict`.
    package static func undocumented<V: JSONReading>(_ m: UndescribedMember, in body: V, schema ref: String, strict: Bool) -> Finding {
        let p = m.pointer
        let key = p.tokens.last ?? ""
        let parent = JSONPointer(tokens: Array(p.tokens.dropLast())).resolve(in: body).flatMap { $0.isObject ? $0 : nil }
        let absent = m.documentedSiblings.filter { name in parent?.member(name).map { $0.isNull } ?? true }
        if let meant = Rename.intended(by: key, among: absent) {
            return Finding(
                check: .renamed, pointer: p, expected: meant, actual: key,
                message: "\(p) is not described by the documentation (\(ref)): did you mean '\(meant)'?")
        }
        return Finding(
            check: .undocumentedField, severity: strict ? .failure : .warning,
            pointer: p, expected: "no field the docs do not describe",
            actual: key, message: "\(p) is not described by the documentation (\(ref))")
    }

    static func check<V: JSONReading>(_ a: Assertion, in body: V, fixtures: [String: JSON]) -> Finding? {
        let value = a.pointer.resolve(in: body)
        let at = a.pointer
        switch a.kind {
        case .exists:
            if value == nil || value?.isNull == true {
                let got = value == nil ? "missing" : "null"
                return Finding(
                    check: .assertion, pointer: at, expected: "a value", actual: got,
                    message: value == nil ? "\(at) is missing" : "\(at) holds no value (null)")
            }
        case .absent:
            // null and omission both say "no value".
            if let value, !value.isNull {
                return Finding(
                    check: .assertion, pointer: at, expected: "absent", actual: Checker.show(value),
                    message: "\(at) must be absent, found \(Checker.show(value))")
            }
        case .equals(let t):
            let want = t.filled(fixtures)
            if !Checker.matches(value, want) {
                let got = value.map { Checker.show($0) } ?? "missing"
                return Finding(
                    check: .assertion, pointer: at, expected: shorten(want.description), actual: got,
                    message: "\(at): expected \(shorten(want.description)), got \(got)")
            }
        case .type(let t):
            let ok: Bool
            switch (t, value) {
            case ("integer", let v?): ok = v.isInteger
            case (_, let v?): ok = v.typeName == t
            default: ok = false
            }
            if !ok {
                let got = value.map { v in v.numberValue.map { $0.isFinite } == false ? Checker.show(v) : v.typeName } ?? "missing"
                return Finding(
                    check: .assertion, pointer: at, expected: "type \(t)", actual: got,
                    message: "\(at): expected type \(t), got \(got)")
            }
        }
        return nil
    }

    /// Whether an answer's value fits what a case expects: scalars are equal
    /// (numbers by value); an expected object asks only for the members it
    /// names (the docs let a server add documented members, such as a
    /// an array entry's flag); an expected array asks for as many
    /// elements, each matching a different one, in any order; an expected
    /// `null` is met by no value, null or omitted; two 24-hex ids are equal
    /// whatever the letter case of their hex digits.
    public static func matches(_ actual: JSON?, _ expected: JSON) -> Bool { matchesValue(actual, expected) }

    /// `matches` for a value read from a tree or a tape alike.
    static func matches<V: JSONReading>(_ actual: V?, _ expected: JSON) -> Bool { matchesValue(actual, expected) }

    static func matchesValue<V: JSONReading>(_ actual: V?, _ expected: JSON) -> Bool {
        switch expected {
        case .null:
            return actual == nil || actual?.isNull == true
        case .object(let want):
            guard let got = actual, got.isObject else { return false }
            return want.allSatisfy { m in matchesValue(got.member(m.key), m.value) }
        case .array(let want):
            // Counted first: the elements are gathered only for an array of the expected length.
            guard actual?.elementCount == want.count, let got = actual?.elementValues else { return false }
            var free = Array(got.indices)
            for w in want {
                guard let k = free.firstIndex(where: { matchesValue(got[$0], w) }) else { return false }
                free.remove(at: k)
            }
            return true
        case .string(let want):
            // ASCII on both sides: compared as bytes, without a `String` of the
            // answer's (an item's each, for `someEquals`: perf, issue 24).
            // HotPathTests compares the two.
            if case let answer?? = actual?.withStringUTF8({ asciiStringMatches($0, want) }) { return answer }
            guard let got = actual?.stringValue else { return false }
            // A 24-hex id is a number written in hex: its letter case is free.
            return got == want || (isHexID(got) && isHexID(want) && got.lowercased() == want.lowercased())
        case .number(let want):
            return actual?.numberValue == want
        case .bool(let want):
            return actual?.boolValue == want
        }
    }

    /// `matchesValue` for a string whose bytes are `got`, when it and `want`
    /// are ASCII (only then are equal `String`s equal bytes); nil otherwise.
    static func asciiStringMatches(_ got: UnsafeBufferPointer<UInt8>, _ want: String) -> Bool? {
        var want = want
        return want.withUTF8 { w -> Bool? in
            guard w.allSatisfy({ $0 < 0x80 }), got.allSatisfy({ $0 < 0x80 }) else { return nil }
            if got.elementsEqual(w) { return true }
            guard got.count == 24, w.count == 24, isHexID(got), isHexID(w) else { return false }
            // Hex digits only: ORing in 0x20 lowercases a letter and leaves a digit.
            return zip(got, w).allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }
    }

    static func isHexID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 24 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
    }

    static func isHexID(_ s: String) -> Bool {
        var s = s
        return s.withUTF8(isHexID)
    }

    static func isJSONContentType(_ s: String) -> Bool {
        if let ascii = isASCIIJSONContentType(s) { return ascii }
        let media = s.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    /// `isJSONContentType` for an ASCII value, over its bytes (nil for any
    /// other): the first non-empty part before a `;`, spaces trimmed, compared
    /// without case. The same answer as the `String` path (no non-ASCII
    /// character is involved), which was 1.3 % of a run's CPU (perf, issue 24).
    static func isASCIIJSONContentType(_ s: String) -> Bool? {
        var s = s
        return s.withUTF8 { u -> Bool? in
            guard !u.contains(where: { $0 >= 0x80 }) else { return nil }
            // The first part between semicolons that is not empty (split omits empty ones).
            var from = 0
            while from < u.count, u[from] == 0x3B { from += 1 }
            var to = from
            while to < u.count, u[to] != 0x3B { to += 1 }
            while from < to, u[from] == 0x20 { from += 1 }
            while to > from, u[to - 1] == 0x20 { to -= 1 }
            func equals(_ range: Range<Int>, _ text: StaticString) -> Bool { equalsIgnoringASCIICase(u[range], text) }
            let n = to - from
            if equals(from..<to, "application/json") { return true }
            return n >= 17 && equals(from..<(from + 12), "application/") && equals((to - 5)..<to, "+json")
        }
    }
}

/// Shortens a value for a one-line message.
extension Checker {
    /// A value from the answer in a message: its JSON, shortened; a number
    /// too large for a double (1e400) named as such, not shown as `null`.
    static func show<V: JSONReading>(_ v: V) -> String {
        if let n = v.numberValue, !n.isFinite { return JSONWriter.humanNumber(n) }
        return shorten(v.materialize().description)
    }
}

/// An ASCII letter lowercased; any other byte as it is.
@inline(__always) func asciiLowercased(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

/// Whether `bytes` are `lower` (lowercase ASCII) in any ASCII letter case.
func equalsIgnoringASCIICase<C: Collection<UInt8>>(_ bytes: C, _ lower: StaticString) -> Bool {
    guard bytes.count == lower.utf8CodeUnitCount else { return false }
    return zip(bytes, UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)).allSatisfy { asciiLowercased($0) == $1 }
}

func shorten(_ s: String, to limit: Int = 80) -> String {
    guard s.count > limit else { return s }
    return String(s.prefix(limit - 1)) + "…"
}
