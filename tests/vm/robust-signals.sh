#!/usr/bin/env bash
# Robustness (issue 6): how a run ends.  SIGINT, SIGTERM and a -d timeout,
# each while the harness is under load, must leave no BPF program or link
# behind (bpftool prog/link list before and after); a tiny ring buffer
# (--buffer 4K) must make check count
# its losses and say inconclusive (2), never report a violation; kill -9
# must leave the guest working: the kernel drops the links with the
# process, and the next check run works; a recording killed with -9 is
# refused as truncated, and read up to its last complete block with
# --salvage (check: inconclusive).
#
#   tests/vm/robust-signals.sh          (host: boots the fixed kernel)
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib/robust.sh
. "$(dirname "$0")/lib/robust.sh"
BIN=${IOASID_TRACE:-$vt_top/build/ioasid-trace}
H=/sys/kernel/debug/ioasid_harness

# load in the background until the file /tmp/stop-load exists
bg_load() {
	rm -f /tmp/stop-load
	( while [ ! -e /tmp/stop-load ]; do echo 'load 2 200' >$H/ctl; done ) &
	load_pid=$!
}
stop_load() { touch /tmp/stop-load; wait "$load_pid"; }

# kill9 SECS ARGS...: the tool (ARGS) under load, attached, SECS later
# killed with SIGKILL
kill9() {
	local secs=$1 tool
	shift
	bg_load
	"$BIN" "$@" >/dev/null 2>/tmp/e.txt &
	tool=$!
	rb_wait_for /tmp/e.txt 'attached' 60 ||
		vt_notok "$1: attached before the kill ($(tail -1 /tmp/e.txt))"
	sleep "$secs"
	kill -9 $tool
	wait $tool 2>/dev/null
	stop_load
}

# left_ok WHAT: no program or link left (they go when the fds close; give
# the kernel's deferred freeing a moment)
left_ok() {
	local i left
	for ((i = 0; i < 50; i++)); do
		left=$(rb_bpf_left)
		[ "$left" = "0 0" ] && break
		sleep 0.1
	done
	vt_check "$1: no BPF program or link left (progs links: $left)" [ "$left" = "0 0" ]
}

# honest_end WHAT RC JSON: a conforming kernel gives exit 0; exit 2 is
# right only when the run itself counted lost events (load outruns the
# reader) and says so; anything else (1, or 2 for another cause) is wrong.
honest_end() {
	local what=$1 rc=$2 json=$3 why
	why=$(grep -o '"type":"verdict".*' "$json" 2>/dev/null | grep -o '"reason":"[^"]*"' | head -1)
	if [ "$rc" = 0 ]; then
		vt_ok "$what: conforming (rc=0)"
	elif [ "$rc" = 2 ] && grep -q '"reason":"events were lost' <<<"$why"; then
		vt_ok "$what: inconclusive because events were lost (rc=2)"
	else
		vt_notok "$what: rc=$rc, $why"
		# what the checker saw, for the CI log
		grep '"type":"violation"' "$json" 2>/dev/null | head -3 | cut -c1-900 | sed 's/^/#   /'
	fi
}

if [ "${1:-}" = --guest ]; then
	ko=$2
	insmod "$ko" || { vt_notok "insmod $ko"; vt_done robust-signals; exit 1; }
	echo 1 >$H/sub/vdcm/registered
	echo 1 >/sys/module/ioasid_harness/parameters/quiet_log
	vt_check "nothing loaded before (progs links: $(rb_bpf_left))" [ "$(rb_bpf_left)" = "0 0" ]

	for sub in trace check hist record; do
		for sig in INT TERM; do
			args=()
			case $sub in
			trace) args=(-j) ;;
			check) args=(--format json) ;;
			record) args=(-o /tmp/r.itr) ;;
			esac
			bg_load
			"$BIN" "$sub" -v "${args[@]}" >/tmp/o.txt 2>/tmp/e.txt &
			tool=$!
			if ! rb_wait_for /tmp/e.txt 'attached' 60; then
				vt_notok "$sub: attached"; cat /tmp/e.txt; kill -9 $tool; stop_load; continue
			fi
			sleep 1
			kill -"$sig" $tool
			wait $tool
			rc=$?
			stop_load
			if [ $sub = check ]; then
				honest_end "check: SIG$sig under load" $rc /tmp/o.txt
				rc=0
			fi
			vt_check "$sub: SIG$sig under load ends it cleanly (rc=$rc)" \
				bash -c "[ $rc = 0 ] && ! grep -q 'Segmentation\|Aborted' /tmp/e.txt"
			left_ok "$sub SIG$sig"
		done
	done
	"$BIN" check --input /tmp/r.itr --format json >/tmp/ri.json 2>&1
	honest_end "check --input of the recording stopped by SIGTERM" $? /tmp/ri.json

	# -d timeout under load
	bg_load
	"$BIN" check -d 3 --format json -o /tmp/d.json >/tmp/d.out 2>&1
	rc=$?
	stop_load
	# Attaching while the load already runs: the API points fire before the
	# first poll, so the default 4 MiB ring buffer may overflow.
	honest_end "check -d 3 under load" $rc /tmp/d.json
	left_ok "check -d"
	"$BIN" trace -d 2 -j >/dev/null 2>&1
	rc=$?
	vt_check "trace -d 2 exits 0 (rc=$rc)" [ $rc = 0 ]
	left_ok "trace -d"

	# a ring buffer far too small: losses counted, inconclusive, no violation
	"$BIN" check --buffer 4K --format json -o /tmp/of.json -- \
		bash -c "echo 'load 2 2000' >$H/ctl; cat $H/ctl" >/tmp/of.out 2>&1
	rc=$?
	vt_check "4 KiB ring buffer: check exits 2, inconclusive (rc=$rc)" [ $rc = 2 ]
	python3 - /tmp/of.json <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
v = [d for d in ev if d.get("type") == "verdict"]
viol = [d for d in ev if d.get("type") == "violation"]
v = v[0] if v else {}
print(("ok" if v.get("lost", 0) > 0 else "not ok"), "TAPN - overflow: losses counted (%s lost of %s)" % (v.get("lost"), v.get("events")))
print(("ok" if v.get("verdict") == 2 else "not ok"), "TAPN - overflow: verdict inconclusive (%s: %s)" % (v.get("verdict"), v.get("reason")))
# With losses nothing can be trusted: any violation must be marked suspect.
firm = [d for d in viol if not d.get("suspect")]
print(("ok" if not firm else "not ok"),
      "TAPN - overflow: no violation claimed: %d reported, all marked suspect (%d not)" % (len(viol), len(firm)))
PY
	[ $? = 0 ] || vt_notok "the report checker crashed (its traceback is above)"
	left_ok "overflow"
	"$BIN" check --buffer 3K -d 1 >/tmp/bad.out 2>&1
	rc=$?
	vt_check "--buffer 3K (not a power of two) is refused: rc=$rc, $(head -1 /tmp/bad.out)" \
		bash -c "[ $rc = 3 ] && [ \$(wc -l </tmp/bad.out) = 1 ]"

	# kill -9: the kernel drops everything with the process
	kill9 1 check -v --format json
	left_ok "kill -9"
	"$BIN" check --format json -o /tmp/k.json -- bash -c "echo 'load 2 100' >$H/ctl; cat $H/ctl" >/tmp/k.out 2>&1
	rc=$?
	vt_check "after kill -9, the next check runs and conforms (rc=$rc)" [ $rc = 0 ]
	left_ok "the run after kill -9"

	# kill -9 of record: no trailer; refused as truncated, read with
	# --salvage up to its last complete block (the writer closes a block
	# within a second), and check calls that inconclusive
	kill9 1 record -v -o /tmp/k.itr
	left_ok "kill -9 of record"
	"$BIN" report /tmp/k.itr >/tmp/k.txt 2>/tmp/k.err
	rc=$?
	vt_check "the killed recording is refused without --salvage (rc=$rc: $(head -1 /tmp/k.err))" \
		bash -c "[ $rc = 3 ] && grep -q 'truncated' /tmp/k.err && [ \$(wc -l </tmp/k.err) = 1 ]"
	# counted as it streams: the JSON of a full-load recording would not
	# fit the guest's memory
	read -r n named < <("$BIN" report --salvage -j /tmp/k.itr 2>/tmp/k.err |
		awk '/"type":"event"/ { n++ } /"cb_sym":"harness_kvm_notify"/ { k = 1 }
		     END { print n + 0, k + 0 }')
	rc=${PIPESTATUS[0]}
	cat /tmp/k.err
	vt_check "report --salvage reads it: $n events, callbacks named ($named), one warning line" \
		bash -c "[ $n -gt 1000 ] && [ $named = 1 ] && grep -q 'warning: salvaged' /tmp/k.err &&
			 [ \$(wc -l </tmp/k.err) = 1 ]"
	"$BIN" check --input /tmp/k.itr --salvage >/tmp/k.txt 2>&1
	rc=$?
	tail -2 /tmp/k.txt
	vt_check "check --input --salvage: inconclusive, the recording did not finish (rc=$rc)" \
		bash -c "[ $rc = 2 ] && grep -q '^verdict: INCONCLUSIVE (exit 2): the recording did not finish' /tmp/k.txt"

	bad=$(dmesg | grep -E 'BUG:|WARNING:|Oops' | head -3)
	vt_check "dmesg clean${bad:+: $bad}" [ -z "$bad" ]
	vt_done robust-signals
	exit
fi

kdir=$(vt_kernel fixed)
ko=$(vt_harness "$kdir") || vt_skip_all "harness does not build"
# --single-thread: programs attach and detach while the load runs.
out=$("$vt_top/scripts/vm-run.sh" --kernel "$kdir" --single-thread --timeout 600 -- "$0" --guest "$ko")
rc=$?
rb_report robust-signals $rc <<<"$out"
