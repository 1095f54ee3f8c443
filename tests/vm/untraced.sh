#!/usr/bin/env bash
# VM test: a subscriber the tracer cannot probe.  The harness's "blind"
# subscriber has its callback on the kprobe blacklist (NOKPROBE_SYMBOL),
# and module callbacks get kprobes in --mode auto, so its attach fails.
# It is registered between vdcm (priority 5) and kvm (0), busy for 200 us
# per call; iommu and kvm take no time.
#  - hist, callbacks timed by their chain: vdcm's latency would end at the
#    next probed entry, kvm's, but kvm is not vdcm's nb->next: every such
#    latency is dropped and counted (callback_gap = one per chain call),
#    none given to vdcm or kvm, so blind's 200 us shows nowhere;
#  - hist --callback-latency return: each callback ends at its own return:
#    vdcm counted, below 50 us, no gap;
#  - hist --mode fentry: fentry is not refused there: blind traced, its
#    median >= 150 us, vdcm's still below 50 us;
#  - check: a run that would conform, but one subscriber's deliveries were
#    never seen: inconclusive (exit 2) naming the callback, never a pass;
#    check --mode fentry sees it and passes (exit 0).
#
#   tests/vm/untraced.sh         (host: boots the guest)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
CYCLES=${UNTRACED_CYCLES:-200}

# $1: name, $2: timing hist must report, $3: blind traced (0|1), $4...: options
hist_run() {
	local name=$1 timing=$2 blind=$3 rc cycles
	shift 3
	echo reset >$H/ctl
	"$BIN" hist -j -u "$@" -- bash -c "echo 'load 1 $CYCLES' >$H/ctl; cat $H/ctl" \
		>/tmp/hist.json 2>/tmp/hist.err
	rc=$?
	cat /tmp/hist.err
	vt_check "$name: hist -- load exits 0" [ $rc = 0 ]
	cycles=$(sed -n 's/.*ok cycles=\([0-9]*\).*/\1/p' /tmp/hist.err)
	if [ "$blind" = 0 ]; then
		vt_check "$name: the tool says harness_blind_notify is not traced" \
			grep -q "callback harness_blind_notify not traced" /tmp/hist.err
	else
		vt_check "$name: no callback left untraced" \
			bash -c "! grep -q 'not traced' /tmp/hist.err"
	fi
	python3 - /tmp/hist.json "$cycles" "$name" "$timing" "$blind" <<'PY'
import json, sys
cycles, name, timing, blind = int(sys.argv[2] or 0), sys.argv[3], sys.argv[4], sys.argv[5] == "1"
lines = [json.loads(l) for l in open(sys.argv[1])]
def t(ok, what):
    print(("ok" if ok else "not ok"), "TAPN -", name + ":", what)
hs = [l for l in lines if l["type"] == "hist" and l["final"]]
H = {(h["group"], h["label"]): h for h in (hs[0]["hists"] if hs else [])}
for h in H.values():	# integer ns in the JSON; the bounds below are in us
    h["p50_us"] = h["p50_ns"] / 1000.0
for k, h in H.items():
    print("# %s %s count=%d p50=%.1f us" % (k[0], k[1], h["count"], h["p50_us"]))
cb = lambda s: H.get(("callback", "harness_%s_notify" % s), {})
summ = [l for l in lines if l["type"] == "summary"]
bpf = summ[0].get("bpf", {}) if summ else {}
t(cycles > 0 and H.get(("chain", "BIND"), {}).get("count") == cycles,
  "load ran (%d cycles), one BIND chain call per cycle" % cycles)
t(cb("iommu").get("count") == 3 * cycles and cb("kvm").get("count") == 3 * cycles,
  "iommu and kvm: 3 x cycles (%s, %s)" % (cb("iommu").get("count"), cb("kvm").get("count")))
t(cb("kvm").get("p50_us", 1e9) < 50, "kvm's median < 50 us: blind's time not in it (%s)"
  % cb("kvm").get("p50_us"))
gap = bpf.get("callback_gap")
if timing == "chain" and not blind:
    t(gap == 3 * cycles, "callback_gap = one per chain call: %s (3 x %d)" % (gap, cycles))
    t(cb("vdcm").get("count", 0) == 0,
      "vdcm, followed by the untraced blind, got no latency (%s)" % cb("vdcm").get("count"))
else:
    t(gap == 0, "no callback_gap (%s)" % gap)
    t(cb("vdcm").get("count") == 3 * cycles and cb("vdcm").get("p50_us", 1e9) < 50,
      "vdcm: 3 x cycles, median < 50 us (%s, %s)" % (cb("vdcm").get("count"), cb("vdcm").get("p50_us")))
if blind:
    t(cb("blind").get("count") == 3 * cycles and cb("blind").get("p50_us", 0) >= 150,
      "blind traced by fentry: 3 x cycles, median >= 150 us (%s, %s)"
      % (cb("blind").get("count"), cb("blind").get("p50_us")))
else:
    t(not cb("blind"), "no histogram for blind")
t(all(h["timing"] == timing for (g, _), h in H.items() if g == "callback"),
  "callbacks timed by %s" % timing)
PY
	[ $? = 0 ] || vt_notok "the untraced checker crashed (its traceback is above)"
}

check_run() {	# $1: name, $2: expected exit, $3...: options
	local name=$1 want=$2 rc
	shift 2
	echo reset >$H/ctl
	"$BIN" check "$@" -- bash -c "echo 'load 1 20' >$H/ctl; cat $H/ctl" >/tmp/check.txt 2>&1
	rc=$?
	cat /tmp/check.txt
	vt_check "$name: exit $want (rc=$rc)" [ "$rc" = "$want" ]
	if [ "$want" = 2 ]; then
		vt_check "$name: the verdict names the untraced callback" \
			grep -q "not traced: callback harness_blind_notify" /tmp/check.txt
	else
		vt_check "$name: conforming" grep -q "verdict: PASS" /tmp/check.txt
	fi
}

if [ "${1:-}" = --guest ]; then
	ko=$2
	insmod "$ko" || { vt_notok "insmod $ko"; vt_done untraced; exit 1; }
	echo 0 >$H/sub/kvm/delay_us
	echo 0 >$H/sub/iommu/delay_us
	echo 200 >$H/sub/blind/delay_us
	echo busy >$H/sub/blind/delay_mode
	echo 1 >$H/sub/vdcm/registered
	echo 1 >$H/sub/blind/registered
	# the control first: the same write for vdcm's callback is accepted
	K=/sys/kernel/tracing/kprobe_events
	vt_check "blind cannot be kprobed: kprobe_events takes vdcm's callback, refuses blind's" \
		bash -c "echo 'p:it_vdcm harness_vdcm_notify' >>$K && echo '-:it_vdcm' >>$K &&
			 ! echo 'p:it_blind harness_blind_notify' >>$K 2>/dev/null"
	hist_run chain chain 0
	hist_run return return 0 --callback-latency return
	hist_run fentry chain 1 --mode fentry
	check_run check 2
	check_run check-fentry 0 --mode fentry
	vt_done untraced
	exit
fi

vt_guest_run untraced fixed 300 "$vt_top/tests/vm/untraced.sh" UNTRACED_CYCLES="$CYCLES"
vt_done untraced
