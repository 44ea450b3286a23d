
extension CLI {
    public static let mainHelp = """
        conformance — TelecomX MVNO API conformance harness

        USAGE
          conformance                     run the whole suite against the built-in simulator
          conformance init [options]      scaffold a target profile for a new server (see init --help)
          conformance fixtures --target F each fixture with the cases it unlocks and whether the profile has it
          conformance run [options]       run the suite against a target (see run --help)
          conformance serve [options]     run the simulator alone (see serve --help)
          conformance certify --target F --out DIR   certification run: the whole suite, a bundle with digests
          conformance verify DIR          check a certification bundle's digests, counts and verdict
          conformance merge A.xml … -o F  merge shard reports (run --shard I/N) into one
          conformance openapi [-o FILE] [--target F]  an OpenAPI 3.1 document of the documented API, from the suite
                                              (--target: for testing that server, with error enums and examples)
          conformance coverage [--suite DIR]  each documented row with the cases covering it; exit 1 if any is uncovered;
                                              the documented values with the cases aimed at each (--target F: seen or not)
          conformance faults [--detect]   list the simulator's faults; --detect runs the suite against each
          conformance variants            list the simulator's variants (behaviour the docs allow)
          conformance lint-docs [options] report the vendor docs' own defects (see lint-docs --help)
          conformance import-docs PAGE... write endpoint specs, schemas and skeleton cases from doc pages
          conformance docs-diff [options] what the doc pages say now that the suite does not (drift)
          conformance readings          what the suite reads into the docs where they are silent, and the alternatives
          conformance --version

        EXIT STATUS
          0  every case that ran passed
          1  the target failed at least one case
          2  usage error, or a problem in the suite or the target profile
          3  nothing failed, but the verdict is incomplete: a case errored (could not be judged:
             unreachable, timeout, unreadable answer), or no case was judged (all skipped)
          4  nothing failed, but less of the suite was judged than --min-judged (or the profile's minJudged) asks
        """

    static func help(console: Console) -> ExitStatus {
        console.out(mainHelp)
        return .passed
    }
}
