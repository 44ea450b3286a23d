import Foundation

/// Where a report format writes its text, piece by piece, in order: a file
/// (`ReportSink.file`, through a buffer flushed in chunks of 64 KB) or memory
/// (`ReportSink()`, for tests and for text a caller keeps). A report is never
/// built whole as one `String` before it is written, so writing the reports
/// of a run costs the buffer, not the size of the reports. The bytes are
/// hashed (SHA-256) as they pass, for a caller that needs the file's digest.
///
/// A sink belongs to the one format writing to it (not shared across threads).
/// A write that fails (disk full) is remembered and thrown by `finish`; later
/// writes are dropped.
public final class ReportSink {
    private var buffer: [UInt8] = []
    private let chunk: Int
    /// Where full buffers go; nil keeps everything in `buffer` (memory).
    private let drain: (([UInt8]) throws -> Void)?
    private var failure: (any Error)?
    private var hasher = SHA256Hasher()
    /// Bytes written so far.
    public private(set) var count = 0

    /// In memory: `text` is everything written.
    public init() {
        chunk = .max
        drain = nil
    }

    /// Buffers up to `chunk` bytes, then hands them to `drain`.
    init(chunk: Int = 1 << 16, drain: @escaping ([UInt8]) throws -> Void) {
        self.chunk = max(1, chunk)
        self.drain = drain
        buffer.reserveCapacity(self.chunk)
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        count += bytes.count
        hasher.update(bytes)
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { flush() }
    }

    private func flush() {
        guard let drain, failure == nil, !buffer.isEmpty else { return }
        do { try drain(buffer) } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes what is buffered; throws the first write that failed.
    func finish() throws {
        flush()
        if let failure { throw failure }
    }

    /// What was written (an in-memory sink's whole text).
    public var text: String { String(decoding: buffer, as: UTF8.self) }

    /// The SHA-256 of every byte written, in lower-case hexadecimal.
    public var sha256: String { SHA256.hex(hasher.finalize()) }

    /// Writes `path` atomically through a sink: a temporary file beside it
    /// (created exclusively, mode 0644 less the umask, as `Data.write` made
    /// it), `body` writes into it, then a rename over `path`. The temporary
    /// file is removed when anything fails. Returns the digest of the bytes.
    @discardableResult
    public static func writeAtomically(to path: String, _ body: (ReportSink) throws -> Void) throws -> String {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            let sink = ReportSink { bytes in
                try bytes.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                        }
                        offset += n
                    }
                }
            }
            try body(sink)
            try sink.finish()
            closed = true
            guard close(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return sink.sha256
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
