// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 11: FREE is final.  Once a FREE chain about an IOASID has
 * completed, the allocator takes the ID back before the operation that
 * sent it (ioasid_free_locked, ioasid_free, ioasid_free_set,
 * ioasid_notify) returns: in v1 no subscriber can veto a free, so an ID
 * that stays allocated after its subscribers tore their state down is a
 * dangling ID.
 *
 *   life (of a FREE chain completed inside the op) \ event   op EXIT
 *   NOTIFIED (same life, not being taken back)       VIOLATION
 *   TAKING, FREED, a newer life                      ok
 *
 * Judged only when the allocator free the op goes through was traced from
 * before the op began; not traced at all: the run is inconclusive.
 */
#include "inv.h"

/* The op's allocator free is not observable: why, or NULL (traced too late). */
static void untraced(struct it_check *ck, const struct it_event *e, uint64_t fn)
{
	struct it_model *m = it_check_model(ck);
	struct it_event named = *e;
	char what[200];

	if (fn && it_model_allocator(m, fn))
		return;		/* traced, only after the op began: unknown */
	if (named.cb != fn) {
		named.cb = fn;
		named.cb_sym = named.cb_mod = NULL;
	}
	if (fn)
		it_check_allocator_name(&named, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "allocator free (none named before %s)",
			 it_kind_name(e->kind));
	it_check_untraced(ck, what);
}

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f;
	uint64_t fn;
	int i;

	if (e->phase != IT_PH_EXIT || !(f = it_model_frame(m, e)) || !f->op || !f->op->ndue)
		return;
	for (i = 0; i < f->op->ndue; i++) {
		const struct it_due *d = &f->op->due[i];
		struct it_id *id;

		if (!it_model_op_allocator(m, &f->ev, &fn)) {
			if (it_model_due_open(m, d))
				untraced(ck, e, fn);
			continue;
		}
		it_check_evaluated(ck, 11);
		if (!it_model_due_open(m, d) || !(id = it_model_id(m, d->id)))
			continue;
		it_check_violate(ck, 11, e, &id->free_chain_ev,
				 "FREE of IOASID %u completed but ioasid_%s() returned with it "
				 "still allocated", d->id, it_kind_name(e->kind));
	}
}

const struct it_invariant it_inv_final = {
	.id = 11,
	.key = "free-is-final",
	.title = "once a FREE chain completed, the ID is taken back before the operation "
		 "that sent it returns",
	.severity = IT_SEV_ERROR,
	.source = "seed: ioasid_free_locked() calls active_allocator->ops->free() right after "
		  "the FREE chain; v1 has no way for a subscriber to keep an ID",
	.on = {
		[IT_PH_EXIT] = IT_ON(IT_K_NOTIFY) | IT_ON(IT_K_FREE) | IT_ON(IT_K_FREE_SET) |
			       IT_ON(IT_K_FREE_LOCKED),
	},
	.event = event,
};
