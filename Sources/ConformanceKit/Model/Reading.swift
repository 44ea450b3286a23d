/// Something the docs do not say, decided by the suite: the page text it
/// interprets, the reading the suite takes, and the alternatives a conforming
/// server may take instead (`Cases/readings.json`).
///
/// A target that departs from our reading but takes a listed alternative is
/// not failed: its case is `ambiguous`, which does not block certification,
/// unless the target's profile pins the reading (`"readings": {ID: OPTION}`).
public struct Reading: Sendable, Hashable {
    public struct Option: Sendable, Hashable {
        public var id: String
        /// What a server taking this option does, in a sentence.
        public var says: String
    }

    public var id: String
    /// The page of the docs (file name in the docs folder) and the line the quote is on.
    public var page: String
    public var line: Int
    /// The page's words that leave the question open, verbatim.
    public var quote: String
    /// The question the page leaves open.
    public var question: String
    /// Why the suite reads it as it does.
    package var because: String
    /// The reading the suite takes.
    public var ours: Option
    /// What else a conforming server may do. Empty: the reading is recorded
    /// (it is ours, not the page's) but no other answer conforms.
    public var alternatives: [Option]
    /// The question is asked anew in each case (e.g. of each member), so a
    /// target may take one option in one case and another elsewhere. Otherwise
    /// (the default) a target takes one option throughout a run.
    package var perCase = false

    public var options: [Option] { [ours] + alternatives }
    public func option(_ id: String) -> Option? { options.first { $0.id == id } }
}

/// Which option of a reading an expectation follows.
public struct ReadingChoice: Sendable, Hashable, CustomStringConvertible {
    public var reading: String
    public var option: String
    public init(reading: String, option: String) {
        self.reading = reading
        self.option = option
    }
    public var description: String { "\(reading)=\(option)" }
}

/// What a step expects under another combination of reading options.
public struct StepAlternative: Sendable, Hashable {
    /// One choice for every reading that applies to the step.
    public var choices: [ReadingChoice]
    public var expect: Expectation
    /// Other combinations that expect exactly the same (kept when the planner
    /// drops them as duplicates, so that what an answer says about each
    /// reading is not lost).
    public var also: [[ReadingChoice]] = []
}

/// How a reading's option changes what a step expects, as the suite states it
/// where it cites the reading (endpoint spec or case).
struct ReadingEffect: Sendable, Hashable {
    /// The documented row the step then covers (`success` or an error row id);
    /// status, message and schema follow from it unless given.
    public var covers: String?
    public var status: Int?
    /// The error message expected (`.some(nil)`: none).
    public var errorMessage: String??
    /// The schema the body must satisfy (`.some(nil)`: none).
    public var schema: String??
    public var assertions: [Assertion]?
    package var invariants: [Invariant]?
    /// Access levels read as others (level → level, from `access.json`): who may
    /// act follows the access rule for the level it is read as, and so does
    /// what it may see.
    package var levelAs: [String: String]?
    /// Rows any of which conforms under the option (generated negative
    /// inputs); may hold rows the table does not list (a member's dotted name).
    public var oneOf: [ExpectedRow]?

    public init() {}
}

/// A reading cited at one place, with what each of its alternatives changes there.
public struct ReadingCitation: Sendable, Hashable {
    public var reading: String
    /// Option id → effect. Options not listed have no effect here.
    var effects: [String: ReadingEffect]
    /// Where the citation is, for diagnostics (`Cases/endpoints/x.json: response.readings.ID`).
    public var file: String
    public var keyPath: String
}
