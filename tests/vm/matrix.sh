#!/usr/bin/env bash
# VM test (issue: conformance): the detection matrix.  The same harness
# scenario (tests/vm/scenarios/conformance.sh, with the custom allocator
# phase) runs under `ioasid-trace check` on every flavor; check must pass
# `fixed` (and give only the two expected warnings on the edges scenario,
# tests/vm/scenarios/edges.sh), find only the set_token defect (invariant
# 5) and the FREE ioasid_notify() accepts (2 and 11) on `seed`, report
# exactly the rules and violation counts kernel/patches/mutants/EXPECTED
# gives for each mutant kernel, and exactly the one rule each harness knob
# breaks on `fixed`.  Ends with the detection matrix (row x rule: want/got).
#
#   tests/vm/matrix.sh [ROW...]   ROW: fixed, seed or a mutant of EXPECTED
#                                 (default: all of them)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tool=$top/build/ioasid-trace
expected=kernel/patches/mutants/EXPECTED
[ -x "$tool" ] || { echo "not ok 1 - build/ioasid-trace missing (make tool)"; exit 1; }

rc=0
summary=$(mktemp)
# boot FLAVOR, then for each "ROW WANT_EXIT WANT CHECK_FLAGS SCENARIO KNOB"
# run check on tests/vm/scenarios/SCENARIO.sh KNOB.
# WANT: comma-separated RULE or RULE=COUNT ("-" for none), see verdict.py.
boot() {
	local flavor=$1; shift
	local kdir ko alloc_ko res
	kdir=$(scripts/kernel-build.sh "$flavor") || { echo "not ok - $flavor: kernel does not build"; rc=1; return; }
	ko=$(scripts/harness-build.sh "$kdir")
	alloc_ko=$(scripts/harness-build.sh "$kdir" kernel/harness/allocator)
	res=$(mktemp -d)
	local script="set -u; insmod $ko || exit 90; cd $top; export IT_ALLOCATOR_KO=$alloc_ko"
	local row name wexit want flags scen knob
	for row in "$@"; do
		read -r name wexit want flags scen knob <<<"$row"
		[ "$flags" = - ] && flags=
		[ "$knob" = - ] && knob=
		script+="; $tool check --format json -o /results/$name.json $flags -- bash tests/vm/scenarios/$scen.sh $knob >/results/$name.out 2>&1; echo \$? >/results/$name.rc"
	done
	echo "# $flavor: booting for $# check run(s)"
	if ! scripts/vm-run.sh --kernel "$kdir" --results "$res" --single-thread --timeout 900 -- bash -c "$script"; then
		echo "not ok - $flavor: guest failed (results in $res)"
		for row in "$@"; do read -r name _ <<<"$row"; echo "{\"label\": \"$name\", \"failed\": true}" >>"$summary"; done
		rc=1
		return
	fi
	local failed=0
	for row in "$@"; do
		read -r name wexit want flags scen knob <<<"$row"
		[ "$want" = - ] && want=
		local extra=()
		[ "$flavor" = seed ] && extra=(--seed-set-token)
		if [ ! -s "$res/$name.rc" ]; then
			echo "not ok - $name: check did not finish"; rc=1; failed=1
			echo "{\"label\": \"$name\", \"failed\": true}" >>"$summary"
			continue
		fi
		python3 tests/vm/lib/verdict.py "$res/$name.json" --label "$name: " --matrix "$summary" \
			--exit "$(cat "$res/$name.rc")" --want-exit "$wexit" --want "$want" --vars "$res/$name.out" "${extra[@]}" ||
			{ rc=1; failed=1; sed 's/^/#   /' "$res/$name.out" | tail -20; echo "# results kept in $res"; }
	done
	[ $failed -ne 0 ] || rm -rf "$res"
}

only=("$@")
want_row() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
if want_row fixed; then
	# name           exit want check-flags  scenario     knob
	boot fixed \
		"fixed           0    -    -         conformance  -" \
		"fixed-edges     0    8=2  -         edges        -" \
		"knob-inv8       1    8    --strict  conformance  unbind-unbound" \
		"knob-inv10      1    10   --strict  conformance  late-register" \
		"knob-inv7       1    7    -         conformance  reenter"
fi
# seed: set_token garbage (5) and any cmd accepted: the FREE notify (2, 11)
want_row seed && boot seed "seed 1 2=3,5,11=1 - conformance -"
# EXPECTED: NAME EXIT RULE=COUNT[,...] WHERE...
while read -r name wexit want _; do
	case $name in ''|'#'*) continue ;; esac
	want_row "$name" || continue
	[ -f "kernel/patches/mutants/$name.patch" ] || { echo "not ok - $name: in EXPECTED, no patch"; rc=1; continue; }
	boot "mutant-$name" "$name $wexit $want - conformance -"
done < <(grep -v '^#' "$expected")
for m in kernel/patches/mutants/*.patch; do
	n=$(basename "$m" .patch)
	grep -q "^$n " "$expected" || { echo "not ok - $n: patch without a line in EXPECTED"; rc=1; }
done

# The detection matrix: one row per run, one column per rule; a cell is
# want/got where either is not 0 (want * = any count), "!" marks a mismatch.
python3 - "$summary" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rules = range(1, 12)
print("# detection matrix (want/got violations; * = any count; ! = mismatch)")
print("# %-28s %4s " % ("run", "exit") + " ".join("%9s" % f"r{r}" for r in rules))
for r in rows:
    if r.get("failed"):
        print("# %-28s %4s  (no verdict)" % (r["label"], "-"))
        continue
    want = {int(k): v for k, v in r["want"].items()}
    got = {int(k): v for k, v in r["got"].items()}
    cells = []
    for k in rules:
        w, g = want.get(k), got.get(k, 0)
        if w is None and not g:
            cells.append("%9s" % ".")
            continue
        ok = (w is not None and (w < 0 and g > 0 or w == g))
        cells.append("%9s" % (("" if ok else "!") + f"{'*' if w is not None and w < 0 else (w or 0)}/{g}"))
    ex = f"{r['want_exit']}/{r['exit']}" + ("" if r["exit"] == r["want_exit"] else "!")
    print("# %-28s %4s " % (r["label"], ex) + " ".join(cells))
PY
rm -f "$summary"
exit $rc
