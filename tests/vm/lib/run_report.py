#!/usr/bin/env python3
"""Assert one conforming `ioasid-trace check --format json` run of a
repeated VM test (stress.sh, armed.sh).

    run_report.py NDJSON RUN

Prints `ok TAPN - run RUN: ...` lines (vt_adopt_guest_log numbers them):
a verdict present, nothing lost, no exit without its entry, no violation
of an error rule, and the per-life rules really evaluated.  Why a run
was not conforming, and its first violations, go out as comments.
"""
import json
import sys

PER_LIFE = ("free-before-allocator", "delivered-once", "no-live-reuse",
            "free-is-final", "known-id-only")


def main():
    lines = [json.loads(line) for line in open(sys.argv[1])]
    run = sys.argv[2]

    def t(ok, what):
        print(("ok" if ok else "not ok"), "TAPN - run %s:" % run, what)

    verdicts = [d for d in lines if d.get("type") == "verdict"]
    if not verdicts:
        t(False, "a verdict in the JSON report")
        return
    v = verdicts[0]
    if v["verdict"] != 0:
        print("#   verdict %d: %s" % (v["verdict"], v["reason"]))
    viol = [d for d in lines if d.get("type") == "violation"]
    for d in viol[:3]:
        print("#   violation %s: %s" % (d["key"], d["message"]))
    errors = [d for d in viol if d.get("severity") == "error"]
    t(v["lost"] == 0, "nothing lost (%d)" % v["lost"])
    t(v["unmatched_exits"] == 0, "no exit without its entry (%d)" % v["unmatched_exits"])
    t(not errors, "no violation of an error rule (%d)" % len(errors))
    inv = {i["key"]: i["checked"] for i in v["invariants"]}
    judged = {k: inv.get(k, 0) for k in PER_LIFE}
    t(all(n > 0 for n in judged.values()), "the per-life rules were evaluated: %s" % judged)


if __name__ == "__main__":
    main()
