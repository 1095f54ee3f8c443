// SPDX-License-Identifier: GPL-2.0
/*
 * hist --input FILE: its percentiles are exact.  Every shipped recording
 * (tests/data/ *.itr) is replayed through the hist consumer as
 * `ioasid-trace hist --input FILE` does, next to a second consumer that
 * keeps every EXIT latency itself; the numbers the writer is given must be
 * the nearest-rank values of those latencies, found here by sorting.
 */
#include <glob.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "commands.h"
#include "hist.h"
#include "replay.h"
#include "oracle.h"

#define MAX_KEYS 64
#define MAX_LATS 100000

/* ---- the independent side: latencies per key, kept by this test -------- */

struct key_lats {
	uint32_t type;
	uint64_t id;
	uint64_t *ns;
	size_t n;
};

static struct key_lats want[MAX_KEYS];
static size_t nwant;

static struct key_lats *want_key(uint32_t type, uint64_t id)
{
	size_t i;

	for (i = 0; i < nwant; i++)
		if (want[i].type == type && want[i].id == id)
			return &want[i];
	assert_true(nwant < MAX_KEYS);
	want[nwant].type = type;
	want[nwant].id = id;
	want[nwant].n = 0;
	want[nwant].ns = calloc(MAX_LATS, sizeof(uint64_t));
	assert_non_null(want[nwant].ns);
	return &want[nwant++];
}

/* The histograms of docs/tool.md: the chain by cmd, each callback, the free path. */
static int collect_event(struct it_consumer *c, const struct it_event *e)
{
	struct key_lats *k;

	if (e->phase != IT_PH_EXIT || (e->flags & IT_F_UNMATCHED))
		return IT_CONSUME_OK;
	if (e->kind == IT_K_CHAIN)
		k = want_key(IT_H_CHAIN, e->cmd);
	else if (e->kind == IT_K_CALLBACK)
		k = want_key(IT_H_CALLBACK, e->cb);
	else if (e->kind == IT_K_FREE)
		k = want_key(IT_H_FREE_PATH, 0);
	else
		return IT_CONSUME_OK;
	assert_true(k->n < MAX_LATS);
	k->ns[k->n++] = e->lat_ns;
	return IT_CONSUME_OK;
}

static const struct it_consumer_ops collect_ops = { .name = "collect", .event = collect_event };

/* ---- the tool's side: what hist hands its writer ------------------------ */

struct got_hist {
	uint32_t type;
	uint64_t id;
	struct it_hist_stats st;
};

static struct got_hist got[MAX_KEYS];
static size_t ngot, nreports;

static uint32_t group_type(const char *group)
{
	return !strcmp(group, "chain") ? IT_H_CHAIN : !strcmp(group, "callback") ? IT_H_CALLBACK
		: IT_H_FREE_PATH;
}

static void capture_hists(struct it_writer *w, const struct it_hist_report *r)
{
	size_t i;

	nreports++;
	for (i = 0; i < r->n && ngot < MAX_KEYS; i++, ngot++) {
		got[ngot].type = group_type(r->v[i].group);
		got[ngot].id = r->v[i].id;
		got[ngot].st = r->v[i].st;
	}
}

static const struct it_writer_ops capture_ops = { .name = "capture", .hists = capture_hists };

/* ---- the comparison ----------------------------------------------------- */


static void expect_stat(const char *file, const struct key_lats *k, const char *what,
			uint64_t got_ns, uint64_t want_ns)
{
	if (got_ns == want_ns)
		return;
	print_message("%s: key %u/0x%llx %s %llu, exact %llu\n", file, k->type,
		      (unsigned long long)k->id, what, (unsigned long long)got_ns,
		      (unsigned long long)want_ns);
	fail();
}

static void compare(const char *file, struct key_lats *k, const struct it_hist_stats *st)
{
	uint64_t sum = 0;
	size_t i;

	qsort(k->ns, k->n, sizeof(*k->ns), oracle_cmp_u64);
	for (i = 0; i < k->n; i++)
		sum += k->ns[i];
	assert_int_equal(st->method, IT_PCT_EXACT);
	expect_stat(file, k, "count", st->count, k->n);
	expect_stat(file, k, "p50", st->p50_ns, oracle_nearest_rank(k->ns, k->n, 500));
	expect_stat(file, k, "p90", st->p90_ns, oracle_nearest_rank(k->ns, k->n, 900));
	expect_stat(file, k, "p99", st->p99_ns, oracle_nearest_rank(k->ns, k->n, 990));
	expect_stat(file, k, "p99.9", st->p999_ns, oracle_nearest_rank(k->ns, k->n, 999));
	expect_stat(file, k, "min", st->min_ns, k->ns[0]);
	expect_stat(file, k, "max", st->max_ns, k->ns[k->n - 1]);
	/* nearest integer, halves up */
	expect_stat(file, k, "avg", st->avg_ns, (2 * sum + k->n) / (2 * k->n));
}

static void reset(void)
{
	size_t i;

	for (i = 0; i < nwant; i++)
		free(want[i].ns);
	nwant = ngot = nreports = 0;
}

/* Replay file as `hist --input file` (with sub_bits k); compare every key. */
static size_t check_file(const char *file, uint32_t k)
{
	struct it_options o = { .input = file, .sub_bits = k };
	struct it_writer w = { .ops = &capture_ops };
	struct it_consumer hist, collect = { .ops = &collect_ops };
	struct it_session_spec spec = { .o = &o, .out = &w };
	size_t i, j, keys;

	reset();
	assert_int_equal(it_hist_consumer_init(&hist, &w, k, IT_UNIT_NS, true), 0);
	spec.cons[spec.ncons++] = &collect;
	spec.cons[spec.ncons++] = &hist;
	assert_int_equal(it_replay_run(&spec, file), 0);
	assert_int_equal(nreports, 1);		/* offline: the final report only */
	assert_int_equal(ngot, nwant);		/* one histogram per key, no more */
	for (i = 0; i < nwant; i++) {
		for (j = 0; j < ngot; j++)
			if (got[j].type == want[i].type && got[j].id == want[i].id)
				break;
		if (j == ngot) {
			print_message("%s: key %u/0x%llx has no histogram\n", file, want[i].type,
				      (unsigned long long)want[i].id);
			fail();
		}
		compare(file, &want[i], &got[j].st);
	}
	keys = nwant;
	reset();
	return keys;
}

static void test_every_recording_exact(void **state)
{
	const char *d = getenv("IT_TESTDATA");
	char pattern[300];
	glob_t g;
	size_t i, keys = 0;
	bool fixed = false;

	/* tests/unit/data -> tests/data (the recorded corpus) */
	snprintf(pattern, sizeof(pattern), "%s/../../data/*.itr", d ? d : "tests/unit/data");
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		size_t n = check_file(g.gl_pathv[i], 0);

		/* the bucketing must not matter to exact numbers */
		assert_int_equal(check_file(g.gl_pathv[i], 3), n);
		print_message("%-60s %zu histograms exact\n", g.gl_pathv[i], n);
		keys += n;
		if (strstr(g.gl_pathv[i], "/fixed.itr"))
			fixed = true;
	}
	globfree(&g);
	assert_true(fixed);	/* the acceptance recording is among them */
	assert_true(keys > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_recording_exact),
	};

	return cmocka_run_group_tests_name("hist offline", tests, NULL, NULL);
}
