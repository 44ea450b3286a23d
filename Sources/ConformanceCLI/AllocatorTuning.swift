import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide allocator settings for the executables (`conformance`,
/// `conformance-bench`), applied once at start.
///
/// Parsing a large response builds a tree of thousands of small allocations
/// (a 500-account page is about 4 MB of heap) and frees it when the case is
/// judged. glibc's default gives freed memory at the top of the heap back to
/// the kernel as soon as more than 128 KB of it is free, so the next large
/// response page-faults the same memory in again: on a 500-account page that
/// was a fifth of the time. Keeping up to 64 MB of freed heap for reuse
/// removes those faults; no memory is added, only kept.
///
/// glibc also gives each thread that allocates its own arena, up to eight per
/// core, and memory freed in one arena is not reused by another. With eight
/// requests in flight (and, for the built-in simulator, a thread per
/// connection), that held a large page's worth of memory per arena: a
/// 10,000-case run peaked at 104 MB. Two arenas per core brought it to about
/// 85 MB, for about a tenth of the throughput; one arena per core (the
/// Swift runtime's cooperative pool has a thread per core) takes the cases'
/// share of a 10,000-case run from 29 to 24 MB (peak 70 to 65 MB, the
/// simulator apart) at the same cases/s and CPU a case within the noise of
/// this machine (1,013-1,280 cases/s, 579-634 µs a case, both settings, two runs
/// each, load average 7-8; `conformance-bench memory`).
///
/// One more than the cores, not one per core: the main thread keeps the main
/// arena, and with one arena per core a loader thread reading case files
/// shared an arena with another in about half the runs: those loads of
/// 25,000 cases took 0.91-0.98 s (1.3-1.45 s of CPU, the lock contended)
/// instead of 0.50-0.55 s (0.9 s). With cores + 1, 14 of 14 loads were fast;
/// the peak at 100,000 generated cases is 92.9 MB against 90.5 (one run each,
/// idle machine; `conformance-bench load 25000`, `memory 100000`).
///
/// Setting the first of these turns off glibc's own raising of the size above
/// which a block is mapped on its own (`M_MMAP_THRESHOLD`, 128 KB): every
/// answer's buffers above it (a page's body, the words of its tape) were
/// mapped, faulted in page by page and unmapped again for each answer, 5 %
/// of the client's CPU on the request-rate benchmark. Blocks up to
/// `mappedAbove` (4 MB) now come from the heap and are reused; the peak at
/// 100,000 generated cases moved from 75.0 to 76.2 MB (issue 24).
public enum AllocatorTuning {
    public static let keptFreeBytes: Int32 = 64 << 20
    public static let mappedAbove: Int32 = 4 << 20
    public static var arenas: Int32 { Int32(clamping: max(1, ProcessInfo.processInfo.activeProcessorCount) + 1) }

    /// Gives the freed heap back to the kernel (`malloc_trim(0)`, every
    /// arena): called once the last case of a run finishes, so that the
    /// coverage and the reports that follow reuse pages instead of adding
    /// theirs to the arenas' high water of the requests in flight (a run
    /// keeps `keptFreeBytes` of freed heap while cases run, for speed). Once
    /// a run; nothing where the C library has no `malloc_trim`.
    public static func releaseFreed() {
        #if os(Linux)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// Applies the settings; false where the C library has no `mallopt`
    /// (not glibc), which changes nothing but speed.
    @discardableResult
    public static func apply() -> Bool {
        #if os(Linux)
            // mallopt is declared in <malloc.h>, which the Glibc module does not
            // import: look it up by name. Parameters from <malloc.h>.
            let M_TRIM_THRESHOLD: Int32 = -1
            let M_TOP_PAD: Int32 = -2
            let M_ARENA_MAX: Int32 = -8
            let M_MMAP_THRESHOLD: Int32 = -3
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            return mallopt(M_TRIM_THRESHOLD, keptFreeBytes) == 1 && mallopt(M_TOP_PAD, 16 << 20) == 1
                && mallopt(M_ARENA_MAX, arenas) == 1 && mallopt(M_MMAP_THRESHOLD, mappedAbove) == 1
        #else
            return false
        #endif
    }
}
