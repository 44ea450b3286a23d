import JSONKit

extension Expectation {
    /// The row of `oneOf` the answer is judged against: the one with its
    /// status and message, else the first with its status, else the first
    /// (whose status then fails). The rows stay listed for the finding.
    func row(answering exchange: HTTPExchange, at pointer: JSONPointer) -> Expectation {
        let sameStatus = oneOf.filter { $0.status == exchange.status }
        let message = (try? JSONParser.parse(exchange.body)).flatMap { pointer.resolve(in: $0)?.stringValue }
        guard let chosen = sameStatus.first(where: { $0.message == message }) ?? sameStatus.first ?? oneOf.first else {
            return self
        }
        var e = self
        e.status = chosen.status
        e.errorMessage = chosen.message
        return e
    }
}
