import ConformanceCLI
import ConformanceKit
import Foundation
import Testing

/// `--shard auto` picks the shard from the CI system's parallel-job variables.
@Suite struct ShardAutoTests {
    struct AutoShardCase: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String]
        var shard: Selection.Shard?
        var testDescription: String { name }
    }

    static let autoShardCases: [AutoShardCase] = [
        AutoShardCase(name: "GitLab, first node", environment: ["CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "4"], shard: .init(index: 1, count: 4)),
        AutoShardCase(name: "GitLab, last node", environment: ["CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "4"], shard: .init(index: 4, count: 4)),
        AutoShardCase(
            name: "Buildkite counts from 0", environment: ["BUILDKITE_PARALLEL_JOB": "0", "BUILDKITE_PARALLEL_JOB_COUNT": "3"],
            shard: .init(index: 1, count: 3)),
        AutoShardCase(
            name: "Buildkite, last job", environment: ["BUILDKITE_PARALLEL_JOB": "2", "BUILDKITE_PARALLEL_JOB_COUNT": "3"],
            shard: .init(index: 3, count: 3)),
        AutoShardCase(name: "GitLab index 0 is not a node", environment: ["CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "4"], shard: nil),
        AutoShardCase(name: "GitLab without a total", environment: ["CI_NODE_INDEX": "2"], shard: nil),
        AutoShardCase(
            name: "Buildkite index past the count", environment: ["BUILDKITE_PARALLEL_JOB": "3", "BUILDKITE_PARALLEL_JOB_COUNT": "3"],
            shard: nil),
        AutoShardCase(name: "no CI variables", environment: ["CI": "true", "GITHUB_ACTIONS": "true"], shard: nil),
    ]

    @Test(arguments: autoShardCases)
    func shardAutoReadsGitLabAndBuildkite(_ c: AutoShardCase) {
        do {
            let shard = try Selection.Shard.auto(environment: c.environment)
            #expect(shard == c.shard, "picked \(shard.index)/\(shard.count)")
        } catch {
            #expect(c.shard == nil, "\(error)")
            #expect(error.message.hasPrefix("--shard auto: "))
        }
    }

    @Test func shardAutoRunsTheSameCasesAsTheExplicitShard() async throws {
        let gitlab = await conformance(
            ["run", "--suite", Project.cases, "--shard", "auto", "--list"], environment: ["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"])
        let buildkite = await conformance(
            ["run", "--suite", Project.cases, "--shard", "auto", "--list"],
            environment: ["BUILDKITE_PARALLEL_JOB": "1", "BUILDKITE_PARALLEL_JOB_COUNT": "3"])
        let explicit = await conformance(["run", "--suite", Project.cases, "--shard", "2/3", "--list"])
        #expect(gitlab.status == 0 && buildkite.status == 0 && explicit.status == 0)
        #expect(gitlab.capture.out == explicit.capture.out)
        #expect(buildkite.capture.out == explicit.capture.out)
        #expect(gitlab.capture.err.contains("--shard auto: shard 2/3"))
        #expect(explicit.capture.out.hasSuffix(" cases") && !explicit.capture.out.contains("\n155 cases"))

        let none = await conformance(["run", "--suite", Project.cases, "--shard", "auto", "--list"])
        #expect(none.status == 2)
        #expect(none.capture.err.contains("no parallel-job variables set"))
    }
}
