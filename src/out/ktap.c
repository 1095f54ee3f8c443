// SPDX-License-Identifier: GPL-2.0
/*
 * KTAP (the kernel's own test output, Documentation/dev-tools/ktap.rst):
 * one test per invariant; a violated invariant is "not ok" with its
 * evidence as diagnostic lines; one never exercised is "# SKIP"; an
 * inconclusive run (events lost) skips every invariant it did not fail.
 */
#include <stdio.h>
#include "check/check.h"
#include "out.h"

static void ktap_verdict(struct it_writer *w, const struct it_check_report *r)
{
	char now[512], cause[512];
	int i, j;

	fprintf(w->f, "KTAP version 1\n# ioasid-trace check: %llu events, %llu lost\n1..%d\n",
		(unsigned long long)r->events, (unsigned long long)r->lost, r->nres);
	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];
		const struct it_invariant *inv = res->inv;
		bool counts = inv->severity == IT_SEV_ERROR || r->strict;

		for (j = 0; j < r->nv; j++) {
			if (r->v[j].inv != inv->id)
				continue;
			it_out_describe(w, &r->v[j].now, now, sizeof(now));
			fprintf(w->f, "# %s%s\n#   now:   %s\n", r->v[j].suspect ? "(suspect) " : "",
				r->v[j].msg, now);
			if (r->v[j].has_cause) {
				it_out_describe(w, &r->v[j].cause, cause, sizeof(cause));
				fprintf(w->f, "#   cause: %s\n", cause);
			}
		}
		if (!res->enabled)
			fprintf(w->f, "ok %d %s # SKIP not selected\n", i + 1, inv->key);
		else if (res->violations && counts)
			fprintf(w->f, "not ok %d %s\n", i + 1, inv->key);
		else if (r->lost)
			fprintf(w->f, "ok %d %s # SKIP inconclusive: %llu events lost\n", i + 1,
				inv->key, (unsigned long long)r->lost);
		else if (!res->checked)
			fprintf(w->f, "ok %d %s # SKIP not exercised by this run\n", i + 1, inv->key);
		else if (res->violations)
			fprintf(w->f, "ok %d %s # %llu warning(s)\n", i + 1, inv->key,
				(unsigned long long)res->violations);
		else
			fprintf(w->f, "ok %d %s\n", i + 1, inv->key);
	}
	fprintf(w->f, "# verdict: %d (%s)\n", r->verdict, r->reason);
}

const struct it_writer_ops it_ktap_writer = {
	.name = "ktap",
	.verdict = ktap_verdict,
};
