import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SHA-256 (FIPS 180-4): digests of report files and inputs, so a later
/// `verify` can tell that a report belongs to the files it names.
///
/// A one-shot `hash` goes through the system's OpenSSL (`libcrypto.so.3`,
/// loaded once with `dlopen`, as `TLSLibrary` loads libssl) when it loads
/// and gives the FIPS example digest: its SHA-256 uses the processor's SHA
/// instructions, about ten times our own code's speed, which loading 25,000
/// case files (15 MB hashed for the suite's digest) felt. Without it (or with
/// `CONFORMANCE_SHA256=swift`) the same digest comes from our own code
/// (`OwnSHA256Hasher`), Foundation only. `SHA256Hasher`, the incremental one,
/// goes the same way.
///
/// ```swift
/// SHA256.hex(SHA256.hash(Array("abc".utf8)))   // "ba7816bf…f20015ad"
/// try SHA256.hexOfFile(path: "Reports/results.json")
/// ```
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        if let system = SystemSHA256.shared { return system.hash(bytes) }
        return swiftHash(bytes)
    }

    /// The digest by our own code (`OwnSHA256Hasher`), whatever the system has.
    package static func swiftHash(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256Hasher(systemLibrary: false)
        h.update(bytes)
        return h.finalize()
    }

    /// Whether `hash` goes through the system's libcrypto in this process.
    package static var usesSystemLibrary: Bool { SystemSHA256.shared != nil }

    /// The digest of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    /// Lower-case hexadecimal, two digits a byte.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hexadecimal digest of a file, read in chunks of `chunkSize` bytes
    /// (the file is never held in memory whole). Throws when it cannot be read.
    public static func hexOfFile(path: String, chunkSize: Int = 1 << 20) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var h = SHA256Hasher()
        while let chunk = try handle.read(upToCount: max(1, chunkSize)), !chunk.isEmpty {
            h.update(chunk)
        }
        return hex(h.finalize())
    }
}

/// libcrypto's `SHA256_Init`, `SHA256_Update` and `SHA256_Final` (the
/// one-shot `SHA256` of OpenSSL 3 looks the digest up among its providers at
/// every call, which cost as much as the hashing for a case file of a few
/// hundred bytes), loaded once per process; nil when the library or a
/// function is missing, when they do not give the FIPS 180-2 digest of "abc",
/// or when `CONFORMANCE_SHA256=swift`.
struct SystemSHA256: @unchecked Sendable {
    // @unchecked: C function pointers, set once; the handle is never closed.
    typealias Context = UnsafeMutableRawPointer
    let initialise: @convention(c) (Context?) -> Int32
    let update: @convention(c) (Context?, UnsafeRawPointer?, Int) -> Int32
    let final: @convention(c) (UnsafeMutablePointer<UInt8>?, Context?) -> Int32

    /// `SHA256_CTX` is 112 bytes in OpenSSL 1.1 and 3; room to spare.
    static let contextBytes = 256

    func hash(_ bytes: [UInt8]) -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: Self.contextBytes, alignment: 16) { context in
            [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                _ = initialise(context.baseAddress)
                bytes.withUnsafeBytes { _ = update(context.baseAddress, $0.baseAddress, $0.count) }
                _ = final(out.baseAddress, context.baseAddress)
                count = 32
            }
        }
    }

    static let shared: SystemSHA256? = {
        if ProcessInfo.processInfo.environment["CONFORMANCE_SHA256"] == "swift" { return nil }
        #if canImport(Darwin)
            let names = ["libcrypto.3.dylib"]
        #else
            let names = ["libcrypto.so.3"]
        #endif
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            if let i = dlsym(handle, "SHA256_Init"), let u = dlsym(handle, "SHA256_Update"), let f = dlsym(handle, "SHA256_Final") {
                let system = SystemSHA256(
                    initialise: unsafeBitCast(i, to: (@convention(c) (Context?) -> Int32).self),
                    update: unsafeBitCast(u, to: (@convention(c) (Context?, UnsafeRawPointer?, Int) -> Int32).self),
                    final: unsafeBitCast(f, to: (@convention(c) (UnsafeMutablePointer<UInt8>?, Context?) -> Int32).self))
                if SHA256.hex(system.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
                    return system
                }
            }
            dlclose(handle)
        }
        return nil
    }()
}

/// Incremental SHA-256: feed bytes in pieces of any size with `update`, then
/// `finalize` (which does not consume the hasher: more bytes may follow).
///
/// Through the system's libcrypto when `SHA256.hash` uses it (a context of
/// its own, copied on write, so a copied hasher goes on apart), else our own
/// code (`OwnSHA256Hasher`). The reports of every run are hashed as they are
/// written (`ReportSink`), and `hexOfFile` hashes reports and profiles: our
/// own code was a tenth of the CPU of the whole test suite, unoptimised as
/// the tests build the engine, and libcrypto's SHA instructions do the same
/// work several times faster in any build.
package struct SHA256Hasher: Sendable {
    private var own: OwnSHA256Hasher?
    private var system: SystemSHA256Context?

    /// `systemLibrary` false: our own code, whatever the system has (tests compare the two).
    package init(systemLibrary: Bool = true) {
        if systemLibrary, let library = SystemSHA256.shared {
            system = SystemSHA256Context(library)
        } else {
            own = OwnSHA256Hasher()
        }
    }

    public init() { self.init(systemLibrary: true) }

    /// Whether this hasher goes through libcrypto.
    package var usesSystemLibrary: Bool { system != nil }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) {
        update(Array(text.utf8))
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        if system != nil {
            if !isKnownUniquelyReferenced(&system!) { system = SystemSHA256Context(copying: system!) }
            system!.update(buffer)
        } else {
            own!.update(buffer)
        }
    }

    /// The digest of everything fed so far.
    public func finalize() -> [UInt8] {
        if let system { return system.finalized() }
        return own!.finalize()
    }
}

/// A libcrypto `SHA256_CTX` of our own, for `SHA256Hasher`. The context is
/// plain data (eight words of state, the length, a 64-byte block and two
/// counts: no pointers), so copying its bytes copies the hash in progress.
final class SystemSHA256Context: @unchecked Sendable {
    // @unchecked: owned by one hasher at a time (copied before a shared one is changed).
    let library: SystemSHA256
    let context: UnsafeMutableRawPointer

    init(_ library: SystemSHA256) {
        self.library = library
        context = .allocate(byteCount: SystemSHA256.contextBytes, alignment: 16)
        context.initializeMemory(as: UInt8.self, repeating: 0, count: SystemSHA256.contextBytes)
        _ = library.initialise(context)
    }

    init(copying other: SystemSHA256Context) {
        library = other.library
        context = .allocate(byteCount: SystemSHA256.contextBytes, alignment: 16)
        context.copyMemory(from: other.context, byteCount: SystemSHA256.contextBytes)
    }

    deinit { context.deallocate() }

    func update(_ buffer: UnsafeRawBufferPointer) {
        _ = library.update(context, buffer.baseAddress, buffer.count)
    }

    /// The digest so far, from a copy of the context (this one can go on).
    func finalized() -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: SystemSHA256.contextBytes, alignment: 16) { copy in
            copy.baseAddress!.copyMemory(from: context, byteCount: SystemSHA256.contextBytes)
            return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                _ = library.final(out.baseAddress, copy.baseAddress)
                count = 32
            }
        }
    }
}

/// Our own incremental SHA-256 (Foundation only): what `SHA256Hasher` uses
/// when libcrypto does not load, or with `CONFORMANCE_SHA256=swift`.
package struct OwnSHA256Hasher: Sendable {
    private var h0: UInt32 = 0x6a09_e667
    private var h1: UInt32 = 0xbb67_ae85
    private var h2: UInt32 = 0x3c6e_f372
    private var h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f
    private var h5: UInt32 = 0x9b05_688c
    private var h6: UInt32 = 0x1f83_d9ab
    private var h7: UInt32 = 0x5be0_cd19
    /// Bytes waiting for a whole 64-byte block (always fewer than 64).
    private var pending: [UInt8] = []
    /// Bytes fed so far.
    private var length: UInt64 = 0

    init() { pending.reserveCapacity(64) }

    /// (`SHA256Hasher` takes arrays, data and text and hands their bytes here.)
    mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        length &+= UInt64(buffer.count)
        var rest = buffer[...]
        if !pending.isEmpty {
            let take = min(64 - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            guard pending.count == 64 else { return }
            let block = pending
            block.withUnsafeBytes { compress(UnsafeRawBufferPointer($0)) }
            pending.removeAll(keepingCapacity: true)
        }
        while rest.count >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        pending.append(contentsOf: rest)
    }

    /// The digest of everything fed so far.
    func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                copy.compress(UnsafeRawBufferPointer(rebasing: all[offset..<offset + 64]))
                offset += 64
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [copy.h0, copy.h1, copy.h2, copy.h3, copy.h4, copy.h5, copy.h6, copy.h7] {
            out.append(UInt8(truncatingIfNeeded: word >> 24))
            out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8))
            out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    /// One 64-byte block.
    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                let i = t * 4
                w[t] = UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16 | UInt32(block[i + 2]) << 8 | UInt32(block[i + 3])
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            OwnSHA256Hasher.k.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
            h0 &+= a
            h1 &+= b
            h2 &+= c
            h3 &+= d
            h4 &+= e
            h5 &+= f
            h6 &+= g
            h7 &+= h
        }
    }

    @inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}
