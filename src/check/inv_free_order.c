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
 *
 * The automaton can only judge an allocator free it sees.  The free's
 * records name the function it calls (cb: active_allocator->ops->free),
 * and META_ALLOCATOR says from when one is traced (default_free from the
 * start; a custom allocator's from when the tool followed it).  A free of
 * an ID known to be live that ends without that call seen:
 *   - the function is not traced (could not be attached, or never
 *     followed): the run is inconclusive, naming it, rather than a pass
 *     on frees nothing judged;
 *   - it became traced only after this free began (the free that named a
 *     newly registered allocator): unknown, not judged;
 *   - traced, and it ran in earlier frees but not in this one: a probe
 *     that stopped firing (its module was reloaded, say): inconclusive;
 *   - traced and never seen running: the kernel frees without calling
 *     it (the inv9 mutant does the allocator's work inline): nothing
 *     for this rule to judge.
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

/* ioasid_free_locked() EXIT: was its allocator free seen? */
static void free_end(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f = it_model_frame(m, e);
	const struct it_allocator_free *a;
	struct it_id *id;
	char what[200];

	if (!e->cb || !f || !f->op || f->op->allocator_freed ||
	    !(e->flags & IT_F_HAS_ID) || !(id = it_model_id(m, e->ioasid)) ||
	    id->life != IT_ID_LIVE || id->gen != f->op->id_gen)
		return;		/* nothing to free, or the free was seen */
	a = it_model_allocator(m, e->cb);
	if (a && (f->ev.ts_ns < a->since_ns || !a->ran))
		return;		/* traced only after it began, or never called */
	it_check_allocator_name(e, what, sizeof(what));
	it_check_untraced(ck, what);
}

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_task *t;
	struct it_frame *fl;
	int ev, to;

	if (e->kind == IT_K_FREE_LOCKED) {
		if (e->phase == IT_PH_EXIT)
			free_end(ck, e);
		return;
	}
	if (e->kind == IT_K_CHAIN && e->cmd == IT_CMD_FREE && e->phase != IT_PH_POINT)
		ev = e->phase == IT_PH_ENTER ? E_CHAIN_ENTER : E_CHAIN_EXIT;
	else if (e->kind == IT_K_ALLOCATOR_FREE && e->phase == IT_PH_ENTER)
		ev = E_ALLOCATOR_FREE;
	else
		return;
	t = it_model_task(it_check_model(ck), e->tid);
	if (!t || !(fl = it_model_enclosing(t, IT_K_FREE_LOCKED)) || !fl->op)
		return;	/* not inside a free: not this rule's business */
	if (ev == E_ALLOCATOR_FREE) {
		it_check_evaluated(ck, 1);
		fl->op->allocator_freed = true;
	}
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
		[IT_PH_EXIT] = IT_ON(IT_K_CHAIN) | IT_ON(IT_K_FREE_LOCKED),
	},
	.event = event,
};
