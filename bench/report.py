#!/usr/bin/env python3
"""Turn bench/guest.sh's runs.tsv + counts.tsv into the `make bench` table.

    bench/report.py GUEST_RESULTS_DIR --engine FILE... [--recording FILE --tool BIN]

Per mode: cycles/s (median over rounds), its ratio to the baseline (median
of the per-round ratios: each round's modes ran back to back), the added ns
per traced call, calls seen vs what the harness's counters say the load
made, events lost, and time from launch to attached.  Then each target of
issue 6 with its value: met or missed.  Nothing here is pass/fail.
"""
import argparse
import os
import statistics as st
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--engine", action="append", default=[])
p.add_argument("--recording")
p.add_argument("--tool")
a = p.parse_args()


def tsv(name):
    path = os.path.join(a.dir, name)
    if not os.path.exists(path):
        return []
    rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


runs = tsv("runs.tsv")
counts = tsv("counts.tsv")
startup = [float(r[1]) for r in (l.split("\t") for l in open(os.path.join(a.dir, "startup.tsv")))
           ] if os.path.exists(os.path.join(a.dir, "startup.tsv")) else []

# Harness counters before/after each run -> traced calls the load made.
#   all calls per cycle: ioasid_alloc; ioasid_free, ioasid_free_locked,
#   default_free; ioasid_notify x2; the chain x3; each callback.
delta = {}
for r in counts:
    key = (r["round"], r["mode"])
    v = {k: int(r[k]) for k in ("alloc", "free", "bind", "unbind", "cb_calls")}
    if r["when"] == "before":
        delta[key] = v
    else:
        b = delta[key]
        delta[key] = {k: v[k] - b[k] for k in v}


def expected(mode, d):
    chain = d["bind"] + d["unbind"] + d["free"]
    if mode in ("hist", "histfe", "histret"):  # histograms: chain per cmd, callbacks, free path
        return chain + d["cb_calls"] + d["free"]
    return d["alloc"] + 3 * d["free"] + d["bind"] + d["unbind"] + chain + d["cb_calls"]


modes = []
for r in runs:
    if r["mode"] not in modes:
        modes.append(r["mode"])
by = {(r["round"], r["mode"]): r for r in runs}
rounds = sorted({r["round"] for r in runs}, key=int)

res = {}
for m in modes:
    rs = [by[(rd, m)] for rd in rounds if (rd, m) in by]
    cps = [int(r["cps"]) for r in rs]
    ratios, added = [], []
    for rd in rounds:
        if (rd, m) not in by or (rd, "base") not in by:
            continue
        base, cur = int(by[(rd, "base")]["cps"]), int(by[(rd, m)]["cps"])
        ratios.append(cur / base)
        d = delta[(rd, m)]
        calls_per_cycle = expected("all", d) / max(1, int(by[(rd, m)]["cycles"]))
        added.append((1e9 / cur - 1e9 / base) / calls_per_cycle)
    seen = [int(r["seen"]) for r in rs if r["seen"] not in ("-", "")]
    exp = [expected(m, delta[(r["round"], m)]) for r in rs if r["seen"] not in ("-", "")]
    lost = [int(r["lost"]) for r in rs if r["lost"] not in ("-", "")]
    att = [float(r["attach_s"]) for r in rs if r["attach_s"] not in ("-", "")]
    ver = sorted({r["verdict"] for r in rs if r["verdict"] not in ("-", "")})
    cpc = expected("all", delta[(rs[0]["round"], m)]) / int(rs[0]["cycles"]) if rs else 0
    res[m] = dict(cps=st.median(cps) if cps else 0, ratio=st.median(ratios) if ratios else None,
                  added=st.median(added) if added and m != "base" else None,
                  seen=sum(seen) if seen else None, exp=sum(exp) if exp else None,
                  lost=sum(lost) if lost else (0 if lost == [] and m != "base" else None),
                  attach=st.median(att) if att else None, verdict=",".join(ver) or "-",
                  n=len(rs), cpc=cpc)

names = {
    "base": "baseline (nothing attached)",
    "counter": "bare libbpf fentry counter",
    "pair": "bare libbpf fentry+fexit counter (latency floor)",
    "hist": "ioasid-trace hist (callbacks timed by the chain; module callbacks: kprobe)",
    "histfe": "ioasid-trace hist --mode fentry",
    "histret": "ioasid-trace hist --callback-latency return (kprobe+kretprobe per module callback)",
    "check": "ioasid-trace check",
    "record": "ioasid-trace record",
    "bpftrace": "bpftrace fentry+fexit hist()",
    "ftrace": "ftrace function tracer",
}
nb = os.path.join(a.dir, "not-built")
not_built = open(nb).read().split() if os.path.exists(nb) else []
print("| mode | cycles/s | x baseline | added ns / traced call | calls seen / expected | lost | attached (s) | verdict |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for m in list(names):
    if m not in res:
        if m == "record" and "record" in not_built:
            print("| ioasid-trace record | n/a (record not built) | | | | | | |")
        continue
    r = res[m]
    seen = "%d / %d" % (r["seen"], r["exp"]) if r["seen"] is not None else "-"
    print("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
        names[m], r["cps"], "%.2f" % r["ratio"] if r["ratio"] else "-",
        "%.0f" % r["added"] if r["added"] is not None else "-", seen,
        r["lost"] if r["lost"] is not None else "-",
        "%.2f" % r["attach"] if r["attach"] is not None else "-", r["verdict"]))
if rounds and "base" in res:
    print("\n%d rounds; %.0f traced calls per cycle (harness counters); medians." %
          (len(rounds), res["base"]["cpc"]))
# In-process start-up laps the tool printed with "attached" (-v), median per lap.
laps = {}
lp = os.path.join(a.dir, "laps.tsv")
for l in (open(lp) if os.path.exists(lp) else []):
    mode, _, rest = l.rstrip("\n").partition("\t")
    for i, part in enumerate(rest.split(", ")):
        name, _, v = part.rpartition(" ")
        try:
            laps.setdefault(mode, {}).setdefault((i, name), []).append(float(v))
        except ValueError:
            pass
for mode, d in laps.items():
    print("%s start-up inside the tool (-v, median s): %s" % (mode, ", ".join(
        "%s %.3f" % (k[1], st.median(v)) for k, v in sorted(d.items()))))
if startup:
    print("`ioasid-trace trace -- true` wall time in the guest (launch, attach, detach, exit): "
          "median %.2f s of %d" % (st.median(startup), len(startup)))

eng = []
for f in a.engine:
    for l in open(f):
        kv = dict(x.split("=", 1) for x in l.split())
        if "events_per_sec" in kv:
            eng.append((float(kv["events_per_sec"]), int(kv["events"])))
offline = None
if a.recording and a.tool:
    t0 = time.monotonic()
    out = subprocess.run([a.tool, "check", "--format", "json", "--input", a.recording],
                         capture_output=True, text=True)
    dt = time.monotonic() - t0
    import json
    for l in out.stdout.splitlines():
        d = json.loads(l)
        if d.get("type") == "verdict":
            offline = (d["events"] / dt, d["events"])
if offline:
    print("offline `check --input` on %s (host, one core): %.2f M events/s (%d events, %.2f s including "
          "process start, file read, CRC, inflate, decode)" %
          (os.path.basename(a.recording), offline[0] / 1e6, offline[1], offline[1] / offline[0]))
if eng:
    print("check engine alone on a simulated harness stream (host, one core): median %.2f M events/s "
          "(%d runs of %d events)" % (st.median(e[0] for e in eng) / 1e6, len(eng), eng[0][1]))

# --- the targets ------------------------------------------------------
print("\nTargets (issue 6), from this run:")
cs_path = os.path.join(a.dir, "clocksource")
clocksource = open(cs_path).read().strip() if os.path.exists(cs_path) else ""
if clocksource:
    print("(guest clocksource: %s%s)" % (clocksource, ": an emulated device register read under TCG, "
                                          "in every clock read a latency or a record takes"
                                          if clocksource == "hpet" else ""))


def target(what, ok, value, why=None):
    """One line per target; a missed one says why, from this run's numbers."""
    print("- %s: %s — %s" % (what, value, "met" if ok else "MISSED" if ok is False else "not measured"))
    if ok is False and why:
        print("  why: " + why)


def laps_of(mode):
    d = laps.get(mode, {})
    return ", ".join("%s %.3f" % (k[1], st.median(v)) for k, v in sorted(d.items()))


g = lambda m, k: res.get(m, {}).get(k)
h, c, b, ck = g("hist", "added"), g("counter", "added"), g("bpftrace", "added"), g("check", "added")
hf = g("histfe", "added")
pr = g("pair", "added")
floor_why = None
if None not in (pr, c):
    floor_why = ("a latency needs an exit hook and a clock read at each end; the bare fentry+fexit "
                 "pair alone (no clock, no state) costs %.0f ns = %.1fx the counter%s%s" %
                 (pr, pr / c,
                  "; hist --mode fentry adds %.0f ns on top of it" % (hf - pr) if hf is not None else "",
                  "; every clock read goes to the %s clocksource" % clocksource if clocksource else ""))
if None not in (h, c):
    target("hist added cost <= 2x the bare fentry counter", h <= 2 * c, "%.0f vs 2 x %.0f ns" % (h, c),
           floor_why)
if None not in (h, b):
    target("hist added cost <= 1/3 of bpftrace fentry+fexit hist()", h <= b / 3, "%.0f vs %.0f / 3 ns" % (h, b),
           "module callbacks are kprobed so that rmmod is not blocked%s" %
           ("; all by fentry (hist --mode fentry) it is %.0f ns = %.2fx" % (hf, hf / b) if hf else ""))
if None not in (hf, c, b):
    target("hist --mode fentry (all fentry, as the counter and bpftrace) <= 2x counter and <= 1/3 bpftrace",
           hf <= 2 * c and hf <= b / 3, "%.0f vs 2 x %.0f and %.0f / 3 ns" % (hf, c, b), floor_why)
if None not in (ck, b):
    target("check added cost <= 1/2 of bpftrace hist()", ck <= b / 2, "%.0f vs %.0f / 2 ns" % (ck, b),
           "check streams a full record (time, task, lock state, arguments) at every entry and exit "
           "and user space decodes and judges each one, on the host thread that also runs the load "
           "(single-threaded TCG); bpftrace's hist() sends nothing to user space until it ends. "
           "Judging inside BPF would be needed to change that")
for m in ("check", "record"):
    if g(m, "lost") is not None:
        target("%s: zero lost events at full load (default buffers)" % m, g(m, "lost") == 0,
               "%d lost" % g(m, "lost"), "the load's burst outgrew the ring buffer: try --buffer "
               "(scripts/bench.sh --buffer 128M)")
for m in ("hist", "check"):
    if g(m, "attach") is not None:
        target("%s attached <= 0.3 s in the guest" % m, g(m, "attach") <= 0.3,
               "%.2f s (bpftrace %s s)" % (g(m, "attach"),
                                          "%.2f" % g("bpftrace", "attach") if g("bpftrace", "attach") else "-"),
               "start-up inside the tool: %s (process start and reading its output are the rest)" %
               laps_of(m) if laps_of(m) else None)
if offline:
    target("offline check >= 5 M events/s (recording)", offline[0] >= 5e6, "%.2f M/s" % (offline[0] / 1e6))
elif eng:
    target("offline check >= 5 M events/s (engine, simulated stream; no recording)",
           st.median(e[0] for e in eng) >= 5e6, "%.2f M/s" % (st.median(e[0] for e in eng) / 1e6))
