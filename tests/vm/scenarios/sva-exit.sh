#!/usr/bin/env bash
# Guest side: a process whose mm holds a PASID exits.  The harness gives
# the mm its PASID the way SVA does (ctl `sva_alloc`: iommu_sva_alloc_pasid);
# nobody frees it but the kernel, in mm_pasid_drop() when the mm goes.  That
# is usually finish_task_switch() after the exit, with preemption disabled.
# Waits until the kvm subscriber saw the FREE; ends "scenario sva-exit: done".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Its own process: the PASID belongs to this bash's mm, freed at its exit.
r=$(bash -c "exec 3<>$H/ctl; echo sva_alloc >&3; head -n1 <&3")
case $r in ok*) ;; *) echo "scenario: sva_alloc failed: $r" >&2; exit 1 ;; esac
pasid=$(hval pasid "$r")
echo "scenario: pasid=$pasid"
for _ in $(seq 300); do
	grep -q "cmd=FREE id=$pasid " "$H/sub/kvm/events" && break
	sleep 0.1
done
grep -q "cmd=FREE id=$pasid " "$H/sub/kvm/events" ||
	{ echo "scenario: the exit freed no PASID $pasid" >&2; exit 1; }
echo "scenario sva-exit: done"
