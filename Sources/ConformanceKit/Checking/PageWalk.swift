import JSONKit

/// Judges a walk through a list's pages, page by page: each page a list,
/// its items as documented (through `judgePage`, from the second page on),
/// no more than the limit, the total steady, each item once, and as many
/// distinct items as the total says. The runner fetches the page at
/// `offset` and hands it in; the walk says whether to go on.
struct PageWalk {
    enum Outcome { case next, done, stopped }

    let endpoint: Endpoint
    let paging: Paging
    let limit: Int
    let idPointer: JSONPointer
    let counting: [(JSONPointer, JSON)]
    let judgePage: (@Sendable (HTTPExchange, PlannedRequest) -> [Finding])?
    /// Findings about later pages' items, at most this many kept (a
    /// leak in every item of 10,000 pages must not grow the report).
    static let maxPageFindings = 20
    /// Ids room is made for before the walk, at most.
    static let reservedIDs = 4_096

    /// Where the next page starts.
    private(set) var offset = 0
    private(set) var findings: [Finding] = []
    private var pageFindings = 0
    private var droppedFailure = false
    private var seen = IDTally()
    private var total: Int?
    /// Per count: the ids of the items that match (each item counts once, however often it comes).
    private var matching: [Set<String>]

    init(
        endpoint: Endpoint, paging: Paging, limit: Int, idPointer: JSONPointer, counting: [(JSONPointer, JSON)],
        judgePage: (@Sendable (HTTPExchange, PlannedRequest) -> [Finding])?
    ) {
        self.endpoint = endpoint
        self.paging = paging
        self.limit = limit
        self.idPointer = idPointer
        self.counting = counting
        self.judgePage = judgePage
        matching = Array(repeating: Set<String>(), count: counting.count)
    }

    /// How many items matched each count.
    var counted: [Int] { matching.map(\.count) }

    /// Judges the page at `offset` (asked with `request`): `.next` when the
    /// walk goes on (from the new `offset`), `.done` at the last page,
    /// `.stopped` when the page is no list (`findings` says so; `finished`
    /// is not for a stopped walk).
    mutating func take(_ exchange: HTTPExchange, request: PlannedRequest) -> Outcome {
        // Read from the answer's tape: a page's tree is not made, and its list is found once.
        guard exchange.status == endpoint.successStatus, let parsed = try? exchange.parsedJSON() else { return notAList(exchange) }
        return parsed.tape.withRoot { body in
            guard let items = paging.items.resolve(in: body), items.isArray else { return notAList(exchange) }
            if offset > 0, let judgePage {
                // The first page is the step's own answer, judged already.
                for f in judgePage(exchange, request) {
                    pageFindings += 1
                    guard pageFindings <= Self.maxPageFindings else {
                        droppedFailure = droppedFailure || f.severity == .failure
                        continue
                    }
                    var f = f
                    f.message = "page at offset \(offset): " + f.message
                    findings.append(f)
                }
            }
            return take(body, items)
        }
    }

    private mutating func notAList(_ exchange: HTTPExchange) -> Outcome {
        findings.append(
            Finding(check: .invariant, expected: "status \(endpoint.successStatus) with \(paging.items)",
                actual: "status \(exchange.status)", message: "page at offset \(offset) did not answer with a list (status \(exchange.status))"))
        return .stopped
    }

    /// The rest of `take`, for a page that is a list (`items`, read from
    /// `body` in place: no array of its items made).
    private mutating func take<V: JSONReading>(_ body: V, _ items: V) -> Outcome {
        let count = items.elementCount ?? 0
        let pageTotal = paging.total.resolve(in: body)?.intValue
        if total == nil {
            total = pageTotal
            // Room for the walk's ids at once, not grown by doubling (0.6 % of
            // our client's CPU: perf, issue 24); the server's total is held to
            // a bound, so no answer can make us reserve much.
            seen.reserve(min(max(pageTotal ?? 0, count), Self.reservedIDs))
        }
        if let t = total, let pt = pageTotal, t != pt {
            findings.append(Finding(check: .invariant, pointer: paging.total, expected: "\(t)", actual: "\(pt)",
                message: "total changed while walking the pages: \(t) at first, \(pt) at offset \(offset)"))
        }
        items.enumerateElements { i, item in
            let value = idPointer.resolve(in: item)
            // A string id is counted from its bytes, without a `String` (`IDTally`).
            let counted = value?.withStringUTF8({ seen.add($0) }) != nil
            if counted, counting.isEmpty { return }
            let id = value?.textValue ?? "(no id at offset \(offset + i))"
            if !counted { seen.add(id) }
            for (k, c) in counting.enumerated() where Checker.matches(c.0.resolve(in: item), c.1) {
                matching[k].insert(id)
            }
        }
        if count > limit {
            findings.append(Finding(check: .invariant, pointer: paging.items, expected: "at most \(limit) items",
                actual: "\(count)", message: "page at offset \(offset) holds \(count) items, more than the limit \(limit)"))
        }
        if count == 0 || (total.map { offset + count >= $0 } ?? false) { return .done }
        offset += count
        return .next
    }

    /// The walk's findings once it is over: the pages' and the whole walk's.
    mutating func finished() -> [Finding] {
        if pageFindings > Self.maxPageFindings {
            findings.append(Finding(check: .invariant, severity: droppedFailure ? .failure : .warning,
                pointer: paging.items, expected: "every page's items as documented",
                actual: "\(pageFindings) findings", message: "later pages held \(pageFindings) findings in all; the first \(Self.maxPageFindings) are shown"))
        }
        let duplicates = seen.repeated()
        if !duplicates.isEmpty {
            findings.append(Finding(check: .invariant, pointer: paging.items, expected: "each item once",
                actual: "\(duplicates.count) repeated", message: "walking the pages with limit \(limit) returned \(duplicates.count) item(s) more than once, e.g. \(duplicates.prefix(3).joined(separator: ", "))"))
        }
        let distinct = seen.distinct
        if let total, distinct != total {
            findings.append(Finding(check: .invariant, pointer: paging.total, expected: "\(total) distinct items",
                actual: "\(distinct)", message: "walking the pages with limit \(limit) found \(distinct) distinct items, but total says \(total)"))
        }
        return findings
    }
}
