#!/usr/bin/env python3
"""Assert what one `ioasid-trace check --format json` run reported.

    verdict.py NDJSON --exit CODE --want-exit N --want IDS [--seed-set-token]
               [--matrix FILE]

NDJSON is check's output; CODE is the exit status check returned in the
guest.  IDS is a comma-separated list of the invariant IDs that must have
violations ("" for none): exactly those, no other.  An entry RULE=COUNT
(kernel/patches/mutants/EXPECTED) also asserts that the verdict counts
exactly COUNT violations of RULE; COUNT may be BASE+NAME, where NAME is a
number the scenario measured itself and printed as a line
"scenario: NAME=N" into the file --vars names (the harness's own count of
what one race decided).  --matrix appends one JSON line
{"label", "want", "got"} (rule -> count; want -1 = any) for the detection
matrix tests/vm/matrix.sh prints.  --seed-set-token also
asserts that every invariant-5 violation is a callback of an
ioasid_notify() chain seeing a wrong set_token and nothing else (the
seed's defect).
Prints `ok N - ...` lines; exit 1 on any failure.
"""
import argparse
import json
import re
import sys


def count(spec, measured):
    """BASE or BASE+NAME: NAME is what the scenario measured (KeyError if not)."""
    base, _, name = spec.partition("+")
    if not name:
        return int(base)
    if name not in measured:
        sys.exit(f"not ok - the scenario did not print 'scenario: {name}=N'")
    return int(base) + measured[name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ndjson")
    ap.add_argument("--label", default="")
    ap.add_argument("--exit", type=int, required=True)
    ap.add_argument("--want-exit", type=int, required=True)
    ap.add_argument("--want", default="")
    ap.add_argument("--seed-set-token", action="store_true")
    ap.add_argument("--matrix", help="append the counts, as JSON, to this file")
    ap.add_argument("--vars", help="the scenario's output: its 'scenario: NAME=N' lines, "
                    "and 'scenario NAME: done' at its end")
    ap.add_argument("--exercised", default="1,2,3,4,5,6,7,9",
                    help="invariants the scenario must have evaluated")
    a = ap.parse_args()
    measured = {}
    out = ""
    if a.vars:
        with open(a.vars) as f:
            out = f.read()
            for m in re.finditer(r"^scenario: (\w+)=(\d+)$", out, re.M):
                measured[m.group(1)] = int(m.group(2))
    want_n = {}
    for x in a.want.split(","):
        if x:
            rule, _, cnt = x.partition("=")
            want_n[int(rule)] = count(cnt, measured) if cnt else -1
    want = set(want_n)
    n = 0
    failed = 0

    def check(cond, what, detail=""):
        nonlocal n, failed
        n += 1
        print(f"{'ok' if cond else 'not ok'} {n} - {a.label}{what}")
        if not cond:
            failed += 1
            if detail:
                print(f"#   {detail}")

    recs = []
    try:
        with open(a.ndjson) as f:
            recs = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        check(False, "check wrote valid NDJSON", str(e))
        return 1
    verdicts = [r for r in recs if r.get("type") == "verdict"]
    check(len(verdicts) == 1, "one verdict record")
    if not verdicts:
        return 1
    v = verdicts[0]
    got_n = {i["id"]: i["violations"] for i in v["invariants"] if i["violations"] > 0}
    got = set(got_n)
    if a.matrix:
        with open(a.matrix, "a") as f:
            f.write(json.dumps({"label": a.label.rstrip(": "), "want": want_n, "got": got_n,
                                "exit": a.exit, "want_exit": a.want_exit}) + "\n")
    check(a.exit == a.want_exit, f"check exited {a.want_exit}", f"exit {a.exit}: {v.get('reason')}")
    # A scenario that stopped half way judged less than its counts assume;
    # each one's last line is "scenario NAME: done".
    if a.vars:
        check(re.search(r"^scenario \S+: done$", out, re.M), "the scenario ran to the end",
              "\n#   ".join(out.splitlines()[-3:]))
    check(v["lost"] == 0, "no events lost", f"lost {v['lost']}")
    check(got == want, f"violated invariants are exactly {sorted(want) or 'none'}",
          f"got {sorted(got)}: " + "; ".join(r["message"] for r in recs if r.get("type") == "violation")[:600])
    for w, cnt in sorted(want_n.items()):
        if cnt >= 0:
            check(got_n.get(w, 0) == cnt, f"invariant {w}: exactly {cnt} violation(s)",
                  f"got {got_n.get(w, 0)}")
    exercised = {i["id"] for i in v["invariants"] if i["checked"] > 0}
    need = {int(x) for x in a.exercised.split(",") if x}
    check(need <= exercised, f"invariants {sorted(need)} were all exercised",
          f"exercised only {sorted(exercised)}")
    for w in want:
        viol = [r for r in recs if r.get("type") == "violation" and r["invariant"] == w]
        check(all(r.get("now") and r.get("cause") is not None for r in viol) and viol,
              f"invariant {w} violations carry both sides of the evidence")
    if a.seed_set_token:
        viol = [r for r in recs if r.get("type") == "violation" and r["invariant"] == 5]
        bad = [r["message"] for r in viol
               if r["now"].get("cmd") not in ("BIND", "UNBIND", "FREE") or "set_token" not in r["message"]
               or any(f in r["message"] for f in (" id=", " sid=", " pdata="))]
        # FREE: the one ioasid_notify(id, FREE) the seed accepts; its FREE
        # path fills set_token in, so no other FREE shows here
        check(viol and not bad, "seed: invariant 5 only for set_token of ioasid_notify()'s chains",
              "; ".join(bad[:3]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
