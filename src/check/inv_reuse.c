// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 9: an ID is not handed out again while its FREE chain is still
 * running.  Judged at every ioasid_alloc() EXIT that returned an ID: the
 * model marks an ID from its FREE chain call's ENTER to its EXIT.
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_id *id;

	if (e->kind != IT_K_ALLOC || e->phase != IT_PH_EXIT)
		return;
	if (e->ret < 0 || (uint64_t)e->ret == IT_NO_ID)
		return;
	if (!(id = it_model_id(it_check_model(ck), (uint32_t)e->ret)))
		return;
	it_check_evaluated(ck, 9);
	if (id->free_chain_running)
		it_check_violate(ck, 9, e, &id->free_chain_ev,
				 "IOASID %u handed out again while its FREE chain is running",
				 (uint32_t)e->ret);
}

const struct it_invariant it_inv_reuse = {
	.id = 9,
	.key = "no-reuse-during-free",
	.title = "an ID is not handed out again while its FREE chain is still running",
	.severity = IT_SEV_ERROR,
	.source = "series notes: \"FREE is synchronous and the ID can be reallocated as soon as "
		  "ops->free() returns\" (not before)",
	.on = { [IT_PH_EXIT] = IT_ON(IT_K_ALLOC) },
	.event = event,
};
