// SPDX-License-Identifier: GPL-2.0
/* The table of invariants.  docs/invariants.md describes each in full. */
#include <string.h>
#include "inv.h"

const struct it_invariant *const it_invariants[] = {
	&it_inv_free_order,	/* 1 */
	&it_inv_delivery,	/* 2 */
	&it_inv_priority,	/* 3 */
	&it_inv_unknown_id,	/* 4 */
	&it_inv_args,		/* 5 */
	&it_inv_context,	/* 6 */
	&it_inv_reentry,	/* 7 */
	&it_inv_binding,	/* 8 */
	&it_inv_reuse,		/* 9 */
	&it_inv_late,		/* 10 */
	&it_inv_final,		/* 11 */
};
const int it_ninvariants = sizeof(it_invariants) / sizeof(it_invariants[0]);

const struct it_invariant *it_invariant_by_id(int id)
{
	int i;

	for (i = 0; i < it_ninvariants; i++)
		if (it_invariants[i]->id == id)
			return it_invariants[i];
	return NULL;
}

const struct it_invariant *it_invariant_by_key(const char *key)
{
	int i;

	for (i = 0; i < it_ninvariants; i++)
		if (!strcmp(it_invariants[i]->key, key))
			return it_invariants[i];
	return NULL;
}
