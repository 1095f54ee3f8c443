#!/usr/bin/env bash
# VM test (issue: sound and complete conformance): a concurrent stress on
# `fixed`.  Publisher, set teardown, subscribers coming and going (one
# answering NOTIFY_STOP/NOTIFY_BAD) and load threads on every CPU drive the
# API at once (tests/vm/scenarios/stress.sh), STRESS_RUNS times (default
# 20) in one boot, each run under `ioasid-trace check`.  A conforming
# kernel: every run exits 0 with nothing lost and no violation, its
# scenario ran to the end, and the per-life rules were really evaluated.
#
#   tests/vm/stress.sh        (host: boots the guest, --single-thread: the
#                              tool attaches vdcm's callback while load runs)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
RUNS=${STRESS_RUNS:-20}
ROUNDS=${STRESS_ROUNDS:-6}
name=stress

if [ "${1:-}" = --guest ]; then
	insmod "$2" || { vt_notok "insmod $2"; vt_done $name; exit 1; }
	echo 1 >/sys/module/ioasid_harness/parameters/quiet_log
	for i in $(seq "$RUNS"); do
		"$BIN" check --format json -o /tmp/s.json -- \
			bash "$vt_top/tests/vm/scenarios/stress.sh" "$ROUNDS" >/tmp/s.out 2>&1
		rc=$?
		done_line=$(grep '^stress: done' /tmp/s.out)
		vt_check "run $i: check exits 0 (rc=$rc)" [ $rc = 0 ]
		vt_check "run $i: the scenario ran to the end" [ -n "$done_line" ]
		if [ $rc != 0 ] || [ -z "$done_line" ]; then
			grep -vE '^ctl:' /tmp/s.out | tail -15 | sed 's/^/#   /'
		fi
		python3 "$vt_top/tests/vm/lib/run_report.py" /tmp/s.json "$i"
		[ $? = 0 ] || vt_notok "run $i: the report checker crashed"
	done
	bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|KASAN|lockdep' | head -5)
	vt_check "dmesg clean${bad:+: $bad}" [ -z "$bad" ]
	vt_done $name
	exit
fi

kdir=$("$vt_top/scripts/kernel-build.sh" fixed) || { vt_notok "the fixed kernel builds"; vt_done $name; exit 1; }
ko=$(vt_harness "$kdir") || { vt_notok "the harness builds for fixed"; vt_done $name; exit 1; }
log=$(mktemp)
"$vt_top/scripts/vm-run.sh" --kernel "$kdir" --single-thread --timeout $((RUNS * 90 + 120)) -- \
	env IOASID_TRACE="$BIN" STRESS_RUNS="$RUNS" STRESS_ROUNDS="$ROUNDS" bash "$0" --guest "$ko" >"$log" 2>&1
rc=$?
vt_adopt_guest_log "$log" $name "$rc" "fixed guest"
[ "$vt_n" -gt 0 ] || vt_notok "the guest reported no result"
vt_done $name
