import ConformanceKit
import Foundation
import HTTPServer
import JSONKit
import Synchronization
import TelecomXSimulator

/// `conformance serve`'s handler: the simulator, swappable while serving, and
/// an admin endpoint under `/__admin/` that only a loopback-bound server
/// serves (so only the loopback can reach it):
///
/// - `GET /__admin/config`: the faults and variants on, as JSON.
/// - `POST /__admin/config` with `{"faults": [NAME…], "variants": [NAME…]}`:
///   switch to them (a fresh simulator: the seeded state again). An unknown
///   name answers 400 naming it, and nothing changes.
/// - `POST /__admin/reset` (or SIGHUP to the process): the seeded state again, same faults and variants.
///
/// Every other request goes to the current simulator. With `log`, each
/// request is written as one line, method, path and query with every
/// credential replaced by `***` (headers and bodies are never logged).
final class ServeHandler: Sendable {
    static let prefix = "/__admin/"
    let current: Mutex<TelecomXSimulator>
    /// Whether the admin endpoint is served: only when the server is bound to a loopback address.
    let adminAllowed: Bool
    let log: (@Sendable (String) -> Void)?
    let latency: Double

    init(faults: [Fault], variants: [Variant], host: String, latency: Double = 0, log: (@Sendable (String) -> Void)? = nil) {
        current = Mutex(TelecomXSimulator(faults: faults, variants: variants))
        adminAllowed = Self.isLoopback(host)
        self.log = log
        self.latency = latency
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    var simulator: TelecomXSimulator { current.withLock { $0 } }

    var handler: HTTPHandler {
        { [self] request in
            let response = self.respond(request)
            if let log { log(Self.logLine(request, status: response.status, tokens: self.simulator.tokensByRole.map(\.token))) }
            return response
        }
    }

    func respond(_ request: HTTPRequest) -> HTTPResponse {
        if request.path.hasPrefix(Self.prefix) { return admin(request) }
        if latency > 0 { Thread.sleep(forTimeInterval: latency) }
        return simulator.respond(request)
    }

    func admin(_ request: HTTPRequest) -> HTTPResponse {
        guard adminAllowed else {
            return Self.json(403, ["error": "the admin endpoint is served only when serve is bound to a loopback address (--host 127.0.0.1)"])
        }
        switch (request.method, String(request.path.dropFirst(Self.prefix.count))) {
        case ("GET", "config"):
            return Self.json(200, config(simulator))
        case ("POST", "reset"):
            return Self.json(200, config(reset(), reset: true))
        case ("POST", "config"):
            guard let body = try? JSONParser.parse(request.body), body.objectValue != nil else {
                return Self.json(400, ["error": "the body must be a JSON object: {\"faults\": [NAME…], \"variants\": [NAME…]}"])
            }
            let faults: [Fault], variants: [Variant]
            do {
                faults = try CLI.namedFaults((body["faults"]?.arrayValue ?? []).compactMap(\.stringValue))
                variants = try CLI.namedVariants((body["variants"]?.arrayValue ?? []).compactMap(\.stringValue))
            } catch {
                return Self.json(400, ["error": .string(error.message)])
            }
            let fresh = TelecomXSimulator(faults: faults, variants: variants)
            current.withLock { $0 = fresh }
            return Self.json(200, config(fresh))
        default:
            return Self.json(404, ["error": "admin: GET /__admin/config, POST /__admin/config, POST /__admin/reset"])
        }
    }

    /// The seeded state again, with the same faults and variants (`POST /__admin/reset`, SIGHUP).
    @discardableResult
    func reset() -> TelecomXSimulator {
        current.withLock { sim in
            sim = TelecomXSimulator(faults: sim.faults.sorted().compactMap(Fault.named), variants: sim.variants.sorted().compactMap(Variant.named))
            return sim
        }
    }

    func config(_ sim: TelecomXSimulator, reset: Bool = false) -> JSON {
        var pairs: [(String, JSON)] = []
        if reset { pairs.append(("reset", .bool(true))) }
        pairs.append(("faults", .array(sim.faults.sorted().map { .string($0) })))
        pairs.append(("variants", .array(sim.variants.sorted().map { .string($0) })))
        return .object(JSONObject(pairs: pairs))
    }

    static func json(_ status: Int, _ value: JSON) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: Array((JSONWriter(pretty: false).string(value) + "\n").utf8))
    }

    /// Query names whose values are credentials wherever they appear.
    static let secretNames: Set<String> = ["token", "access_token", "api_key", "apikey", "key", "password", "secret", "auth", "session"]

    /// `GET /mvno/5a10…?token=*** → 200`: the path and the query, each value
    /// that is a credential (by its name, or because it is one of the
    /// simulator's tokens) replaced by `***`; never a header or a body. The
    /// path and query arrive percent-decoded, so a client's `%1B` would be an
    /// ESC on the terminal: control characters are shown as escapes.
    static func logLine(_ request: HTTPRequest, status: Int, tokens: [String]) -> String {
        let known = Set(tokens)
        var path = request.path
        for t in known where !t.isEmpty { path = path.replacingOccurrences(of: t, with: "***") }
        let query = request.query.map { item -> String in
            let value = item.value
            let secret = secretNames.contains(item.name.lowercased()) || known.contains(value)
                || known.contains { !$0.isEmpty && value.contains($0) }
            return item.name + "=" + (secret ? "***" : value)
        }
        return TerminalText.escapingControls(
            "\(request.method) \(path)\(query.isEmpty ? "" : "?" + query.joined(separator: "&")) → \(status)")
    }
}
