/// Exit statuses, documented in README and `--help`.
public enum ExitStatus: Int32, Sendable {
    /// Every case that ran passed.
    case passed = 0
    /// The target failed at least one case.
    case failed = 1
    /// Usage error or a problem in the suite or the target profile.
    case usage = 2
    /// Nothing failed, but a case errored (could not be judged) or no case was judged (all skipped).
    case unjudged = 3
    /// Nothing failed, but less of the suite was judged than `--min-judged` (or the profile's `minJudged`) asks.
    case underJudged = 4
}
