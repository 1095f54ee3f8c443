// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 2: every subscriber registered when a notification is sent gets
 * it exactly once; a subscriber returning NOTIFY_STOP or NOTIFY_BAD stops
 * the ones after it and nothing else; FREE reaches each subscriber at most
 * once in an IOASID's life, whichever path sends it.
 *
 * Each delivery is judged at the callback's ENTER (on the task, so the
 * earlier callbacks of the same call have returned):
 *
 *   state of the subscriber \ event        callback ENTER
 *   already called in this chain call      VIOLATION (twice in one call)
 *   an earlier callback returned STOP/BAD  VIOLATION (called after a stop)
 *   its remove returned, no add since      VIOLATION (called after removal)
 *   got FREE of this ID in this life       VIOLATION (FREE twice in a life)
 *   otherwise                              ok
 *
 * ("its remove returned": blocking_notifier_chain_unregister() waits for
 * the chain's readers, so no callback of a running call can follow it.)
 * At the chain call's EXIT, each subscriber that was surely registered and
 * traced at its ENTER and is still traced must have been called, unless a
 * stop cut it (lower priority than the stopper; ties can't tell).  An
 * ioasid_notify() that succeeded without running the chain while
 * subscribers were registered notified nobody; one that sent BIND or
 * UNBIND to a subscriber twice delivered twice.
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

/* The first delivery before `before` that returned a stop value. */
static const struct it_delivery *find_stop(const struct it_chain_call *c, int before)
{
	int i;

	for (i = 0; i < before; i++)
		if (c->deliv[i].returned && (c->deliv[i].ret & IT_NOTIFY_STOP_MASK))
			return &c->deliv[i];
	return NULL;
}

static void free_twice(struct it_check *ck, const struct it_event *e,
		       const struct it_chain_call *c, const struct it_sub *s)
{
	struct it_model *m = it_check_model(ck);
	struct it_id *id;

	if (c->cmd != IT_CMD_FREE || c->id == IT_NO_ID || !(id = it_model_id(m, c->id)) ||
	    id->gen != c->id_gen)
		return;
	if (id->free_got & (1ULL << (s - m->subs)))
		it_check_violate(ck, 2, e, &id->first_free_ev,
				 "%s received FREE of IOASID %u twice in one life of the ID",
				 it_sub_name(e), c->id);
}

static void delivery(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	const struct it_chain_call *c = it_callback_chain(m, e);
	const struct it_delivery *d, *stop;
	const struct it_sub *s;
	int self;

	if (!c || c->overflow || !c->ndeliv)
		return;		/* not called by a chain: not a delivery */
	self = c->ndeliv - 1;	/* model.c added this one */
	s = it_model_sub(m, e->nb);
	it_check_evaluated(ck, 2);
	if ((d = find_deliv(c, e->nb, self)))
		it_check_violate(ck, 2, e, &d->enter,
				 "%s called twice in one %s chain call for IOASID %u",
				 it_sub_name(e), it_cmd_name(c->cmd) ?: "?", c->id);
	else if ((stop = find_stop(c, self)))
		it_check_violate(ck, 2, e, &stop->enter, "%s called after %s returned %s",
				 it_sub_name(e), it_sub_name(&stop->enter),
				 it_notify_ret_name(stop->ret) ?: "a stop value");
	else if (s && s->removed && !s->add_pending)
		it_check_violate(ck, 2, e, &s->removed_ev,
				 "%s called after its ioasid_remove_notifier() returned",
				 it_sub_name(e));
	else if (s)
		free_twice(ck, e, c, s);
}

static void missing(struct it_check *ck, const struct it_event *e, const struct it_chain_call *c)
{
	const struct it_delivery *stop = find_stop(c, c->ndeliv);
	int i;

	if (c->overflow)
		return;
	it_check_evaluated(ck, 2);
	for (i = 0; i < c->nexpected; i++) {
		const struct it_sub *s = c->expected[i];

		if (!s->traced || find_deliv(c, s->nb, c->ndeliv))
			continue;
		/* The chain takes its rwsem after its ENTER: a removal that
		 * began since can have won the lock and taken s off first. */
		if (s->remove_seq > c->enter.seq)
			continue;
		if (stop && s->prio <= stop->prio)
			continue;
		it_check_violate(ck, 2, e, s->reg_known ? &s->reg_ev : NULL,
				 "%s (priority %d) was registered but not called for %s of IOASID %u",
				 s->sym ?: "?", s->prio, it_cmd_name(c->cmd) ?: "?", c->id);
	}
}

/* Some subscriber was surely registered and traced when the op began. */
static bool anyone_listening(const struct it_model *m, const struct it_op *op)
{
	int i;

	for (i = 0; i < m->nsubs; i++) {
		const struct it_sub *s = &m->subs[i];

		if (it_sub_surely_registered(s) && s->traced && s->traced_since_ns <= op->enter.ts_ns)
			return true;
	}
	return false;
}

static void notify_end(struct it_check *ck, const struct it_event *e, const struct it_op *op)
{
	int i;

	if (e->ret < 0)
		return;		/* refused: invariant 4's business */
	it_check_evaluated(ck, 2);
	if (!op->nchains && anyone_listening(it_check_model(ck), op))
		it_check_violate(ck, 2, e, &op->enter,
				 "ioasid_notify(%u, %s) returned %lld and notified no subscriber",
				 op->enter.ioasid, it_cmd_name(op->enter.cmd) ?: "?",
				 (long long)e->ret);
	if (op->enter.cmd == IT_CMD_FREE)
		return;		/* FREE: judged per life, at each delivery */
	for (i = 0; i < op->nnb; i++)
		if (op->count[i] > 1)
			it_check_violate(ck, 2, e, &op->first[i],
					 "%s received %s of IOASID %u %d times in one ioasid_notify()",
					 it_sub_name(&op->first[i]),
					 it_cmd_name(op->first[i].cmd) ?: "?", op->enter.ioasid,
					 op->count[i]);
}

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_frame *f;

	if (e->kind == IT_K_CALLBACK) {
		if (e->phase == IT_PH_ENTER)
			delivery(ck, e);
		return;
	}
	if (e->phase != IT_PH_EXIT || !(f = it_model_frame(it_check_model(ck), e)))
		return;
	if (e->kind == IT_K_CHAIN && f->chain)
		missing(ck, e, f->chain);
	else if (e->kind == IT_K_NOTIFY && f->op)
		notify_end(ck, e, f->op);
}

const struct it_invariant it_inv_delivery = {
	.id = 2,
	.key = "delivered-once",
	.title = "every registered subscriber gets each FREE/BIND/UNBIND exactly once "
		 "(FREE once per life of the ID); NOTIFY_STOP/BAD stops only the ones after it",
	.severity = IT_SEV_ERROR,
	.source = "seed: \"a system wide blocking notifier chain can be used to inform "
		  "subscribers of state changes\"; blocking_notifier_call_chain() semantics",
	.on = {
		[IT_PH_ENTER] = IT_ON(IT_K_CALLBACK),
		[IT_PH_EXIT] = IT_ON(IT_K_CHAIN) | IT_ON(IT_K_NOTIFY),
	},
	.event = event,
};
