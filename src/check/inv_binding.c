// SPDX-License-Identifier: GPL-2.0
/*
 * Invariant 8 (warning): UNBIND only after BIND, and FREE of a still-bound
 * ID is a leaked binding.  One automaton per IOASID (the model's bound /
 * bind_known), driven by ioasid_notify(BIND/UNBIND) that succeeded:
 *
 *   state \ event   BIND     UNBIND      FREE
 *   UNBOUND         BOUND    VIOLATION   UNBOUND
 *   BOUND           BOUND    UNBOUND     VIOLATION (leaked binding)
 *
 * IDs whose binding state the trace did not see are not judged.
 */
#include "inv.h"

static void event(struct it_check *ck, const struct it_event *e)
{
	struct it_id *id;

	if (e->phase != IT_PH_ENTER || !(e->flags & IT_F_HAS_ID))
		return;
	if (e->kind == IT_K_NOTIFY && e->cmd == IT_CMD_UNBIND) {
		id = it_model_id(it_check_model(ck), e->ioasid);
		if (!id || !id->bind_known || id->life != IT_ID_LIVE)
			return;
		it_check_evaluated(ck, 8);
		if (!id->bound)
			it_check_violate(ck, 8, e, id->alloc_known ? &id->alloc_ev : NULL,
					 "UNBIND of IOASID %u, which is not bound", e->ioasid);
	} else if (e->kind == IT_K_FREE_LOCKED) {
		id = it_model_id(it_check_model(ck), e->ioasid);
		if (!id || !id->bind_known)
			return;
		it_check_evaluated(ck, 8);
		if (id->bound)
			it_check_violate(ck, 8, e, &id->bind_ev,
					 "IOASID %u freed while still bound: leaked binding", e->ioasid);
	}
}

const struct it_invariant it_inv_binding = {
	.id = 8,
	.key = "bind-unbind",
	.title = "UNBIND only after BIND; FREE of a still-bound ID is a leaked binding",
	.severity = IT_SEV_WARNING,
	.source = "seed: \"VFIO publish IOASID change by performing alloc/free, bind/unbind\"; "
		  "KVM keeps its PASID table from BIND/UNBIND",
	.on = { [IT_PH_ENTER] = IT_ON(IT_K_NOTIFY) | IT_ON(IT_K_FREE_LOCKED) },
	.event = event,
};
