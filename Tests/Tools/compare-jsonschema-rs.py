"""The page of `conformance-bench schema`, parsed and validated by orjson + jsonschema-rs.

The reference side of issue 24's item 5 ("parse + validate >= 2x orjson+jsonschema-rs
with regex formats"). Not used by the tests; needs `pip install orjson jsonschema-rs`.

    BENCH_DUMP=/tmp/page .build/release/conformance-bench schema    # ours, and writes the inputs
    python3 Tests/Tools/compare-jsonschema-rs.py /tmp/page            # theirs, the same page and schemas

The suite's own formats (objectid, e164, icc) are given to jsonschema-rs twice: as Python
callbacks, and rewritten as `pattern` regexes it evaluates natively. date-time and email
are jsonschema-rs's own. Timing: orjson.loads then is_valid, each run on its own, as ours.
"""
import sys, time, json, statistics, orjson, jsonschema_rs, os, re, copy
d = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
B = "file:///suite/schemas/"
raw = {f: json.load(open(d + "/schemas/" + f)) for f in os.listdir(d + "/schemas")}
page = open(d + "/page.json", "rb").read()
REGEX = {"objectid": "^[0-9a-fA-F]{24}$", "e164": "^\\+[1-9][0-9]{7,14}$", "icc": "^[0-9]{18,20}$"}
def fix_ids(s):
    s = copy.deepcopy(s); s["$id"] = B + s["$id"]; return s
def to_pattern(n):
    if isinstance(n, dict):
        out = {k: to_pattern(v) for k, v in n.items()}
        if isinstance(out.get("format"), str) and out["format"] in REGEX:
            out["pattern"] = REGEX[out.pop("format")]
        return out
    if isinstance(n, list): return [to_pattern(x) for x in n]
    return n
def make(transform, **kw):
    ss = {f: fix_ids(transform(s)) for f, s in raw.items()}
    reg = jsonschema_rs.Registry([(s["$id"], s) for s in ss.values()])
    return jsonschema_rs.validator_for(ss["mvno-deleted-page.schema.json"], registry=reg, validate_formats=True, **kw)
def record(key, value):
    # For `conformance-bench acceptance`, which names the file: one "key value" line.
    if os.environ.get("BENCH_FIGURES"):
        with open(os.environ["BENCH_FIGURES"], "a") as f: f.write(f"{key} {value}\n")
def bench(label, v, secs=float(os.environ.get("SECS", "3"))):
    doc = orjson.loads(page)
    errs = list(v.iter_errors(doc))
    assert not errs, f"{label}: INVALID {len(errs)}: {errs[0]}"
    ts = []
    end = time.perf_counter() + secs
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        doc = orjson.loads(page)
        ok = v.is_valid(doc)
        del doc
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    print(f"orjson + jsonschema-rs, {label:42s} median {statistics.median(ts):.3f} ms  (p10 {ts[len(ts)//10]:.3f}, p90 {ts[len(ts)*9//10]:.3f})  {len(ts)} runs")
    return statistics.median(ts)
cb = {k: (lambda r: (lambda s: re.fullmatch(r[1:-1], s) is not None))(r) for k, r in REGEX.items()}
record("orjson.callbacks.median", bench("custom formats as Python callbacks", make(lambda s: s, formats=cb)))
record("orjson.regex.median", bench("custom formats as native regexes (pattern)", make(to_pattern)))
t = []
for _ in range(500):
    t0 = time.perf_counter(); orjson.loads(page); t.append((time.perf_counter() - t0) * 1e3)
print(f"orjson parse alone: median {statistics.median(t):.3f} ms")
