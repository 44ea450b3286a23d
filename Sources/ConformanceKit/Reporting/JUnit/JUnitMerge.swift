import Foundation

/// Merges JUnit reports of shards into one: test suites of the same name are
/// joined (their test cases concatenated, counts and times summed), so the
/// result has the same shape and totals as an unsharded run's report.
public enum JUnitMerge {
    public struct MergeError: Error, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    struct SuiteAccumulator {
        var name: String
        var attributes: [String: String]
        /// Each as it was written in its shard's report.
        var properties: [String] = []
        var testcases: [String] = []
        var out: [String] = []
        var err: [String] = []
        var tests = 0, failures = 0, errors = 0, skipped = 0
        var time = 0.0
    }

    public static func merge(files: [String]) throws -> (xml: String, tests: Int, failures: Int, errors: Int, skipped: Int) {
        var order: [String] = []
        var suites: [String: SuiteAccumulator] = [:]
        for file in files {
            let root: XMLReader.Element
            let bytes: [UInt8]
            do {
                bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw MergeError(file: file, message: "not a readable file (\(error.localizedDescription))")
            }
            do {
                root = try XMLReader.parse(bytes)
            } catch {
                throw MergeError(file: file, message: "not a readable XML file (\(error))")
            }
            func source(_ e: XMLReader.Element) -> String { String(decoding: bytes[e.start..<e.end], as: UTF8.self) }
            let elements: [XMLReader.Element]
            switch root.name {
            case "testsuites": elements = root.elements(named: "testsuite")
            case "testsuite": elements = [root]
            default: throw MergeError(file: file, message: "root element is <\(root.name)>, not <testsuites> or <testsuite>")
            }
            for ts in elements {
                guard let name = ts.attribute("name") else {
                    throw MergeError(file: file, message: "a <testsuite> has no name")
                }
                var acc = suites[name] ?? SuiteAccumulator(name: name, attributes: [:])
                if suites[name] == nil {
                    order.append(name)
                    for a in ts.attributes { acc.attributes[a.name] = a.value }
                    acc.properties = ts.elements(named: "properties").flatMap { $0.elements(named: "property") }.map(source)
                } else if let t = ts.attribute("timestamp"), let mine = acc.attributes["timestamp"], t < mine {
                    acc.attributes["timestamp"] = t
                }
                for tc in ts.elements(named: "testcase") {
                    acc.testcases.append(source(tc))
                    acc.tests += 1
                    if !tc.elements(named: "failure").isEmpty { acc.failures += 1 }
                    if !tc.elements(named: "error").isEmpty { acc.errors += 1 }
                    if !tc.elements(named: "skipped").isEmpty { acc.skipped += 1 }
                    acc.time += Double(tc.attribute("time") ?? "0") ?? 0
                }
                if let o = ts.elements(named: "system-out").first?.text, !o.isEmpty { acc.out.append(o) }
                if let e = ts.elements(named: "system-err").first?.text, !e.isEmpty { acc.err.append(e) }
                suites[name] = acc
            }
        }
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        var totals = (0, 0, 0, 0)
        for (index, name) in order.enumerated() {
            let s = suites[name]!
            totals.0 += s.tests
            totals.1 += s.failures
            totals.2 += s.errors
            totals.3 += s.skipped
            x += "  <testsuite name=\"\(XML.escape(name, attribute: true))\" package=\"\(XML.escape(s.attributes["package"] ?? "telecomx", attribute: true))\" id=\"\(index)\""
            x += " tests=\"\(s.tests)\" failures=\"\(s.failures)\" errors=\"\(s.errors)\" skipped=\"\(s.skipped)\""
            x += " time=\"\(JUnitReporter.seconds(s.time))\" timestamp=\"\(XML.escape(s.attributes["timestamp"] ?? "1970-01-01T00:00:00", attribute: true))\""
            x += " hostname=\"\(XML.escape(s.attributes["hostname"] ?? "localhost", attribute: true))\">\n"
            x += "    <properties>\n"
            for p in s.properties { x += "      " + p + "\n" }
            x += "    </properties>\n"
            for tc in s.testcases { x += "    " + tc + "\n" }
            x += "    <system-out>\(XML.escape(s.out.joined(separator: "\n")))</system-out>\n"
            x += "    <system-err>\(XML.escape(s.err.joined(separator: "\n")))</system-err>\n"
            x += "  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return (x, totals.0, totals.1, totals.2, totals.3)
    }
}
