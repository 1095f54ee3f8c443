#!/usr/bin/env bash
# `make check`: every test, stage by stage, with the time each stage took.
#
#   scripts/check.sh            everything
#   scripts/check.sh --only-vm  the VM tests only (kernels built or cached)
#
# A stage's output goes to the terminal and to build/check/STAGE.log.  Tests
# speak TAP-like `ok N - ...` / `not ok N - ...` lines (VM tests) or cmocka's
# `[       OK ]` / `[  FAILED  ]` lines (unit tests); both are counted, and the
# last line is the plain `check: N passed, N failed` summary.  Any failing
# stage makes the exit status non-zero.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1

only_vm=0
[ "${1:-}" = --only-vm ] && only_vm=1

logs=build/check
mkdir -p "$logs"
passed=0 failed=0 stage_failed=()
t_all=$(date +%s)

stage() {
	local name=$1; shift
	local t0 rc log="$logs/$name.log"
	t0=$(date +%s)
	echo "=== stage $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	local ok nok
	ok=$(grep -cE '^ok [0-9]+|^\[       OK \]' "$log")
	nok=$(grep -cE '^not ok [0-9]+|^\[  FAILED  \] [a-z_]' "$log")
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$rc" -ne 0 ]; then
		stage_failed+=("$name")
		# A stage that failed without naming a failed test still counts.
		[ "$nok" -eq 0 ] && failed=$((failed + 1))
	fi
	printf '=== stage %s: %s in %d s\n' "$name" \
		"$([ "$rc" -eq 0 ] && echo passed || echo "FAILED (exit $rc)")" \
		$(($(date +%s) - t0))
	return 0
}

if [ $only_vm -eq 0 ]; then
	stage build make -s tool
	stage unit make -s unit-tests
	stage fuzz tests/fuzz-short.sh
	for f in vanilla seed fixed debug; do
		stage "kernel-$f" scripts/kernel-build.sh "$f"
	done
	for m in kernel/patches/mutants/*.patch; do
		[ -e "$m" ] || continue
		n=$(basename "$m" .patch)
		stage "kernel-mutant-$n" scripts/kernel-build.sh "mutant-$n"
	done
fi

# The smoke test first: if the test bed itself is broken, say so before
# the tests that depend on it fail in stranger ways.
for t in tests/vm/smoke.sh $(ls tests/vm/*.sh | grep -v '/smoke\.sh$'); do
	[ -x "$t" ] || continue
	stage "vm-$(basename "$t" .sh)" "$t"
done

echo
echo "check: stages took $(($(date +%s) - t_all)) s in all"
[ ${#stage_failed[@]} -eq 0 ] || echo "check: failed stages: ${stage_failed[*]}"
echo "check: $passed passed, $failed failed"
[ ${#stage_failed[@]} -eq 0 ] && [ "$failed" -eq 0 ]
