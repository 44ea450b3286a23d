import JSONKit

/// Judges each step's answer: against the case's expectation, and where
/// that fails, against the documented alternatives of the readings the step
/// rests on; and the other answers of a concurrent step. `Conformance.engine`
/// hands one to the runner, which asks it after each exchange (a chain needs
/// the verdict before its next step) and judges nothing itself.
struct StepJudge: Sendable {
    let suite: Suite
    let target: TargetProfile
    let options: CheckOptions

    /// The answer judged against `context.expect`, or, where that fails and a
    /// documented alternative explains it, against that alternative (then
    /// `context.expect` becomes the alternative's). Also, per reading the
    /// step rests on, the options the answer agrees with (`optionsTaken`).
    func judge(
        _ step: Step, _ exchange: HTTPExchange, _ context: inout Checker.Context
    ) -> (Checker.Judgement, taken: [String: Set<String>]) {
        // The alternatives differ from the expectation in what they expect,
        // not in the answer: what the schema, presence and invariants find
        // is found once for all of them (a step without any keeps nothing).
        let memo = step.alternatives.isEmpty ? nil : Checker.Memo(strict: options.strict)
        var j = Checker.judge(exchange, context: context, suite: suite, target: target, options: options, memo: memo)
        // Each alternative is judged once, and only where its verdict is read.
        let judgedAlternatives = judgeAlternatives(step, exchange, context, heldPassed: j.verdict == .passed, memo: memo)
        let taken = optionsTaken(step, judgedAlternatives, heldPassed: j.verdict == .passed)
        if j.verdict == .failed, let (alt, judged, taken) = alternative(judgedAlternatives) {
            // The answer departs from the suite's reading but meets a
            // documented alternative: ambiguous, not failed.
            context.expect = alt.expect
            j = judged
            j.findings = readingFindings(step.readings, taken) + j.findings
        } else if j.verdict == .failed, exchange.status != context.expect.status,
            let (alt, judged) = statusAlternative(judgedAlternatives, exchange)
        {
            // The status is one an alternative takes (an accepted bad value,
            // a 201) but the answer does not conform to it: judged as that
            // alternative, the failure names what is wrong in the answer,
            // not the status the suite's own reading expected.
            context.expect = alt.expect
            j = judged
            j.findings = j.findings.map { taking(alt.choices, held: step.readings, $0) }
        }
        return (j, taken)
    }

    /// The answer against the context's expectation and the endpoint's contract.
    func check(_ exchange: HTTPExchange, context: Checker.Context, options: CheckOptions? = nil) -> Checker.Judgement {
        Checker.judge(exchange, context: context, suite: suite, target: target, options: options ?? self.options)
    }

    /// The answers of a concurrent step other than the one judged by its
    /// expectation: each must be the documented row `step.concurrentOthers`
    /// (status and message), so that of N requests at once exactly one succeeds.
    func concurrentOthers(_ others: [HTTPExchange], step: Step, endpoint: Endpoint, count: Int) -> [Finding] {
        guard let rowID = step.concurrentOthers, let row = endpoint.errors.first(where: { $0.id == rowID }) else { return [] }
        var out: [Finding] = []
        for e in others {
            let pointer = target.errorMessagePointer
            let message = (try? e.parsedJSON()).flatMap { p in p.tape.withRoot { pointer.resolve(in: $0)?.stringValue } }
            if e.status == row.status && message == row.message { continue }
            let got = "\(e.status)" + (message.map { " " + shorten($0, to: 40) } ?? "")
            out.append(
                Finding(
                    check: e.status == row.status ? .errorMessage : .status, expected: "\(row.status) \(row.message)", actual: got,
                    message: (200..<300).contains(e.status)
                        ? "of \(count) identical requests sent at once, more than one succeeded (\(got)): exactly one may, the others must answer \(row.status) \(row.message)"
                        : "of \(count) identical requests sent at once, one answered \(got): the others than the one that succeeds must answer \(row.status) \(row.message)"))
        }
        return out
    }

    /// The step's alternatives, each judged against the answer: read when the
    /// answer failed the suite's own reading, or when the step rests on a
    /// reading the one-option check follows (not pinned, not asked per case).
    /// Otherwise none is judged: a passing answer costs one judgement.
    func judgeAlternatives(
        _ step: Step, _ exchange: HTTPExchange, _ context: Checker.Context, heldPassed: Bool, memo: Checker.Memo? = nil
    ) -> [(alt: StepAlternative, judgement: Checker.Judgement)] {
        guard !step.alternatives.isEmpty, !heldPassed || step.readings.contains(where: followsOneOption) else { return [] }
        return step.alternatives.map { alt in
            var ctx = context
            ctx.expect = alt.expect
            return (alt, Checker.judge(exchange, context: ctx, suite: suite, target: target, options: options, memo: memo))
        }
    }

    /// Whether the one-option check follows this reading in this run.
    func followsOneOption(_ held: ReadingChoice) -> Bool {
        target.readings[held.reading] == nil && suite.reading(held.reading).map { !$0.perCase } == true
    }

    /// The first of the step's alternatives (other options of the readings it
    /// rests on) that the answer meets without a failure, with its judgement.
    /// Every alternative the answer meets is named (member-named and other-4xx
    /// may both allow one answer).
    func alternative(
        _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)]
    ) -> (StepAlternative, Checker.Judgement, taken: [[ReadingChoice]])? {
        let passing = judged.filter { $0.judgement.verdict == .passed }
        guard let first = passing.first else { return nil }
        return (first.alt, first.judgement, passing.flatMap { [$0.alt.choices] + $0.alt.also })
    }

    /// The first of the step's alternatives whose status the answer has,
    /// judged as that alternative (it failed: no alternative passed).
    func statusAlternative(
        _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)], _ exchange: HTTPExchange
    ) -> (StepAlternative, Checker.Judgement)? {
        judged.first { j in
            let statuses = j.alt.expect.oneOf.isEmpty ? [j.alt.expect.status] : j.alt.expect.oneOf.map(\.status)
            return statuses.contains(exchange.status)
        }.map { ($0.alt, $0.judgement) }
    }

    /// A failure of an answer judged as an alternative, saying which options it took.
    func taking(_ taken: [ReadingChoice], held: [ReadingChoice], _ f: Finding) -> Finding {
        guard f.severity == .failure else { return f }
        let differ = taken.filter { !held.contains($0) }
        guard !differ.isEmpty else { return f }
        var f = f
        let options = differ.map { ch in
            "'\(ch.reading)' option \(ch.option)" + (suite.reading(ch.reading)?.option(ch.option).map { " (\($0.says))" } ?? "")
        }
        f.message = "answered as reading \(options.joined(separator: ", ")), but " + f.message
        return f
    }

    /// For each reading the step rests on (and the profile does not pin): the
    /// options whose expectation the answer meets, where that is some of the
    /// reading's options but not all (an answer every option allows says nothing).
    func optionsTaken(
        _ step: Step, _ judged: [(alt: StepAlternative, judgement: Checker.Judgement)], heldPassed: Bool
    ) -> [String: Set<String>] {
        // A step held to no reading the run follows gathers nothing (perf, issue 24: 3 allocations a request).
        guard !judged.isEmpty, step.readings.contains(where: followsOneOption) else { return [:] }
        var passing: [[ReadingChoice]] = heldPassed ? [step.readings] + step.alsoHeld : []
        for (alt, j) in judged where j.verdict == .passed { passing += [alt.choices] + alt.also }
        var out: [String: Set<String>] = [:]
        for held in step.readings where followsOneOption(held) {
            guard let reading = suite.reading(held.reading) else { continue }
            let took = Set(passing.joined().filter { $0.reading == held.reading }.map(\.option))
            if !took.isEmpty, took.count < reading.options.count { out[held.reading] = took }
        }
        return out
    }

    /// One `reading` finding for each reading whose option the answer took
    /// differs from the one the step was held to.
    /// `taken` holds every combination of options whose expectation the answer
    /// met (several when they expect the same): a reading gets a finding when
    /// none of them has the step's option, naming each option they have.
    func readingFindings(_ held: [ReadingChoice], _ taken: [[ReadingChoice]]) -> [Finding] {
        held.compactMap { mine in
            var options: [String] = []
            for ch in taken.joined() where ch.reading == mine.reading && !options.contains(ch.option) { options.append(ch.option) }
            guard !options.isEmpty, !options.contains(mine.option), let reading = suite.reading(mine.reading),
                let ours = reading.option(mine.option)
            else { return nil }
            let theirs = options.compactMap(reading.option)
            var f = Finding(
                check: .reading, severity: .ambiguous, expected: "\(ours.id): \(ours.says)",
                actual: theirs.map { "\($0.id): \($0.says)" }.joined(separator: "; or "),
                message: "reading '\(reading.id)' (\(reading.page):\(reading.line) “\(reading.quote)”): "
                    + "we read \(ours.id) (\(ours.says)); the target took the alternative "
                    + theirs.map { "\($0.id) (\($0.says))" }.joined(separator: " or "))
            f.reading = reading.id
            return f
        }
    }

    /// A value the next step needs is missing from the answer (and the docs promise it).
    func missingCapture(_ capture: Step.Capture) -> Finding {
        Finding(
            check: .capture, pointer: capture.pointer, expected: "a value to capture as '\(capture.name)'",
            actual: "missing", message: "\(capture.pointer) is missing, so '\(capture.name)' cannot be captured for the next step")
    }
}
