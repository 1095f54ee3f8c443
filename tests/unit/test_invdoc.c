// SPDX-License-Identifier: GPL-2.0
/*
 * docs/invariants.md against the code, table by table: the life of an
 * IOASID (model.c's it_life_next), the verdict tables of the rules judged
 * against it (by_life of their struct it_invariant), and the summary
 * table's ID, key and severity of every invariant.  A change to one
 * without the other fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "check/check.h"
#include "check/model.h"

static char *doc;

static int setup(void **state)
{
	const char *top = getenv("IT_TOP");
	char path[512];
	FILE *f;
	long n;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/invariants.md", top ? top : ".");
	f = fopen(path, "r");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	doc = calloc(1, n + 1);
	if (!doc || fread(doc, 1, n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(doc);
	return 0;
}

/* Split one "| a | b |" line into trimmed cells; returns the count. */
static int cells(const char *line, char out[][160], int max)
{
	const char *p = strchr(line, '|'), *q;
	int n = 0;

	while (p && n < max && (q = strchr(p + 1, '|')) && q < strchrnul(p + 1, '\n')) {
		const char *a = p + 1, *b = q;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		snprintf(out[n], sizeof(out[n]), "%.*s", (int)(b - a), a);
		n++;
		p = q;
	}
	return n;
}

static const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* The cell's first word, without markdown emphasis: "LIVE **(9)**" -> "LIVE". */
static void first_word(const char *cell, char *w, size_t len)
{
	size_t n = 0;

	while (*cell == '*')
		cell++;
	while (cell[n] && cell[n] != ' ' && cell[n] != '*' && n + 1 < len)
		n++;
	snprintf(w, len, "%.*s", (int)n, cell);
}

static int life_of(const char *name)
{
	int l;

	for (l = 0; l < IT_L__N; l++)
		if (!strcmp(it_life_name(l), name))
			return l;
	return -1;
}

static void test_life_table(void **state)
{
	const char *p = strstr(doc, "| life \\ event | alloc returns the ID |");
	char c[8][160], w[32];
	int seen = 0, n, l, ev;

	(void)state;
	assert_non_null(p);
	p = next_line(next_line(p));	/* header, separator */
	for (; p && *p == '|'; p = next_line(p)) {
		n = cells(p, c, 8);
		assert_int_equal(n, 1 + IT_LE__N);
		l = life_of(c[0]);
		if (l < 0)
			fail_msg("docs: unknown life state '%s'", c[0]);
		for (ev = 0; ev < IT_LE__N; ev++) {
			first_word(c[1 + ev], w, sizeof(w));
			if (strcmp(w, it_life_name(it_life_next[l][ev])))
				fail_msg("life %s, event %d: docs say %s, model.c %s", c[0], ev, w,
					 it_life_name(it_life_next[l][ev]));
		}
		seen |= 1 << l;
	}
	assert_int_equal(seen, (1 << IT_L__N) - 1);
}

static enum it_judgement judgement_of(const char *cell)
{
	char w[32];

	first_word(cell, w, sizeof(w));
	if (!strcmp(w, "violation"))
		return IT_J_BAD;
	if (!strcmp(w, "ok"))
		return IT_J_OK;
	if (!strcmp(w, "-"))
		return IT_J_NONE;
	fail_msg("docs: verdict cell '%s' is not violation, ok or -", cell);
	return IT_J_NONE;
}

/* The "| life \ event |" table of section "### N." against inv->by_life. */
static void check_rule_table(const struct it_invariant *inv)
{
	char head[16], c[4][160], *names, *tok, *save;
	const char *sec, *end, *p;
	int seen = 0, l;

	snprintf(head, sizeof(head), "\n### %d. ", inv->id);
	sec = strstr(doc, head);
	if (!sec)
		fail_msg("docs: no section for invariant %d", inv->id);
	end = strstr(sec + 1, "\n### ");
	p = strstr(sec, "\n| life ");
	if (!p || (end && p > end))
		fail_msg("docs: invariant %d has no life table", inv->id);
	p = next_line(next_line(p + 1));
	for (; p && *p == '|'; p = next_line(p)) {
		assert_int_equal(cells(p, c, 4), 2);
		names = c[0];
		for (tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if ((l = life_of(tok)) < 0)
				fail_msg("docs, invariant %d: unknown life state '%s'", inv->id, tok);
			if (judgement_of(c[1]) != inv->by_life[l])
				fail_msg("invariant %d, life %s: docs say '%s', the code %d", inv->id,
					 tok, c[1], inv->by_life[l]);
			seen |= 1 << l;
		}
	}
	if (seen != (1 << IT_L__N) - 1)
		fail_msg("docs, invariant %d: the table leaves out a life state", inv->id);
}

static void test_rule_tables(void **state)
{
	int i, n = 0;

	(void)state;
	for (i = 0; i < it_ninvariants; i++)
		if (it_invariants[i]->by_life) {
			check_rule_table(it_invariants[i]);
			n++;
		}
	assert_true(n >= 2);
}

static void test_summary_table(void **state)
{
	char c[6][160], line[64];
	const char *p;
	int i;

	(void)state;
	for (i = 0; i < it_ninvariants; i++) {
		const struct it_invariant *inv = it_invariants[i];

		snprintf(line, sizeof(line), "\n| %d | `%s` |", inv->id, inv->key);
		p = strstr(doc, line);
		if (!p)
			fail_msg("docs: summary row for %d %s missing", inv->id, inv->key);
		assert_true(cells(p + 1, c, 6) >= 4);
		assert_string_equal(c[2], inv->severity == IT_SEV_ERROR ? "error" : "warning");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life_table),
		cmocka_unit_test(test_rule_tables),
		cmocka_unit_test(test_summary_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
