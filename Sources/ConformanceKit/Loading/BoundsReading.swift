import Foundation
import JSONKit

/// Expands an endpoint spec's `bounds` into cases, as an access matrix is
/// expanded: each bound the page states (`min`, `max`, with the page line that
/// states it) yields a case on each side of each end, with stable ids
/// (`create-bound-custom-4097`) and the tags `bound` and `generated`.
///
/// A value inside the bound expects the bound's `inside` (default: success),
/// one outside its `outside` (a documented row, or a reading where the page
/// gives no row). Where a reading moves the bound (`readings: {R: {OPTION:
/// {max: 4000}}}`), the values at that option's ends are generated too, and a
/// value the option judges differently cites the reading with that side.
func readBounds(
    _ list: Node, endpoint: Endpoint, endpoints: [Endpoint], fixtures: [String: String], readings: [Reading],
    access: AccessModel, now: Date, sources: CitableSources? = nil
) -> (bounds: [Bound], cases: [Case]) {
    // Made once here, not once per generated case.
    let sources = sources ?? CitableSources(endpoints: endpoints, readings: readings)
    guard let items = list.array else { return ([], []) }
    var bounds: [Bound] = []
    var cases: [Case] = []
    for item in items {
        guard
            let o = item.object(keys: [
                "id", "field", "in", "kind", "min", "max", "doc", "role", "request", "item", "values", "inside", "outside",
                "readings",
            ]),
            let id = o.required("id")?.nonEmptyString, let field = o.required("field")?.nonEmptyString,
            let kindName = o.required("kind")?.string, let role = o.required("role")
        else { continue }
        guard let kind = Bound.Kind(rawValue: kindName) else {
            o.optional("kind")?.error(
                "unknown kind '\(kindName)'", hint: Bound.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            continue
        }
        let place = o.optional("in")?.string ?? "body"
        guard place == "body" || place == "query" else {
            o.optional("in")?.error("must be 'body' or 'query'")
            continue
        }
        var lo: Int?
        var hi: Int?
        if kind == .date {
            guard o.required("min")?.string == "today" else {
                o.optional("min")?.error("a date bound is min: \"today\"")
                continue
            }
        } else {
            lo = o.optional("min")?.int
            hi = o.optional("max")?.int
            // A bound on a query parameter is the parameter's own: its
            // schema's minimum and maximum, unless the bound states them.
            if place == "query", let param = endpoint.parameter(field, in: .query) {
                lo = lo ?? param.minimum
                hi = hi ?? param.maximum
            } else if place == "query" {
                let names = endpoint.parameters.filter { $0.location == .query }.map(\.name)
                o.optional("field")?.error(
                    "'\(field)' is not a declared query parameter of \(endpoint.id)",
                    hint: closestMatch(to: field, in: names).map { "did you mean '\($0)'?" }
                        ?? "declare it under parameters with \"in\": \"query\"")
                continue
            }
            if lo == nil && hi == nil {
                item.error(
                    "give min, max or both",
                    hint: place == "query" ? "or state minimum/maximum in the query parameter's schema" : nil)
                continue
            }
        }
        guard let dn = o.required("doc"), let doc = dn.object(keys: ["line", "quote"]),
            let line = doc.required("line")?.int, let quote = doc.required("quote")?.nonEmptyString
        else { continue }
        if kind == .count || kind == .size || kind == .length, (lo ?? 0) < 0 || (hi ?? 0) < 0 {
            item.error("a \(kind.rawValue) bound is never negative")
            continue
        }

        // Ends that readings move the bound to.
        var moved: [(reading: String, option: String, min: Int?, max: Int?)] = []
        if let rn = o.optional("readings"), case .object(let ro) = rn.value {
            for r in ro {
                let rnode = rn.child(r.key, r.value)
                guard let reading = readings.first(where: { $0.id == r.key }) else {
                    rnode.error("unknown reading '\(r.key)'", hint: "declare it in Cases/readings.json")
                    continue
                }
                guard case .object(let opts) = r.value else {
                    rnode.error("must map options of '\(reading.id)' to the bound they read (min, max)")
                    continue
                }
                for opt in opts {
                    let on = rnode.child(opt.key, opt.value)
                    guard reading.option(opt.key) != nil else {
                        on.error("'\(reading.id)' has no option '\(opt.key)'")
                        continue
                    }
                    guard let oo = on.object(keys: ["min", "max"]) else { continue }
                    moved.append(
                        (reading.id, opt.key, oo.optional("min")?.int ?? lo, oo.optional("max")?.int ?? hi))
                }
            }
        }

        struct Value {
            var label: String
            var json: JSON
            var n: Int
            var inside: Bool
        }
        func within(_ n: Int, _ a: Int?, _ b: Int?) -> Bool { (a.map { n >= $0 } ?? true) && (b.map { n <= $0 } ?? true) }
        var values: [Value] = []
        let explicit = o.optional("values").flatMap { v -> JSONObject? in
            if case .object(let vo) = v.value { return vo }
            v.error("must map values (as text) to what to send")
            return nil
        }
        if kind == .date {
            // As ISO8601DateFormatter wrote it (UTC, milliseconds truncated, so never
            // the next day), without making one: that was a millisecond of `run --list`.
            func text(_ d: Date) -> String { RFC3339.format((d.timeIntervalSince1970 * 1000).rounded(.down) / 1000) }
            // The instant of the run is today in every time zone (UTC and the
            // vendor's Danish time alike); 26 hours earlier is before today in
            // every zone whose days have at most 25 hours.
            values = [
                Value(label: "yesterday", json: .string(text(now.addingTimeInterval(-26 * 3600))), n: -1, inside: false),
                Value(label: "today", json: .string(text(now)), n: 0, inside: true),
            ]
        } else {
            var ends = Set<Int>()
            for (a, b) in [(lo, hi)] + moved.map({ ($0.min, $0.max) }) {
                if let a { ends.formUnion([a - 1, a]) }
                if let b { ends.formUnion([b, b + 1]) }
            }
            for n in ends.sorted() where n >= 0 {
                let json: JSON
                if let given = explicit?[String(n)] {
                    json = given
                } else {
                    switch kind {
                    case .size:
                        // {"blob":"…"} serializes to 11 bytes around the text.
                        guard n >= 11 else { continue }
                        json = .object(JSONObject(pairs: [("blob", .string(String(repeating: "x", count: n - 11)))]))
                    case .length:
                        guard n > 0 else { continue }
                        json = .string(String(String(repeating: "8945010000", count: n / 10 + 1).prefix(n)))
                    case .count:
                        guard let it = o.required("item") else { continue }
                        json = .array(Array(repeating: it.value, count: n))
                    case .range, .date:
                        json = .number(Double(n))
                    }
                }
                values.append(Value(label: String(n), json: json, n: n, inside: within(n, lo, hi)))
            }
        }

        let inside = o.optional("inside")?.value.objectValue ?? JSONObject()
        let outside = o.optional("outside")?.value.objectValue ?? JSONObject()
        let requestTemplate = o.optional("request")?.value.objectValue ?? JSONObject()
        var ids: [String] = []
        for v in values {
            let nearest = Swift.max(lo ?? v.n, Swift.min(hi ?? v.n, v.n))
            func bind(_ j: JSON) -> JSON {
                switch j {
                case .string("{{bound.value}}"): return v.json
                case .string("{{bound.nearest}}"): return .number(Double(nearest))
                case .array(let a): return .array(a.map(bind))
                case .object(let ob): return .object(JSONObject(ob.map { .init(key: $0.key, value: bind($0.value)) }))
                default: return j
                }
            }
            var side = bind(.object(v.inside ? inside : outside)).objectValue ?? JSONObject()
            let covers = side["covers"] ?? .string("success")
            side["covers"] = nil
            var expect = side
            for m in moved where kind != .date {
                let theirs = within(v.n, m.min, m.max)
                guard theirs != v.inside else { continue }
                var effect = bind(.object(theirs ? inside : outside)).objectValue ?? JSONObject()
                if effect["covers"] == nil { effect["covers"] = "success" }
                if effect["assert"] == nil { effect["assert"] = .array([]) }
                var cited = expect["readings"]?.objectValue ?? JSONObject()
                var options = cited[m.reading]?.objectValue ?? JSONObject()
                options[m.option] = .object(effect)
                cited[m.reading] = .object(options)
                expect["readings"] = .object(cited)
            }
            var request = requestTemplate
            var part = request[place == "body" ? "body" : "query"]?.objectValue ?? JSONObject()
            part[field] = v.json
            request[place == "body" ? "body" : "query"] = .object(part)
            let caseID = "\(id)-\(v.label)"
            let what: String
            switch kind {
            case .size: what = "\(field) of \(v.n) bytes (serialized JSON)"
            case .length: what = "\(field) of \(v.n) characters"
            case .count: what = "\(field) with \(v.n) items"
            case .range: what = "\(field)=\(v.n)"
            case .date: what = "\(field) \(v.label)"
            }
            var c = JSONObject()
            c["id"] = .string(caseID)
            c["title"] = .string(
                "\(what): \(v.inside ? "inside" : "outside") the documented bound (\(endpoint.doc):\(line) “\(quote)”)")
            c["endpoint"] = .string(endpoint.id)
            c["covers"] = covers
            c["role"] = role.value
            c["tags"] = .array(["bound", "generated"])
            c["request"] = .object(request)
            c["expect"] = .object(expect)
            let generated = Node(value: .object(c), path: item.path, file: item.file, sink: item.sink)
            let read = readCases(generated, endpoints: endpoints, fixtures: fixtures, readings: readings, access: access, sources: sources)
            cases += read
            ids += read.map(\.id)
        }
        bounds.append(
            Bound(
                id: id, endpoint: endpoint.id, field: field, kind: kind, min: lo, max: hi, page: endpoint.doc, line: line,
                quote: quote, cases: ids))
    }
    return (bounds, cases)
}
