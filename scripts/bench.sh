#!/usr/bin/env bash
# `make bench`: what tracing the IOASID paths costs, ioasid-trace against a
# bare fentry counter, bpftrace and ftrace, in ONE guest boot (numbers from
# different boots are not comparable under TCG).  Prints a table; asserts
# nothing (docs/performance.md says how to read it).
#
#   scripts/bench.sh [--flavor F] [--rounds N] [--cycles N] [--threads N]
#                    [--modes "base counter hist ..."] [--out DIR]
#                    [--append 'guest kernel cmdline'] [--buffer SIZE]
#
# Builds into build/bench/: fentry-counter (bench/fentry-counter, clang +
# bpftool skeleton + libbpf, as tool.mk does) and check-engine (the offline
# checker's throughput on a simulated stream).  The guest side is
# bench/guest.sh; bench/report.py turns its runs.tsv into the table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
cd "$top"

flavor=fixed rounds=5 cycles=5000 threads=2 modes='' out='' append='' buffer=''
while [ $# -gt 0 ]; do
	case $1 in
	--flavor) flavor=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--buffer) buffer=$2; shift 2 ;;	# check/record's --buffer (ring buffer size)
	*) it_die "bench: unknown argument '$1' (see the header of $0)" ;;
	esac
done
B=build/bench
out=${out:-$B/results-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$B" "$out"
out=$(cd "$out" && pwd)

# --- the bare fentry counter ---------------------------------------------------
clang_sys=$(clang -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
arch=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# shellcheck disable=SC2086  # clang_sys is a list of flags
clang -g -O2 -Wall -target bpf -D__TARGET_ARCH_"$arch" -Ivmlinux $clang_sys \
	-c bench/fentry-counter/counter.bpf.c -o $B/counter.bpf.o
llvm-strip -g $B/counter.bpf.o
bpftool gen skeleton $B/counter.bpf.o name counter_bpf >$B/counter.skel.h
# Stripped and static like the tool (tool.mk): the floor's attach time is
# then measured the way the tool's is.
cc -g -O2 -Wall -Wextra -static -I$B bench/fentry-counter/counter.c -lbpf -lelf -lz \
	-o $B/fentry-counter

# --- the checker engine alone, on a simulated stream -------------------------------
mapfile -t libobjs < <(find build/obj -name '*.o' ! -name main.o | sort)
cc -g -O2 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -Ibuild/bpf -Itests/unit \
	bench/check-engine/check-engine.c "${libobjs[@]}" -lbpf -lelf -lz -o $B/check-engine

# --- one guest boot ----------------------------------------------------------------
kdir=$(scripts/kernel-build.sh "$flavor")
ko=$(scripts/harness-build.sh "$kdir")
it_log "bench: $flavor kernel, $rounds rounds x ($threads threads x $cycles cycles) per mode; results in $out"
# The guest runs a copy of the tool: a rebuild during the run cannot mix
# two builds into one table, and the results keep the binary they measured.
cp build/ioasid-trace "$out/ioasid-trace"
envs=(--env "ROUNDS=$rounds" --env "CYCLES=$cycles" --env "THREADS=$threads")
envs+=(--env "TOOL=$out/ioasid-trace")
[ -n "$modes" ] && envs+=(--env "MODES=$modes")
[ -n "$append" ] && envs+=(--append "$append")
[ -n "$buffer" ] && envs+=(--env "BUFFER=$buffer")
t0=$(date +%s)
# --single-thread: modes attach and detach while the other vCPU may run the
# traced paths (see /work/shared/notes/testbed-facts.md: MTTCG crashed).
scripts/vm-run.sh --kernel "$kdir" --single-thread --smp 2 --timeout 1800 --results "$out/guest" \
	"${envs[@]}" -- bash "$top/bench/guest.sh" "$ko" "$top" /results ||
	it_die "bench: the guest run failed (see $out/guest)"
it_log "bench: guest run took $(($(date +%s) - t0)) s"

engines=("$out"/check-engine-{1,2,3,4,5}.txt)
# Offline check on the host: on the recording when record exists, else the engine.
offline=()
for f in "$out/guest/rec-big.itr" "$out/guest/rec-round1.itr"; do
	[ -s "$f" ] && { offline+=(--recording "$f"); break; }
done
for i in 1 2 3 4 5; do
	$B/check-engine 3000000 >"$out/check-engine-$i.txt" ||
		it_log "bench: check-engine saw a non-conforming stream"
done
python3 bench/report.py "$out/guest" "${engines[@]/#/--engine=}" \
	--tool "$out/ioasid-trace" "${offline[@]}" | tee "$out/table.md"
