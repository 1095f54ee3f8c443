// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 2: every subscriber registered when a notification is sent gets
 * it exactly once; a subscriber returning NOTIFY_STOP or NOTIFY_BAD stops
 * the ones after it and nothing else.
 *
 * Checked per chain call at its EXIT (duplicates within the call, callbacks
 * after a stop, registered subscribers left out) and per publisher
 * operation (ioasid_notify / ioasid_free_locked) at its EXIT (a subscriber
 * called more than once across the chain calls of one operation, or an
 * operation that notified nobody).  "Registered" means: on the chain and
 * traced before the call began; a subscriber whose callback the tracer had
 * not attached yet is not expected (no false violation).
 */
#include "inv.h"

static const struct it_delivery *find_deliv(const struct it_chain_call *c, uint64_t nb, int before)
{
	int i;

	for (i = 0; i < before; i++)
		if (c->deliv[i].nb == nb)
			return &c->deliv[i];
	return NULL;
}

static void check_chain(struct it_check *ck, const struct it_event *e, const struct it_chain_call *c)
{
	struct it_model *m = it_check_model(ck);
	const struct it_delivery *stop = NULL, *d;
	int i;

	if (c->overflow)
		return;
	it_check_evaluated(ck, 2);
	for (i = 0; i < c->ndeliv; i++) {
		const struct it_delivery *cur = &c->deliv[i];
		struct it_sub *s = it_model_sub(m, cur->nb);

		if ((d = find_deliv(c, cur->nb, i)))
			it_check_violate(ck, 2, &cur->enter, &d->enter,
					 "%s called twice in one %s chain call for IOASID %u",
					 it_sub_name(&cur->enter), it_cmd_name(c->cmd) ?: "?", c->id);
		else if (stop)
			it_check_violate(ck, 2, &cur->enter, &stop->enter,
					 "%s called after %s returned %s",
					 it_sub_name(&cur->enter), it_sub_name(&stop->enter),
					 it_notify_ret_name(stop->ret) ?: "a stop value");
		else if (s && s->reg_known && !s->registered)
			it_check_violate(ck, 2, &cur->enter, &s->reg_ev,
					 "%s called after it was removed from the chain",
					 it_sub_name(&cur->enter));
		if (!stop && cur->returned && (cur->ret & IT_NOTIFY_STOP_MASK))
			stop = cur;
	}
	for (i = 0; i < c->nexpected; i++) {
		const struct it_sub *s = c->expected[i];

		if (find_deliv(c, s->nb, c->ndeliv))
			continue;
		/* A stop legitimately skips subscribers after it in chain
		 * order: those of lower priority (ties: can't tell). */
		if (stop && s->prio <= stop->prio)
			continue;
		it_check_violate(ck, 2, e, s->reg_known ? &s->reg_ev : NULL,
				 "%s (priority %d) was registered but not called for %s of IOASID %u",
				 s->sym ?: "?", s->prio, it_cmd_name(c->cmd) ?: "?", c->id);
	}
}

static void check_op(struct it_check *ck, const struct it_event *e, const struct it_op *op)
{
	int i;

	if (e->kind == IT_K_NOTIFY && e->ret < 0)
		return;		/* refused: invariant 4's business */
	it_check_evaluated(ck, 2);
	if (!op->nchains) {
		struct it_model *m = it_check_model(ck);

		for (i = 0; i < m->nsubs; i++) {
			const struct it_sub *s = &m->subs[i];

			if (s->registered && s->traced && s->traced_since_ns <= op->enter.ts_ns) {
				it_check_violate(ck, 2, e, &op->enter,
						 "%s() of IOASID %u notified no subscriber",
						 e->kind == IT_K_NOTIFY ? "ioasid_notify" : "ioasid_free",
						 op->enter.ioasid);
				break;
			}
		}
	}
	for (i = 0; i < op->nnb; i++)
		if (op->count[i] > 1)
			it_check_violate(ck, 2, e, &op->first[i],
					 "%s received %s of IOASID %u %d times in one %s()",
					 it_sub_name(&op->first[i]),
					 it_cmd_name(op->first[i].cmd) ?: "?", op->enter.ioasid,
					 op->count[i], e->kind == IT_K_NOTIFY ? "ioasid_notify" : "ioasid_free");
}

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_frame *f;

	if (e->phase != IT_PH_EXIT)
		return;
	if (e->kind != IT_K_CHAIN && e->kind != IT_K_NOTIFY && e->kind != IT_K_FREE_LOCKED)
		return;
	f = it_model_frame(it_check_model(ck), e);
	if (!f)
		return;
	if (f->chain)
		check_chain(ck, e, f->chain);
	else if (f->op)
		check_op(ck, e, f->op);
}

const struct it_invariant it_inv_delivery = {
	.id = 2,
	.key = "delivered-once",
	.title = "every registered subscriber gets each FREE/BIND/UNBIND exactly once; "
		 "NOTIFY_STOP/BAD stops only the ones after it",
	.severity = IT_SEV_ERROR,
	.source = "seed: \"a system wide blocking notifier chain can be used to inform "
		  "subscribers of state changes\"; blocking_notifier_call_chain() semantics",
	.on = { [IT_PH_EXIT] = IT_ON(IT_K_CHAIN) | IT_ON(IT_K_NOTIFY) | IT_ON(IT_K_FREE_LOCKED) },
	.event = event,
};
