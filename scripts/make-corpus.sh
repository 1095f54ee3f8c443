#!/usr/bin/env bash
# Regenerate tests/data/*.itr: the corpus of recorded traces the unit tests
# replay through the checker (tests/unit/test_record.c), one per kernel
# flavor: seed, fixed and every mutant.  Each boots the flavor, loads the
# harness and records tests/vm/scenarios/corpus.sh with
# `ioasid-trace check --record`, so the live verdict is kept next to it
# (FLAVOR.verdict.json) for comparison.
#
#   scripts/make-corpus.sh [FLAVOR...]     (default: all of them)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tool=$top/build/ioasid-trace
[ -x "$tool" ] || make -s tool
out=tests/data

flavors=("$@")
if [ ${#flavors[@]} -eq 0 ]; then
	flavors=(fixed seed)
	for m in kernel/patches/mutants/*.patch; do
		flavors+=("mutant-$(basename "$m" .patch)")
	done
fi
rc=0
for flavor in "${flavors[@]}"; do
	kdir=$(scripts/kernel-build.sh "$flavor")
	ko=$(scripts/harness-build.sh "$kdir")
	res=$(mktemp -d)
	name=${flavor#mutant-}
	echo "# $flavor: recording"
	if scripts/vm-run.sh --kernel "$kdir" --results "$res" --single-thread --timeout 300 -- \
		bash -c "insmod $ko || exit 90; cd $top; $tool check -j -o /results/verdict.json \
			--record /results/trace.itr -- bash tests/vm/scenarios/corpus.sh \
			>/results/check.out 2>&1; echo \$? >/results/check.rc" >/dev/null &&
		[ -s "$res/trace.itr" ]; then
		cp "$res/trace.itr" "$out/$name.itr"
		cp "$res/verdict.json" "$out/$name.verdict.json"
		echo "# $flavor: $out/$name.itr ($(stat -c %s "$out/$name.itr") bytes, live check exit $(cat "$res/check.rc"))"
		rm -rf "$res"
	else
		echo "# $flavor: FAILED (results in $res)" >&2
		rc=1
	fi
done
exit $rc
