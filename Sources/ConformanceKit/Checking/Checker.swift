import JSONKit
import JSONSchemaKit

public struct CheckOptions: Sendable {
    /// Undocumented response fields fail instead of warn.
    public var strict: Bool
    public init(strict: Bool = false) { self.strict = strict }
}

/// Judges one exchange against the case's expectation and the endpoint's documented contract.
public enum Checker {
    public struct Judgement: Sendable {
        public var verdict: Verdict
        public var findings: [Finding]
        /// The parsed body, when it was JSON.
        public var body: JSON?
    }

    /// What a step's answer is judged against.
    public struct Context: Sendable {
        public var expect: Expectation
        public var endpoint: Endpoint
        public var role: Role
        public var request: PlannedRequest
        /// Fixtures and captured values.
        public var bindings: [String: JSON]
    }

    public static func judge(
        _ exchange: HTTPExchange, context: Context, suite: Suite, target: TargetProfile, options: CheckOptions
    ) -> Judgement {
        let expect = context.expect
        var findings: [Finding] = []

        if exchange.status != expect.status {
            findings.append(
                Finding(
                    check: .status, expected: "\(expect.status)", actual: "\(exchange.status)",
                    message: "expected status \(expect.status), got \(exchange.status)"))
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
        var body: JSON?
        if !exchange.body.isEmpty || needsBody {
            do {
                body = try JSONParser.parse(exchange.body)
            } catch {
                let why = exchange.body.isEmpty ? "the response body is empty" : "the response body is not JSON: \(error)"
                if findings.isEmpty {
                    // Nothing judged wrong so far, and what we must judge is unreadable.
                    return Judgement(verdict: .error(why), findings: [], body: nil)
                }
                findings.append(Finding(check: .contentType, expected: "a JSON body", actual: "unreadable", message: why))
                return Judgement(verdict: .failed, findings: findings, body: nil)
            }
        }

        // Only judge the body against what this status means: a body of the
        // wrong kind would bury the real finding (the status) under noise.
        let statusMatches = exchange.status == expect.status
        if let message = expect.errorMessage, let body, statusMatches {
            let pointer = target.errorMessagePointer
            let actual = pointer.resolve(in: body)
            if actual?.stringValue != message {
                findings.append(
                    Finding(
                        check: .errorMessage, pointer: pointer.description, expected: message,
                        actual: actual.map { shorten($0.description) } ?? "missing",
                        message: actual == nil
                            ? "expected error message '\(message)' at \(pointer), but there is none"
                            : "expected error message '\(message)' at \(pointer), got \(shorten(actual!.description))"))
            }
        }

        if let ref = expect.schema, let body, statusMatches, let schema = suite.compiledSchemas[ref] {
            let result = schema.validate(body)
            for v in result.violations {
                findings.append(
                    Finding(
                        check: .schema, pointer: v.instanceLocation.description, keyword: v.keywordLocation,
                        expected: v.expected, actual: v.actual, message: v.message))
            }
            for p in result.undescribed {
                findings.append(
                    Finding(
                        check: .undocumentedField, severity: options.strict ? .failure : .warning,
                        pointer: p.description, expected: "no field the docs do not describe",
                        actual: p.tokens.last ?? "", message: "\(p) is not described by the documentation (\(ref))"))
            }
        }

        if let ref = expect.schema, let body, statusMatches, let rules = suite.visibility[ref] {
            findings += Visibility.leaks(in: body, rules: rules, role: context.role)
        }

        if let body, statusMatches {
            for a in expect.assertions {
                if let f = check(a, in: body, fixtures: context.bindings) { findings.append(f) }
            }
            if let paging = context.endpoint.paging {
                for inv in expect.invariants {
                    findings += Invariants.check(inv, body: body, paging: paging, request: context.request, bindings: context.bindings)
                }
            }
        }

        let failed = findings.contains { $0.severity == .failure }
        return Judgement(verdict: failed ? .failed : .passed, findings: findings, body: body)
    }

    static func check(_ a: Assertion, in body: JSON, fixtures: [String: JSON]) -> Finding? {
        let value = a.pointer.resolve(in: body)
        let at = a.pointer.description
        switch a.kind {
        case .exists:
            if value == nil {
                return Finding(check: .assertion, pointer: at, expected: "present", actual: "missing", message: "\(at) is missing")
            }
        case .absent:
            if let value {
                return Finding(
                    check: .assertion, pointer: at, expected: "absent", actual: shorten(value.description),
                    message: "\(at) must be absent, found \(shorten(value.description))")
            }
        case .equals(let t):
            let want = Planner.substitute(t, fixtures)
            if value != want {
                let got = value.map { shorten($0.description) } ?? "missing"
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
                let got = value.map { $0.typeName } ?? "missing"
                return Finding(
                    check: .assertion, pointer: at, expected: "type \(t)", actual: got,
                    message: "\(at): expected type \(t), got \(got)")
            }
        }
        return nil
    }

    static func isJSONContentType(_ s: String) -> Bool {
        let media = s.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }
}

/// Shortens a value for a one-line message.
public func shorten(_ s: String, to limit: Int = 80) -> String {
    guard s.count > limit else { return s }
    return String(s.prefix(limit - 1)) + "…"
}
