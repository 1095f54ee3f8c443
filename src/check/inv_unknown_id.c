// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 4: no notification for an IOASID that is not allocated;
 * ioasid_notify() on an unknown ID returns -EINVAL and reaches no
 * subscriber.
 *
 *   chain call ENTER for an ID whose free we traced   -> violation
 *   ioasid_notify() EXIT returning -EINVAL after it ran a chain call
 *                                                      -> violation
 *   ioasid_notify() EXIT on an ID whose free we traced, not -EINVAL
 *                                                      -> violation
 * IDs never seen allocated or freed are unknown and never judged.
 */
#include "inv.h"

#define IT_EINVAL 22

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f;
	struct it_id *id;

	if (e->kind == IT_K_CHAIN && e->phase == IT_PH_ENTER) {
		if (!(f = it_model_frame(m, e)) || !f->chain || f->chain->id == IT_NO_ID)
			return;
		id = it_model_id(m, f->chain->id);
		it_check_evaluated(ck, 4);
		if (id && id->life == IT_ID_FREED)
			it_check_violate(ck, 4, e, &id->freed_ev,
					 "%s notified for IOASID %u, which was freed",
					 it_cmd_name(e->cmd) ?: "?", f->chain->id);
		return;
	}
	if (e->kind != IT_K_NOTIFY || e->phase != IT_PH_EXIT)
		return;
	if (!(f = it_model_frame(m, e)) || !f->op)
		return;
	it_check_evaluated(ck, 4);
	id = it_model_id(m, e->ioasid);
	if (e->ret == -IT_EINVAL && f->op->nchains)
		it_check_violate(ck, 4, e, &f->ev,
				 "ioasid_notify(%u, %s) returned -EINVAL but ran the chain",
				 e->ioasid, it_cmd_name(e->cmd) ?: "?");
	else if (e->ret != -IT_EINVAL && id && id->life == IT_ID_FREED)
		it_check_violate(ck, 4, e, &id->freed_ev,
				 "ioasid_notify(%u) on a freed IOASID returned %lld, not -EINVAL",
				 e->ioasid, (long long)e->ret);
}

const struct it_invariant it_inv_unknown_id = {
	.id = 4,
	.key = "known-id-only",
	.title = "no notification for an unallocated ID; ioasid_notify() on one returns -EINVAL "
		 "and reaches no subscriber",
	.severity = IT_SEV_ERROR,
	.source = "seed: ioasid_notify(): \"if (!ioasid_data) { ... return -EINVAL; }\" "
		  "before blocking_notifier_call_chain()",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_CHAIN), [IT_PH_EXIT] = IT_ON(IT_K_NOTIFY) },
	.event = event,
};
