# Helpers for tests/vm/*.sh (sourced).  Each test runs on the host, boots a
# guest with scripts/vm-run.sh and runs itself inside it with --guest.
# Output: "ok N - what" / "not ok N - what" lines, then "NAME: P passed, F failed".

vt_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vt_n=0 vt_pass=0 vt_fail=0

vt_ok() { vt_n=$((vt_n + 1)); vt_pass=$((vt_pass + 1)); echo "ok $vt_n - $*"; }
vt_notok() { vt_n=$((vt_n + 1)); vt_fail=$((vt_fail + 1)); echo "not ok $vt_n - $*"; }
# vt_check "what" CMD...: ok if CMD succeeds
vt_check() {
	local what=$1; shift
	if "$@"; then vt_ok "$what"; else vt_notok "$what"; fi
}
vt_done() {
	echo "$1: $vt_pass passed, $vt_fail failed"
	[ "$vt_fail" = 0 ]
}
# Adopt the TAP lines a guest run wrote to LOG: renumber them after ours
# (python helpers print "ok TAPN -"), show every other line as a comment,
# drop the guest's own summary line NAME: N passed, and count the results.
# A guest that exited non-zero (RC) without a failed line still fails.
vt_adopt_guest_log() {	# LOG NAME RC WHAT
	awk -v name="$2" '
		/^(not )?ok [0-9]+ - / { n++; sub(/ok [0-9]+ -/, "ok " n " -"); print; next }
		/^(not )?ok TAPN - / { n++; sub(/ok TAPN -/, "ok " n " -"); print; next }
		$0 ~ "^" name ": [0-9]+ passed" { next }
		{ print "# " $0 }' "$1" >"$1.tap"
	cat "$1.tap"
	vt_n=$(grep -Ec '^(not )?ok [0-9]+ - ' "$1.tap")
	vt_fail=$(grep -Ec '^not ok [0-9]+ - ' "$1.tap")
	vt_pass=$((vt_n - vt_fail))
	[ "$3" = 0 ] || [ "$vt_fail" != 0 ] || vt_notok "$4 exited $3"
	rm -f "$1" "$1.tap"
}

# A prerequisite is missing: in make check that is a failure naming it.
# To stderr, so that it is seen (and counted) from inside $(...) too.
vt_skip_all() { echo "not ok 1 - cannot run: $*" >&2; exit 1; }

# The kernel directory of a flavor, or a failure naming why there is none.
vt_kernel() {
	local flavor=$1 kdir
	[ -x "$vt_top/scripts/vm-run.sh" ] || vt_skip_all "no scripts/vm-run.sh"
	kdir=$("$vt_top/scripts/kernel-build.sh" "$flavor" 2>/dev/null) || vt_skip_all "no $flavor kernel"
	echo "$kdir"
}
vt_harness() {
	[ -x "$vt_top/scripts/harness-build.sh" ] || return 1
	"$vt_top/scripts/harness-build.sh" "$1" 2>/dev/null
}
# vt_guest_run NAME FLAVOR TIMEOUT SCRIPT [VAR=VALUE...]: boot FLAVOR with the
# harness built for it, run `SCRIPT --guest KO` there with IOASID_TRACE=$BIN
# and the given variables in its environment, and adopt its TAP lines.
vt_guest_run() {
	local name=$1 flavor=$2 timeout=$3 script=$4 kdir ko log rc
	shift 4
	[ -x "$BIN" ] || vt_skip_all "no $BIN (make tool)"
	kdir=$(vt_kernel "$flavor") || exit 1
	ko=$(vt_harness "$kdir") || vt_skip_all "no harness module (scripts/harness-build.sh)"
	log=$(mktemp)
	"$vt_top/scripts/vm-run.sh" --kernel "$kdir" --timeout "$timeout" -- \
		env IOASID_TRACE="$BIN" "$@" bash "$script" --guest "$ko" >"$log" 2>&1
	rc=$?
	vt_adopt_guest_log "$log" "$name" "$rc" "$flavor guest"
}
