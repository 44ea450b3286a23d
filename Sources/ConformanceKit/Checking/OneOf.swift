import JSONKit

extension Expectation {
    /// The row of `oneOf` the answer is judged against: status and message
    /// are matched as a pair, against every row with the answered status. The
    /// row with both is chosen; when rows have the status but none the
    /// message, the expectation keeps the status and expects "one of" their
    /// messages (`sameStatusMessages`), so the finding names those rows and
    /// not the first of them; when no row has the status, the first row (whose
    /// status then fails).
    func row(answering exchange: HTTPExchange, at pointer: JSONPointer) -> Expectation {
        let sameStatus = oneOf.filter { $0.status == exchange.status }
        let message = (try? exchange.parsedJSON()).flatMap { p in p.tape.withRoot { pointer.resolve(in: $0)?.stringValue } }
        guard let chosen = sameStatus.first(where: { $0.message == message }) ?? sameStatus.first ?? oneOf.first else {
            return self
        }
        var e = self
        e.status = chosen.status
        e.errorMessage = chosen.message
        return e
    }

    /// The distinct messages of the `oneOf` rows with `status`, in the rows' order.
    func messages(ofStatus status: Int) -> [String] {
        var seen = Set<String>()
        return oneOf.filter { $0.status == status && seen.insert($0.message).inserted }.map(\.message)
    }

    /// The `oneOf` rows as a short list for a finding: each distinct
    /// (status, message) pair once, grouped by status ("400 bad_request; 422
    /// with one of: pbx, number"); past `limit` pairs, the statuses only with
    /// how many distinct messages each has.
    func oneOfSummary(limit: Int = 8) -> String {
        var statuses: [Int] = []
        for r in oneOf where !statuses.contains(r.status) { statuses.append(r.status) }
        let groups = statuses.map { ($0, messages(ofStatus: $0)) }
        let pairs = groups.reduce(0) { $0 + $1.1.count }
        if pairs > limit {
            return groups.map { "\($0.0) (\($0.1.count) message\($0.1.count == 1 ? "" : "s"))" }.joined(separator: ", ")
        }
        return groups.map { $0.1.count == 1 ? "\($0.0) \($0.1[0])" : "\($0.0) with one of: \($0.1.joined(separator: ", "))" }
            .joined(separator: "; ")
    }
}
