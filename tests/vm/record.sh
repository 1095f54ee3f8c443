#!/usr/bin/env bash
# VM test (issue 5): record and replay give the live results.  In one boot
# of the seed kernel:
#   1. `check -j --record F -- conformance.sh`: the live verdict, and the
#      same events in F through a second consumer; `check -j --input F` must give
#      the same verdict, exit code, per-invariant checked/violation counts
#      and violation messages;
#   2. `hist -j -u --record F -- load`: the kernel's histograms, and the
#      streamed events in F; `hist -j -u --input F` (built from the EXIT
#      events) must give the same counts and buckets per chain command,
#      callback and free path, exact percentiles, live estimates within
#      their stated bound of them, and the counts must match the harness's
#      cycles;
#   3. `record -o F -- load` then `hist --input F` sees the cycles;
#   4. `report -j F` lists as many events as were recorded, `report
#      --format perfetto` is valid JSON, and a truncated copy of F is refused
#      with one line and exit 3 by report, hist --input and check --input.
#
#   tests/vm/record.sh             (host: boots the guest)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
CYCLES=${RECORD_CYCLES:-300}

if [ "${1:-}" = --guest ]; then
	ko=$2 R=/results
	cd "$vt_top"
	insmod "$ko" || { echo "insmod failed"; exit 90; }
	"$BIN" check -j -o $R/live.json --record /tmp/c.itr -- \
		bash tests/vm/scenarios/conformance.sh >$R/check.out 2>&1
	echo $? >$R/live.rc
	"$BIN" check -j -o $R/off.json --input /tmp/c.itr >>$R/check.out 2>&1
	echo $? >$R/off.rc

	echo reset >$H/ctl
	echo 0 >$H/sub/kvm/delay_us
	echo 20 >$H/sub/iommu/delay_us
	echo busy >$H/sub/iommu/delay_mode
	"$BIN" hist -j -u --record /tmp/h.itr -- \
		bash -c "echo 'load 1 $CYCLES' >$H/ctl; cat $H/ctl" >$R/hlive.json 2>$R/hlive.err
	echo $? >$R/hlive.rc
	"$BIN" hist -j -u --input /tmp/h.itr >$R/hoff.json 2>$R/hoff.err
	echo $? >$R/hoff.rc

	# the record subcommand itself
	"$BIN" record -o /tmp/r.itr -- bash -c "echo 'load 1 50' >$H/ctl" >$R/record.out 2>&1
	echo $? >$R/record.rc
	"$BIN" hist -j --input /tmp/r.itr >$R/rhist.json 2>>$R/record.out

	"$BIN" report -j /tmp/c.itr >$R/report.json 2>$R/report.err
	echo $? >$R/report.rc
	"$BIN" report --format perfetto -o $R/perfetto.json /tmp/h.itr 2>>$R/report.err
	echo $? >$R/perfetto.rc
	size=$(stat -c %s /tmp/c.itr)
	head -c $((size - 100)) /tmp/c.itr >/tmp/cut.itr
	for sub in report hist check; do
		case $sub in
		report) "$BIN" report /tmp/cut.itr ;;
		*) "$BIN" $sub --input /tmp/cut.itr ;;
		esac >/dev/null 2>$R/cut-$sub.err
		echo $? >$R/cut-$sub.rc
	done
	cp /tmp/c.itr /tmp/h.itr $R/
	exit 0
fi

[ -x "$BIN" ] || vt_skip_all "no $BIN (make tool)"
seed=$(vt_kernel seed) || exit 1
ko=$(vt_harness "$seed") || vt_skip_all "no harness module (scripts/harness-build.sh)"
res=$(mktemp -d)
if ! "$vt_top/scripts/vm-run.sh" --kernel "$seed" --results "$res" --single-thread --timeout 600 -- \
	env IOASID_TRACE="$BIN" RECORD_CYCLES="$CYCLES" bash "$vt_top/tests/vm/record.sh" --guest "$ko" \
	>"$res/vm.log" 2>&1; then
	vt_notok "guest ran the round trip (log in $res)"
	tail -30 "$res/vm.log" | sed 's/^/#   /'
	vt_done record
	exit 1
fi
python3 - "$res" "$CYCLES" <<'PY'
import json, os, sys
res, cycles = sys.argv[1], int(sys.argv[2])
n = failed = 0
def t(ok, what, detail=""):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok"), n, "-", what)
    if not ok:
        failed += 1
        if detail:
            print("#  ", str(detail)[:600])
def rd(name):
    try:
        return open(os.path.join(res, name)).read()
    except OSError:
        return ""
def nd(name):
    out = []
    for l in rd(name).splitlines():
        try:
            out.append(json.loads(l))
        except ValueError:
            pass
    return out

# 1. check live vs offline
live, off = nd("live.json"), nd("off.json")
lv = [r for r in live if r.get("type") == "verdict"]
ov = [r for r in off if r.get("type") == "verdict"]
t(len(lv) == 1 and len(ov) == 1, "one verdict live and one offline", rd("check.out")[-400:])
if lv and ov:
    lv, ov = lv[0], ov[0]
    t(rd("live.rc").strip() == rd("off.rc").strip() == "1",
      "check exits 1 live and offline (seed: invariant 5)",
      (rd("live.rc"), rd("off.rc"), lv.get("reason"), ov.get("reason")))
    t(lv["invariants"] == ov["invariants"],
      "same per-invariant checked and violation counts", (lv["invariants"], ov["invariants"]))
    t(lv["events"] == ov["events"] and lv["lost"] == ov["lost"] == 0,
      "same event count (%s), nothing lost" % lv["events"], (lv["events"], ov["events"], lv["lost"]))
    lm = [(r["invariant"], r["message"]) for r in live if r.get("type") == "violation"]
    om = [(r["invariant"], r["message"]) for r in off if r.get("type") == "violation"]
    t(lm == om and lm, "same %d violations with the same messages" % len(lm), (lm[:3], om[:3]))
    # the seed's two defects the scenario shows: set_token (5), any cmd (2, 11)
    t({i["id"] for i in ov["invariants"] if i["violations"]} == {2, 5, 11},
      "offline: only invariants 2, 5 and 11")

# 2. hist live (kernel maps) vs offline (EXIT events)
def hists(name):
    h = [r for r in nd(name) if r.get("type") == "hist" and r.get("final")]
    return {(x["group"], x["label"]): x for x in h[0]["hists"]} if h else {}
hl, ho = hists("hlive.json"), hists("hoff.json")
t(rd("hlive.rc").strip() == "0" and rd("hoff.rc").strip() == "0" and hl and ho,
  "hist --record and hist --input exit 0 with a final report", rd("hlive.err")[-300:] + rd("hoff.err")[-300:])
t(set(hl) == set(ho), "the same histograms live and offline", (sorted(hl), sorted(ho)))
for k in sorted(hl):
    a, b = hl[k], ho.get(k, {})
    t(a["count"] == b.get("count") and a["buckets"] == b.get("buckets"),
      "%s %s: count %d and buckets equal" % (k[0], k[1], a["count"]), (a["count"], b.get("count")))
# Offline percentiles are exact; live ones estimates within hist.h's bound
# of them: |E - X| < max(X * ppm / 1e6, abs_ns), + 0.5 ns of rounding.
t(ho and all(h.get("percentiles") == "exact" for h in ho.values()) and
  all(h.get("percentiles") == "bucket estimate" for h in hl.values()),
  "offline percentiles exact, live ones bucket estimates",
  ([h.get("percentiles") for h in ho.values()], [h.get("percentiles") for h in hl.values()]))
for k in sorted(hl):
    a, b = hl[k], ho.get(k, {})
    if a["count"] != b.get("count"):
        continue
    off = []
    for f in ("p50_ns", "p90_ns", "p99_ns", "p99_9_ns"):
        bound = max(b[f] * a["percentile_error_ppm"] / 1e6, a["percentile_error_abs_ns"]) + 0.5
        if abs(a[f] - b[f]) >= bound:
            off.append((f, a[f], b[f], bound))
    t(not off, "%s %s: live percentile estimates within their stated bound of the exact ones"
      % (k[0], k[1]), off)
for cmd in ("FREE", "BIND", "UNBIND"):
    t(ho.get(("chain", cmd), {}).get("count") == cycles, "offline chain %s count = %d cycles" % (cmd, cycles))
t(ho.get(("callback", "harness_kvm_notify"), {}).get("module") == "ioasid_harness",
  "offline callback names and modules come from the file")

rh = hists("rhist.json")
t(rd("record.rc").strip() == "0" and rh.get(("chain", "BIND"), {}).get("count") == 50
  and rh.get(("free_path", "ioasid_free"), {}).get("count") == 50,
  "record -o -- load: hist --input sees its 50 cycles", rd("record.out")[-400:])

# 3. report, perfetto, truncation
rep = nd("report.json")
summ = [r for r in rep if r.get("type") == "summary"]
evs = [r for r in rep if r.get("type") == "event"]
meta = [r for r in rep if r.get("type") == "meta"]
t(rd("report.rc").strip() == "0" and summ and summ[0]["events"] == len(evs) and
  len(evs) + len(meta) == lv["events"],
  "report -j lists every recorded event (%d + %d meta = the live check's count)" % (len(evs), len(meta)),
  (summ[:1], len(evs), len(meta), lv["events"]))
try:
    pf = json.load(open(os.path.join(res, "perfetto.json")))
    ok = rd("perfetto.rc").strip() == "0" and len(pf["traceEvents"]) > 0
except (OSError, ValueError, KeyError) as e:
    ok, pf = False, str(e)
t(ok, "report --format perfetto writes valid trace-event JSON", pf if not ok else "")
for sub in ("report", "hist", "check"):
    err = rd("cut-%s.err" % sub)
    t(rd("cut-%s.rc" % sub).strip() == "3" and len(err.strip().splitlines()) == 1 and "truncated" in err,
      "%s refuses a truncated file: exit 3, one line" % sub, (rd("cut-%s.rc" % sub), err))
print("# sizes: check run %d bytes, hist run %d bytes" % (os.path.getsize(os.path.join(res, "c.itr")),
      os.path.getsize(os.path.join(res, "h.itr"))))
sys.exit(1 if failed else 0)
PY
rc=$?
[ $rc = 0 ] && rm -rf "$res" || echo "# results kept in $res"
echo "record: $([ $rc = 0 ] && echo passed || echo FAILED)"
exit $rc
