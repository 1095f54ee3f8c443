#!/usr/bin/env bash
# VM test (issue: conformance): the detection matrix.  The same harness
# scenario runs under `ioasid-trace check` on every flavor; check must pass
# `fixed`, find only the set_token defect (invariant 5) on `seed`, and name
# exactly the one broken invariant on each mutant kernel and for each
# harness knob that breaks a subscriber-side rule.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tool=$top/build/ioasid-trace
[ -x "$tool" ] || { echo "not ok 1 - build/ioasid-trace missing (make tool)"; exit 1; }

rc=0
# boot FLAVOR, then for each "ROW WANT_EXIT WANT_IDS CHECK_FLAGS KNOB" run check
boot() {
	local flavor=$1; shift
	local kdir ko res
	kdir=$(scripts/kernel-build.sh "$flavor")
	ko=$(scripts/harness-build.sh "$kdir")
	res=$(mktemp -d)
	local script="set -u; insmod $ko || exit 90; cd $top"
	local row
	for row in "$@"; do
		read -r name wexit wids flags knob <<<"$row"
		[ "$flags" = - ] && flags=
		[ "$knob" = - ] && knob=
		script+="; $tool check --format json -o /results/$name.json $flags -- bash tests/vm/scenarios/conformance.sh $knob >/results/$name.out 2>&1; echo \$? >/results/$name.rc"
	done
	echo "# $flavor: booting for ${#@} check run(s)"
	if ! scripts/vm-run.sh --kernel "$kdir" --results "$res" --single-thread --timeout 600 -- bash -c "$script"; then
		echo "not ok - $flavor: guest failed (results in $res)"
		rc=1
		return
	fi
	for row in "$@"; do
		read -r name wexit wids flags knob <<<"$row"
		[ "$wids" = - ] && wids=
		local extra=()
		[ "$flavor" = seed ] && extra=(--seed-set-token)
		# The inv9 mutant skips the allocator's free: nothing for inv 1 to judge.
		[ "$name" = inv9-early-release ] && extra+=(--exercised 2,3,4,5,6,7,9)
		if [ ! -s "$res/$name.rc" ]; then
			echo "not ok - $name: check did not finish"; rc=1; continue
		fi
		python3 tests/vm/lib/verdict.py "$res/$name.json" --label "$name: " \
			--exit "$(cat "$res/$name.rc")" --want-exit "$wexit" --want "$wids" "${extra[@]}" ||
			{ rc=1; sed 's/^/#   /' "$res/$name.out" | tail -20; }
	done
	[ $rc -ne 0 ] || rm -rf "$res"
}

# name           exit ids  check-flags  knob
boot fixed \
	"fixed           0    -    -         -" \
	"knob-inv8       1    8    --strict  unbind-unbound" \
	"knob-inv10      1    10   --strict  late-register" \
	"knob-inv7       1    7    -         reenter"
boot seed "seed 1 5 - -"
for m in kernel/patches/mutants/*.patch; do
	name=$(basename "$m" .patch)
	n=${name%%-*}; n=${n#inv}
	boot "mutant-$name" "$name 1 $n - -"
done
exit $rc
