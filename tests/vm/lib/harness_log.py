#!/usr/bin/env python3
"""Check the delivery order of IOASID notifications from the harness's own log.

    harness_log.py LOG --subs kvm,iommu,vdcm [--expect-einval ID]

LOG is /sys/kernel/debug/ioasid_harness/log as read inside the guest.  Every
publisher operation there has a `phase=begin` and a `phase=end` line, and
every callback a line of its own, all numbered by one global sequence.  From
that alone this asserts, for the kernel that produced the log:

  - every registered subscriber received BIND, UNBIND and FREE for every ID,
    in the order the publisher issued them (per subscriber, the received
    (cmd, id) list equals the list of operations);
  - each callback ran inside the operation that caused it (between its begin
    and end lines), and the callbacks of one operation came in priority
    order (higher first);
  - FREE of an ID was delivered before that ID was handed out again;
  - no subscriber ever received ALLOC (the seed never emits it);
  - `notify` on an unknown ID returned -EINVAL (-22) and reached nobody.

Prints `ok N - ...` / `not ok N - ...` lines; exit status 1 on any failure.
"""
import argparse
import re
import sys

LINE = re.compile(r"seq=(\d+) (.*)")


def parse(path):
    recs = []
    with open(path) as f:
        for raw in f:
            m = LINE.match(raw.strip())
            if not m:
                continue
            fields = dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
            fields["seq"] = int(m.group(1))
            recs.append(fields)
    return recs


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {what}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {what}")
            if detail:
                print(f"#   {detail}")


def set_free_holdings(recs):
    """Begin seq of each set_free -> the IDs the publisher held in that set."""
    held, at = {}, {}
    for r in recs:
        op = r.get("op")
        if op == "alloc" and "ret" not in r and "id" in r:
            held.setdefault(r["sid"], set()).add(r["id"])
        elif op == "free" and r.get("phase") == "end":
            for ids in held.values():
                ids.discard(r["id"])
        elif op == "set_free" and r.get("phase") == "begin":
            at[r["seq"]] = frozenset(held.get(r["sid"], ()))
        elif op == "set_free" and r.get("phase") == "end":
            held.pop(r["sid"], None)
    return at


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--subs", required=True, help="subscribers registered throughout")
    ap.add_argument("--prio", default="", help="sub=prio,... to check priority order")
    ap.add_argument("--expect-einval", type=int, action="append", default=[])
    args = ap.parse_args()
    subs = args.subs.split(",")
    prio = {k: int(v) for k, v in (p.split("=") for p in args.prio.split(",") if p)}
    recs = parse(args.log)
    tap = Tap()
    tap.check(len(recs) > 0, "harness log has records", f"{args.log} is empty")
    tap.check(not any("dropped" in r for r in recs), "harness log dropped nothing")

    # Operations that notify, with the callbacks nested inside them.
    ops = []          # (op, id, cmd expected, begin seq, end seq, ret)
    open_ops = {}
    cmd_of = {"bind": "BIND", "unbind": "UNBIND", "free": "FREE"}
    for r in recs:
        op = r.get("op")
        if op in ("bind", "unbind", "free", "notify", "set_free") and "phase" in r:
            key = (op, r.get("id", r.get("sid")))
            if r["phase"] == "begin":
                open_ops[key] = r["seq"]
            elif r["phase"] == "end":
                ops.append((op, key[1], r.get("cmd"), open_ops.pop(key, None), r["seq"], r.get("ret")))
    tap.check(not open_ops, "every operation has begin and end lines", f"unfinished: {open_ops}")

    cbs = [r for r in recs if "cb" in r and "cmd" in r]
    tap.check(len(cbs) > 0, "subscribers received callbacks")
    tap.check(all(r["cmd"] != "ALLOC" for r in cbs), "no subscriber received ALLOC",
              str([r for r in cbs if r["cmd"] == "ALLOC"][:3]))

    # Expected deliveries, in publisher order.  A set_free frees several IDs:
    # the FREEs inside it are expected for each ID the set held, in any order
    # the kernel chose, so they are compared as the set of IDs.  Which IDs
    # it held comes from the publisher's own records (its allocs and frees),
    # never from the callbacks: a set_free that notifies nobody must fail.
    held_at = set_free_holdings(recs)
    expected = []     # list of (cmd, id) or ("FREE*", frozenset) for set_free
    for op, oid, cmd, b, e, ret in sorted(ops, key=lambda o: o[3] or 0):
        if op in cmd_of:
            expected.append((cmd_of[op], oid, b, e))
        elif op == "set_free":
            expected.append(("FREE*", held_at.get(b, frozenset()), b, e))

    for sub in subs:
        got = [r for r in cbs if r["cb"] == sub]
        i = 0
        bad = None
        for cmd, oid, b, e in expected:
            if cmd == "FREE*":
                chunk = [r for r in got[i:] if b < r["seq"] < e]
                ids = {r["id"] for r in chunk}
                if ids != oid or any(r["cmd"] != "FREE" for r in chunk) or len(chunk) != len(oid):
                    bad = f"set_free seq {b}-{e}: got {[(r['cmd'], r['id']) for r in chunk]} want FREE of {sorted(oid)}"
                    break
                i += len(chunk)
                continue
            if i >= len(got):
                bad = f"missing {cmd} id={oid} (op seq {b}-{e})"
                break
            r = got[i]
            if (r["cmd"], r["id"]) != (cmd, oid) or not (b < r["seq"] < e):
                bad = f"want {cmd} id={oid} inside seq {b}-{e}, got {r['cmd']} id={r['id']} seq={r['seq']}"
                break
            i += 1
        if bad is None and i != len(got):
            bad = f"unexpected extra callbacks: {[(r['cmd'], r['id'], r['seq']) for r in got[i:]][:5]}"
        tap.check(bad is None, f"{sub}: BIND/UNBIND/FREE for every ID in publisher order", bad or "")

    if prio:
        wrong = []
        for op, oid, cmd, b, e, ret in ops:
            inside = [r for r in cbs if b < r["seq"] < e]
            # group by (cmd, id): one chain call each
            groups = {}
            for r in inside:
                groups.setdefault((r["cmd"], r["id"]), []).append(r["cb"])
            for key, order in groups.items():
                ps = [prio.get(s, 0) for s in order]
                if ps != sorted(ps, reverse=True):
                    wrong.append((key, order))
        tap.check(not wrong, "callbacks of each chain call ran in priority order", str(wrong[:3]))

    # FREE before the ID is handed out again.
    last_free_end = {}
    reuse_bad = []
    allocs = 0
    for r in recs:
        if r.get("op") == "alloc" and "id" in r:
            allocs += 1
            if r["id"] in last_free_end and last_free_end[r["id"]] is None:
                reuse_bad.append(r)
            last_free_end[r["id"]] = None
        if "cb" in r and r.get("cmd") == "FREE":
            last_free_end[r["id"]] = r["seq"]
    reused = [i for i in last_free_end if sum(1 for r in recs if r.get("op") == "alloc" and r.get("id") == i) > 1]
    tap.check(len(reused) > 0, "scenario re-allocated a freed ID", "no ID was handed out twice: the reuse check would be vacuous")
    tap.check(not reuse_bad, "FREE delivered before an ID was handed out again", str(reuse_bad[:3]))

    for bad_id in args.expect_einval:
        hits = [o for o in ops if o[0] == "notify" and o[1] == str(bad_id)]
        ok = bool(hits) and all(o[5] == "-22" for o in hits)
        tap.check(ok, f"ioasid_notify on unknown ID {bad_id} returned -EINVAL", str(hits))
        reached = [r for o in hits for r in cbs if o[3] < r["seq"] < o[4]]
        tap.check(bool(hits) and not reached, f"ioasid_notify on unknown ID {bad_id} reached no subscriber", str(reached[:3]))

    print(f"# {tap.n - tap.failed} of {tap.n} checks passed ({len(recs)} log records, {len(cbs)} callbacks)")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
