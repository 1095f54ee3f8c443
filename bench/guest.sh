#!/usr/bin/env bash
# Guest side of `make bench` (scripts/bench.sh boots the guest and runs this).
#
#   bench/guest.sh KO TOP OUTDIR
#
# One harness load (THREADS kthreads x CYCLES x alloc->bind->unbind->free,
# three subscribers registered) per mode and round, modes alternated
# (A B C ... A B C ...) so drift hits all alike.  Each run appends one line
# to OUTDIR/runs.tsv:
#   round mode cycles ns cps errors attach_s seen lost verdict
# plus the harness's counters before/after (OUTDIR/counts.tsv), from which
# bench/report.py derives how many traced calls the load made.
# Environment: ROUNDS (5), CYCLES (per thread, 5000), THREADS (nproc),
# MODES (default: every mode available).
set -uo pipefail
ko=$1 top=$2 out=$3
tool=${TOOL:-$top/build/ioasid-trace}
counter=$top/build/bench/fentry-counter
H=/sys/kernel/debug/ioasid_harness
T=/sys/kernel/tracing
rounds=${ROUNDS:-5}
cycles=${CYCLES:-5000}
threads=${THREADS:-$(nproc)}
tmp=/tmp/bench
mkdir -p "$tmp" "$out"
rm -f "$out/not-built" "$out/laps.tsv"	# appended to below; --out may be reused

insmod "$ko" || { echo "bench: insmod $ko failed"; exit 1; }
# Every clock read a tracer makes is a read of this (the report's "why").
cat /sys/devices/system/clocksource/clocksource0/current_clocksource >"$out/clocksource" 2>/dev/null
echo 1 >$H/sub/vdcm/registered
echo 1 >/sys/module/ioasid_harness/parameters/quiet_log

modes=${MODES:-"base counter pair hist histfe histret check record bpftrace ftrace"}
if ! "$tool" record --help >/dev/null 2>&1; then
	modes=${modes/record/}
	echo record >>"$out/not-built"	# the report's n/a row
	echo "bench: no 'record' subcommand in this build: its row is n/a"
fi
[ -x "$counter" ] || { modes=${modes/counter/}; modes=${modes/pair/}; echo "bench: no $counter"; }
command -v bpftrace >/dev/null || modes=${modes/bpftrace/}

printf 'round\tmode\tcycles\tns\tcps\terrors\tattach_s\tseen\tlost\tverdict\n' >"$out/runs.tsv"
printf 'round\tmode\twhen\talloc\tfree\tbind\tunbind\tcb_calls\n' >"$out/counts.tsv"

# Harness counters: publisher calls and callbacks delivered (all subscribers).
counts() {	# round mode when
	local s cb=0 sub line
	s=$(cat $H/stats)
	for sub in kvm iommu vdcm; do
		line=$(cat $H/sub/$sub/counts)
		for k in free bind unbind other; do
			cb=$((cb + $(sed -n "s/.*\b$k=\([0-9]*\).*/\1/p" <<<"$line")))
		done
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" \
		"$(sed -n 's/.*\balloc=\([0-9]*\).*/\1/p' <<<"$s")" \
		"$(sed -n 's/.*\bfree=\([0-9]*\).*/\1/p' <<<"$s")" \
		"$(sed -n 's/.*\bbind=\([0-9]*\).*/\1/p' <<<"$s")" \
		"$(sed -n 's/.*\bunbind=\([0-9]*\).*/\1/p' <<<"$s")" \
		"$cb" >>"$out/counts.tsv"
}

# launch PATTERN CMD...: run CMD in the background with each stdout/stderr
# line stamped ($EPOCHREALTIME when it was read) into $tmp/tool.log; launch
# time in t_launch.  The line readers themselves spot the first line that
# matches PATTERN (a bash regex) and write its stamp to the ready FIFO, so
# waiting for "attached" costs nothing: polling the log with grep every
# 50 ms ran processes on the guest's one host thread while the tool started,
# and slowed the start-up it measured.
mkfifo "$tmp/ready" 2>/dev/null
exec 7<>"$tmp/ready"	# read-write: opening never blocks, writers never block
stamp_lines() {	# TAG PATTERN: stdin -> tool.log, the first match -> FIFO
	local tag=$1 pat=$2 seen=0 l
	while IFS= read -r l; do
		printf '%s %s %s\n' "$EPOCHREALTIME" "$tag" "$l"
		if [ $seen = 0 ] && [[ $l =~ $pat ]]; then
			seen=1
			echo "$EPOCHREALTIME" >&7
		fi
	done >>"$tmp/tool.log"
}
launch() {
	local pat=$1
	shift
	: >"$tmp/tool.log"
	while read -r -t 0.01 -u 7 _; do :; done	# nothing stale from the last run
	t_launch=$EPOCHREALTIME
	"$@" > >(stamp_lines O "$pat") 2> >(stamp_lines E "$pat") &
	tool_pid=$!
}

# Wait for the launched tool's ready line; prints seconds since launch.
wait_ready() {
	local i ts us
	for ((i = 0; i < 60; i++)); do
		if read -r -t 1 -u 7 ts; then
			us=$((${ts/./} - ${t_launch/./}))	# both have 6 decimals
			printf '%d.%03d\n' $((us / 1000000)) $((us % 1000000 / 1000))
			return 0
		fi
		kill -0 "$tool_pid" 2>/dev/null || break
	done
	echo "bench: tool did not get ready:" >&2
	cat "$tmp/tool.log" >&2
	return 1
}

stop_tool() {
	kill -INT "$tool_pid" 2>/dev/null
	wait "$tool_pid" 2>/dev/null
	sleep 0.2	# the line readers flush
}

ftrace_funcs="ioasid_alloc ioasid_free ioasid_free_locked default_free ioasid_notify
ioasid_add_notifier ioasid_remove_notifier blocking_notifier_call_chain ioasid_alloc_set
ioasid_free_set ioasid_attach_data harness_kvm_notify harness_iommu_notify harness_vdcm_notify"

run_mode() {	# round mode
	local round=$1 mode=$2 attach=- seen=- lost=- verdict=- r f
	case $mode in
	base) ;;
	counter)
		launch 'READY' "$counter"
		attach=$(wait_ready) || return 1 ;;
	pair)	# the counter with an fexit too: the floor of any latency measurement
		launch 'READY' "$counter" --fexit
		attach=$(wait_ready) || return 1 ;;
	hist)
		launch 'ioasid-trace: attached' "$tool" hist -j -v
		attach=$(wait_ready) || return 1 ;;
	histfe)	# module callbacks by fentry too (pins the module; see docs/tool.md)
		launch 'ioasid-trace: attached' "$tool" hist -j -v --mode fentry
		attach=$(wait_ready) || return 1 ;;
	histret)	# callbacks timed to their own return: an entry and a return probe each
		launch 'ioasid-trace: attached' "$tool" hist -j -v --callback-latency return
		attach=$(wait_ready) || return 1 ;;
	check)
		launch 'ioasid-trace: attached' "$tool" check --format json -v \
			${BUFFER:+--buffer "$BUFFER"} -o "$tmp/check.json"
		attach=$(wait_ready) || return 1 ;;
	record)
		rm -f "$tmp/rec.itr"
		launch 'attached' "$tool" record -v ${BUFFER:+--buffer "$BUFFER"} -o "$tmp/rec.itr"
		attach=$(wait_ready) || return 1 ;;
	bpftrace)
		launch 'READY' bpftrace -f json "$top/bench/ioasid.bt"
		attach=$(wait_ready) || return 1 ;;
	ftrace)
		t_launch=$EPOCHREALTIME
		echo 0 >$T/tracing_on
		echo nop >$T/current_tracer
		: >$T/set_ftrace_filter
		for f in $ftrace_funcs; do echo "$f" >>$T/set_ftrace_filter; done
		: >$T/trace
		echo function >$T/current_tracer
		echo 1 >$T/tracing_on
		cat $T/trace_pipe >"$tmp/ftrace.out" &
		tool_pid=$!
		attach=$(python3 -c "print('%.3f' % ($EPOCHREALTIME - $t_launch))") ;;
	esac

	# The tool's own account of its start-up (-v): kallsyms 0.08, walk ...
	case $mode in hist | histfe | histret | check | record)
		sed -n 's/^[0-9.]* E ioasid-trace: attached.*(s: \(.*\))$/\1/p' "$tmp/tool.log" |
			head -1 | sed "s/^/$mode\t/" >>"$out/laps.tsv" ;;
	esac
	counts "$round" "$mode" before
	echo "load $threads $cycles" >$H/ctl
	r=$(cat $H/ctl)
	counts "$round" "$mode" after

	case $mode in
	counter | pair)
		stop_tool
		seen=$(sed -n 's/^[0-9.]* O //p' "$tmp/tool.log" | python3 -c '
import json, sys
for l in sys.stdin:
    if l.startswith("{"):
        print(sum(json.loads(l)["counts"].values()))')
		lost=0 ;;
	hist | histfe | histret)
		stop_tool
		sed -n 's/^[0-9.]* O //p' "$tmp/tool.log" >"$tmp/hist.json"
		read -r seen lost < <(python3 - "$tmp/hist.json" <<'PY'
import json, sys
seen, lost = 0, 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("type") == "hist" and d.get("final"):
        seen = sum(h["count"] for h in d["hists"])
    if d.get("type") == "summary":
        b = d.get("bpf", {})
        lost = (d.get("lost", 0) + b.get("hist_full", 0) + b.get("frame_full", 0) +
                b.get("callback_gap", 0))
print(seen, lost)
PY
		) ;;
	check)
		stop_tool
		read -r seen lost verdict < <(python3 - "$tmp/check.json" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get("type") == "verdict":
        # events are ENTER+EXIT records (and meta): calls = events // 2
        print(d["events"] // 2, d["lost"], d["verdict"])
PY
		) ;;
	record)
		stop_tool
		ls -l "$tmp/rec.itr" >&2
		read -r seen lost verdict < <("$tool" check --format json --input "$tmp/rec.itr" | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("type") == "verdict":
        print(d["events"] // 2, d["lost"], d["verdict"])')
		[ "$round" = 1 ] && cp "$tmp/rec.itr" "$out/rec-round1.itr" ;;
	bpftrace)
		stop_tool
		seen=$(sed -n 's/^[0-9.]* O //p' "$tmp/tool.log" | python3 -c '
import json, sys
n = 0
for l in sys.stdin:
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if d.get("type") == "hist":
        for k, v in d["data"].items():
            hs = v if isinstance(v, list) else [b for h in v.values() for b in h] if isinstance(v, dict) else []
            n += sum(b["count"] for b in hs)
print(n)')
		lost=$(grep -c 'Lost' "$tmp/tool.log") ;;
	ftrace)
		echo 0 >$T/tracing_on
		sleep 0.5
		kill "$tool_pid" 2>/dev/null; wait "$tool_pid" 2>/dev/null
		cat $T/trace >>"$tmp/ftrace.out"
		seen=$(grep -cE ' <-' "$tmp/ftrace.out")
		lost=0
		for f in "$T"/per_cpu/cpu*/stats; do
			lost=$((lost + $(sed -n 's/^overrun: //p' "$f")))
		done
		echo nop >$T/current_tracer
		: >$T/set_ftrace_filter ;;
	esac

	case $r in
	ok*) ;;
	*) echo "bench: load failed in $mode: $r"; return 1 ;;
	esac
	f() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$r"; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$(f cycles)" "$(f ns)" \
		"$(f cycles_per_sec)" "$(f errors)" "$attach" "${seen:--}" "${lost:--}" "${verdict:--}" \
		>>"$out/runs.tsv"
	echo "bench: round $round $mode: $r attach=$attach seen=$seen lost=$lost verdict=$verdict"
}

# Warm-up: the first load pays for first-touch allocations.
echo "load $threads $cycles" >$H/ctl; cat $H/ctl

# Start-up to "attached", without any load: ioasid-trace trace -- true wall time.
for i in 1 2 3; do
	t0=$EPOCHREALTIME
	"$tool" trace -- true >/dev/null 2>&1
	python3 -c "print('trace_true_s\t%.3f' % ($EPOCHREALTIME - $t0))" >>"$out/startup.tsv"
done

rc=0
for ((round = 1; round <= rounds; round++)); do
	for m in $modes; do
		run_mode "$round" "$m" || rc=1
	done
done

# A recording of >= 1 M events for the offline `check --input` row (host side):
# 36 events per cycle; a 128 MiB ring buffer so the writer can lag.
if [[ " $modes " == *" record "* ]]; then
	"$tool" record --buffer 128M -o "$out/rec-big.itr" -- \
		bash -c "echo 'load $threads 15000' >$H/ctl; cat $H/ctl" >"$tmp/big.log" 2>&1
	echo "bench: big recording: $(tail -2 "$tmp/big.log" | tr '\n' ' ')"
fi

# Nothing may be left behind by any mode.
echo "bench: bpf programs left: $(bpftool prog list 2>/dev/null | grep -c '^[0-9]*:.*tracing')"
exit $rc
