#!/usr/bin/env bash
# VM test (issue 15): two defects of the seed that only a debug kernel can
# confirm, on `seed-debug` (seed patches, kernel/config/debug.config) and on
# `debug` (the same plus fixed/), one boot each.
#
# 1. The atomic-context free (fixed/0006).  A process whose mm holds a
#    PASID exits (scenarios/sva-exit.sh); the kernel frees the PASID in
#    __mmdrop(), which finish_task_switch() runs with preemption disabled,
#    and ioasid_free() takes a mutex there.  seed-debug: `check` reports
#    exactly one rule-6 violation (the FREE chain in atomic context) and
#    DEBUG_ATOMIC_SLEEP reports the mutex_lock under ioasid_free.  debug:
#    conforming, and dmesg clean.
# 2. The read after the allocator's free (fixed/0004).  The harness holds
#    the window after default_free() open (ctl `window free_read`) while
#    one ID is freed on CPU 0.  seed-debug: KASAN reports a use-after-free
#    read in ioasid_free_locked() (the guest then dies on the garbage it
#    read: oops=panic).  debug: the free completes and dmesg is clean.
#    Both: the window really opened once.
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
	local want=$1 rc
	"$BIN" check --format json -o /results/af.json -- \
		bash "$vt_top/tests/vm/scenarios/sva-exit.sh" >/results/af.out 2>&1
	rc=$?
	python3 "$vt_top/tests/vm/lib/verdict.py" /results/af.json --label "atomic free: " \
		--exit "$rc" --want-exit "$([ -n "$want" ] && echo 1 || echo 0)" \
		--want "$want" --vars /results/af.out --exercised 6 |
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
	r=$(gctl window free_read 0 400) || { vt_notok "free read: the window arms ($r)"; return; }
	vt_ok "free read: the window is armed on cpu 0 for ID $id"
	sync
	r=$(taskset -c 0 bash -c "$(declare -f gctl); vt_top=$vt_top; gctl free $id")
	vt_check "free read: the free of ID $id returned ($r)" [ -n "$r" ]
	r=$(gctl window stat)
	vt_check "free read: the window opened once ($r)" grep -q 'opened=1' <<<"$r"
}

if [ "${1:-}" = --guest ]; then
	insmod "$2" || { vt_notok "insmod $2"; vt_done $name; exit 1; }
	guest_atomic_free "$3"
	guest_free_read
	vt_done $name
	exit
fi

# --- host side --------------------------------------------------------------
# The KASAN report in the console: its title, then the freeing stack.
kasan_report() {	# CONSOLE
	tr -d '\r' <"$1" | sed -n '/BUG: KASAN: use-after-free in ioasid_free_locked/,/Memory state/p'
}
# The atomic-sleep report whose call trace passes through ioasid_free.
atomic_sleep_report() {	# DMESG-OR-CONSOLE
	tr -d '\r' <"$1" | grep -A40 'BUG: sleeping function called from invalid context' |
		grep -m1 -E 'ioasid_free|mm_pasid_drop'
}

run_flavor() {	# FLAVOR
	local flavor=$1 kdir ko res log rc allow=() want=''
	kdir=$(vt_kernel "$flavor") || return
	ko=$(vt_harness "$kdir") || { vt_notok "$flavor: the harness builds"; return; }
	res=$(mktemp -d) log=$(mktemp)
	if [ "$flavor" = seed-debug ]; then
		want=6=1
		allow=(--dmesg-allow 'sleeping function called from invalid context')
	fi
	echo "# $flavor: booting"
	"$vt_top/scripts/vm-run.sh" --kernel "$kdir" --results "$res" --timeout 600 "${allow[@]}" -- \
		env IOASID_TRACE="$BIN" bash "$0" --guest "$ko" "$want" >"$log" 2>&1
	rc=$?
	if [ "$flavor" = seed-debug ]; then
		# The guest dies after KASAN's report: adopt what it said before.
		vt_adopt_guest_log_into "$log" "$flavor" "$rc" 125
		vt_check "$flavor: KASAN reports the read in ioasid_free_locked" \
			grep -q 'Read of size' <(kasan_report "$res/console.log")
		vt_check "$flavor: the object was freed by kfree_rcu's work" \
			grep -q 'kfree_rcu\|kvfree_call_rcu\|rcu_do_batch\|kfree_rcu_work' <(kasan_report "$res/console.log")
		vt_check "$flavor: DEBUG_ATOMIC_SLEEP reports the free under finish_task_switch" \
			grep -q . <(atomic_sleep_report "$res/console.log")
	else
		vt_adopt_guest_log_into "$log" "$flavor" "$rc" 0
		vt_check "$flavor: no KASAN report" bash -c "! grep -q 'BUG: KASAN' '$res/console.log'"
		vt_check "$flavor: no atomic-sleep report" \
			bash -c "! grep -q 'sleeping function called from invalid context' '$res/console.log'"
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
