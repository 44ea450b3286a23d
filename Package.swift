// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by the users' requirement: Foundation, Dispatch,
// XCTest and Swift Testing only.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]
// With CONFORMANCE_OPTIMISED_DEBUG=1 in the environment (the test command
// `bash .ci/test` and `.ci/run` set it), the modules that parse and validate
// (and the simulator) are optimised in debug builds too: the tests run the
// suite hundreds of times, and unoptimised they spent most of their CPU there
// (swift test: 319 s of CPU, 181 s wall, against 97 s and 68 s optimised);
// @testable is kept. Off by default, because a package with unsafe flags
// cannot be another package's dependency.
//
// The engine (ConformanceKit) is not among them: optimised, it took 90 s of
// the build's wall time on two cores (178 s of CPU, the largest module; with
// -enable-testing, as tests build it), and saved the tests about 40 s. Built
// unoptimised, `swift build --build-tests` took 157 s instead of 231 on the
// same machine, and `swift test` 112 s instead of 63-78: CI is shorter by
// about half a minute.
let optimisedDebug = Context.environment["CONFORMANCE_OPTIMISED_DEBUG"] == "1"
let optimised: [SwiftSetting] = strict + (optimisedDebug ? [.unsafeFlags(["-O"], .when(configuration: .debug))] : [])

// Release builds of `conformance` on Linux carry the Swift runtime and
// Foundation in the executable (`-static-stdlib`): `run --list` started in
// 43 ms of CPU instead of 52, the difference being the dynamic linker's
// symbol lookups in libswiftCore and libFoundation*. Only the link changes
// (the modules compile as before), so debug builds and the tests are as
// they were. -static-stdlib names Foundation's own C parts only when the
// modules were compiled for it, so they are named here, grouped (their
// order does not matter). FoundationNetworking and FoundationXML are not
// used (nor linked): they brought libcurl and libxml2 and the 33 libraries
// those load, about 5.5 ms of every start (issue 24).
let staticRuntime: [LinkerSetting] = [
    .unsafeFlags(
        [
            // lld: gold warns of the mktemp in FoundationEssentials' archive.
            "-static-stdlib", "-use-ld=lld",
            "-Xlinker", "--start-group",
            "-lFoundation", "-lCoreFoundation", "-lFoundationEssentials", "-lFoundationInternationalization",
            "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
            "-Xlinker", "--end-group",
        ], .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "TelecomXConformance",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conformance", targets: ["conformance"]),
        .library(name: "ConformanceKit", targets: ["ConformanceKit"]),
        .library(name: "DocTools", targets: ["DocTools"]),
        .library(name: "Certification", targets: ["Certification"]),
        .library(name: "TelecomXSimulator", targets: ["TelecomXSimulator"]),
    ],
    targets: [
        // JSON values, a fast byte-level parser (JSON and JSON5), writer, JSON Pointer.
        .target(name: "JSONKit", swiftSettings: optimised),
        // JSON Schema 2020-12 compiler and validator.
        .target(name: "JSONSchemaKit", dependencies: ["JSONKit"], swiftSettings: optimised),
        // A small HTTP/1.1 server on POSIX sockets.
        .target(name: "HTTPServer", swiftSettings: strict),
        // The documented TelecomX API as a responder over an in-memory store.
        .target(name: "TelecomXSimulator", dependencies: ["JSONKit", "HTTPServer"], swiftSettings: optimised),
        // The engine: load, plan, run, check, report.
        .target(name: "ConformanceKit", dependencies: ["JSONKit", "JSONSchemaKit"], swiftSettings: strict),
        // Side tools on top of the engine, which never uses them: the documentation's
        // lint, its import into the suite and the OpenAPI export.
        .target(name: "DocTools", dependencies: ["ConformanceKit", "JSONKit", "JSONSchemaKit"], swiftSettings: strict),
        // Certification bundles: the reports of a full run, a manifest of SHA-256 digests, signing and verifying.
        .target(name: "Certification", dependencies: ["ConformanceKit", "JSONKit"], swiftSettings: strict),
        // The commands: argument parsing, wiring the engine to the simulator, exit codes.
        .target(
            name: "ConformanceCLI",
            dependencies: ["ConformanceKit", "DocTools", "Certification", "TelecomXSimulator", "HTTPServer", "JSONKit"],
            swiftSettings: strict),
        // Tests' and benchmarks' support: the simulator in-process (no sockets)
        // and the project's suite loaded once per process. Not shipped.
        .target(
            name: "ConformanceTesting",
            dependencies: ["ConformanceKit", "ConformanceCLI", "TelecomXSimulator", "HTTPServer"],
            swiftSettings: strict),
        // The thin executable. Release builds on Linux link the Swift runtime and
        // Foundation into it (see `staticRuntime`).
        .executableTarget(
            name: "conformance", dependencies: ["ConformanceCLI"], swiftSettings: strict, linkerSettings: staticRuntime),
        // Release-build benchmarks: swift run -c release conformance-bench schema
        .executableTarget(
            name: "conformance-bench",
            dependencies: [
                "ConformanceKit", "ConformanceCLI", "ConformanceTesting", "JSONKit", "JSONSchemaKit", "HTTPServer",
                "TelecomXSimulator",
            ],
            swiftSettings: strict),

        // Tests' support that needs only Foundation (the project's paths, scratch folders, child processes).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "JSONKitTests", dependencies: ["JSONKit"], swiftSettings: strict),
        .testTarget(name: "JSONSchemaKitTests", dependencies: ["JSONSchemaKit", "JSONKit"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"], swiftSettings: strict),
        .testTarget(
            name: "TelecomXSimulatorTests", dependencies: ["TelecomXSimulator", "HTTPServer", "JSONKit"],
            swiftSettings: strict),
        // The engine's unit tests: no socket, no simulator, nothing but what they test.
        .testTarget(
            name: "ConformanceKitTests", dependencies: ["ConformanceKit", "JSONKit", "JSONSchemaKit", "TestSupport"],
            swiftSettings: strict),
        // The side tools' unit tests: the documentation's lint and the OpenAPI export.
        .testTarget(
            name: "DocToolsTests", dependencies: ["DocTools", "ConformanceKit", "JSONKit", "TestSupport"],
            swiftSettings: strict),
        // The commands: arguments, outputs, exit codes, reports (in-process, the simulator too).
        .testTarget(
            name: "ConformanceCLITests",
            dependencies: [
                "ConformanceCLI", "ConformanceKit", "DocTools", "Certification", "ConformanceTesting", "TelecomXSimulator",
                "JSONKit", "TestSupport",
            ],
            swiftSettings: strict),
        // Whole runs: the suite against the simulator (clean, faults, variants), and what only
        // a socket shows (hostile servers, TLS, deadlines, the credential placements).
        .testTarget(
            name: "ConformanceEndToEndTests",
            dependencies: [
                "ConformanceKit", "Certification", "ConformanceCLI", "ConformanceTesting", "TelecomXSimulator", "HTTPServer",
                "JSONKit", "JSONSchemaKit", "TestSupport",
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
