import ConformanceCLI
import Foundation

let status = await CLI.main(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, console: .standard)
exit(status)
