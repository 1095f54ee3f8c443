# Helpers for scenarios that run INSIDE the guest (sourced).
# H is the harness's debugfs directory; hctl runs one ctl command, echoes
# "cmd -> result" and fails the scenario unless the result starts with "ok".
H=/sys/kernel/debug/ioasid_harness

hload() {
	local ko=$1; shift
	insmod "$ko" "$@" || { echo "scenario: insmod $ko failed" >&2; exit 1; }
}

# The command and its result go through one open file: a read through a
# new open gets the last result of anyone's command (a background load's).
hctl() {
	local r fd
	exec {fd}<>"$H/ctl"
	echo "$*" >&"$fd"
	r=$(cat <&"$fd")
	exec {fd}>&-
	echo "ctl: $* -> $r" >&2
	case $r in ok*) printf '%s\n' "$r" ;; *) echo "scenario: '$*' failed: $r" >&2; exit 1 ;; esac
}

# Value of key K in a "ok k=v k=v" result line.
hval() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# In set SID: free an ID while the kvm subscriber sleeps 300 ms in its FREE
# callback, and allocate from another task meanwhile.  A conforming kernel
# makes the allocation wait for the free (invariant 9); the new ID is freed
# again before returning.
hrace_free_alloc() {
	local r x y
	r=$(hctl alloc "$1" 1); x=$(hval ids "$r")
	echo sleep >"$H/sub/kvm/delay_mode"
	echo 300000 >"$H/sub/kvm/delay_us"
	(echo "free $x" >"$H/ctl") &
	sleep 0.1
	r=$(hctl alloc "$1" 1); y=$(hval ids "$r")
	wait
	echo 0 >"$H/sub/kvm/delay_us"
	hctl free "$y" >/dev/null
}

# Wait until the tracer has hooked FUNC (a subscriber it should follow just
# registered): its fentry trampoline or its kprobe on ftrace shows in
# enabled_functions.  A fixed sleep is a guess that a busy host can lose.
# Without that file (no tracefs), one second as before.
htraced() {
	local f=/sys/kernel/tracing/enabled_functions i
	[ -r "$f" ] || f=/sys/kernel/debug/tracing/enabled_functions
	if [ ! -r "$f" ]; then
		sleep 1
		return
	fi
	for i in $(seq 300); do
		if grep -q "^$1[ 	]" "$f"; then
			sleep 0.2	# the entry is hooked right after the exit (src/attach.c)
			return
		fi
		sleep 0.1
	done
	echo "scenario: $1 was never hooked by the tracer" >&2
	exit 1
}
