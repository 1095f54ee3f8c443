// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 8 (warning): UNBIND only after BIND, and FREE of a still-bound
 * ID is a leaked binding.  One automaton per IOASID life (the model's
 * bound / bind_known, set at the EXIT of a BIND or UNBIND chain call: the
 * chain runs under ioasid_allocator_lock, so the next chain call about the
 * ID sees it), judged at a chain call's ENTER:
 *
 *   state \ event   BIND chain   UNBIND chain   FREE chain
 *   UNBOUND         BOUND        VIOLATION      UNBOUND
 *   BOUND           BOUND        UNBOUND        VIOLATION (leaked binding)
 *
 * IDs whose binding state the trace did not see are not judged.
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_model *m = it_check_model(ck);
	struct it_frame *f;
	struct it_id *id;

	if (e->kind != IT_K_CHAIN || e->phase != IT_PH_ENTER)
		return;
	if (!(f = it_model_frame(m, e)) || !f->chain || f->chain->id == IT_NO_ID)
		return;
	if (f->chain->cmd != IT_CMD_UNBIND && f->chain->cmd != IT_CMD_FREE)
		return;
	id = it_model_id(m, f->chain->id);
	if (!id || !id->bind_known || !it_id_live(id) || id->gen != f->chain->id_gen)
		return;
	it_check_evaluated(ck, 8);
	if (f->chain->cmd == IT_CMD_UNBIND && !id->bound)
		it_check_violate(ck, 8, e, id->alloc_known ? &id->alloc_ev : NULL,
				 "UNBIND of IOASID %u, which is not bound", f->chain->id);
	else if (f->chain->cmd == IT_CMD_FREE && id->bound)
		it_check_violate(ck, 8, e, &id->bind_ev,
				 "IOASID %u freed while still bound: leaked binding", f->chain->id);
}

const struct it_invariant it_inv_binding = {
	.id = 8,
	.key = "bind-unbind",
	.title = "UNBIND only after BIND; FREE of a still-bound ID is a leaked binding",
	.severity = IT_SEV_WARNING,
	.source = "seed: \"VFIO publish IOASID change by performing alloc/free, bind/unbind\"; "
		  "KVM keeps its PASID table from BIND/UNBIND",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_CHAIN) },
	.event = event,
};
