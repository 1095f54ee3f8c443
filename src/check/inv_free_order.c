// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 1: FREE before allocator free.
 *
 * One automaton per ioasid_free_locked() call (its op frame holds the
 * state).  Events: the FREE chain call's ENTER and EXIT made inside that
 * free, and the allocator's free (ops->free) made inside it.
 *
 *   state \ event   chain-enter   chain-exit   allocator-free
 *   FREEING         NOTIFYING     -            VIOLATION
 *   NOTIFYING       NOTIFYING     NOTIFIED     VIOLATION
 *   NOTIFIED        NOTIFYING     NOTIFIED     NOTIFIED
 */
#include "inv.h"

enum { S_FREEING = 0, S_NOTIFYING, S_NOTIFIED };
enum { E_CHAIN_ENTER = 0, E_CHAIN_EXIT, E_ALLOCATOR_FREE, E__N };
#define BAD (-1)

static const signed char next[][E__N] = {
	[S_FREEING]	= { S_NOTIFYING, S_FREEING, BAD },
	[S_NOTIFYING]	= { S_NOTIFYING, S_NOTIFIED, BAD },
	[S_NOTIFIED]	= { S_NOTIFYING, S_NOTIFIED, S_NOTIFIED },
};

static const char *const state_name[] = {
	"before the FREE notification", "while the FREE chain was running", "after FREE",
};

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_task *t;
	struct it_frame *fl;
	int ev, to;

	if (e->kind == IT_K_CHAIN && e->cmd == IT_CMD_FREE && e->phase != IT_PH_POINT)
		ev = e->phase == IT_PH_ENTER ? E_CHAIN_ENTER : E_CHAIN_EXIT;
	else if (e->kind == IT_K_ALLOCATOR_FREE && e->phase == IT_PH_ENTER)
		ev = E_ALLOCATOR_FREE;
	else
		return;
	t = it_model_task(it_check_model(ck), e->tid);
	if (!t || !(fl = it_model_enclosing(t, IT_K_FREE_LOCKED)) || !fl->op)
		return;	/* not inside a free: not this rule's business */
	if (ev == E_ALLOCATOR_FREE)
		it_check_evaluated(ck, 1);
	to = next[fl->op->free_state][ev];
	if (to == BAD) {
		it_check_violate(ck, 1, e, &fl->ev,
				 "allocator freed IOASID %u %s", e->ioasid,
				 state_name[fl->op->free_state]);
		return;
	}
	fl->op->free_state = to;
}

const struct it_invariant it_inv_free_order = {
	.id = 1,
	.key = "free-before-allocator",
	.title = "the FREE chain for an ID completes before the allocator frees it",
	.severity = IT_SEV_ERROR,
	.source = "seed: \"Notify all users that this IOASID is being freed\" "
		  "precedes active_allocator->ops->free() in ioasid_free_locked()",
	.on = {
		[IT_PH_ENTER] = IT_ON(IT_K_CHAIN) | IT_ON(IT_K_ALLOCATOR_FREE),
		[IT_PH_EXIT] = IT_ON(IT_K_CHAIN),
	},
	.event = event,
};
