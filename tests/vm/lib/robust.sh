# shellcheck shell=bash
# Helpers for tests/vm/robust-*.sh (sourced on the host, after lib.sh).
#
# rb_report NAME RC < guest-output: the guest prints "ok N - ..." from
# vt_check and "ok TAPN - ..." from embedded python; number them all in
# order, replace the guest's own summary line with one that counts every
# line, and return non-zero when anything failed, nothing passed, or the
# guest run itself failed (RC, vm-run.sh's status).
rb_report() {
	local name=$1 rc=$2 line n=0 pass=0 fail=0
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ ok|ok)\ ([0-9]+|TAPN)\ -\ (.*)$ ]]; then
			n=$((n + 1))
			if [ "${BASH_REMATCH[1]}" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
			echo "${BASH_REMATCH[1]} $n - ${BASH_REMATCH[3]}"
		elif [[ $line =~ ^$name:\ [0-9]+\ passed ]]; then
			:
		else
			echo "$line"
		fi
	done
	if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		n=$((n + 1)) fail=$((fail + 1))
		echo "not ok $n - the guest run failed (vm-run.sh exit $rc)"
	fi
	echo "$name: $pass passed, $fail failed"
	[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}

# rb_wait_for FILE PATTERN [SECONDS]: until a line of FILE matches (ERE).
rb_wait_for() {
	local i
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# BPF programs of the kinds the tool loads (tracing = fentry/fexit, kprobe)
# and BPF links, as bpftool lists them.
rb_bpf_left() {
	echo "$(bpftool prog list 2>/dev/null | grep -cE '^[0-9]+: (tracing|kprobe|raw_tracepoint)') $(bpftool link list 2>/dev/null | grep -cE '^[0-9]+:')"
}
