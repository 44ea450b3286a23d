import Foundation
import Testing

import ConformanceKit

@Suite struct SHA256Tests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    func hex(_ s: String) -> String { SHA256.hex(SHA256.hash(Array(s.utf8))) }

    // FIPS 180-2, appendix B: the example messages.
    @Test func nistExampleVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// The system's libcrypto (what `hash` uses when it loads) and our own
    /// code give the same digest for every length around the block
    /// boundaries and for seeded messages up to 100 KB. On Linux the library
    /// must load here (libssl3, which the TLS tests need too, brings it).
    @Test func theSystemLibraryAndOurOwnCodeAgree() {
        #if os(Linux)
            #expect(SHA256.usesSystemLibrary, "libcrypto.so.3 did not load: every digest comes from our own code")
        #endif
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 17
        }
        let lengths = Array(0...200) + (0..<40).map { _ in Int(next() % 100_000) }
        for length in lengths {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            #expect(SHA256.hash(message) == SHA256.swiftHash(message), "length \(length)")
        }
    }

    /// The incremental hasher through libcrypto (what the report sink and
    /// `hexOfFile` use) and through our own code agree, fed the same seeded
    /// messages in seeded pieces (empty ones too), and agree with the one-shot
    /// digest.
    @Test func theIncrementalHasherAgreesWithOurOwnCodeInAnyPieces() {
        #if os(Linux)
            #expect(SHA256Hasher().usesSystemLibrary, "libcrypto.so.3 did not load: the incremental hasher runs our own code")
        #endif
        #expect(!SHA256Hasher(systemLibrary: false).usesSystemLibrary)
        var seed: UInt64 = 0xD1B5_4A32_D192_ED03
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 17
        }
        for round in 0..<120 {
            let length = round < 70 ? round * 3 : Int(next() % 20_000)
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            var system = SHA256Hasher()
            var own = SHA256Hasher(systemLibrary: false)
            var offset = 0
            while offset < message.count {
                let n = min(Int(next() % 150), message.count - offset)  // 0 included
                let piece = Array(message[offset..<offset + n])
                system.update(piece)
                own.update(piece)
                offset += n
            }
            #expect(system.finalize() == own.finalize(), "length \(length)")
            #expect(own.finalize() == SHA256.swiftHash(message), "length \(length)")
        }
    }

    /// A copy of a hasher goes on apart from the original, through libcrypto
    /// (whose context is shared until one of them changes) and our own code.
    @Test func aCopiedHasherGoesOnApart() {
        for systemLibrary in [true, false] {
            var first = SHA256Hasher(systemLibrary: systemLibrary)
            first.update("ab")
            var second = first
            second.update("c")
            #expect(SHA256.hex(second.finalize()) == hex("abc"), "systemLibrary \(systemLibrary)")
            #expect(SHA256.hex(first.finalize()) == hex("ab"), "systemLibrary \(systemLibrary)")
            first.update("x")
            #expect(SHA256.hex(first.finalize()) == hex("abx"), "systemLibrary \(systemLibrary)")
            #expect(SHA256.hex(second.finalize()) == hex("abc"), "systemLibrary \(systemLibrary)")
            let third = second
            second.update("d")
            #expect(SHA256.hex(third.finalize()) == hex("abc"), "systemLibrary \(systemLibrary)")
            #expect(SHA256.hex(second.finalize()) == hex("abcd"), "systemLibrary \(systemLibrary)")
        }
    }

    @Test func oneMillionAInOneGoAndInUnevenChunks() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(SHA256.hash(million)) == expected)  // how fast is the benchmarks' question, not this test's

        var h = SHA256Hasher()
        var offset = 0
        let sizes = [1, 63, 64, 65, 7, 127, 1000, 4096, 3, 55, 56, 57, 9999]
        var i = 0
        while offset < million.count {
            let n = min(sizes[i % sizes.count], million.count - offset)
            h.update(Array(million[offset..<offset + n]))
            offset += n
            i += 1
        }
        #expect(SHA256.hex(h.finalize()) == expected)
    }

    /// Every split of a message across the padding boundaries gives the one-shot digest.
    @Test func everySplitPointMatchesOneShot() {
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let oneShot = SHA256.hash(message)
            for split in 0...length {
                var h = SHA256Hasher()
                h.update(Array(message[..<split]))
                h.update(Array(message[split...]))
                #expect(h.finalize() == oneShot, "length \(length), split at \(split)")
            }
        }
    }

    @Test func finalizeDoesNotConsumeTheHasher() {
        for systemLibrary in [true, false] {
            var h = SHA256Hasher(systemLibrary: systemLibrary)
            h.update("ab")
            _ = h.finalize()
            h.update(Data("c".utf8))
            #expect(SHA256.hex(h.finalize()) == hex("abc"), "systemLibrary \(systemLibrary)")
        }
    }

    /// Real files, against the system's sha256sum: files of the repository and
    /// generated files around the block boundaries, hashed in odd-sized chunks.
    @Test func filesMatchSystemSha256sum() throws {
        let tool = "/usr/bin/sha256sum"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "needs \(tool) (coreutils)")
        var paths = [
            Self.root + "/Package.swift",
            Self.root + "/Cases/schemas/mvno-account.schema.json",
            Self.root + "/Cases/endpoints/mvno-account-get.json",
        ]
        let dir = NSTemporaryDirectory() + "sha256-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for size in [0, 55, 56, 64, 65, 1_000_003] {
            let path = "\(dir)/f\(size)"
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        for path in paths {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = [path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let expected = String(out.prefix(64))
            #expect(expected.count == 64)
            #expect(try SHA256.hexOfFile(path: path) == expected, "\(path)")
            #expect(try SHA256.hexOfFile(path: path, chunkSize: 1000) == expected, "\(path), 1000-byte chunks")
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(SHA256.hex(SHA256.hash([UInt8](whole))) == expected)
        }
    }

    @Test func aMissingFileThrows() {
        #expect(throws: (any Error).self) { try SHA256.hexOfFile(path: "/nonexistent/\(UUID().uuidString)") }
    }
}
