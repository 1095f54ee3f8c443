#!/usr/bin/env bash
# Guest side: the edges of the API a conforming kernel must get right,
# under `ioasid-trace check` on `fixed` (tests/vm/matrix.sh, row
# fixed-edges), with load threads on every vCPU throughout:
#   - a subscriber registers while traced with the same priority as
#     another (a tie: either order is right);
#   - NOTIFY_STOP and NOTIFY_BAD from the first subscriber on BIND, UNBIND
#     and FREE: the later ones are cut, and a FREE is final all the same;
#   - ioasid_attach_data() twice on one ID: callbacks see the last data;
#   - ioasid_free_set() of a set holding two bound and two unbound IDs.
# The only reports a conforming kernel gets are invariant 8's warnings for
# the two bound IDs the set teardown frees (the publisher's doing): 8=2.
# Ends with "scenario edges: done".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Load on every vCPU in its own set until the scenario ends.
r=$(hctl set_alloc 4096); lsid=$(hval sid "$r")
rm -f /tmp/edges.stop
(
	exec 3<>"$H/ctl"
	while [ ! -e /tmp/edges.stop ]; do
		echo "load $(nproc) 20 $lsid" >&3
		r=$(cat <&3)
		case $r in ok*) ;; *) echo "edges: load failed: $r" >&2; exit 1 ;; esac
	done
) &
loader=$!
stop_load() {
	touch /tmp/edges.stop
	wait "$loader"
}
trap stop_load EXIT

# vdcm at iommu's priority (10), registered while traced.
echo 10 >"$H/sub/vdcm/priority"
echo 1 >"$H/sub/vdcm/registered"
htraced harness_vdcm_notify

r=$(hctl set_alloc 64); sid=$(hval sid "$r")

# STOP and BAD on every cmd, from iommu (first, priority 10; vdcm ties).
for ret in stop bad; do
	r=$(hctl alloc "$sid" 1); id=$(hval ids "$r")
	echo "$ret" >"$H/sub/iommu/ret"
	hctl bind "$id" >/dev/null
	hctl unbind "$id" >/dev/null
	hctl free "$id" >/dev/null
	echo ok >"$H/sub/iommu/ret"
done

# Data attached twice: the BIND after it carries the second.
r=$(hctl alloc "$sid" 1); id=$(hval ids "$r")
hctl attach "$id" >/dev/null
hctl attach "$id" >/dev/null
hctl bind "$id" >/dev/null
hctl unbind "$id" >/dev/null
hctl free "$id" >/dev/null

# A set torn down holding two bound and two unbound IDs.
r=$(hctl alloc "$sid" 4); ids=$(hval ids "$r" | tr , ' ')
n=0
for id in $ids; do
	[ $n -lt 2 ] && hctl bind "$id" >/dev/null
	n=$((n + 1))
done
hctl free_set "$sid" destroy >/dev/null

stop_load
trap - EXIT
echo 0 >"$H/sub/vdcm/registered"
echo 5 >"$H/sub/vdcm/priority"
echo "scenario edges: done"
