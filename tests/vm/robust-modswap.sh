#!/usr/bin/env bash
# Robustness (issue 6): subscriber modules come and go while ioasid-trace
# runs.  The harness (kvm, iommu) is traced; a second module
# (kernel/harness/extra: extra_notify, priority 7) is loaded while tracing,
# is notified, is unloaded with rmmod, and the harness's own module is then
# unloaded too.  The tool must attach to the new callback, let the modules
# go (a trampoline must not pin them), detach from the gone callbacks, keep
# running, and leave no BPF program behind.
#
#   tests/vm/robust-modswap.sh            (host: boots the fixed kernel)
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/robust.sh
. "$(dirname "$0")/lib/robust.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness

if [ "${1:-}" = --guest ]; then
	ko=$2 extra=$3
	. "$vt_top/tests/vm/scenarios/lib.sh"
	insmod "$ko" || { vt_notok "insmod $ko"; vt_done robust-modswap; exit 1; }
	"$BIN" trace -j -v >/tmp/t.json 2>/tmp/t.err &
	tool=$!
	vt_check "tool attached" rb_wait_for /tmp/t.err 'ioasid-trace: attached'
	r=$(hctl set_alloc 64 2>/dev/null); sid=$(hval sid "$r")
	r=$(hctl alloc "$sid" 2 2>/dev/null); ids=$(hval ids "$r" | tr , ' ')
	a=${ids%% *} b=${ids##* }

	insmod "$extra"
	vt_check "extra module loaded while tracing" grep -q . /sys/module/ioasid_extra/parameters/calls
	vt_check "tool attached to the new callback (cb_attached extra_notify)" \
		rb_wait_for /tmp/t.json '"kind":"cb_attached".*"cb_sym":"extra_notify"'
	hctl bind "$a" >/dev/null 2>&1
	hctl unbind "$a" >/dev/null 2>&1
	calls=$(cat /sys/module/ioasid_extra/parameters/calls)
	vt_check "extra_notify was notified (calls=$calls)" [ "$calls" = 2 ]

	rmmod ioasid_extra 2>/tmp/rmmod.err
	rc=$?
	vt_check "rmmod of a traced subscriber module succeeds (rc=$rc: $(cat /tmp/rmmod.err))" [ $rc = 0 ]
	vt_check "tool detached from the gone callback (cb_detached extra_notify)" \
		rb_wait_for /tmp/t.json '"kind":"cb_detached".*"cb_sym":"extra_notify"' 10
	hctl bind "$b" >/dev/null 2>&1
	hctl free "$b" >/dev/null 2>&1
	hctl free "$a" >/dev/null 2>&1
	insmod "$extra"
	vt_check "the same module loaded again is followed again" \
		rb_wait_for /tmp/t.json '"kind":"cb_attached".*"cb_sym":"extra_notify"' 30
	rmmod ioasid_extra 2>/tmp/rmmod.err
	rc=$?
	vt_check "and unloaded again (rc=$rc $(cat /tmp/rmmod.err))" [ $rc = 0 ]

	rmmod ioasid_harness 2>/tmp/rmmod.err
	rc=$?
	vt_check "rmmod of the traced harness module succeeds (rc=$rc $(cat /tmp/rmmod.err))" [ $rc = 0 ]
	vt_check "tool detached from harness_kvm_notify" \
		rb_wait_for /tmp/t.json '"kind":"cb_detached".*"cb_sym":"harness_kvm_notify"' 10
	vt_check "tool still running after both modules left" kill -0 $tool
	kill -INT $tool
	wait $tool
	rc=$?
	vt_check "tool exits 0 on SIGINT (rc=$rc)" [ $rc = 0 ]
	python3 - /tmp/t.json <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
cbs = [e for e in ev if e.get("type") == "event" and e["kind"] == "callback" and e["phase"] == "enter"]
extra = [e for e in cbs if e.get("cb_sym") == "extra_notify"]
summ = [e for e in ev if e.get("type") == "summary"]
ok = len(extra) == 2 and summ and summ[0]["lost"] == 0
print(("ok" if ok else "not ok"), "TAPN - the trace shows extra_notify's 2 calls, nothing lost (%d, %s)" %
      (len(extra), summ[0]["lost"] if summ else "no summary"))
PY
	[ $? = 0 ] || vt_notok "the report checker crashed (its traceback is above)"
	left=$(rb_bpf_left)
	vt_check "no BPF program or link left (progs links: $left)" [ "$left" = "0 0" ]
	vt_check "no kernel BUG/WARNING in dmesg" bash -c "! dmesg | grep -qE 'BUG:|WARNING:|Oops'"
	vt_done robust-modswap
	exit
fi

kdir=$(vt_kernel fixed)
ko=$(vt_harness "$kdir") || vt_skip_all "harness does not build"
extra=$("$vt_top/scripts/harness-build.sh" "$kdir" "$vt_top/kernel/harness/extra" 2>/dev/null) ||
	vt_skip_all "kernel/harness/extra does not build"
out=$("$vt_top/scripts/vm-run.sh" --kernel "$kdir" --single-thread --timeout 300 -- \
	"$0" --guest "$ko" "$extra")
rc=$?
rb_report robust-modswap $rc <<<"$out"
