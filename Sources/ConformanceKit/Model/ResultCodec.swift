import JSONKit

/// A compact binary form of one `CaseResult`, for the spool a run writes its
/// results to as they finish (`CaseResults`). Private to one process: no
/// version, no portability promise; `decode(encode(r)) == r` for every result.
/// Integers are LEB128 varints, strings a length then UTF-8, optionals a
/// presence byte.
enum ResultCodec {
    static func encode(_ r: CaseResult) -> [UInt8] {
        var w = Writer(out: [])
        w.out.reserveCapacity(512)
        w.int(r.seq)
        w.string(r.caseID)
        w.string(r.title)
        w.string(r.file)
        w.string(r.endpointID)
        w.string(r.covers)
        w.string(r.role.rawValue)
        switch r.verdict {
        case .passed: w.byte(0)
        case .ambiguous: w.byte(1)
        case .failed: w.byte(2)
        case .error(let why):
            w.byte(3)
            w.string(why)
        case .skipped(let why):
            w.byte(4)
            w.string(why)
        }
        w.int(r.findings.count)
        for f in r.findings {
            w.string(f.check.rawValue)
            w.string(f.severity.rawValue)
            w.optional(f.pointer) { w, p in w.strings(p.tokens) }
            w.optional(f.keyword) { w, k in w.string(k) }
            w.string(f.expected)
            w.string(f.actual)
            w.string(f.message)
            w.optional(f.reading) { w, s in w.string(s) }
        }
        w.optional(r.request) { w, q in
            w.string(q.method)
            w.string(q.url)
            w.strings(q.headers)
            w.optional(q.body) { w, s in w.string(s) }
            w.optional(q.curl) { w, s in w.string(s) }
        }
        w.optional(r.status) { w, s in w.int(s) }
        w.optional(r.responseExcerpt) { w, s in w.string(s) }
        w.double(r.durationSeconds)
        w.strings(r.attempts)
        w.int(r.requests)
        w.byte(r.required ? 1 : 0)
        w.int(r.observedValues.count)
        for o in r.observedValues {
            w.string(o.endpointID)
            w.string(o.pointer)
            w.strings(o.seen)
            w.int(o.others)
        }
        let readings = r.readingOptions.sorted { $0.key < $1.key }
        w.int(readings.count)
        for (k, v) in readings {
            w.string(k)
            w.strings(v)
        }
        return w.out
    }

    struct Malformed: Error {}

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> CaseResult {
        var r = Reader(bytes: bytes)
        let seq = try r.int()
        let caseID = try r.string(), title = try r.string(), file = try r.string()
        let endpointID = try r.string(), covers = try r.string(), role = Role(try r.string())
        let verdict: Verdict
        switch try r.byte() {
        case 0: verdict = .passed
        case 1: verdict = .ambiguous
        case 2: verdict = .failed
        case 3: verdict = .error(try r.string())
        case 4: verdict = .skipped(try r.string())
        default: throw Malformed()
        }
        var findings: [Finding] = []
        for _ in 0..<(try r.count()) {
            guard let check = CheckKind(rawValue: try r.string()), let severity = Finding.Severity(rawValue: try r.string())
            else { throw Malformed() }
            let pointer = try r.optional { r throws(Malformed) in JSONPointer(tokens: try r.strings()) }
            let keyword = try r.optional { r throws(Malformed) in try r.string() }
            let expected = try r.string(), actual = try r.string(), message = try r.string()
            var f = Finding(
                check: check, severity: severity, pointer: pointer, keyword: keyword, expected: expected, actual: actual,
                message: message)
            f.reading = try r.optional { r throws(Malformed) in try r.string() }
            findings.append(f)
        }
        let request = try r.optional { r throws(Malformed) in
            let method = try r.string(), url = try r.string(), headers = try r.strings()
            let body = try r.optional { r throws(Malformed) in try r.string() }
            let curl = try r.optional { r throws(Malformed) in try r.string() }
            return RequestSummary(method: method, url: url, headers: headers, body: body, curl: curl)
        }
        let status = try r.optional { r throws(Malformed) in try r.int() }
        let excerpt = try r.optional { r throws(Malformed) in try r.string() }
        let duration = try r.double()
        var result = CaseResult(
            seq: seq, caseID: caseID, title: title, file: file, endpointID: endpointID, covers: covers, role: role,
            verdict: verdict, findings: findings, request: request, status: status, responseExcerpt: excerpt,
            durationSeconds: duration)
        result.attempts = try r.strings()
        result.requests = try r.int()
        result.required = try r.byte() == 1
        for _ in 0..<(try r.count()) {
            let endpoint = try r.string(), pointer = try r.string(), seen = try r.strings(), others = try r.int()
            result.observedValues.append(ValueObservation(endpointID: endpoint, pointer: pointer, seen: seen, others: others))
        }
        for _ in 0..<(try r.count()) {
            let k = try r.string()
            result.readingOptions[k] = try r.strings()
        }
        guard r.at == bytes.count else { throw Malformed() }
        return result
    }

    struct Writer {
        var out: [UInt8]

        mutating func byte(_ b: UInt8) { out.append(b) }

        mutating func int(_ v: Int) {
            // Zig-zag, then LEB128.
            var u = UInt64(bitPattern: Int64(v) << 1 ^ Int64(v) >> 63)
            while u >= 0x80 {
                out.append(UInt8(truncatingIfNeeded: u) | 0x80)
                u >>= 7
            }
            out.append(UInt8(u))
        }

        mutating func double(_ d: Double) {
            let bits = d.bitPattern
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        }

        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { u in
                int(u.count)
                out.append(contentsOf: u)
            }
        }

        mutating func strings(_ a: [String]) {
            int(a.count)
            for s in a { string(s) }
        }

        mutating func optional<T>(_ v: T?, _ body: (inout Writer, T) -> Void) {
            guard let v else { return byte(0) }
            byte(1)
            body(&self, v)
        }
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        mutating func byte() throws(Malformed) -> UInt8 {
            guard at < bytes.count else { throw Malformed() }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func int() throws(Malformed) -> Int {
            var u: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Malformed() }
                u |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return Int(Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1))
        }

        /// A count of items that follow (each at least a byte).
        mutating func count() throws(Malformed) -> Int {
            let n = try int()
            guard n >= 0, n <= bytes.count - at else { throw Malformed() }
            return n
        }

        mutating func double() throws(Malformed) -> Double {
            guard at + 8 <= bytes.count else { throw Malformed() }
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
            at += 8
            return Double(bitPattern: bits)
        }

        mutating func string() throws(Malformed) -> String {
            let n = try count()
            defer { at += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + n]), as: UTF8.self)
        }

        mutating func strings() throws(Malformed) -> [String] {
            var out: [String] = []
            for _ in 0..<(try count()) { out.append(try string()) }
            return out
        }

        mutating func optional<T>(_ body: (inout Reader) throws(Malformed) -> T) throws(Malformed) -> T? {
            switch try byte() {
            case 0: return nil
            case 1: return try body(&self)
            default: throw Malformed()
            }
        }
    }
}
