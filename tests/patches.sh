#!/usr/bin/env bash
# The kernel patches say who wrote them (kernel/README.md, "Credits"):
# every seed patch keeps its original author, its sign-offs, a Link: to
# the original and an "Unlike v1:" paragraph, with the porter's sign-off
# last; every fixed and mutant patch carries our identity and a Fixes:
# tag naming a seed patch by its exact subject; and checkpatch (from the
# pristine 6.1 tree, when it is unpacked) finds no error in any of them.
#
#   tests/patches.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=0
fails=0
ours='ioasid-trace developers <dev@ioasid-trace.invalid>'

check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		fails=$((fails + 1))
	fi
}

# The mail header and message of a patch: everything before its diffstat.
header() { awk '/^---$/ { exit } { print }' "$1"; }
# Its subject, unfolded (a long Subject: continues on lines that begin with a space).
subject() {
	header "$1" | awk '/^Subject: / { s = $0; on = 1; next }
		on && /^ / { s = s $0; next } { on = 0 } END { print s }' |
		sed 's/^Subject: \[PATCH[^]]*\] //'
}

seed_ok() {
	local h
	h=$(header "$1")
	grep -q '^From: Jacob Pan <jacob.jun.pan@linux.intel.com>$' <<<"$h" &&
		grep -q '^Signed-off-by: Jacob Pan <jacob.jun.pan@linux.intel.com>$' <<<"$h" &&
		grep -q '^Link: https://lore.kernel.org/r/1585158931-1825-[0-9]*-git-send-email-jacob.jun.pan@linux.intel.com$' <<<"$h" &&
		grep -q '^Unlike v1:' <<<"$h" &&
		[ "$(grep '^Signed-off-by:' <<<"$h" | tail -1)" = "Signed-off-by: $ours" ]
}

subjects=$(for p in kernel/patches/seed/*.patch; do subject "$p"; done)
for p in kernel/patches/seed/*.patch; do
	check "$(basename "$p"): original author, sign-offs, Link, 'Unlike v1:', porter last" seed_ok "$p"
done

ours_ok() {
	local h fixes
	h=$(header "$1")
	fixes=$(sed -n 's/^Fixes: [0-9a-f]\{12\} ("\(.*\)")$/\1/p' <<<"$h")
	grep -q "^From: $ours$" <<<"$h" &&
		grep -q "^Signed-off-by: $ours$" <<<"$h" &&
		[ -n "$fixes" ] && grep -qxF "$fixes" <<<"$subjects"
}

for p in kernel/patches/fixed/*.patch kernel/patches/mutants/*.patch; do
	check "$(basename "$p"): our identity, Fixes: names a seed patch" ours_ok "$p"
done

tree=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/ioasid-trace/src/linux-source-6.1-* 2>/dev/null | head -1)
if [ -n "$tree" ] && [ -f "$tree/scripts/checkpatch.pl" ]; then
	for p in kernel/patches/*/*.patch; do
		# on stdin: a tracked file path makes checkpatch read it as source
		out=$(perl "$tree/scripts/checkpatch.pl" --no-tree --ignore UNKNOWN_COMMIT_ID - <"$p" 2>&1)
		errs=$(sed -n 's/^total: \([0-9]*\) errors.*/\1/p' <<<"$out")
		check "checkpatch $(basename "$p"): no error (${errs:-no total})" [ "${errs:-x}" = 0 ]
	done
else
	# make check builds the kernels first, which unpacks the tree
	check "checkpatch: the pristine 6.1 tree is unpacked (scripts/kernel-build.sh)" false
fi
echo "patches: $((n - fails)) passed, $fails failed"
[ $fails = 0 ]
