#!/usr/bin/env bash
# Guest side: several tasks drive every path of the API at once, each a
# bounded number of rounds (tests/vm/stress.sh runs this under check).
#   stress.sh ROUNDS
# On a conforming kernel `check` must find nothing: each racing pair here
# (a removal during a chain call, a free during an allocation, a teardown
# during load, attach_data during a notify) is one the model must see as
# "maybe", never as a violation.  Ends with "stress: done" and the counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rounds=${1:-20}

# One ctl command through this task's own open file (concurrent writers).
cmd() {
	local r
	echo "$*" >&3
	r=$(head -n1 <&3)
	case $r in ok*) printf '%s\n' "$r" ;; *) echo "stress: '$*' failed: $r" >&2; return 1 ;; esac
}

publisher() {	# alloc, attach twice, bind, unbind, notify an unknown ID, free
	local i r id sid=$1
	exec 3<>"$H/ctl"
	for i in $(seq "$rounds"); do
		r=$(cmd alloc "$sid" 2) || return 1
		for id in $(hval ids "$r" | tr , ' '); do
			cmd attach "$id" >/dev/null && cmd attach "$id" >/dev/null || return 1
			cmd bind "$id" >/dev/null && cmd unbind "$id" >/dev/null || return 1
			cmd free "$id" >/dev/null || return 1
		done
		echo "notify 999999 BIND" >&3; head -n1 <&3 >/dev/null
		echo "free 999999" >&3; head -n1 <&3 >/dev/null
	done
}

teardown() {	# sets holding bound and unbound IDs, destroyed whole
	local i r sid ids
	exec 3<>"$H/ctl"
	for i in $(seq "$rounds"); do
		r=$(cmd set_alloc 8) || return 1
		sid=$(hval sid "$r")
		r=$(cmd alloc "$sid" 3) || return 1
		ids=$(hval ids "$r")
		cmd bind "${ids%%,*}" >/dev/null || return 1
		cmd free_set "$sid" destroy >/dev/null || return 1
	done
}

subscriber() {	# vdcm comes and goes; kvm answers ok, stop or bad
	local i mode
	for i in $(seq "$rounds"); do
		echo 1 >"$H/sub/vdcm/registered"
		for mode in stop bad ok; do
			echo $mode >"$H/sub/kvm/ret"
		done
		echo 0 >"$H/sub/vdcm/registered"
	done
	echo ok >"$H/sub/kvm/ret"
}

loader() {	# kernel threads on every CPU: alloc -> bind -> unbind -> free
	local sid=$1
	exec 3<>"$H/ctl"
	cmd load "$(nproc)" "$((rounds * 5))" "$sid" >/dev/null
}

r=$(hctl set_alloc 1024); sid=$(hval sid "$r")
echo 50 >"$H/sub/iommu/delay_us"	# chains long enough to race with
pids=()
publisher "$sid" & pids+=($!)
teardown & pids+=($!)
subscriber & pids+=($!)
loader "$sid" & pids+=($!)
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
echo 0 >"$H/sub/iommu/delay_us"
hctl free_set "$sid" destroy >/dev/null
[ $fail = 0 ] || { echo "stress: a task failed" >&2; exit 1; }
echo "stress: done $(cat "$H/stats")"
