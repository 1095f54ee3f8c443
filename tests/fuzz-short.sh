#!/usr/bin/env bash
# `make check` stage: a short bounded libFuzzer run (FUZZ_SECONDS, default
# 25 s) on the record-file reader (fuzz/fuzz.sh; `make fuzz` runs longer).
# Prints one TAP line; exit 1 on a crash, sanitizer report, leak or hang.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-25}
if ! command -v clang >/dev/null; then
	echo "not ok 1 - fuzz: cannot run: no clang (scripts/deps.sh installs it)"
	exit 1
fi
out=$("$top/fuzz/fuzz.sh" "$secs" 2>&1)
rc=$?
echo "$out" | grep -E '^fuzz:|DONE|ERROR|SUMMARY|artifact' | sed 's/^/# /'
if [ $rc = 0 ] && grep -q 'Done [0-9]* runs' <<<"$out"; then
	echo "ok 1 - fuzz: record-file reader, ${secs}s, $(grep -o 'Done [0-9]* runs' <<<"$out" | head -1), no crash/leak/hang"
else
	echo "not ok 1 - fuzz: record-file reader failed (exit $rc; inputs in build/fuzz/)"
	echo "$out" | tail -30 | sed 's/^/# /'
	exit 1
fi
