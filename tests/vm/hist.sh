#!/usr/bin/env bash
# VM test of `ioasid-trace hist`: with the kvm subscriber at 0 us and iommu
# at a 200 us busy delay, a `load` run under `hist -j -u` gives
# per-callback histograms whose medians separate and whose counts equal
# the harness's cycle count (each cycle: alloc, bind, unbind, free).
#
# Bounds, chosen for QEMU TCG: kvm p50 < 50 us, iommu p50 >= 150 us.  One
# load thread: under TCG a second thread made udelay() bimodal, and
# --single-thread TCG made a 200 us udelay take ~3 us (measured).
#
#   tests/vm/hist.sh             (host: boots the guest)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
CYCLES=${HIST_CYCLES:-300}

if [ "${1:-}" = --guest ]; then
	ko=$2
	insmod "$ko" || { vt_notok "insmod $ko"; vt_done hist; exit 1; }
	echo reset >$H/ctl
	echo 0 >$H/sub/kvm/delay_us
	echo 200 >$H/sub/iommu/delay_us
	echo busy >$H/sub/iommu/delay_mode
	"$BIN" hist -j -u -- bash -c "echo 'load 1 $CYCLES' >$H/ctl; cat $H/ctl" \
		>/tmp/hist.json 2>/tmp/hist.err
	rc=$?
	cat /tmp/hist.err
	vt_check "hist -- load exits 0" [ $rc = 0 ]
	cycles=$(sed -n 's/.*ok cycles=\([0-9]*\).*/\1/p' /tmp/hist.err)
	vt_check "load ran $CYCLES cycles without errors" \
		bash -c "[ '$cycles' = $CYCLES ] && grep -q 'errors=0' /tmp/hist.err"
	python3 - /tmp/hist.json "$cycles" <<'PY'
import json, sys
cycles = int(sys.argv[2] or 0)
lines = [json.loads(l) for l in open(sys.argv[1])]
n = 0
def t(ok, what):
    global n
    n += 1
    print(("ok" if ok else "not ok"), "TAPN -", what)
hs = [l for l in lines if l["type"] == "hist" and l["final"]]
t(len(hs) == 1 and hs[0]["unit"] == "us", "one final histogram report in us")
H = {(h["group"], h["label"]): h for h in (hs[0]["hists"] if hs else [])}
for k in H:
    h = H[k]
    print("# %s %s count=%d p50=%.1f p90=%.1f min=%.1f max=%.1f" % (k[0], k[1], h["count"], h["p50"], h["p90"], h["min"], h["max"]))
kvm = H.get(("callback", "harness_kvm_notify"), {})
iommu = H.get(("callback", "harness_iommu_notify"), {})
t(kvm.get("module") == "ioasid_harness" and iommu.get("module") == "ioasid_harness",
  "callback histograms are named by symbol and module")
t(kvm.get("p50", 1e9) < 50, "kvm (0 us) median < 50 us: %s" % kvm.get("p50"))
t(iommu.get("p50", 0) >= 150, "iommu (200 us busy) median >= 150 us: %s" % iommu.get("p50"))
t(kvm.get("count") == 3 * cycles and iommu.get("count") == 3 * cycles,
  "callback counts = 3 x cycles (%s, %s, cycles %d)" % (kvm.get("count"), iommu.get("count"), cycles))
for cmd in ("FREE", "BIND", "UNBIND"):
    t(H.get(("chain", cmd), {}).get("count") == cycles, "chain %s count = cycles" % cmd)
t(H.get(("free_path", "ioasid_free"), {}).get("count") == cycles, "free path count = cycles")
ev = [l for l in lines if l["type"] == "event"]
t(all(e["kind"] in ("add_notifier", "remove_notifier") for e in ev),
  "hist streams no per-call events")
for h in H.values():
    b = sum(x["count"] for x in h["buckets"])
    if b != h["count"] or not (h["min"] <= h["p50"] <= h["p90"] <= h["p99"] <= h["p99_9"] <= h["max"]):
        t(False, "buckets/percentiles consistent for %s %s" % (h["group"], h["label"]))
        break
else:
    t(True, "bucket sums equal counts and min <= p50 <= p90 <= p99 <= p99.9 <= max")
PY
	vt_done hist
	exit
fi

[ -x "$BIN" ] || vt_skip_all "no $BIN (make tool)"
seed=$(vt_kernel seed) || exit 0
ko=$(vt_harness "$seed") || vt_skip_all "no harness module (scripts/harness-build.sh)"
log=$(mktemp)
"$vt_top/scripts/vm-run.sh" --kernel "$seed" --timeout 300 -- \
	env IOASID_TRACE="$BIN" HIST_CYCLES="$CYCLES" bash "$vt_top/tests/vm/hist.sh" --guest "$ko" \
	>"$log" 2>&1
rc=$?
vt_adopt_guest_log "$log" hist "$rc" guest
vt_done hist
