// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 6: the chain runs with ioasid_allocator_lock held by the
 * notifying task, in a context that may sleep (it is a blocking chain and
 * subscribers take mutexes).  Judged at each chain call's ENTER from the
 * flags the BPF side computed; "unknown" flags are not judged, and "may
 * sleep" only when the preempt count was read (IT_F_PREEMPT_KNOWN).
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_task *t;
	struct it_frame *op;
	const struct it_event *cause = NULL;

	if (e->kind != IT_K_CHAIN || e->phase != IT_PH_ENTER)
		return;
	if ((t = it_model_task(it_check_model(ck), e->tid))) {
		op = it_model_op_below(t, t->depth - 1);
		cause = op ? &op->ev : NULL;
	}
	it_check_evaluated(ck, 6);
	if (!(e->flags & IT_F_LOCK_UNKNOWN) && !(e->flags & IT_F_LOCK_HELD))
		it_check_violate(ck, 6, e, cause,
				 "%s chain ran without ioasid_allocator_lock held by %s[%u]",
				 it_cmd_name(e->cmd) ?: "?", e->comm, e->tid);
	if ((e->flags & IT_F_PREEMPT_KNOWN) && !(e->flags & IT_F_MAY_SLEEP))
		it_check_violate(ck, 6, e, cause,
				 "%s chain ran in atomic context (preempt_count 0x%x)",
				 it_cmd_name(e->cmd) ?: "?", e->preempt_count);
}

const struct it_invariant it_inv_context = {
	.id = 6,
	.key = "locked-sleepable",
	.title = "the chain runs with ioasid_allocator_lock held by the notifying task, "
		 "in a context that may sleep",
	.severity = IT_SEV_ERROR,
	.source = "series 07/10 \"Use mutex instead of spinlock\" (subscribers need to sleep); "
		  "seed: ioasid_notify() calls the chain between mutex_lock and mutex_unlock",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_CHAIN) },
	.event = event,
};
