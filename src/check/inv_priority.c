// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 3: the callbacks of one chain call run in priority order,
 * higher first, ties in registration order.
 *
 * Checked at the chain call's EXIT on each pair of consecutive callbacks.
 * A tie is only judged when both registrations were traced.
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	const struct it_chain_call *c;
	struct it_frame *f;
	int i;

	if (e->kind != IT_K_CHAIN || e->phase != IT_PH_EXIT)
		return;
	if (!(f = it_model_frame(m, e)) || !(c = f->chain) || c->ndeliv < 2)
		return;
	it_check_evaluated(ck, 3);
	for (i = 1; i < c->ndeliv; i++) {
		const struct it_delivery *a = &c->deliv[i - 1], *b = &c->deliv[i];
		const struct it_sub *sa = it_model_sub(m, a->nb), *sb = it_model_sub(m, b->nb);

		if (b->prio > a->prio)
			it_check_violate(ck, 3, &b->enter, &a->enter,
					 "%s (priority %d) ran after %s (priority %d)",
					 it_sub_name(&b->enter), b->prio, it_sub_name(&a->enter), a->prio);
		else if (b->prio == a->prio && sa && sb && sa->reg_known && sb->reg_known &&
			 sb->reg_seq < sa->reg_seq)
			it_check_violate(ck, 3, &b->enter, &sb->reg_ev,
					 "%s ran after %s although both have priority %d and it registered first",
					 it_sub_name(&b->enter), it_sub_name(&a->enter), b->prio);
	}
}

const struct it_invariant it_inv_priority = {
	.id = 3,
	.key = "priority-order",
	.title = "callbacks of one chain call run in priority order (higher first, ties in registration order)",
	.severity = IT_SEV_ERROR,
	.source = "notifier_chain_register(): entries are kept sorted by nb->priority; "
		  "v2 adds IOASID_PRIO_LAST/DEVICE/IOMMU/CPU on this basis",
	.on = { [IT_PH_EXIT] = IT_ON(IT_K_CHAIN) },
	.event = event,
};
