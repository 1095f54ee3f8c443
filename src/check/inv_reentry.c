// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 7: no callback re-enters an IOASID API that takes
 * ioasid_allocator_lock.  The chain runs under that mutex (invariant 6), so
 * such a call self-deadlocks (seed) or corrupts state.  Judged at the API's
 * ENTER: a callback that a chain call made, below it on the same task, is
 * the culprit (a subscriber calling its own notifier function outside any
 * chain holds no lock: no deadlock).
 */
#include "inv.h"

static bool takes_lock(enum it_kind k)
{
	switch (k) {
	case IT_K_ALLOC: case IT_K_FREE: case IT_K_NOTIFY: case IT_K_ATTACH_DATA:
	case IT_K_ALLOC_SET: case IT_K_FREE_SET:
		return true;
	default:
		return false;
	}
}

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_task *t;
	struct it_frame *cb;

	if (e->phase != IT_PH_ENTER || !takes_lock(e->kind))
		return;
	if (!(t = it_model_task(it_check_model(ck), e->tid)))
		return;
	it_check_evaluated(ck, 7);
	if ((cb = it_model_in_callback(t)))
		it_check_violate(ck, 7, e, &cb->ev,
				 "callback %s re-entered ioasid_%s() (takes ioasid_allocator_lock, "
				 "held by the chain): self-deadlock",
				 it_sub_name(&cb->ev), it_kind_name(e->kind));
}

const struct it_invariant it_inv_reentry = {
	.id = 7,
	.key = "no-reentry",
	.title = "no callback re-enters an IOASID API that takes ioasid_allocator_lock",
	.severity = IT_SEV_ERROR,
	.source = "series notes: the chain runs under ioasid_allocator_lock; a subscriber "
		  "calling ioasid_free/ioasid_notify/ioasid_attach_data deadlocks",
	.on = {
		[IT_PH_ENTER] = IT_ON(IT_K_ALLOC) | IT_ON(IT_K_FREE) | IT_ON(IT_K_NOTIFY) |
				IT_ON(IT_K_ATTACH_DATA) | IT_ON(IT_K_ALLOC_SET) | IT_ON(IT_K_FREE_SET),
	},
	.event = event,
};
