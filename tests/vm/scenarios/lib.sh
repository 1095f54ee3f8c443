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

# Close SUB's gate: its next callback waits there (at most 10 s) until
# hgate_open.  hgate_reached SUB: one callback of SUB waits at the gate.
hgate_close() {
	echo close >"$H/sub/$1/gate"
	echo 10000000 >"$H/sub/$1/delay_us"
	echo gate >"$H/sub/$1/delay_mode"
}
hgate_reached() {
	local i
	for i in $(seq 300); do
		grep -q 'waiting=1' "$H/sub/$1/gate" && return
		sleep 0.1
	done
	echo "scenario: no callback of $1 reached its gate" >&2
	exit 1
}
hgate_open() {
	echo open >"$H/sub/$1/gate"
}
hgate_off() {
	echo 0 >"$H/sub/$1/delay_us"
	echo busy >"$H/sub/$1/delay_mode"
}

# The task PID is blocked in the kernel (state D: waiting for a lock a
# callback's chain holds) or has finished: the race it runs has happened.
hblocked_or_done() {
	local i st
	for i in $(seq 300); do
		st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$st" = D ] && return
		sleep 0.1
	done
	echo "scenario: task $1 neither blocked nor finished" >&2
	exit 1
}

# In set SID: free an ID while the kvm subscriber holds its FREE callback
# at a closed gate, and allocate from another task meanwhile.  A
# conforming kernel makes the allocation wait until the free is over
# (invariant 9), so the freed ID cannot be handed out during its FREE
# chain; the gate opens once the allocation is blocked or done, whatever
# the host's speed.  The new ID is freed again before returning.
hrace_free_alloc() {
	local r x y freer allocer
	r=$(hctl alloc "$1" 1); x=$(hval ids "$r")
	hgate_close kvm
	(echo "free $x" >"$H/ctl") &
	freer=$!
	hgate_reached kvm
	(hctl alloc "$1" 1 >/tmp/hrace-alloc.out) &
	allocer=$!
	hblocked_or_done "$allocer"
	hgate_open kvm
	wait "$freer"
	wait "$allocer" || { echo "scenario: the racing alloc failed" >&2; exit 1; }
	hgate_off kvm
	y=$(hval ids "$(cat /tmp/hrace-alloc.out)")
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
