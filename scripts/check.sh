#!/usr/bin/env bash
# `make check`: every test, stage by stage, with the time each stage took.
#
#   scripts/check.sh            everything
#   scripts/check.sh --only-vm  the VM tests only (kernels built or cached)
#
# A stage's output goes to the terminal and to build/check/STAGE.log.  Tests
# speak TAP-like `ok N - ...` / `not ok N - ...` lines (VM tests) or cmocka's
# `[       OK ]` / `[  FAILED  ]` lines (unit tests); both are counted, and the
# last line is the plain `check: N passed, N failed, N skipped` summary.
# Any failing stage makes the exit status non-zero, and so does:
#   - a stage that exits 0 without one result line (it ran no test);
#   - a skip (`# SKIP` in a result line): make check has no optional part,
#     so a skipped test is one whose prerequisite is missing;
#   - a test script without its run bit.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1

only_vm=0
[ "${1:-}" = --only-vm ] && only_vm=1

logs=build/check
mkdir -p "$logs"
passed=0 failed=0 skipped=0 stage_failed=()
t_all=$(date +%s)

stage() {
	local name=$1; shift
	local t0 rc log="$logs/$name.log"
	t0=$(date +%s)
	echo "=== stage $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	local ok nok skip
	skip=$(grep -cE '^(not )?ok\b.*# SKIP' "$log")
	ok=$(grep -E '^ok\b|^\[       OK \]' "$log" | grep -vc '# SKIP')
	# cmocka names a failed test twice (when it fails, and in its summary)
	nok=$(( $(grep -E '^not ok\b' "$log" | grep -vc '# SKIP') +
		$(grep -E '^\[  FAILED  \] [a-z_]' "$log" | sort -u | wc -l) ))
	passed=$((passed + ok))
	failed=$((failed + nok))
	skipped=$((skipped + skip))
	if [ "$rc" -eq 0 ] && [ $((ok + nok)) -eq 0 ]; then
		echo "=== stage $name: exited 0 but reported no test"
		rc=1
	fi
	if [ "$skip" -ne 0 ]; then
		echo "=== stage $name: $skip skipped: make check has no optional test"
		rc=1
	fi
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

# A build step is one test: it built, or it did not.
built() {
	local what=$1; shift
	if "$@"; then echo "ok 1 - $what"; else echo "not ok 1 - $what (exit $?)"; return 1; fi
}

if [ $only_vm -eq 0 ]; then
	stage build built "the tool builds" make -s tool
	stage unit make -s unit-tests
	stage fuzz tests/fuzz-short.sh
	for f in vanilla seed fixed debug seed-debug; do
		stage "kernel-$f" built "kernel $f builds" scripts/kernel-build.sh "$f"
	done
	for m in kernel/patches/mutants/*.patch; do
		[ -e "$m" ] || continue
		n=$(basename "$m" .patch)
		stage "kernel-mutant-$n" built "kernel mutant-$n builds" \
			scripts/kernel-build.sh "mutant-$n"
	done
	# after the kernels: checkpatch comes from the tree they unpack
	stage patches tests/patches.sh
fi

# The smoke test first: if the test bed itself is broken, say so before
# the tests that depend on it fail in stranger ways.
for t in tests/vm/smoke.sh $(ls tests/vm/*.sh | grep -v '/smoke\.sh$\|/lib\.sh$'); do
	if [ ! -x "$t" ]; then
		echo "=== stage vm-$(basename "$t" .sh): $t has no run bit"
		stage_failed+=("vm-$(basename "$t" .sh)")
		failed=$((failed + 1))
		continue
	fi
	stage "vm-$(basename "$t" .sh)" "$t"
done

echo
echo "check: stages took $(($(date +%s) - t_all)) s in all"
[ ${#stage_failed[@]} -eq 0 ] || echo "check: failed stages: ${stage_failed[*]}"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ ${#stage_failed[@]} -eq 0 ] && [ "$failed" -eq 0 ]
