#!/usr/bin/env bash
# VM test (issue 14): the armed window.  On `fixed`, harness load threads
# run on every CPU the whole time while `ioasid-trace check` attaches,
# runs a short scenario (tests/vm/scenarios/cycle.sh) and detaches,
# ARMED_RUNS times (default 4) in one boot.  Operations cut by attaching
# or detaching are outside the window: a conforming kernel gets exit 0
# every time, with no exit the checker could not pair and the per-life
# rules really evaluated (not a pass for having judged nothing).
#
#   tests/vm/armed.sh        (host: boots the guest, --single-thread:
#                             multi-threaded TCG crashes when probes are
#                             attached under load)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
RUNS=${ARMED_RUNS:-4}
name=armed

# Background load: kernel threads on every CPU, cycle after cycle, until
# /tmp/armed.stop appears.  Its own set, so the scenario's is untouched.
load_forever() {
	local sid=$1 r
	exec 3<>"$H/ctl"
	while [ ! -e /tmp/armed.stop ]; do
		echo "load $(nproc) 20 $sid" >&3
		r=$(head -n1 <&3)
		case $r in ok*) ;; *) echo "armed: load failed: $r" >&2; return 1 ;; esac
	done
}

if [ "${1:-}" = --guest ]; then
	insmod "$2" || { vt_notok "insmod $2"; vt_done $name; exit 1; }
	echo 1 >/sys/module/ioasid_harness/parameters/quiet_log
	echo set_alloc 4096 >"$H/ctl"
	lsid=$(sed -n 's/.*[ ]sid=\([^ ]*\).*/\1/p' "$H/ctl")
	vt_check "a set for the load (sid=$lsid)" [ -n "$lsid" ]
	rm -f /tmp/armed.stop
	load_forever "$lsid" &
	loader=$!
	sleep 1	# the load runs before the first attach
	for i in $(seq "$RUNS"); do
		"$BIN" check --format json -o /tmp/a.json -- \
			bash "$vt_top/tests/vm/scenarios/cycle.sh" 2 >/tmp/a.out 2>&1
		rc=$?
		vt_check "run $i: check exits 0 (rc=$rc)" [ $rc = 0 ]
		vt_check "run $i: the scenario ran to the end" grep -q '^cycle: done' /tmp/a.out
		grep -q '^cycle: done' /tmp/a.out || tail -3 /tmp/a.out | sed 's/^/#   /'
		[ $rc = 0 ] || grep -vE '^ctl:' /tmp/a.out | tail -15 | sed 's/^/#   /'
		python3 "$vt_top/tests/vm/lib/run_report.py" /tmp/a.json "$i"
		[ $? = 0 ] || vt_notok "run $i: the report checker crashed"
	done
	touch /tmp/armed.stop
	wait "$loader"
	vt_check "the load ran throughout and ended cleanly" [ $? = 0 ]
	bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops|KASAN|lockdep' | head -5)
	vt_check "dmesg clean${bad:+: $bad}" [ -z "$bad" ]
	vt_done $name
	exit
fi

[ -x "$BIN" ] || vt_skip_all "no $BIN (make tool)"
kdir=$("$vt_top/scripts/kernel-build.sh" fixed) ||
	{ vt_notok "the fixed kernel builds"; vt_done $name; exit 1; }
ko=$("$vt_top/scripts/harness-build.sh" "$kdir" 2>/dev/null) ||
	{ vt_notok "the harness builds for fixed"; vt_done $name; exit 1; }
log=$(mktemp)
"$vt_top/scripts/vm-run.sh" --kernel "$kdir" --single-thread \
	--timeout $((RUNS * 40 + 40)) -- \
	env IOASID_TRACE="$BIN" ARMED_RUNS="$RUNS" bash "$0" --guest "$ko" >"$log" 2>&1
rc=$?
vt_adopt_guest_log "$log" $name "$rc" "fixed guest"
[ "$vt_n" -gt 0 ] || vt_notok "the guest reported no result"
vt_done $name
