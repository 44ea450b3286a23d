

public enum Coverage {
    public static func compute(_ suite: Suite) -> [EndpointCoverage] {
        var byRow: [String: [String]] = [:]  // "endpoint|row" -> case ids
        var pending: [String: [String]] = [:]  // skeleton cases, which cover nothing yet
        for c in suite.cases where c.skeleton != nil {
            for step in c.steps { pending[step.endpoint + "|" + step.covers, default: []].append(c.id) }
        }
        for c in suite.cases where c.skeleton == nil {
            for step in c.steps {
                let key = step.endpoint + "|" + step.covers
                // A case's steps come one after another: its id, if already listed, is the last (ids are unique).
                if byRow[key]?.last != c.id { byRow[key, default: []].append(c.id) }
            }
        }
        // Sorted in place: each row's list then shares the dictionary's
        // storage, not a sorted copy of it (a row of every case of an endpoint
        // was held twice while its coverage was made).
        for i in byRow.values.indices { byRow.values[i].sort() }
        for i in pending.values.indices { pending.values[i].sort() }
        let sending = parameterCases(suite)
        return suite.endpoints.enumerated().map { e, ep in
            var rows: [RowCoverage] = [
                RowCoverage(
                    rowID: "success", status: ep.successStatus, message: "", description: "documented response",
                    caseIDs: byRow[ep.id + "|success"] ?? [], notProvokable: nil,
                    skeletons: pending[ep.id + "|success"] ?? [])
            ]
            for e in ep.errors {
                rows.append(
                    RowCoverage(
                        rowID: e.id, status: e.status, message: e.message, description: e.description,
                        caseIDs: byRow[ep.id + "|" + e.id] ?? [], notProvokable: e.notProvokable,
                        skeletons: pending[ep.id + "|" + e.id] ?? []))
            }
            if let u = ep.unauthenticated {
                rows.append(
                    RowCoverage(
                        rowID: "unauthenticated", status: u.status, message: u.message,
                        description: "no or unknown credentials", caseIDs: byRow[ep.id + "|unauthenticated"] ?? [],
                        notProvokable: nil))
            }
            var cov = EndpointCoverage(endpointID: ep.id, method: ep.method, path: ep.path, file: ep.file, rows: rows)
            cov.bounds = suite.bounds.filter { $0.endpoint == ep.id }
            cov.parameters = ep.parameters.enumerated().map { k, p in
                ParameterCoverage(name: p.name, location: p.location, caseIDs: sending[e][k])
            }
            return cov
        }
    }

    /// Per endpoint (by position) and parameter: the ids of the cases that
    /// send it (in a step to that endpoint: a path parameter given, a query
    /// pair of that name), sorted. One pass over the cases for every
    /// parameter, not one each: that was cases × endpoints × parameters
    /// (`compute` took 0.5 % of a 20,000-case rate run's CPU, these rows
    /// now 0.2 %: perf, issue 24).
    static func parameterCases(_ suite: Suite) -> [[[String]]] {
        var sending = suite.endpoints.map { ep in [[String]](repeating: [], count: ep.parameters.count) }
        var positions: [String: [Int]] = [:]
        for (e, ep) in suite.endpoints.enumerated() where !ep.parameters.isEmpty { positions[ep.id, default: []].append(e) }
        guard !positions.isEmpty else { return sending }
        for c in suite.cases {
            for step in c.steps {
                guard let es = positions[step.endpoint] else { continue }
                for e in es {
                    for (k, p) in suite.endpoints[e].parameters.enumerated() {
                        let sends = p.location == .path ? step.request.pathParams[p.name] != nil : step.request.query.contains { $0.name == p.name }
                        // A case's steps come one after another: its id, if already listed, is the last.
                        if sends, sending[e][k].last != c.id { sending[e][k].append(c.id) }
                    }
                }
            }
        }
        for e in sending.indices {
            for k in sending[e].indices { sending[e][k].sort() }
        }
        return sending
    }

    /// The matrix as text lines, with totals; used by `conformance coverage` and the reports.
    public static func render(_ coverage: [EndpointCoverage]) -> [String] {
        var out: [String] = []
        for ep in coverage {
            out.append("\(ep.endpointID)  \(ep.method) \(ep.path)  (\(ep.file))")
            let idWidth = min(40, (ep.rows.map(\.rowID.count).max() ?? 10) + 2)
            for r in ep.rows {
                let code = "\(r.status) \(r.message)".trimmingCharacters(in: " ")
                var line = "  " + r.rowID.padding(toLength: idWidth, withPad: " ", startingAt: 0)
                line += code.padding(toLength: 34, withPad: " ", startingAt: 0)
                if r.isCovered {
                    let shown = r.caseIDs.prefix(6).joined(separator: ", ")
                    let more = r.caseIDs.count > 6 ? ", … (+\(r.caseIDs.count - 6))" : ""
                    line += "\(r.caseIDs.count) case\(r.caseIDs.count == 1 ? "" : "s"): \(shown)\(more)"
                } else if let why = r.notProvokable {
                    line += "not provokable: \(why)"
                } else if !r.skeletons.isEmpty {
                    line += "UNCOVERED — not yet provoked: skeleton \(r.skeletons.joined(separator: ", ")) to write"
                } else {
                    line += "UNCOVERED — add a case or a notProvokable reason"
                }
                out.append(line)
            }
            out.append("  \(ep.rows.count) rows: \(ep.covered) covered by cases, \(ep.explained) explained, \(ep.uncovered.count) uncovered")
            if !ep.parameters.isEmpty {
                out.append("  parameters (documented), with the cases that send them:")
                let width = (ep.parameters.map { $0.name.count + $0.location.rawValue.count + 3 }.max() ?? 10) + 2
                for p in ep.parameters {
                    let label = "\(p.name) (\(p.location.rawValue))"
                    var line = "    " + label.padding(toLength: width, withPad: " ", startingAt: 0)
                    if p.caseIDs.isEmpty {
                        line += "sent by no case: a documented parameter nothing exercises"
                    } else {
                        let more = p.caseIDs.count > 6 ? ", … (+\(p.caseIDs.count - 6))" : ""
                        line += "\(p.caseIDs.count) case\(p.caseIDs.count == 1 ? "" : "s"): "
                            + p.caseIDs.prefix(6).joined(separator: ", ") + more
                    }
                    out.append(line)
                }
            }
            if !ep.bounds.isEmpty {
                let width = (ep.bounds.map(\.id.count).max() ?? 10) + 2
                out.append("  bounds (\(ep.bounds.map(\.cases.count).reduce(0, +)) generated cases):")
                let whats = ep.bounds.map { "\($0.field) \($0.kind.rawValue) \($0.summary) (\($0.page):\($0.line))" }
                let whatWidth = (whats.map(\.count).max() ?? 10) + 2
                for (b, what) in zip(ep.bounds, whats) {
                    out.append(
                        "    " + b.id.padding(toLength: width, withPad: " ", startingAt: 0)
                            + what.padding(toLength: whatWidth, withPad: " ", startingAt: 0) + b.cases.joined(separator: ", "))
                }
            }
        }
        let rows = coverage.reduce(0) { $0 + $1.rows.count }
        let covered = coverage.reduce(0) { $0 + $1.covered }
        let explained = coverage.reduce(0) { $0 + $1.explained }
        let uncovered = coverage.reduce(0) { $0 + $1.uncovered.count }
        out.append("total: \(rows) documented rows on \(coverage.count) endpoints: \(covered) covered by cases, \(explained) explained, \(uncovered) uncovered")
        return out
    }
}

extension ReportFormat {
    /// `coverage.txt`: the documented rows and parameters the suite covers, and the
    /// documented values seen on the target. Not part of a certification bundle.
    public static let coverage = ReportFormat(name: "coverage", file: "coverage.txt", certified: false) { run, _, sink in
        for line in Coverage.render(run.coverage) + [""] + ValueCoverage.render(run.values, observed: true) { sink.write(line + "\n") }
    }
}

extension RunResult {
    /// The report stage's share of a run: the documented rows the suite
    /// covers, and the documented values the results aimed at and saw.
    mutating func addCoverage(of suite: Suite) {
        coverage = Coverage.compute(suite)
        values = ValueCoverage.compute(suite, results: results)
    }
}
