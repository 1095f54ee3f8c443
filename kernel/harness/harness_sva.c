// SPDX-License-Identifier: GPL-2.0
/*
 * ioasid_harness: a PASID held by a process's mm, as SVA holds it.
 *
 * "sva_alloc" gives the writing process's mm a PASID through
 * iommu_sva_alloc_pasid(), the path a device bind takes (host SVA set),
 * without a device.  Nothing here frees it: the kernel does, in
 * mm_pasid_drop() from __mmdrop() when the mm's last reference goes.  For
 * an exiting process that last reference is usually its own lazy one,
 * dropped by finish_task_switch() with preemption disabled; since seed
 * patch 07 the allocator lock ioasid_free() takes there is a mutex.
 */
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "harness.h"

/* Exported, but declared only in drivers/iommu/iommu-sva-lib.h. */
int iommu_sva_alloc_pasid(struct mm_struct *mm, ioasid_t min, ioasid_t max);

int harness_sva_alloc(ioasid_t *pasid)
{
	struct mm_struct *mm = current->mm;
	int ret;

	if (!mm)
		return -EINVAL;
	ret = iommu_sva_alloc_pasid(mm, max(harness_id_min, 1u),
				    harness_id_max);
	if (!ret)
		*pasid = mm->pasid;
	return ret;
}
