// SPDX-License-Identifier: GPL-2.0
/*
 * JUnit XML for CI dashboards: one <testcase> per invariant, a <failure>
 * per violated one with every kept violation's evidence, <skipped> for
 * invariants not selected or not exercised, and for all that did not fail
 * when the run was inconclusive.
 */
#include <stdio.h>
#include "check/check.h"
#include "out.h"

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n')
				fputc(*s, f);
		}
	}
}

static void junit_verdict(struct it_writer *w, const struct it_check_report *r)
{
	int i, j, failures = 0, skipped = 0;
	char line[512];

	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];
		bool fails = res->violations &&
			     (res->inv->severity == IT_SEV_ERROR || r->strict);

		if (fails)
			failures++;
		else if (!res->enabled || !res->checked || r->lost)
			skipped++;
	}
	fprintf(w->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"ioasid-trace check\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n"
		"  <testsuite name=\"ioasid-notifier-invariants\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n"
		"    <properties>\n"
		"      <property name=\"events\" value=\"%llu\"/>\n"
		"      <property name=\"lost\" value=\"%llu\"/>\n"
		"      <property name=\"verdict\" value=\"%d\"/>\n"
		"      <property name=\"reason\" value=\"",
		r->nres, failures, skipped, r->nres, failures, skipped,
		(unsigned long long)r->events, (unsigned long long)r->lost, r->verdict);
	xml_text(w->f, r->reason);
	fputs("\"/>\n    </properties>\n", w->f);
	for (i = 0; i < r->nres; i++) {
		const struct it_inv_result *res = &r->res[i];
		const struct it_invariant *inv = res->inv;
		bool fails = res->violations && (inv->severity == IT_SEV_ERROR || r->strict);

		fprintf(w->f, "    <testcase classname=\"ioasid.invariants\" name=\"%d %s\">\n",
			inv->id, inv->key);
		if (fails) {
			fprintf(w->f, "      <failure type=\"%s\" message=\"%llu violation(s): ",
				inv->severity == IT_SEV_ERROR ? "error" : "warning",
				(unsigned long long)res->violations);
			xml_text(w->f, inv->title);
			fputs("\">", w->f);
			for (j = 0; j < r->nv; j++) {
				if (r->v[j].inv != inv->id)
					continue;
				xml_text(w->f, r->v[j].msg);
				it_out_describe(w, &r->v[j].now, line, sizeof(line));
				fputs("\n  now:   ", w->f);
				xml_text(w->f, line);
				if (r->v[j].has_cause) {
					it_out_describe(w, &r->v[j].cause, line, sizeof(line));
					fputs("\n  cause: ", w->f);
					xml_text(w->f, line);
				}
				fputs("\n", w->f);
			}
			fputs("</failure>\n", w->f);
		} else if (!res->enabled) {
			fputs("      <skipped message=\"not selected\"/>\n", w->f);
		} else if (r->lost) {
			fputs("      <skipped message=\"inconclusive: events were lost\"/>\n", w->f);
		} else if (!res->checked) {
			fputs("      <skipped message=\"not exercised by this run\"/>\n", w->f);
		}
		fputs("    </testcase>\n", w->f);
	}
	fputs("  </testsuite>\n</testsuites>\n", w->f);
}

const struct it_writer_ops it_junit_writer = {
	.name = "junit",
	.verdict = junit_verdict,
};
