@testable import ConformanceKit
import Foundation
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The smaller points of hostile input: an encoded body named as such, a
/// number beyond a double named as such, and one run per reports folder.
@Suite struct HostileSmallPointsTests {
    static func run(_ respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse) async throws -> (status: Int32, out: String) {
        let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), handler: respond)
        let port = try server.start()
        defer { server.shutdown() }
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(
            HostileServerTests.against(port, reports: tmp.path) + ["--case", "get-by-id", "--timeout", "5"],
            environment: ["TELECOMX_OWNER_TOKEN": "owner-test-token-1"])
        return (status, c.out + "\n" + c.err)
    }

    /// A few bytes of a gzip stream (header and deflate start): never decoded, only named.
    static let gzipBytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xAB, 0x56, 0x2A, 0x00]

    @Test func aGzipBodyNamesItsContentEncoding() async throws {
        let r = try await Self.run { _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json"), ("Content-Encoding", "gzip")]), body: Self.gzipBytes)
        }
        #expect(r.status == 3, "\(r.out)")
        #expect(r.out.contains("the response body is Content-Encoding: gzip, which was not asked for (no Accept-Encoding was sent)"), "\(r.out)")
        #expect(!r.out.contains("unexpected byte 0x1F"), "\(r.out)")
    }

    @Test func aGzipBodyWithoutTheHeaderIsNamedToo() async throws {
        let r = try await Self.run { _ in
            HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Self.gzipBytes)
        }
        #expect(r.status == 3, "\(r.out)")
        #expect(r.out.contains("gzip-compressed (it starts with 1F 8B)"), "\(r.out)")
    }

    @Test func aNumberBeyondADoubleIsNamedNotShownAsNull() async throws {
        let r = try await Self.run { _ in
            HTTPResponse(
                status: 200, headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: Array(#"{"_id": 1e400, "number": "+4520000001", "customer": "5c1000000000000000000001", "type": "MVNO"}"#.utf8))
        }
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains("/_id: expected \"5a1000000000000000000001\", got (a number beyond the range of a double, e.g. 1e400)"), "\(r.out)")
        #expect(!r.out.contains("got null"), "\(r.out)")
    }

    /// Seconds too large for milliseconds in an Int used to trap on the conversion.
    @Test func hugeTimeoutAndDeadlineDoNotTrap() async {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let (status, c) = await conformance(["run", "--reports", tmp.path + "/r", "--case", "get-by-id", "--timeout", "1e300", "--deadline", "1e300"])
        #expect(status == 0, "\(c.out)\n\(c.err)")
        #expect(formatSeconds(1e300) == "1e+300 s")
    }

    @Test func aReportsFolderInUseIsRefusedAndAStaleLockTakenOver() async throws {
        let tmp = TempDir()
        defer { tmp.cleanup() }
        let lock = tmp.path + "/r/" + ReportsLockName.name
        // In use: the lock names a live process (this one).
        try tmp.write("r/" + ReportsLockName.name, "\(getpid())\n")
        let args = ["run", "--reports", tmp.path + "/r", "--case", "get-by-id"]
        let (busy, c) = await conformance(args)
        #expect(busy == 2, "\(c.out)\n\(c.err)")
        #expect(c.err.contains("the reports folder \(tmp.path)/r is in use by another run (pid \(getpid()))"), "\(c.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/r/junit.xml"), "nothing was written")
        // Stale: the process that held it has ended.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try tmp.write("r/" + ReportsLockName.name, "\(gone.processIdentifier)\n")
        let (ok, d) = await conformance(args)
        #expect(ok == 0, "\(d.out)\n\(d.err)")
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/r/junit.xml"))
        #expect(!FileManager.default.fileExists(atPath: lock), "the lock is removed when the run ends")
    }
}
