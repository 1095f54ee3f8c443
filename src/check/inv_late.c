// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 10 (warning): a subscriber that receives an event for an ID
 * allocated before it registered is reported as registered late: it missed
 * that ID's history.  Reported once per subscriber and ID lifetime.  Needs
 * both the registration and the allocation in the trace.
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	const struct it_chain_call *c;
	struct it_sub *s;
	struct it_id *id;
	uint64_t bit;

	if (e->kind != IT_K_CALLBACK || e->phase != IT_PH_ENTER)
		return;
	if (!(c = it_callback_chain(m, e)) || c->id == IT_NO_ID)
		return;
	if (!(s = it_model_sub(m, e->nb)) || !s->reg_known)
		return;
	if (!(id = it_model_id(m, c->id)) || !id->alloc_known)
		return;
	it_check_evaluated(ck, 10);
	bit = 1ULL << (s - m->subs);
	if (s->reg_seq > id->alloc_ev.seq && !(id->late_reported & bit)) {
		id->late_reported |= bit;
		it_check_violate(ck, 10, e, &s->reg_ev,
				 "%s registered after IOASID %u was allocated and missed its history",
				 it_sub_name(e), c->id);
	}
}

const struct it_invariant it_inv_late = {
	.id = 10,
	.key = "registered-early",
	.title = "subscribers register before the IDs they hear about are allocated",
	.severity = IT_SEV_WARNING,
	.source = "seed: \"Each consumer of the IOASID service must register notifier block early "
		  "to ensure no events are missed.\"",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_CALLBACK) },
	.event = event,
};
