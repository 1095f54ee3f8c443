// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 9: the allocator never hands out an IOASID that is still
 * allocated, nor one whose FREE chain is running.  Judged where the
 * allocator handed the ID out (its alloc's EXIT; ioasid_alloc()'s EXIT
 * when the allocator's alloc is not traced), against the ID's life:
 *
 *   life \ event    alloc returns the ID
 *   UNKNOWN         ok (a new life begins)
 *   LIVE            VIOLATION
 *   NOTIFYING       VIOLATION (handed out during its FREE chain)
 *   NOTIFIED        VIOLATION
 *   TAKING          -  (the allocator's free of it is running: maybe free)
 *   FREED           ok
 */
#include "inv.h"

static const enum it_judgement on_alloc[IT_L__N] = {
	[IT_L_UNKNOWN] = IT_J_OK,
	[IT_L_LIVE] = IT_J_BAD,
	[IT_L_NOTIFYING] = IT_J_BAD,
	[IT_L_NOTIFIED] = IT_J_BAD,
	[IT_L_TAKING] = IT_J_NONE,
	[IT_L_FREED] = IT_J_OK,
};

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_id *id;

	struct it_model *m = it_check_model(ck);
	struct it_frame *f;

	if (e->phase != IT_PH_EXIT || (e->kind != IT_K_ALLOC && e->kind != IT_K_ALLOCATOR_ALLOC))
		return;
	if (e->ret < 0 || (uint64_t)e->ret == IT_NO_ID)
		return;
	/* judged where the allocator handed it out, when that was seen */
	if (e->kind == IT_K_ALLOC && (f = it_model_frame(m, e)) && f->allocator_alloc_seen)
		return;
	if (!(id = it_model_id(m, (uint32_t)e->ret)))
		return;
	if (on_alloc[id->life] == IT_J_NONE || id->free_pending)
		return;
	it_check_evaluated(ck, 9);
	if (on_alloc[id->life] == IT_J_OK)
		return;
	if (id->life == IT_L_NOTIFYING)
		it_check_violate(ck, 9, e, &id->free_chain_ev,
				 "IOASID %u handed out again while its FREE chain is running",
				 (uint32_t)e->ret);
	else
		it_check_violate(ck, 9, e, &id->alloc_ev,
				 "IOASID %u handed out again while it is still allocated",
				 (uint32_t)e->ret);
}

const struct it_invariant it_inv_reuse = {
	.id = 9,
	.key = "no-live-reuse",
	.title = "the allocator never hands out an ID that is still allocated "
		 "(nor one whose FREE chain is running)",
	.severity = IT_SEV_ERROR,
	.source = "series notes: \"FREE is synchronous and the ID can be reallocated as soon as "
		  "ops->free() returns\" (not before)",
	.on = { [IT_PH_EXIT] = IT_ON(IT_K_ALLOC) | IT_ON(IT_K_ALLOCATOR_ALLOC) },
	.event = event,
	.by_life = on_alloc,
};
