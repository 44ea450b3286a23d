import ConformanceCLI
import ConformanceKit
import ConformanceTesting
import Foundation
import Testing
import TelecomXSimulator

/// The whole suite against the simulator under each variant (behaviour the
/// docs allow): a conforming server must pass, so every variant must give 0
/// failed, 0 errors. And with every variant on, every fault must still be caught.
/// Inside the serialized EndToEndTests (the trait covers nested suites), so
/// that only one whole-suite run is in flight at a time: timing tests
/// elsewhere share the CPU.
extension EndToEndTests {
    @Suite struct Variants {
        struct VariantRun: Sendable, CustomTestStringConvertible {
            var variants: [String]
            /// The profile in Cases/targets/ the variant needs.
            var profile: String
            var testDescription: String { (variants.isEmpty ? "none" : variants.count > 1 ? "all" : variants[0]) + " with " + profile }
        }

        static let profileFor: [String: [String]] = [
            "error-envelope": ["simulator-envelope.json"],
            "base64-tokens": ["simulator-bearer.json", "simulator-cookie.json"],
            "errors-array": ["simulator-errors-array.json"],
            "x-auth-token": ["simulator-x-auth-token.json"],
        ]

        static let runs: [VariantRun] =
            Variant.catalogue.flatMap { v in (profileFor[v.name] ?? ["simulator.json"]).map { VariantRun(variants: [v.name], profile: $0) } }
            + [VariantRun(variants: Variant.allOn.map(\.name), profile: "simulator-all.json")]

        /// A variant that takes an alternative of a reading runs only the cases of
        /// the endpoints where some case rests on that reading (the all-on run
        /// covers the whole suite); a freedom and all-on run everything.
        static func endpoints(_ run: VariantRun) throws -> Set<String>? {
            guard run.variants.count == 1, let takes = Variant.named(run.variants[0])?.takes else { return nil }
            let suite = try ProjectSuite.suite()
            return Set(suite.cases.filter { $0.steps.contains { $0.readings.contains { $0.reading == takes.reading } } }.map(\.endpoint))
        }

        /// A conforming server passes, and (what --strict adds) sends only
        /// members the docs describe for that object: no undocumented or
        /// renamed field, not even as a warning. --strict changes only the
        /// severity of undocumented-field findings (Checker.undocumented), so
        /// this run answers for the --strict run too; two strict runs below
        /// confirm it on the run without variants and with all of them.
        @Test(arguments: runs)
        func theSuitePassesUnderAVariant(_ run: VariantRun) async throws {
            let endpoints = try Self.endpoints(run)
            #expect(endpoints?.isEmpty != true, "no case rests on the reading \(run.variants[0]) takes")
            let result =
                try await endpoints == nil
                ? SimulatorHarness.run(variants: run.variants, profile: run.profile)
                : SimulatorHarness.fresh(variants: run.variants, profile: run.profile, endpoints: endpoints.map { $0.sorted() } ?? [])
            #expect(result.results.count > 30)
            #expect(result.failed == 0 && result.errors == 0 && result.skipped == 0, "\(SimulatorHarness.notPassed(result))")
            let undocumented = result.results.flatMap(\.findings).filter { $0.check == .undocumentedField || $0.check == .renamed }
            #expect(undocumented.isEmpty, "\(undocumented.map(\.message))")
            // A variant that takes an alternative does take it: some case sees the alternative.
            for v in run.variants.compactMap(Variant.named) where Variant.allOn.contains(v) || run.variants.count == 1 {
                // A variant that differs only on some days is seen by the test its differsOnlyWhen names.
                guard let takes = v.takes, v.differsOnlyWhen == nil else { continue }
                let seen = result.results.contains { r in
                    r.ambiguities.contains { f in
                        f.reading == takes.reading && (f.actual.hasPrefix(takes.option + ":") || f.actual.contains("; or \(takes.option):"))
                    }
                }
                #expect(seen, "no case saw \(v.name) take \(takes) (does the variant change any answer a case checks?)")
            }
        }

        /// Under --strict: a variant sends only members the docs describe
        /// for that object, so none of them is an undocumented field.
        @Test(arguments: [VariantRun(variants: [], profile: "simulator.json")] + runs.filter { $0.variants.count > 1 })
        func theSuitePassesUnderAVariantWithStrict(_ run: VariantRun) async throws {
            let result = try await SimulatorHarness.run(variants: run.variants, profile: run.profile, strict: true)
            #expect(result.results.count > 30)
            #expect(result.failed == 0 && result.errors == 0 && result.skipped == 0, "\(SimulatorHarness.notPassed(result))")
            let undocumented = result.results.flatMap(\.findings).filter { $0.check == .undocumentedField || $0.check == .renamed }
            #expect(undocumented.isEmpty, "\(undocumented.map(\.message))")
        }

        /// Every variant of the catalogue has a run above.
        @Test func everyVariantIsRun() {
            let run = Set(Self.runs.filter { $0.variants.count == 1 }.map { $0.variants[0] })
            #expect(run == Set(Variant.catalogue.map(\.name)))
        }

        /// With every variant on, each fault still makes a case of its endpoint fail
        /// that passes with the variants alone (the rule `faults --detect` uses;
        /// mirrors EndToEndTests.everyFaultIsDetected).
        @Test(arguments: Fault.catalogue.map(\.name))
        func everyFaultIsDetectedWithAllVariantsOn(_ name: String) async throws {
            let (fault, baseline, result, caught) = try await SimulatorHarness.detection(
                of: name, variants: Variant.allOn.map(\.name), profile: "simulator-all.json")
            let passedAlone = baseline.results.filter { $0.verdict.conforms }.count
            #expect(
                !caught.isEmpty,
                "no case of \(fault.endpoint) that passes with all variants fails under \(name) (\(passedAlone) of \(baseline.results.count) cases pass with all variants)")
            #expect(result.errors == 0, "errors under \(name): \(SimulatorHarness.notPassed(result))")
        }

        @Test func theEmbeddedSimulatorHandsOutTheVariantsTokens() throws {
            let (suite, _) = try SuiteLoader.load(root: Project.cases)
            let (profile, _) = try TargetLoader.load(path: Project.cases + "/targets/simulator-bearer.json", suite: suite)
            let sim = try EmbeddedSimulator(variants: [try #require(Variant.named("base64-tokens"))])
            defer { sim.stop() }
            let env = sim.environment(for: profile)
            // Tokens are never interpolated into expectations, so a failure prints none.
            let tokens = profile.credentialVariables.map { env[$0.1] }
            let count = tokens.count
            let allBase64 = tokens.allSatisfy { $0?.hasSuffix("+/==") == true }
            #expect(count > 0)
            #expect(allBase64, "every role gets a base64-like token")
            let plain = try EmbeddedSimulator()
            defer { plain.stop() }
            let noneBase64 = plain.environment(for: profile).values.allSatisfy { !$0.hasSuffix("+/==") }
            #expect(noneBase64)
        }

        @Test func variantsListsEachVariantInFull() async {
            let (status, c) = await conformance(["variants"])
            #expect(status == 0)
            for v in Variant.catalogue {
                #expect(c.out.contains("\n" + v.name + "\n") || c.out.hasPrefix(v.name + "\n"), "\(v.name)")
                #expect(c.out.contains("  does:       " + v.summary + "\n"), "\(v.name)")
                #expect(c.out.contains("  allowed by: " + v.allowedBy), "\(v.name)")
            }
        }

        @Test func anUnknownVariantIsAUsageErrorWithASuggestion() async {
            for command in [["run"], ["serve", "--port", "0"], ["faults", "--detect"]] {
                let (status, c) = await conformance(command + ["--variant", "chunkd"])
                #expect(status == 2)
                #expect(c.err.contains("unknown variant 'chunkd' (did you mean 'chunked'?)"), "\(c.err)")
            }
            let (status, c) = await conformance(["serve", "--port", "0", "--fault", "get-drop-numbr"])
            #expect(status == 2)
            #expect(c.err.contains("(did you mean 'get-drop-number'?)"), "\(c.err)")
        }

        @Test func variantsApplyToTheBuiltInSimulatorOnly() async {
            let (status, c) = await conformance(
                ["run", "--suite", Project.cases, "--target", Project.cases + "/targets/simulator.json", "--variant", "chunked"])
            #expect(status == 2)
            #expect(c.err.contains("--variant applies to the built-in simulator only"), "\(c.err)")
        }

        @Test func runWithVariantsNamesThemAndJudgesTheSimulator() async throws {
            let tmp = TempDir()
            defer { tmp.cleanup() }
            let (status, c) = await conformance(
                ["run", "--suite", Project.cases, "--reports", tmp.path, "--variant", "chunked", "--variant", "connection-close",
                 "--endpoint", "mvno-account-get"])
            #expect(status == 0, "\(c.out)\n\(c.err)")
            #expect(c.out.contains("simulator variants: chunked, connection-close"))
            #expect(c.out.contains(" passed, 0 failed, 0 skipped"), "\(c.out)")
        }
    }
}
