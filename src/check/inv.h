/* SPDX-License-Identifier: GPL-2.0 */
/* What every inv_*.c file needs: the engine's sink and the model. */
#ifndef IT_CHECK_INV_H
#define IT_CHECK_INV_H

#include "check.h"
#include "model.h"

/* NOTIFY_STOP_MASK of <linux/notifier.h>: set in NOTIFY_STOP and NOTIFY_BAD. */
#define IT_NOTIFY_STOP_MASK	0x8000

static inline const char *it_sub_name(const struct it_event *e)
{
	return e->cb_sym ? e->cb_sym : "?";
}

/* The chain call a CALLBACK event belongs to (the frame below it). */
static inline struct it_chain_call *it_callback_chain(struct it_model *m,
						       const struct it_event *e)
{
	struct it_task *t = it_model_task(m, e->tid);

	if (!t || t->depth < 2)
		return NULL;
	return t->stack[t->depth - 2].chain;
}

extern const struct it_invariant it_inv_free_order, it_inv_delivery,
	it_inv_priority, it_inv_unknown_id, it_inv_args, it_inv_context,
	it_inv_reentry, it_inv_binding, it_inv_reuse, it_inv_late, it_inv_final;

#endif
