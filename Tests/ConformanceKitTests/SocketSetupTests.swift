@testable import ConformanceKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How `PlainHTTP` sets up a socket before it connects: a loopback peer gets
/// a large fixed receive buffer (a 200 ms stall of large answers behind a TLS
/// front, see `PlainHTTP.prepare`); any other peer keeps the kernel's
/// autotuned one.
struct SocketSetupTests {
    static func ipv4(_ text: String) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(443).bigEndian)
        #expect(inet_pton(AF_INET, text, &a.sin_addr) == 1, "\(text)")
        return a
    }

    static func ipv6(_ text: String) -> sockaddr_in6 {
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_port = in_port_t(UInt16(443).bigEndian)
        #expect(inet_pton(AF_INET6, text, &a.sin6_addr) == 1, "\(text)")
        return a
    }

    static func isLoopback(_ text: String) -> Bool {
        if text.contains(":") {
            var a = ipv6(text)
            return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { PlainHTTP.isLoopback($0) } }
        }
        var a = ipv4(text)
        return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { PlainHTTP.isLoopback($0) } }
    }

    @Test func loopbackAddressesAreTold() {
        for text in ["127.0.0.1", "127.255.0.9", "127.0.0.0", "::1", "::ffff:127.0.0.1", "::ffff:127.9.8.7"] {
            #expect(Self.isLoopback(text), "\(text) is loopback")
        }
        for text in ["10.0.0.1", "128.0.0.1", "126.255.255.255", "0.0.0.0", "192.168.1.1", "::", "::2", "::100:1", "fe80::1", "::ffff:10.0.0.1", "::127.0.0.1", "2001:db8::1"] {
            #expect(!Self.isLoopback(text), "\(text) is not loopback")
        }
    }

    /// The receive buffer the kernel reports for a TCP socket of `family`
    /// prepared for `address` (nil: not prepared at all).
    static func receiveBuffer(family: Int32, preparedFor address: UnsafePointer<sockaddr>?, prepare: Bool = true) -> Int32 {
        let s = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #expect(s >= 0)
        defer { close(s) }
        if prepare { PlainHTTP.prepare(socket: s, to: address) }
        var size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, &length) == 0)
        return size
    }

    @Test func aLoopbackPeerGetsTheLargeReceiveBufferAndOthersKeepTheKernels() throws {
        let untouched = Self.receiveBuffer(family: AF_INET, preparedFor: nil, prepare: false)
        // The kernel doubles what is asked for, up to net.core.rmem_max.
        let rmemMax = (try? String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? PlainHTTP.loopbackReceiveBuffer
        let expected = 2 * min(PlainHTTP.loopbackReceiveBuffer, rmemMax)
        try #require(expected > untouched, "this machine's rmem_max (\(rmemMax)) leaves no room above the default (\(untouched)) to tell")

        var loopback = Self.ipv4("127.0.0.1")
        let onLoopback = withUnsafePointer(to: &loopback) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Self.receiveBuffer(family: AF_INET, preparedFor: $0) }
        }
        #expect(onLoopback == expected)

        var loopback6 = Self.ipv6("::1")
        let onLoopback6 = withUnsafePointer(to: &loopback6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Self.receiveBuffer(family: AF_INET6, preparedFor: $0) }
        }
        #expect(onLoopback6 == expected)

        var remote = Self.ipv4("192.0.2.10")
        let elsewhere = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Self.receiveBuffer(family: AF_INET, preparedFor: $0) }
        }
        #expect(elsewhere == untouched, "a remote peer keeps the autotuned buffer")
    }

    @Test func aPreparedSocketIsNonBlockingClosedOnExecAndWithoutNagle() {
        var remote = Self.ipv4("192.0.2.10")
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(s >= 0)
        defer { close(s) }
        withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { PlainHTTP.prepare(socket: s, to: $0) } }
        #expect(fcntl(s, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(s, F_GETFD) & FD_CLOEXEC != 0)
        var noDelay: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(s, Int32(IPPROTO_TCP), Int32(TCP_NODELAY), &noDelay, &length) == 0)
        #expect(noDelay != 0)
    }
}
