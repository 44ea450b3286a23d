import Foundation
import Synchronization

/// What is known of a result without reading it back: enough for the counts,
/// the exit status, the certification verdict and the choice of which
/// results a report section reads.
public struct CaseGlance: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        case passed, ambiguous, failed, error, skipped
    }
    public var seq: Int
    public var kind: Kind
    public var endpointID: String
    public var durationSeconds: Double
    public var required: Bool
    public var isFlaky: Bool
    public var hasWarnings: Bool
    public var hasAmbiguities: Bool
    /// It carries reading options or observed enum values (read back by the run-wide checks).
    var hasReadingOptions: Bool
    var hasObservedValues: Bool

    /// As `Verdict.label`: passed, ambiguous, failed, error, skipped.
    public var label: String { Self.label(kind) }

    /// The label of a kind (as `label`).
    public static func label(_ kind: Kind) -> String {
        switch kind {
        case .passed: return "passed"
        case .ambiguous: return "ambiguous"
        case .failed: return "failed"
        case .error: return "error"
        case .skipped: return "skipped"
        }
    }

    /// Passed or ambiguous.
    public var conforms: Bool { kind == .passed || kind == .ambiguous }
    /// Failed or errored.
    public var isBad: Bool { kind == .failed || kind == .error }

    init(_ r: CaseResult) {
        seq = r.seq
        switch r.verdict {
        case .passed: kind = .passed
        case .ambiguous: kind = .ambiguous
        case .failed: kind = .failed
        case .error: kind = .error
        case .skipped: kind = .skipped
        }
        endpointID = r.endpointID
        durationSeconds = r.durationSeconds
        required = r.required
        isFlaky = r.isFlaky
        hasWarnings = r.findings.contains { $0.severity == .warning }
        hasAmbiguities = r.findings.contains { $0.severity == .ambiguous }
        hasReadingOptions = !r.readingOptions.isEmpty
        hasObservedValues = !r.observedValues.isEmpty
    }

    init(seq: Int, kind: Kind, endpointID: String, durationSeconds: Double, flags: UInt8) {
        self.seq = seq
        self.kind = kind
        self.endpointID = endpointID
        self.durationSeconds = durationSeconds
        required = flags & 1 != 0
        isFlaky = flags & 2 != 0
        hasWarnings = flags & 4 != 0
        hasAmbiguities = flags & 8 != 0
        hasReadingOptions = flags & 16 != 0
        hasObservedValues = flags & 32 != 0
    }

    var flags: UInt8 {
        (required ? 1 : 0) | (isFlaky ? 2 : 0) | (hasWarnings ? 4 : 0) | (hasAmbiguities ? 8 : 0)
            | (hasReadingOptions ? 16 : 0) | (hasObservedValues ? 32 : 0)
    }
}

/// The results of a run, in plan order once the run is over. Held in memory
/// (`[CaseResult]`, tests and callers that build results by hand), or spooled
/// (`CaseResults.spooled()`, what `conformance run` uses): each result is
/// encoded to a private file as it finishes and dropped from memory; only a
/// 32-byte entry a case stays (where it is in the file, and its `CaseGlance`),
/// and a result is read back when it is reached. Reading in plan order, a
/// report holds one result at a time, whatever the size of the run.
///
/// The spool file is created (0600) in a fresh directory (0700) under the
/// temporary folder, and both are unlinked at once: the file has no name
/// while it is used and is gone when the process ends, however it ends. It
/// holds what the results hold (the request with credentials as `***`, the
/// masked and scrubbed excerpt), nothing more.
///
/// A value: a copy that is changed (`results[i] = r`, `append`) stops sharing
/// its index with the original; a changed result is appended to the file and
/// its entry moved there (the file only grows while the run's results live).
public struct CaseResults: RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral, Sendable {
    private var memory: [CaseResult]
    private var spool: SpoolIndex?

    public init(_ results: [CaseResult]) {
        memory = results
        spool = nil
    }

    public init(arrayLiteral results: CaseResult...) { self.init(results) }

    /// Empty results that will be spooled to a file in `directory`.
    public static func spooled(directory: String = NSTemporaryDirectory()) throws -> CaseResults {
        var r = CaseResults([])
        r.spool = SpoolIndex(file: try SpoolFile(directory: directory))
        return r
    }

    /// Whether the results live in a spool file (not in memory).
    public var isSpooled: Bool { spool != nil }

    public var startIndex: Int { 0 }
    public var endIndex: Int { spool?.entries.count ?? memory.count }
    public func index(after i: Int) -> Int { i + 1 }
    public func index(before i: Int) -> Int { i - 1 }

    public subscript(i: Int) -> CaseResult {
        get {
            guard let spool else { return memory[i] }
            return spool.read(i)
        }
        set {
            guard spool != nil else {
                memory[i] = newValue
                return
            }
            uniqueSpool()
            do { try spool!.replace(i, with: newValue) } catch {
                toMemory()
                memory[i] = newValue
            }
        }
    }

    /// What is known of the i-th result without reading it back.
    public func glance(_ i: Int) -> CaseGlance {
        guard let spool else { return CaseGlance(memory[i]) }
        return spool.glance(i)
    }

    /// Every result's glance, in order.
    public var glances: LazyMapSequence<Range<Int>, CaseGlance> { indices.lazy.map { glance($0) } }

    /// The results whose glance passes `keep`, read back one at a time as the sequence is walked.
    public func matching(_ keep: @escaping (CaseGlance) -> Bool) -> LazyMapSequence<LazyFilterSequence<Range<Int>>, CaseResult> {
        indices.lazy.filter { keep(glance($0)) }.map { self[$0] }
    }

    /// Adds a result; spooled, it is written to the file at once. A write
    /// that fails (disk full) moves the results into memory: nothing is lost.
    public mutating func append(_ r: CaseResult) {
        guard spool != nil else { return memory.append(r) }
        uniqueSpool()
        do { try spool!.append(r) } catch {
            toMemory()
            memory.append(r)
        }
    }

    /// Room for `n` results: a run knows how many it will append, and an
    /// index grown by doubling holds up to twice that (and both the old and
    /// the new storage while it grows).
    public mutating func reserveCapacity(_ n: Int) {
        guard spool != nil else { return memory.reserveCapacity(n) }
        uniqueSpool()
        spool!.entries.reserveCapacity(n)
    }

    /// Puts the results in plan order (by `seq`; the run appends them as they finish).
    public mutating func sortBySeq() {
        guard spool != nil else { return memory.sort { $0.seq < $1.seq } }
        uniqueSpool()
        spool!.sortBySeq()
    }

    /// The index of the result with this case id (the first, in order), without reading every result back.
    public func firstIndex(ofCaseID id: String) -> Int? {
        guard let spool else { return memory.firstIndex { $0.caseID == id } }
        return spool.firstIndex(ofCaseID: id, byHash: nil)
    }

    /// Case id → the glance of its (first) result, for reports that look
    /// results up by id: a dictionary in memory; spooled, a sorted index of
    /// id hashes (4 bytes a case), each hit confirmed by reading the result back.
    public func lookupByCaseID() -> (String) -> CaseGlance? {
        guard let spool else {
            var byID: [String: Int] = [:]
            for (i, r) in memory.enumerated() where byID[r.caseID] == nil { byID[r.caseID] = i }
            return { id in byID[id].map { CaseGlance(memory[$0]) } }
        }
        // Built for this caller, not cached in the shared index (which copies may read from several threads).
        let byHash = spool.sortedByHash()
        return { id in spool.firstIndex(ofCaseID: id, byHash: byHash).map { spool.glance($0) } }
    }

    /// The spool file's bytes (tests: what it holds must never be a credential).
    package func spoolBytes() -> [UInt8]? { spool?.file.all() }

    private mutating func uniqueSpool() {
        if !isKnownUniquelyReferenced(&spool) { spool = spool!.copy() }
    }

    private mutating func toMemory() {
        memory = Array(self)
        spool = nil
    }
}

extension CaseResults: Equatable {
    public static func == (a: CaseResults, b: CaseResults) -> Bool { a.elementsEqual(b) }
}

/// The open spool file: appended to at its end, read anywhere (pread).
final class SpoolFile: Sendable {
    let fd: Int32
    private let end = Mutex<Int64>(0)

    struct Failure: Error { var errno: Int32 }

    init(directory: String) throws {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
        template += Array("conformance-results-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Failure(errno: errno)
        }
        let dir = String(cString: made)
        let path = dir + "/results.spool"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        let why = errno
        // No name from now on: the file lives as long as the descriptor.
        unlink(path)
        rmdir(dir)
        guard fd >= 0 else { throw Failure(errno: why) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes `bytes` at the end; returns where they start.
    func append(_ bytes: [UInt8]) throws -> Int64 {
        try end.withLock { end in
            let start = end
            try bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(start) + off_t(done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Failure(errno: errno)
                    }
                    done += n
                }
            }
            end += Int64(bytes.count)
            return start
        }
    }

    /// Reads `count` bytes at `offset` into `body`; nil when they cannot be read.
    func read<T>(_ offset: Int64, _ count: Int, _ body: (UnsafeRawBufferPointer) -> T?) -> T? {
        withUnsafeTemporaryAllocation(byteCount: max(1, count), alignment: 1) { buffer -> T? in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return nil }
                done += n
            }
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Everything written so far.
    func all() -> [UInt8] {
        let size = end.withLock { $0 }
        return read(0, Int(size)) { Array($0) } ?? []
    }
}

/// Where each spooled result is and what is known of it, in order.
final class SpoolIndex: @unchecked Sendable {
    // Changed only through a uniquely referenced `CaseResults` (copy on write):
    // a shared index is only read.
    // 32 bytes (a 100,000-case run keeps 3.2 MB of them): the seq and the id
    // hash in 32 bits (a hash that collides costs a read-back, never a wrong answer).
    struct Entry {
        var offset: Int64
        var duration: Double
        var length: UInt32
        var seq: Int32
        var idHash: UInt32
        var endpoint: UInt16
        var kind: UInt8
        var flags: UInt8
    }

    let file: SpoolFile
    var entries: [Entry] = []
    var endpoints: [String] = []
    var endpointNumbers: [String: UInt16] = [:]

    init(file: SpoolFile) { self.file = file }

    func copy() -> SpoolIndex {
        let c = SpoolIndex(file: file)
        c.entries = entries
        c.endpoints = endpoints
        c.endpointNumbers = endpointNumbers
        return c
    }

    func entry(for r: CaseResult) throws -> Entry {
        let bytes = ResultCodec.encode(r)
        guard bytes.count < Int(UInt32.max) else { throw SpoolFile.Failure(errno: EFBIG) }
        guard let seq = Int32(exactly: r.seq) else { throw SpoolFile.Failure(errno: EOVERFLOW) }
        let offset = try file.append(bytes)
        let g = CaseGlance(r)
        let number: UInt16
        if let n = endpointNumbers[r.endpointID] {
            number = n
        } else {
            guard endpoints.count < Int(UInt16.max) else { throw SpoolFile.Failure(errno: EOVERFLOW) }
            number = UInt16(endpoints.count)
            endpoints.append(r.endpointID)
            endpointNumbers[r.endpointID] = number
        }
        return Entry(
            offset: offset, duration: r.durationSeconds, length: UInt32(bytes.count), seq: seq, idHash: Self.hash(r.caseID),
            endpoint: number, kind: g.kind.rawValue, flags: g.flags)
    }

    func append(_ r: CaseResult) throws {
        entries.append(try entry(for: r))
    }

    func replace(_ i: Int, with r: CaseResult) throws {
        entries[i] = try entry(for: r)
    }

    func sortBySeq() {
        entries.sort { $0.seq < $1.seq }
    }

    func glance(_ i: Int) -> CaseGlance {
        let e = entries[i]
        return CaseGlance(
            seq: Int(e.seq), kind: CaseGlance.Kind(rawValue: e.kind) ?? .error, endpointID: endpoints[Int(e.endpoint)],
            durationSeconds: e.duration, flags: e.flags)
    }

    func read(_ i: Int) -> CaseResult {
        let e = entries[i]
        if let r = file.read(e.offset, Int(e.length), { try? ResultCodec.decode($0) }) { return r }
        // Cannot happen short of the file being damaged under us: said, not a crash.
        let g = glance(i)
        return CaseResult(
            seq: g.seq, caseID: "(result \(g.seq))", title: "", file: "", endpointID: g.endpointID, covers: "", role: Role(""),
            verdict: .error("the result could not be read back from the results spool"), findings: [], request: nil, status: nil,
            responseExcerpt: nil, durationSeconds: g.durationSeconds)
    }

    /// Entry positions sorted by id hash, then position (4 bytes a case).
    func sortedByHash() -> [Int32] {
        entries.indices.map { Int32($0) }.sorted { (entries[Int($0)].idHash, $0) < (entries[Int($1)].idHash, $1) }
    }

    /// The first entry whose result has this id; with `byHash` (from
    /// `sortedByHash`), by binary search, else by a scan of the entries.
    func firstIndex(ofCaseID id: String, byHash: [Int32]?) -> Int? {
        let h = Self.hash(id)
        guard let byHash else { return entries.indices.first { entries[$0].idHash == h && read($0).caseID == id } }
        var lo = 0, hi = byHash.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[Int(byHash[mid])].idHash < h { lo = mid + 1 } else { hi = mid }
        }
        while lo < byHash.count, entries[Int(byHash[lo])].idHash == h {
            let i = Int(byHash[lo])
            if read(i).caseID == id { return i }
            lo += 1
        }
        return nil
    }

    /// FNV-1a, 32 bits: stable within the process, cheap.
    static func hash(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        return h
    }
}
