/// A command line the tool cannot act on: printed as `error: …` with a pointer to `--help`, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
