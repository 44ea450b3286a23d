import Foundation
import JSONKit
import JSONSchemaKit
import Synchronization

/// Reads `Cases/`: endpoint specs, schemas, the fixture catalogue and every
/// case, and cross-checks them. Every problem is collected, none is fatal on
/// its own; if any is an error, loading throws them all.
public enum SuiteLoader {
    /// Base URI under which schema files are registered (`schemas/x.json` → `file:///suite/schemas/x.json`).
    public static let schemaBase = "file:///suite/"

    /// How the documented schemas are applied to what a target sends: formats
    /// asserted, undescribed members reported, and a member holding `null` taken
    /// as holding no value. Every page says "properties holding no value may be
    /// omitted" and writes "no value" as `null` in its examples, so `null` and
    /// omission are one thing wherever a property may hold no value — derived
    /// here, once, rather than typed field by field in the schemas.
    public static let apiValidation = ValidationOptions(
        assertFormats: true, reportUndescribedProperties: true, nullMeansAbsent: true)

    /// With `digest` false, `Suite.digest` stays empty and no file is hashed:
    /// for what reports nothing about the suite's files (`run --list`).
    public static func load(root: String, digest: Bool = true) throws(SuiteLoadError) -> (
        suite: Suite, warnings: [Diagnostic]
    ) {
        try load(root: root, sink: DiagnosticSink(computesDigests: digest))
    }

    /// Every file of the suite at `root` that loading it reads (and so every
    /// file that can change a verdict), relative to `root`, sorted. Derived
    /// by loading it, so a file the loader starts reading is covered by the
    /// certification digest without a list to keep in step. A suite that
    /// does not load still lists the files it read.
    public static func filesRead(root: String) -> [String] {
        digestOfFilesRead(root: root).files.map(\.path)
    }

    /// The digest a load of the suite at `root` computes (`Suite.digest`),
    /// also when the suite does not load: what `verify` compares with a
    /// bundle's manifest, each file read and hashed once.
    public static func digestOfFilesRead(root: String) -> SuiteDigest {
        let sink = DiagnosticSink()
        _ = try? load(root: root, sink: sink)
        return digest(filesRead(sink, root: root))
    }

    /// The files `sink` read, relative to `root`, sorted, each once (its first
    /// read), with the SHA-256 it had as read ("" when the sink computed none).
    static func filesRead(_ sink: DiagnosticSink, root: String) -> [SuiteDigest.File] {
        filesRead(read: sink.read, digests: sink.digests, root: root)
    }

    /// The files of `read` (paths as read, each with its SHA-256 in `digests`), as `filesRead(_:root:)` gives them.
    static func filesRead(read: [String], digests: [String], root: String) -> [SuiteDigest.File] {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        var files = zip(read, digests).map { path, sha in
            SuiteDigest.File(path: path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path, sha256: sha)
        }
        files.sort { $0.path < $1.path }  // stable: of two reads of a path, the first stays first
        var out: [SuiteDigest.File] = []
        out.reserveCapacity(files.count)
        for f in files where out.last?.path != f.path { out.append(f) }
        return out
    }

    /// The suite's digest of `files`: each file's, and the SHA-256 of one line
    /// per file, "SHA  PATH".
    static func digest(_ files: [SuiteDigest.File]) -> SuiteDigest {
        var text: [UInt8] = []
        text.reserveCapacity(files.reduce(0) { $0 + $1.sha256.utf8.count + $1.path.utf8.count + 3 })
        for f in files {
            text += f.sha256.utf8
            text += "  ".utf8
            text += f.path.utf8
            text.append(UInt8(ascii: "\n"))
        }
        return SuiteDigest(files: files, sha256: SHA256.hex(SHA256.hash(text)))
    }

    static func load(root: String, sink: DiagnosticSink) throws(SuiteLoadError) -> (suite: Suite, warnings: [Diagnostic]) {
        let display = displayPath(root)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw SuiteLoadError([
                Diagnostic(file: display, keyPath: "", message: "suite folder not found", hint: "pass --suite DIR")
            ])
        }

        // The built-in meta-schemas every registry starts from are registered
        // once a process (their patterns also start ICU's regular expressions):
        // begun on another core while the suite's schemas are read. Whichever
        // thread comes first does it; the other waits for it (a `static let`).
        DispatchQueue.global().async { _ = SchemaRegistry() }

        // Schemas first: specs and cases refer to them.
        var schemas: [String: JSON] = [:]
        for rel in SuiteFiles.list(root + "/schemas", recursive: true) {
            let ref = "schemas/" + rel
            if let node = SuiteFiles.parse(path: root + "/" + ref, display: display + "/" + ref, sink: sink) {
                schemas[ref] = node.value
            }
        }
        // Answers are validated against each object as all pages document it together.
        let validated = DocumentedElsewhere.augmented(schemas, base: schemaBase)
        var registry = SchemaRegistry()
        for (ref, doc) in validated.sorted(by: { $0.key < $1.key }) {
            do {
                try registry.register(doc, uri: schemaBase + ref)
            } catch {
                sink.add(
                    Diagnostic(
                        file: display + "/" + ref, keyPath: pointerToKeyPath(error.pointer), message: error.message))
            }
        }

        // fixtures.json parsed once: its preflight, unchecked and confirmBeforeBlame are read from the same tree.
        let (fixtures, fixtureTypes, catalogue) = loadFixtureCatalogue(root: root, display: display, sink: sink)
        let readings = loadReadings(root: root, display: display, sink: sink)
        let api = loadAPIInfo(root: root, display: display, sink: sink)
        // Levels and roles before the specs and cases that name them.
        let access = readAccessFile(root: root, display: display, sink: sink)
        checkVisibilityLevels(schemas: schemas, access: access, display: display, sink: sink)

        var endpoints: [Endpoint] = []
        // id → file, for the duplicate checks: a lookup per id, not a scan (the load stays linear in cases).
        var endpointFiles: [String: String] = [:]
        var boundLists: [(endpoint: String, node: Node)] = []
        var negativeSpecs: [(endpoint: String, node: Node)] = []
        for rel in SuiteFiles.list(root + "/endpoints", recursive: false) {
            let file = display + "/endpoints/" + rel
            guard let node = SuiteFiles.parse(path: root + "/endpoints/" + rel, display: file, sink: sink),
                let ep = readEndpoint(node, readings: readings, access: access)
            else { continue }
            if let other = endpointFiles[ep.id] {
                node.child("id", .string(ep.id)).error("endpoint id '\(ep.id)' is also used by \(other)")
                continue
            }
            endpointFiles[ep.id] = ep.file
            endpoints.append(ep)
            if let o = node.value.objectValue, let b = o["bounds"] {
                boundLists.append((ep.id, node.child("bounds", b)))
            }
            if let o = node.value.objectValue, let n = o["negatives"] {
                negativeSpecs.append((ep.id, node.child("negatives", n)))
            }
        }
        for ep in endpoints { checkParameterSchemas(ep, registry: registry, display: display, sink: sink) }
        if endpoints.isEmpty && !sink.hasErrors {
            sink.add(Diagnostic(file: display + "/endpoints", keyPath: "", message: "no endpoint specs found"))
        }

        // The endpoints' schemas compile on another thread while the cases are read
        // (nothing the cases read depends on them); `wait()` before their results.
        let earlyCompile = EndpointSchemaCompile(
            SchemaCompiler(registry: registry, schemas: schemas, display: display), endpoints: endpoints)

        let preflight = loadPreflight(
            catalogue, display: display, endpoints: endpoints, fixtures: fixtures, access: access, sink: sink)

        var cases: [Case] = []
        var caseFiles: [String: String] = [:]  // id → file
        let endpointByID = Dictionary(endpoints.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // What a `source` may cite and each reading by id, made once for every case read or generated.
        let sources = CitableSources(endpoints: endpoints, readings: readings)
        let readingByID = Dictionary(readings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let endpointIndex = Dictionary(endpoints.indices.map { (endpoints[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
        // The cases generated from the bounds and the negative inputs are made on
        // another thread while the case files are read (they read only the
        // endpoints, schemas and registers); taken below, where they always were.
        let generation = GeneratedCases(
            GeneratedCases.Inputs(
                bounds: boundLists.map { ($0.endpoint, $0.node.value, $0.node.path, $0.node.file) },
                negatives: negativeSpecs.map { ($0.endpoint, $0.node.value, $0.node.path, $0.node.file) },
                endpointByID: endpointByID, endpoints: endpoints, schemas: schemas, fixtures: fixtures, readings: readings,
                access: access, sources: sources, readingByID: readingByID, endpointIndex: endpointIndex, now: Date()))
        // Each file read on its own (on every core: `readCaseFiles`), then taken in file
        // order, so cases and diagnostics come in the same order whatever the concurrency.
        var caseFileList = readCaseFiles(
            root: root, display: display, endpoints: endpoints, fixtures: fixtures, readings: readings, access: access,
            computesDigests: sink.computesDigests, sources: sources, readingByID: readingByID, endpointIndex: endpointIndex)
        // Room for them all at once (growing these was a tenth of the part of a large load on one core).
        let caseCount = caseFileList.reduce(0) { $0 + $1.cases.count }
        cases.reserveCapacity(caseCount)
        caseFiles.reserveCapacity(caseCount)
        sink.read.reserveCapacity(sink.read.count + caseFileList.count)
        sink.digests.reserveCapacity(sink.digests.count + caseFileList.count)
        for i in caseFileList.indices {
            // The cases moved out (swapped out, reversed, then popped), not copied and released.
            var fileCases: [(Case, [Diagnostic])] = []
            swap(&fileCases, &caseFileList[i].cases)
            fileCases.reverse()
            let file = caseFileList[i]
            sink.items += file.diagnostics
            sink.read += file.read
            // The certification digest covers what was read, on whichever core.
            sink.digests += file.digests
            while let (c, alternativeDiagnostics) = fileCases.popLast() {
                if let other = caseFiles[c.id] {
                    sink.add(
                        Diagnostic(
                            file: file.display, keyPath: JSONPathSegment.render([.key("id")]),
                            message: "case id '\(c.id)' is also used by \(other)"))
                    continue
                }
                caseFiles[c.id] = c.file
                sink.items += alternativeDiagnostics
                cases.append(c)
            }
        }

        // Every file is read by now: the list of them and the suite's digest are
        // made on another core while the generated cases are taken and the
        // cases' schemas compiled (a large suite's 19,000 files took a tenth of
        // the part of its load that runs on one core).
        let files = FilesRead(read: sink.read, digests: sink.digests, root: root, digest: sink.computesDigests)

        // Cases generated from the documented bounds, as matrices are expanded:
        // each list's diagnostics, then its cases' (ids, alternatives), as before.
        let made = generation.wait()
        var bounds: [Bound] = []
        for (k, (_, list)) in boundLists.enumerated() {
            guard let (b, generated, diagnostics) = made.bounds[k] else { continue }
            sink.items += diagnostics
            bounds += b
            for (c, alternativeDiagnostics) in generated {
                if let other = caseFiles[c.id] {
                    list.error("generated case id '\(c.id)' is also used by \(other)")
                    continue
                }
                caseFiles[c.id] = c.file
                sink.items += alternativeDiagnostics
                cases.append(c)
            }
        }

        // Negative inputs generated from the request schemas.
        var generated: (seed: UInt64, cases: Int)?
        for (k, (_, spec)) in negativeSpecs.enumerated() {
            sink.items += made.negatives[k].diagnostics
            guard let (seed, negatives) = made.negatives[k].made else { continue }
            var added = 0
            for (c, alternativeDiagnostics) in negatives {
                if let other = caseFiles[c.id] {
                    spec.error("generated case id '\(c.id)' is also used by \(other)")
                    continue
                }
                caseFiles[c.id] = c.file
                sink.items += alternativeDiagnostics
                cases.append(c)
                added += 1
            }
            generated = (generated?.seed ?? seed, (generated?.cases ?? 0) + added)
        }

        // Every schema reference must resolve and compile: the endpoints' on the
        // other core while the cases were read (their diagnostics come here, in
        // the order they always came), then the cases' own.
        earlyCompile.wait()
        var compiler = earlyCompile.box.compiler
        sink.items += earlyCompile.box.sink.items
        // The node that names a schema is made only for a reference not yet
        // compiled or refused (`needsCompiling`): building an array of
        // expectations and a key path for every step was a tenth of the part of
        // a large load that runs on one core. By index, and the compiler asked
        // in place: a nested function that took a case and captured the
        // compiler copied both at every step (each copy retained every field).
        for i in cases.indices {
            let steps = cases[i].steps.count
            for k in 0..<steps {
                if let ref = cases[i].steps[k].expect.schema, compiler.needsCompiling(ref) {
                    compiler.compile(ref, at: schemaNode(file: cases[i].file, steps: steps, k, sink: sink))
                }
                for j in cases[i].steps[k].alternatives.indices {
                    if let ref = cases[i].steps[k].alternatives[j].expect.schema, compiler.needsCompiling(ref) {
                        compiler.compile(ref, at: schemaNode(file: cases[i].file, steps: steps, k, sink: sink))
                    }
                }
            }
        }

        // Read before the errors are counted, so that a mistake in them stops the load too.
        let unchecked = loadUnchecked(catalogue, display: display, fixtures: fixtures, sink: sink)
        let blameRules = loadBlameRules(catalogue, display: display, fixtures: fixtures, sink: sink)
        let errors = sink.items.filter { $0.severity == .error }
        if !errors.isEmpty { throw SuiteLoadError(sink.items) }
        var suite = Suite(
            root: root, endpoints: endpoints.sorted { $0.id < $1.id }, cases: cases, fixtures: fixtures,
            schemas: schemas, compiledSchemas: compiler.compiled)
        suite.readings = readings
        suite.api = api
        files.finishWork()
        suite.files = files.read.map(\.path)
        if let digest = files.digest { suite.digest = digest }
        suite.access = access
        suite.fixtureTypes = fixtureTypes
        suite.preflight = preflight
        suite.uncheckedFixtures = unchecked
        suite.confirmBeforeBlame = blameRules
        suite.bounds = bounds
        suite.generated = generated
        // The endpoints' schemas were annotated on the thread that compiled them; the rest here.
        var annotations = earlyCompile.box
        for ref in compiler.compiled.keys { annotations.annotate(ref, schemas: schemas) }
        suite.documentedEnums = annotations.documentedEnums
        suite.visibility = annotations.visibility
        suite.presence = annotations.presence
        return (suite, sink.items)
    }

    /// The node that names step `k`'s schema in a case of `steps` steps read from `file`.
    static func schemaNode(file: String, steps: Int, _ k: Int, sink: DiagnosticSink) -> Node {
        let path: [JSONPathSegment] =
            steps > 1 ? [.key("steps"), .index(k), .key("expect"), .key("schema")] : [.key("expect"), .key("schema")]
        return Node(value: .null, path: path, file: file, sink: sink)
    }

    /// Compiles each schema reference once: what the suite keeps of it
    /// (`compiled`), or a diagnostic at the node that names it.
    struct SchemaCompiler: Sendable {
        let registry: SchemaRegistry
        let schemas: [String: JSON]
        let display: String
        var compiled: [String: CompiledSchema] = [:]
        var refused: Set<String> = []
        var cycles: Set<[String]> = []

        init(registry: SchemaRegistry, schemas: [String: JSON], display: String) {
            self.registry = registry
            self.schemas = schemas
            self.display = display
        }

        /// Whether `compile(ref, at:)` would do anything (it returns at once
        /// for a reference compiled or refused already).
        func needsCompiling(_ ref: String) -> Bool { compiled[ref] == nil && !refused.contains(ref) }

        mutating func compile(_ ref: String, at node: Node) {
            if !needsCompiling(ref) { return }
            let (file, fragment) = SchemaWalk.splitReference(ref)
            guard schemas[file] != nil else {
                let hint = closestMatch(to: file, in: schemas.keys).map { "did you mean '\($0)'?" }
                node.error("schema '\(file)' does not exist in \(display)/schemas", hint: hint)
                return
            }
            do {
                let schema = try registry.compile(schemaBase + file + (fragment.map { "#" + $0 } ?? ""), options: apiValidation)
                if let cycle = schema.inPlaceCycle {
                    refused.insert(ref)
                    let shown = cycle.map { $0.replacingOccurrences(schemaBase, "") }
                    guard cycles.insert(Array(shown.dropLast()).sorted()).inserted else { return }
                    let culprit = shown.first.map { String($0.prefix { $0 != "#" }) } ?? file
                    node.sink.add(
                        Diagnostic(
                            file: display + "/" + culprit, keyPath: "",
                            message: "these schemas apply one another in place and never finish: "
                                + shown.map { $0.hasPrefix(culprit + "#") ? String($0.dropFirst(culprit.count)) : $0 }
                                .joined(separator: " → ") + " (reached from '\(ref)')",
                            hint: "a $ref (or allOf/anyOf/oneOf/not/if) chain must pass through properties, items or the like before it comes back"))
                } else {
                    compiled[ref] = schema
                }
            } catch {
                node.error("schema '\(ref)' does not compile: \(error.description)")
            }
        }
    }

    /// Work begun on another core at init and finished by `finishWork()`:
    /// whichever comes first does it, once, so `finishWork()` never waits on a
    /// thread that may not come (on two busy cores, the global queue's may not).
    class SpareCoreWork: @unchecked Sendable {
        /// 0: not taken, 1: taken.
        private let taken = Atomic<Int>(0)
        private let done = DispatchSemaphore(value: 0)

        /// Subclasses set what `work()` reads first, then call this.
        init() {
            DispatchQueue.global().async { [self] in
                guard take() else { return }
                work()
                done.signal()
            }
        }

        private func take() -> Bool { taken.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged }

        /// The work (subclasses): its results are read only after `finishWork()`.
        func work() {}

        /// Returns once the work is done, doing it here if no thread has taken it.
        func finishWork() {
            if take() { work() } else { done.wait() }
        }
    }

    /// The files a load read, sorted, and the suite's digest of them (when the
    /// load computes digests), made on another core; read after `finishWork()`.
    final class FilesRead: SpareCoreWork, @unchecked Sendable {
        // Written by whoever takes the work (once), read only after `finishWork()`.
        private let input: (read: [String], digests: [String], root: String, digest: Bool)
        private(set) var read: [SuiteDigest.File] = []
        private(set) var digest: SuiteDigest?

        init(read: [String], digests: [String], root: String, digest: Bool) {
            input = (read, digests, root, digest)
            super.init()
        }

        override func work() {
            read = SuiteLoader.filesRead(read: input.read, digests: input.digests, root: input.root)
            if input.digest { digest = SuiteLoader.digest(read) }
        }
    }

    /// The endpoints' response and request schemas compiled on a thread of
    /// their own, into a sink of their own, started at init; `wait()` before
    /// reading `box`. When no thread has taken the work by then, `wait()`
    /// does it itself (so it never waits on a thread that may not come).
    final class EndpointSchemaCompile: SpareCoreWork, @unchecked Sendable {
        // Written by whoever takes the work (once), read only after `wait()`.
        struct Box {
            var compiler: SchemaCompiler
            let sink = DiagnosticSink(computesDigests: false)
            /// What a loaded suite keeps of each compiled schema (`Suite.visibility`,
            /// `presence`) and of the endpoints' documented values, made on this
            /// thread too (a load with errors does not read them).
            var visibility: [String: [VisibilityRule]] = [:]
            var presence: [String: [PresenceRule]] = [:]
            var annotated: Set<String> = []
            var documentedEnums: [DocumentedEnum] = []

            /// The visibility and presence rules of `ref`, once.
            mutating func annotate(_ ref: String, schemas: [String: JSON]) {
                guard annotated.insert(ref).inserted else { return }
                let rules = Visibility.rules(for: ref, schemas: schemas)
                if !rules.isEmpty { visibility[ref] = rules }
                let presence = Presence.rules(for: ref, schemas: schemas)
                if !presence.isEmpty { self.presence[ref] = presence }
            }
        }
        private(set) var box: Box
        private let endpoints: [Endpoint]
        init(_ compiler: SchemaCompiler, endpoints: [Endpoint]) {
            box = Box(compiler: compiler)
            self.endpoints = endpoints
            super.init()
        }

        override func work() {
            for ep in endpoints {
                let n = Node(value: .null, path: [.key("response"), .key("schema")], file: ep.file, sink: box.sink)
                if let s = ep.responseSchema { box.compiler.compile(s, at: n) }
                if let s = ep.requestSchema {
                    box.compiler.compile(
                        s, at: Node(value: .null, path: [.key("request"), .key("schema")], file: ep.file, sink: box.sink))
                }
            }
            let schemas = box.compiler.schemas
            for ref in box.compiler.compiled.keys { box.annotate(ref, schemas: schemas) }
            box.documentedEnums = DocumentedValues.catalogue(endpoints: endpoints.sorted { $0.id < $1.id }, schemas: schemas)
        }

        func wait() { finishWork() }
    }

    /// The cases generated from the endpoints' `bounds` and `negatives`, made
    /// on a thread of their own (started at init), each list into a sink of
    /// its own; `wait()` for them. When no thread has taken the work by then,
    /// `wait()` does it itself (so it never waits on a thread that may not come).
    final class GeneratedCases: SpareCoreWork, @unchecked Sendable {
        /// What generating reads: each list as the endpoint id, value, path and
        /// file of its node (a node is remade on the thread, into its own sink).
        struct Inputs: Sendable {
            var bounds: [(endpoint: String, value: JSON, path: [JSONPathSegment], file: String)]
            var negatives: [(endpoint: String, value: JSON, path: [JSONPathSegment], file: String)]
            var endpointByID: [String: Endpoint]
            var endpoints: [Endpoint]
            var schemas: [String: JSON]
            var fixtures: [String: String]
            var readings: [Reading]
            var access: AccessModel
            var sources: CitableSources
            var readingByID: [String: Reading]
            var endpointIndex: [String: Int]
            var now: Date
        }
        /// By position in `Inputs`: nil for a bounds list of an unknown endpoint.
        /// Each case comes with its reading alternatives and the diagnostics those
        /// gave (taken only for a case whose id is not taken already, as for a case file).
        struct Made {
            var bounds: [(bounds: [Bound], cases: [(Case, [Diagnostic])], diagnostics: [Diagnostic])?] = []
            var negatives: [(made: (seed: UInt64, cases: [(Case, [Diagnostic])])?, diagnostics: [Diagnostic])] = []
        }
        // Written by whoever takes the work (once), read only after `wait()`.
        private var made = Made()
        private let inputs: Inputs
        init(_ inputs: Inputs) {
            self.inputs = inputs
            super.init()
        }

        override func work() {
            let i = inputs
            for list in i.bounds {
                guard let ep = i.endpointByID[list.endpoint] else {
                    made.bounds.append(nil)
                    continue
                }
                let sink = DiagnosticSink(computesDigests: false)
                let (b, cases) = readBounds(
                    Node(value: list.value, path: list.path, file: list.file, sink: sink), endpoint: ep, endpoints: i.endpoints,
                    fixtures: i.fixtures, readings: i.readings, access: i.access, now: i.now, sources: i.sources)
                made.bounds.append((b, cases.map(withAlternatives), sink.items))
            }
            for spec in i.negatives {
                // A count bound states what a list over its maximum answers (with its readings): a
                // generated max-items break of the same member expects the same.
                var overMax: [String: JSON] = [:]
                for list in i.bounds where list.endpoint == spec.endpoint {
                    for item in list.value.arrayValue ?? [] where item["kind"]?.stringValue == "count" {
                        if let f = item["field"]?.stringValue, let outside = item["outside"] { overMax[f] = outside }
                    }
                }
                let sink = DiagnosticSink(computesDigests: false)
                let result = i.endpointByID[spec.endpoint].flatMap { ep in
                    readNegatives(
                        Node(value: spec.value, path: spec.path, file: spec.file, sink: sink), endpoint: ep, schemas: i.schemas,
                        endpoints: i.endpoints, fixtures: i.fixtures, readings: i.readings, access: i.access, overMax: overMax,
                        sources: i.sources)
                }
                made.negatives.append((result.map { ($0.seed, $0.cases.map(withAlternatives)) }, sink.items))
            }
        }

        /// `c` with its reading alternatives, and the diagnostics they gave.
        private func withAlternatives(_ c: Case) -> (Case, [Diagnostic]) {
            let i = inputs
            var c = c
            let sink = DiagnosticSink(computesDigests: false)
            addReadingAlternatives(
                &c, endpoints: i.endpoints, readings: i.readings, access: i.access, sink: sink, readingByID: i.readingByID,
                endpointIndex: i.endpointIndex)
            return (c, sink.items)
        }

        func wait() -> Made {
            finishWork()
            return made
        }
    }

    /// One case file read: its cases (each with its reading alternatives and
    /// the diagnostics those gave), the diagnostics of reading it, and the
    /// path it was read at.
    struct CaseFile: Sendable {
        var display: String
        var cases: [(Case, [Diagnostic])] = []
        var diagnostics: [Diagnostic] = []
        var read: [String] = []
        /// SHA-256 of each file in `read`, in the same order (the suite's digest is made of them).
        var digests: [String] = []
    }

    /// Every file under `root/cases`, read and its cases made, in file order.
    /// The files are independent of one another (what they share is read
    /// only), so they are read on every core, each with a sink of its own;
    /// the caller takes them in order (duplicate ids are its check).
    static func readCaseFiles(
        root: String, display: String, endpoints: [Endpoint], fixtures: [String: String], readings: [Reading],
        access: AccessModel, computesDigests: Bool = true, sources: CitableSources? = nil,
        readingByID: [String: Reading]? = nil, endpointIndex: [String: Int]? = nil
    ) -> [CaseFile] {
        let rels = SuiteFiles.list(root + "/cases", recursive: true)
        let sources = sources ?? CitableSources(endpoints: endpoints, readings: readings)
        // First of each id, as a scan of the register would find it.
        let readingByID = readingByID ?? Dictionary(readings.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let endpointIndex =
            endpointIndex ?? Dictionary(endpoints.indices.map { (endpoints[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
        // What the alternatives of a step citing no reading take from its endpoint and level, made once here.
        let plans = ReadingPlans(endpoints: endpoints, access: access) { readingByID[$0] }
        // The files are opened relative to the cases folder (the kernel walks
        // only the names below it), a batch at a time (`opened`).
        let folder = open(root + "/cases", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folder >= 0 { close(folder) } }
        @Sendable func read(_ rel: String, descriptor: Int32) -> CaseFile {
            let sink = DiagnosticSink(computesDigests: computesDigests)
            var out = CaseFile(display: display + "/cases/" + rel)
            if let node = SuiteFiles.parse(
                path: root + "/cases/" + rel, display: out.display, sink: sink, descriptor: descriptor >= 0 ? descriptor : nil)
            {
                // Each case moved out of the list (reversed, then popped) and given its
                // alternatives in place: no copy of its steps, no retain of what it holds.
                var made = readCases(
                    node, endpoints: endpoints, fixtures: fixtures, readings: readings, access: access, sources: sources)
                made.reverse()
                out.cases.reserveCapacity(made.count)
                while var c = made.popLast() {
                    let alternatives = DiagnosticSink()
                    addReadingAlternatives(
                        &c, endpoints: endpoints, readings: readings, access: access, sink: alternatives, readingByID: readingByID,
                        endpointIndex: endpointIndex, plans: plans)
                    out.cases.append((c, alternatives.items))
                }
            }
            out.diagnostics = sink.items
            out.read = sink.read
            out.digests = sink.digests
            return out
        }
        let chunk = SuiteFiles.readAheadBatch
        let chunks = (rels.count + chunk - 1) / chunk
        @Sendable func readChunk(_ k: Int, _ each: (Int, CaseFile) -> Void) {
            let range = (k * chunk)..<min(rels.count, (k + 1) * chunk)
            let descriptors = SuiteFiles.opened(range.map { rels[$0] }, in: folder)
            for (i, fd) in zip(range, descriptors) { each(i, read(rels[i], descriptor: fd)) }
        }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 8)
        // A few files (the shipped suite) are not worth the threads.
        guard workers > 1, rels.count >= 64 else {
            var out: [CaseFile] = []
            out.reserveCapacity(rels.count)
            for k in 0..<chunks { readChunk(k) { _, file in out.append(file) } }
            return out
        }
        // Each slot is written by exactly one iteration, and read only after all have
        // finished: straight into the array returned (a buffer copied into an array
        // retained and released every file's lists, on one core, after the others).
        struct Slots: @unchecked Sendable { let base: UnsafeMutablePointer<CaseFile> }
        return [CaseFile](unsafeUninitializedCapacity: rels.count) { buffer, count in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { k in
                readChunk(k) { i, file in (slots.base + i).initialize(to: file) }
            }
            count = rels.count
        }
    }

    /// Each parameter's schema must compile (references resolve against the
    /// suite folder, as the specs' other schema references do), and a stated
    /// `default` must satisfy it.
    static func checkParameterSchemas(_ ep: Endpoint, registry: SchemaRegistry, display: String, sink: DiagnosticSink) {
        for (i, p) in ep.parameters.enumerated() {
            let keyPath = JSONPathSegment.render([.key("parameters"), .index(i), .key("schema")])
            var reg = registry
            let uri = schemaBase + "parameter-\(ep.id)-\(p.location.rawValue)-\(p.name)"
            do {
                try reg.register(p.schema, uri: uri)
                let compiled = try reg.compile(uri, options: apiValidation)
                if let d = p.schema["default"] {
                    for v in compiled.validate(d).violations {
                        sink.add(
                            Diagnostic(
                                file: ep.file, keyPath: keyPath + ".default",
                                message: "the default \(JSONWriter().string(d)) does not satisfy the parameter's own schema: \(v.message)",
                                hint: "transcribe the page's default and type again"))
                    }
                }
            } catch {
                let at = error.pointer.tokens.isEmpty ? "" : pointerToKeyPath(error.pointer)
                sink.add(
                    Diagnostic(
                        file: ep.file, keyPath: keyPath + (at.isEmpty ? "" : "." + at),
                        message: "the \(p.location.rawValue) parameter '\(p.name)' has a schema that does not compile: \(error.message)",
                        hint: "a JSON Schema 2020-12, e.g. {\"type\": \"string\", \"format\": \"objectid\"}"))
            }
        }
    }

    static func pointerToKeyPath(_ p: JSONPointer) -> String {
        JSONPathSegment.render(p.tokens.map { .key($0) })
    }

    /// A path as the user would type it: relative to the working directory when below it.
    public static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let std = (path as NSString).standardizingPath
        let abs = std.hasPrefix("/") ? std : (cwd as NSString).appendingPathComponent(std)
        if abs.hasPrefix(cwd + "/") { return String(abs.dropFirst(cwd.count + 1)) }
        return abs
    }

    // MARK: fixture catalogue

    /// Each fixture's description and type: `{"type": "id", "description": "…"}`;
    /// and the file's top-level object as parsed (nil when it is missing or
    /// does not parse), for the other members' readers.
    static func loadFixtureCatalogue(root: String, display: String, sink: DiagnosticSink) -> (
        [String: String], [String: FixtureType], JSONObject?
    ) {
        let file = display + "/fixtures.json"
        guard FileManager.default.fileExists(atPath: root + "/fixtures.json") else {
            sink.add(Diagnostic(file: file, keyPath: "", message: "the fixture catalogue is missing"))
            return ([:], [:], nil)
        }
        guard let node = SuiteFiles.parse(path: root + "/fixtures.json", display: file, sink: sink) else { return ([:], [:], nil) }
        let top = node.value.objectValue
        guard let obj = node.object(keys: ["fixtures", "preflight", "unchecked", "confirmBeforeBlame"]), let list = obj.required("fixtures")
        else { return ([:], [:], top) }
        guard case .object(let entries) = list.value else {
            list.error("must be an object mapping each fixture name to {type, description}")
            return ([:], [:], top)
        }
        var out: [String: String] = [:]
        var types: [String: FixtureType] = [:]
        let typeNames = FixtureType.Kind.allCases.flatMap { [$0.rawValue, $0.rawValue + "[]"] }
        for m in entries {
            let n = list.child(m.key, m.value)
            if !isFixtureName(m.key) {
                n.error("fixture names use letters, digits, '.', '_' and '-' only")
            }
            guard let fo = n.object(keys: ["type", "description"]) else { continue }
            if let tn = fo.required("type"), let t = tn.string {
                if let type = FixtureType(t) {
                    types[m.key] = type
                } else {
                    tn.error(
                        "unknown fixture type '\(t)'",
                        hint: closestMatch(to: t, in: typeNames).map { "did you mean '\($0)'?" } ?? typeNames.joined(separator: ", "))
                }
            }
            if let description = fo.required("description")?.nonEmptyString { out[m.key] = description }
        }
        return (out, types, top)
    }
}

/// `preflight` of the fixture catalogue (`catalogue`, its top-level object):
/// read-only requests that confirm fixtures.
func loadPreflight(
    _ catalogue: JSONObject?, display: String, endpoints: [Endpoint], fixtures: [String: String], access: AccessModel,
    sink: DiagnosticSink
) -> [PreflightCheck] {
    let file = display + "/fixtures.json"
    // The file was read (and its problems reported) with the catalogue.
    guard let value = catalogue?["preflight"] else { return [] }
    let pn = Node(value: value, path: [.key("preflight")], file: file, sink: sink)
    guard let list = pn.array else {
        pn.error("must list read-only requests")
        return []
    }
    var out: [PreflightCheck] = []
    let scope = VariableScope(fixtures: fixtures)
    for n in list {
        guard
            let o = n.object(keys: [
                "role", "endpoint", "params", "status", "refutedBy", "fixtures", "fields", "query", "pool", "find", "contains",
                "identifiedBy",
            ]),
            let role = o.required("role").flatMap(access.readRole), let ep = o.required("endpoint").flatMap({ findEndpoint($0, endpoints) }),
            let status = o.required("status")?.httpStatus
        else { continue }
        if ep.mutating || ep.method != "GET" {
            o.optional("endpoint")?.error("a preflight request must be read-only; \(ep.id) is \(ep.method)\(ep.mutating ? " and mutating" : "")")
            continue
        }
        var params: [String: Template] = [:]
        if let p = o.optional("params") {
            if case .object(let po) = p.value {
                for m in po {
                    let t = Template(m.value)
                    if scope.check(t, at: p.child(m.key, m.value)) { params[m.key] = t }
                }
            } else {
                p.error("must map path parameters to values")
            }
        }
        for name in pathParameters(ep.path) where params[name] == nil {
            n.error("missing params.\(name), which \(ep.path) needs")
        }
        let refuted = (o.optional("refutedBy")?.array ?? []).compactMap(\.httpStatus)
        var named: [String] = []
        for f in o.required("fixtures")?.array ?? [] {
            guard let s = f.string else { continue }
            if fixtures[s] == nil { f.error("unknown fixture '\(s)'", hint: closestMatch(to: s, in: fixtures.keys).map { "did you mean '\($0)'?" }) } else { named.append(s) }
        }
        var fields: [(JSONPointer, String)] = []
        if let fn = o.optional("fields"), case .object(let fo) = fn.value {
            for m in fo {
                let at = fn.child(m.key, m.value)
                guard let ptr = try? JSONPointer(parsing: m.key) else {
                    at.error("'\(m.key)' is not a JSON pointer")
                    continue
                }
                guard let fx = at.string else { continue }
                if fixtures[fx] == nil { at.error("unknown fixture '\(fx)'") } else { fields.append((ptr, fx)) }
            }
        }
        var check = PreflightCheck(
            role: role, endpoint: ep.id, params: params, status: status, refutedBy: refuted, fixtures: named, fields: fields)
        if let q = o.optional("query") {
            if case .object(let qo) = q.value {
                for m in qo {
                    let t = Template(m.value)
                    if scope.check(t, at: q.child(m.key, m.value)) { check.query[m.key] = t }
                }
            } else {
                q.error("must map query parameters to values")
            }
        }
        if let pn = o.optional("pool"), let pool = pn.string {
            if fixtures[pool] == nil { pn.error("unknown fixture '\(pool)'") } else { check.pool = pool }
        }
        func pointerFixtures(_ node: Node?) -> [(JSONPointer, String)] {
            guard let node else { return [] }
            guard case .object(let fo) = node.value else {
                node.error("must map JSON pointers to fixture names")
                return []
            }
            var out: [(JSONPointer, String)] = []
            for m in fo {
                let at = node.child(m.key, m.value)
                guard let ptr = try? JSONPointer(parsing: m.key) else {
                    at.error("'\(m.key)' is not a JSON pointer")
                    continue
                }
                guard let fx = at.string else { continue }
                if fixtures[fx] == nil { at.error("unknown fixture '\(fx)'") } else { out.append((ptr, fx)) }
            }
            return out
        }
        if let fnode = o.optional("find"), let fo = fnode.object(keys: ["items", "where"]) {
            let items = fo.required("items")?.string.flatMap { try? JSONPointer(parsing: $0) }
            let wheres = pointerFixtures(fo.required("where"))
            if wheres.count != 1 { fnode.error("where must name exactly one pointer and the fixture it equals") }
            if let items, let w = wheres.first { check.find = (items, w.0, w.1) } else if items == nil { fnode.error("items must be a JSON pointer") }
        }
        check.contains = pointerFixtures(o.optional("contains"))
        check.identifiedBy = pointerFixtures(o.optional("identifiedBy"))
        if !check.identifiedBy.isEmpty, check.find != nil {
            o.optional("identifiedBy")?.error("identifiedBy applies to the answer itself; with find, the item is identified by find.where")
        }
        out.append(check)
    }
    return out
}

/// `unchecked` of the fixture catalogue: each fixture no preflight request
/// checks, with why. Every fixture is checked or listed here.
func loadUnchecked(_ catalogue: JSONObject?, display: String, fixtures: [String: String], sink: DiagnosticSink) -> [String: String] {
    let file = display + "/fixtures.json"
    guard let value = catalogue?["unchecked"] else { return [:] }
    let un = Node(value: value, path: [.key("unchecked")], file: file, sink: sink)
    guard case .object(let uo) = value else {
        un.error("must map each fixture no preflight request checks to why")
        return [:]
    }
    var out: [String: String] = [:]
    for m in uo {
        let n = un.child(m.key, m.value)
        if fixtures[m.key] == nil {
            n.error("unknown fixture '\(m.key)'", hint: closestMatch(to: m.key, in: fixtures.keys).map { "did you mean '\($0)'?" })
            continue
        }
        if let why = n.nonEmptyString { out[m.key] = why }
    }
    return out
}

/// `confirmBeforeBlame` of the fixture catalogue: fixture → {why, missing?}.
func loadBlameRules(_ catalogue: JSONObject?, display: String, fixtures: [String: String], sink: DiagnosticSink) -> [String: BlameRule] {
    let file = display + "/fixtures.json"
    guard let value = catalogue?["confirmBeforeBlame"] else { return [:] }
    let bn = Node(value: value, path: [.key("confirmBeforeBlame")], file: file, sink: sink)
    guard case .object(let bo) = value else {
        bn.error("must map each fixture to {why, missing?}")
        return [:]
    }
    var out: [String: BlameRule] = [:]
    for m in bo {
        let n = bn.child(m.key, m.value)
        if fixtures[m.key] == nil {
            n.error("unknown fixture '\(m.key)'", hint: closestMatch(to: m.key, in: fixtures.keys).map { "did you mean '\($0)'?" })
            continue
        }
        guard let o = n.object(keys: ["why", "missing", "preflightConfirms"]), let why = o.required("why")?.nonEmptyString else { continue }
        var rule = BlameRule(why: why)
        rule.preflightConfirms = o.optional("preflightConfirms")?.bool ?? true
        if let mn = o.optional("missing"), let mo = mn.object(keys: ["items", "where"]) {
            let items = mo.required("items")?.string.flatMap { try? JSONPointer(parsing: $0) }
            var wheres: [(JSONPointer, String)] = []
            if let wn = mo.required("where"), case .object(let wo) = wn.value {
                for w in wo {
                    let at = wn.child(w.key, w.value)
                    guard let ptr = try? JSONPointer(parsing: w.key) else {
                        at.error("'\(w.key)' is not a JSON pointer")
                        continue
                    }
                    guard let fx = at.string else { continue }
                    if fixtures[fx] == nil { at.error("unknown fixture '\(fx)'") } else { wheres.append((ptr, fx)) }
                }
            }
            if let items, wheres.count == 1 {
                rule.missing = (items, wheres[0].0, wheres[0].1)
            } else {
                mn.error("needs items (a JSON pointer) and where naming exactly one pointer and the fixture it equals")
            }
        }
        out[m.key] = rule
    }
    return out
}

func isFixtureName(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
    }
}
