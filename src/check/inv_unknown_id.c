// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 4: no notification for an IOASID that is not allocated;
 * ioasid_notify() on an unknown ID returns -EINVAL and reaches no
 * subscriber.
 *
 *   ID state \ event      chain ENTER    notify EXIT -EINVAL   notify EXIT other
 *   surely unallocated    VIOLATION      ok (if no chain ran)  VIOLATION (*)
 *   allocated / maybe     ok             ok (if no chain ran)  ok
 *   unknown               -              ok (if no chain ran)  -
 *
 * "Surely unallocated": the allocator took it back and no allocation is in
 * flight on any task (one could be returning it).  (*) only when it was so
 * from the notify's ENTER on, with no allocation begun meanwhile.  A notify
 * that returned -EINVAL after running a chain is a violation in any state.
 */
#include "inv.h"

#define IT_EINVAL 22

/* A chain call about an ID that is surely not allocated when it begins. */
static void chain_enter(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f = it_model_frame(m, e), *op;
	struct it_id *id;

	if (!f || !f->chain || f->chain->id == IT_NO_ID || !(id = it_model_id(m, f->chain->id)))
		return;
	if (id->life == IT_L_UNKNOWN)
		return;
	it_check_evaluated(ck, 4);
	/* An op that began while the ID was allocated and freed it before
	 * notifying sent a late FREE: invariant 1's, not a notification
	 * about an ID nobody allocated. */
	op = it_model_op_below(it_model_task(m, e->tid), f - it_model_task(m, e->tid)->stack);
	if (op && op->ev.seq < id->freed_ev.seq)
		return;
	if (it_model_surely_unallocated(m, id))
		it_check_violate(ck, 4, e, &id->freed_ev,
				 "%s notified for IOASID %u, which was freed",
				 it_cmd_name(e->cmd) ?: "?", f->chain->id);
}

/*
 * ioasid_notify() returned: -EINVAL must mean no chain ran; an ID surely
 * unallocated from its ENTER to its EXIT (no allocation began meanwhile)
 * must get -EINVAL.
 */
static void notify_exit(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f = it_model_frame(m, e);
	struct it_id *id;

	if (!f || !f->op)
		return;
	it_check_evaluated(ck, 4);
	if (e->ret == -IT_EINVAL && f->op->nchains) {
		it_check_violate(ck, 4, e, &f->ev,
				 "ioasid_notify(%u, %s) returned -EINVAL but ran the chain",
				 e->ioasid, it_cmd_name(e->cmd) ?: "?");
		return;
	}
	if (e->ret == -IT_EINVAL || !f->op->unallocated_at_enter ||
	    f->op->alloc_epoch != m->alloc_epoch || !(id = it_model_id(m, e->ioasid)) ||
	    !it_model_surely_unallocated(m, id))
		return;
	it_check_violate(ck, 4, e, &id->freed_ev,
			 "ioasid_notify(%u) on a freed IOASID returned %lld, not -EINVAL",
			 e->ioasid, (long long)e->ret);
}

static void event(struct it_check *ck, const struct it_event *e)
{
	if (e->kind == IT_K_CHAIN && e->phase == IT_PH_ENTER)
		chain_enter(ck, e);
	else if (e->kind == IT_K_NOTIFY && e->phase == IT_PH_EXIT)
		notify_exit(ck, e);
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
