import ConformanceCLI
import Testing

@Suite struct AllocatorTuningTests {
    #if os(Linux)
        /// The settings the benchmarks' figures depend on must actually take:
        /// mallopt is found by name and accepts each parameter.
        @Test func glibcAcceptsTheSettings() {
            #expect(AllocatorTuning.apply())
            #expect(AllocatorTuning.arenas >= 2)
        }
    #endif
}
