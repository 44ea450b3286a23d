import ConformanceCLI
import Foundation

AllocatorTuning.apply()
let environment = ProcessInfo.processInfo.environment
let status = await CLI.main(
    Array(CommandLine.arguments.dropFirst()), environment: environment, console: .standard(environment: environment))
exit(status)
