// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 1: the allocator takes an IOASID back only after a completed
 * FREE chain about it in this life, whatever path frees it (ioasid_free,
 * ioasid_free_set, a teardown that calls ops->free itself).
 *
 * Judged at the allocator free's ENTER (default_free or a followed custom
 * free) against the ID's life (model.h):
 *
 *   life \ event    allocator free ENTER
 *   UNKNOWN         -          (allocated before tracing: not judged)
 *   LIVE            VIOLATION  (no FREE chain in this life)
 *   NOTIFYING       VIOLATION  (its FREE chain is still running)
 *   NOTIFIED        ok
 *   TAKING          -          (another free of it is running)
 *   FREED           -
 */
#include "inv.h"

static const enum it_judgement on_allocator_free[IT_L__N] = {
	[IT_L_UNKNOWN] = IT_J_NONE,
	[IT_L_LIVE] = IT_J_BAD,
	[IT_L_NOTIFYING] = IT_J_BAD,
	[IT_L_NOTIFIED] = IT_J_OK,
	[IT_L_TAKING] = IT_J_NONE,
	[IT_L_FREED] = IT_J_NONE,
};

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_id *id;
	enum it_judgement j;

	if (e->kind != IT_K_ALLOCATOR_FREE || e->phase != IT_PH_ENTER || !(e->flags & IT_F_HAS_ID))
		return;
	if (!(id = it_model_id(it_check_model(ck), e->ioasid)))
		return;
	if ((j = on_allocator_free[id->life]) == IT_J_NONE)
		return;
	it_check_evaluated(ck, 1);
	if (j == IT_J_OK)
		return;
	if (id->life == IT_L_NOTIFYING)
		it_check_violate(ck, 1, e, &id->free_chain_ev,
				 "allocator freed IOASID %u while its FREE chain was running",
				 e->ioasid);
	else
		it_check_violate(ck, 1, e, &id->alloc_ev,
				 "allocator freed IOASID %u with no FREE notification in this life",
				 e->ioasid);
}

const struct it_invariant it_inv_free_order = {
	.id = 1,
	.key = "free-before-allocator",
	.title = "the allocator takes an ID back only after a completed FREE chain about it "
		 "in this life",
	.severity = IT_SEV_ERROR,
	.source = "seed: \"Notify all users that this IOASID is being freed\" "
		  "precedes active_allocator->ops->free() in ioasid_free_locked()",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_ALLOCATOR_FREE) },
	.event = event,
	.by_life = on_allocator_free,
};
