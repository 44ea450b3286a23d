"""Reads a JUnit report with junitparser (as CI tools do) and checks its
totals against the console's closing line 'N passed, N failed, N skipped'
(errors count as failed there)."""
import re
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

report, console_line = sys.argv[1], sys.argv[2]
m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", console_line.strip())
if not m:
    sys.exit(f"not a closing line: {console_line!r}")
want = tuple(int(x) for x in m.groups())

passed = failed = skipped = 0
for suite in JUnitXml.fromfile(report):
    for case in suite:
        kinds = {type(r) for r in case.result}
        if Skipped in kinds:
            skipped += 1
        elif Failure in kinds or Error in kinds:
            failed += 1
        else:
            passed += 1
got = (passed, failed, skipped)
print(f"junitparser read {report}: {passed} passed, {failed} failed, {skipped} skipped")
if got != want:
    sys.exit(f"totals differ from the console's: {want}")
