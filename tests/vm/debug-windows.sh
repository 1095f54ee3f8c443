#!/usr/bin/env bash
# VM test (issue 15): two defects of the seed that only a debug kernel can
# confirm, on `seed-debug` (seed patches, kernel/config/debug.config) and on
# `debug` (the same plus fixed/), one boot each.
#
# 1. The atomic-context free (fixed/0006).  A process whose mm holds a
#    PASID exits (scenarios/sva-exit.sh); the kernel frees the PASID in
#    __mmdrop(), which finish_task_switch() runs with preemption disabled,
#    and ioasid_free() takes a mutex there.  seed-debug: DEBUG_ATOMIC_SLEEP
#    reports the mutex_lock under ioasid_free (the scenario runs without
#    the tool: rule 6 does not judge the preempt depth yet, issue 14).
#    debug: `check` says conforming with rule 6 evaluated, dmesg clean.
# 2. The read after the allocator's free (fixed/0004).  The harness holds
#    the window after default_free() open (ctl `window free_read`) for 8 s
#    while one ID is freed on CPU 0; memory pressure from CPU 1 (the
#    kfree_rcu shrinker, via drop_caches) frees the data within a grace
#    period instead of after kfree_rcu's 5 s batch delay.  seed-debug:
#    KASAN reports the use-after-free in ioasid_free_locked and, with
#    kasan.fault=panic, the guest ends there (exit 125).  debug: the window
#    opened once, the free returned, the console is clean.
#
#   tests/vm/debug-windows.sh [seed-debug|debug]...   (default: both)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness
name=debug-windows

# --- guest side -------------------------------------------------------------
# Part 1: prints the check run's verdict lines; dmesg is judged on the host.
guest_atomic_free() {
	local mode=$1 rc
	if [ "$mode" = bare ]; then
		bash "$vt_top/tests/vm/scenarios/sva-exit.sh" >/results/af.out 2>&1
		vt_check "atomic free: the scenario ran to its end" \
			grep -q 'scenario sva-exit: done' /results/af.out
		return
	fi
	"$BIN" check --format json -o /results/af.json -- \
		bash "$vt_top/tests/vm/scenarios/sva-exit.sh" >/results/af.out 2>&1
	rc=$?
	python3 "$vt_top/tests/vm/lib/verdict.py" /results/af.json --label "atomic free: " \
		--exit "$rc" --want-exit 0 --want "" --vars /results/af.out --exercised 6 |
		sed 's/^ok [0-9]* -/ok TAPN -/; s/^not ok [0-9]* -/not ok TAPN -/'
	[ "${PIPESTATUS[0]}" = 0 ] || sed 's/^/#   /' /results/af.out | tail -8
}

# One ctl command in a subshell: scenarios/lib.sh's hctl exits on failure.
gctl() { (. "$vt_top/tests/vm/scenarios/lib.sh"; hctl "$@"); }

# Part 2: the last thing the guest does (on the seed it does not survive).
guest_free_read() {
	local r sid id
	r=$(gctl set_alloc 4) && sid=$(sed -n 's/.* sid=\([^ ]*\).*/\1/p' <<<"$r") &&
		r=$(gctl alloc "$sid") && id=$(sed -n 's/.* ids=\([^ ]*\).*/\1/p' <<<"$r") ||
		{ vt_notok "free read: a set and an ID ($r)"; return; }
	# RT throttling would give the preempted task 50 ms of every second.
	echo -1 >/proc/sys/kernel/sched_rt_runtime_us
	r=$(gctl window free_read 0 8000) || { vt_notok "free read: the window arms ($r)"; return; }
	vt_ok "free read: the window is armed on cpu 0 for ID $id"
	sync
	# Memory pressure from CPU 1 while the window is open: the kfree_rcu
	# shrinker drains the batch at once instead of after its 5 s delay,
	# so the data is really freed (after one grace period) before the read.
	taskset -c 1 bash -c 'for _ in 1 2 3 4; do sleep 1; echo 2 >/proc/sys/vm/drop_caches; done' &
	r=$(taskset -c 0 bash -c "$(declare -f gctl); vt_top=$vt_top; gctl free $id")
	vt_check "free read: the free of ID $id returned ($r)" [ -n "$r" ]
	r=$(gctl window stat)
	vt_check "free read: the window opened once ($r)" grep -q 'opened=1' <<<"$r"
	wait
}

if [ "${1:-}" = --guest ]; then
	insmod "$2" || { vt_notok "insmod $2"; vt_done $name; exit 1; }
	guest_atomic_free "$3"
	guest_free_read
	vt_done $name
	exit
fi

# --- host side --------------------------------------------------------------
# The atomic-sleep report, if its call trace runs from finish_task_switch
# through ioasid_free.  FILE is the console: the seed's guest does not live
# to write dmesg.txt.
atomic_sleep_report() {	# FILE
	tr -d '\r' <"$1" | grep -A40 'BUG: sleeping function called from invalid context' |
		awk '/ioasid_free|mm_pasid_drop/ { f = 1 } /finish_task_switch/ { t = 1 }
		     END { exit !(f && t) }'
}

# kasan.fault=panic: the first KASAN report ends the guest, so the seed's
# read after the free stops there and not at whatever its garbage pointer
# hits next.  loglevel=7: call traces (printed at the default level) reach
# the console, which is all that is left of a guest that died.
run_flavor() {	# FLAVOR
	local flavor=$1 kdir ko res log rc allow=() mode=check want_rc=0 con
	kdir=$(vt_kernel "$flavor") || return
	ko=$(vt_harness "$kdir") || { vt_notok "$flavor: the harness builds"; return; }
	res=$(mktemp -d) log=$(mktemp)
	if [ "$flavor" = seed-debug ]; then
		mode=bare want_rc=125
		allow=(--dmesg-allow 'sleeping function called from invalid context')
	fi
	echo "# $flavor: booting"
	"$vt_top/scripts/vm-run.sh" --kernel "$kdir" --results "$res" --timeout 600 \
		--append 'kasan.fault=panic loglevel=7' "${allow[@]}" -- \
		env IOASID_TRACE="$BIN" bash "$0" --guest "$ko" "$mode" >"$log" 2>&1
	rc=$?
	vt_adopt_guest_log_into "$log" "$flavor" "$rc" "$want_rc"
	con=$res/console.log
	# The checks below read it; "no report" must not mean "no console".
	vt_check "$flavor: the console was captured up to the guest's end" \
		grep -q 'free read: the window is armed' "$con"
	if [ "$flavor" = seed-debug ]; then
		vt_check "$flavor: DEBUG_ATOMIC_SLEEP reports the free under finish_task_switch" \
			atomic_sleep_report "$con"
		vt_check "$flavor: KASAN reports the read after the allocator's free" \
			grep -q 'BUG: KASAN: use-after-free in ioasid_free_locked' "$con"
	else
		vt_check "$flavor: no KASAN report" bash -c "! grep -q 'BUG: KASAN' '$con'"
		vt_check "$flavor: no atomic-sleep report" \
			bash -c "! grep -q 'sleeping function called from invalid context' '$con'"
	fi
	[ "$vt_fail" = 0 ] && rm -rf "$res" || echo "# results kept in $res"
	rm -f "$log"
}

# Adopt a guest's TAP lines after ours, prefixed with the flavor; the run
# must have ended with WANT_RC (125: the guest died).
vt_adopt_guest_log_into() {	# LOG FLAVOR RC WANT_RC
	local line seen=0
	while IFS= read -r line; do
		case $line in
		"not ok 1 - the guest kernel reported"*) vt_notok "$2: ${line#not ok 1 - }" ;;
		"not ok "*" - "*) seen=1; vt_notok "$2: ${line#not ok * - }" ;;
		"ok "*" - "*) seen=1; vt_ok "$2: ${line#ok * - }" ;;
		"$name: "*) ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
	vt_check "$2: the guest run ended with $4 (got $3)" [ "$3" = "$4" ]
	[ $seen = 1 ] || vt_notok "$2: the guest reported no result"
}

[ -x "$BIN" ] || vt_skip_all "no $BIN (make tool)"
flavors=("$@")
[ ${#flavors[@]} -gt 0 ] || flavors=(seed-debug debug)
for f in "${flavors[@]}"; do run_flavor "$f"; done
vt_done $name
