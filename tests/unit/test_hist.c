// SPDX-License-Identifier: GPL-2.0
/* Histogram bucketing (shared with BPF) and the percentile rule of hist.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "oracle.h"
#include "out/out.h"

static void test_log2_buckets(void **state)
{
	/* k = 0: 0 -> 0, 1 -> 1, [2,3] -> 2, [4,7] -> 3, ... */
	assert_int_equal(it_hist_bucket(0, 0), 0);
	assert_int_equal(it_hist_bucket(1, 0), 1);
	assert_int_equal(it_hist_bucket(2, 0), 2);
	assert_int_equal(it_hist_bucket(3, 0), 2);
	assert_int_equal(it_hist_bucket(4, 0), 3);
	assert_int_equal(it_hist_bucket(7, 0), 3);
	assert_int_equal(it_hist_bucket(8, 0), 4);
	assert_int_equal(it_hist_bucket(1023, 0), 10);
	assert_int_equal(it_hist_bucket(1024, 0), 11);
	assert_int_equal(it_hist_bucket(UINT64_MAX, 0), 64);
}

static void test_loglinear_buckets(void **state)
{
	/* k = 2: exact below 4, then 4 sub-buckets per power of two */
	assert_int_equal(it_hist_bucket(3, 2), 3);
	assert_int_equal(it_hist_bucket(4, 2), 4);
	assert_int_equal(it_hist_bucket(7, 2), 7);
	assert_int_equal(it_hist_bucket(8, 2), 8);	/* [8,9] */
	assert_int_equal(it_hist_bucket(9, 2), 8);
	assert_int_equal(it_hist_bucket(10, 2), 9);	/* [10,11] */
	assert_int_equal(it_hist_bucket(15, 2), 11);	/* [14,15] */
	assert_int_equal(it_hist_bucket(16, 2), 12);	/* [16,19] */
	assert_int_equal(it_hist_bucket(200, 3), it_hist_bucket(207, 3));	/* [192,207] */
	assert_int_not_equal(it_hist_bucket(191, 3), it_hist_bucket(192, 3));
	/* k above the maximum is clamped */
	assert_int_equal(it_hist_bucket(1000, 9), it_hist_bucket(1000, IT_HIST_MAX_SUB_BITS));
	/* the largest index fits the BPF array for every k */
	for (uint32_t k = 0; k <= IT_HIST_MAX_SUB_BITS; k++)
		assert_true(it_hist_bucket(UINT64_MAX, k) < IT_HIST_SLOTS);
}

static void test_ranges_invert_buckets(void **state)
{
	for (uint32_t k = 0; k <= IT_HIST_MAX_SUB_BITS; k++) {
		__u64 lo, hi, plo, phi;
		uint32_t last = it_hist_bucket(UINT64_MAX, k);

		for (uint64_t v = 0; v < 70000; v++) {
			uint32_t b = it_hist_bucket(v, k);

			it_hist_bucket_range(b, k, &lo, &hi);
			assert_true(lo <= v && v <= hi);
		}
		/* contiguous: every bucket starts right after the previous one */
		it_hist_bucket_range(0, k, &plo, &phi);
		assert_int_equal(plo, 0);
		for (uint32_t b = 1; b <= last; b++) {
			it_hist_bucket_range(b, k, &lo, &hi);
			assert_int_equal(lo, phi + 1);
			assert_true(hi >= lo);
			phi = hi;
		}
		assert_true(phi == UINT64_MAX);
	}
}

static struct it_hist h;
static uint64_t rng(void);
static uint64_t rng_state;

static void fill(const uint64_t *v, size_t n, uint32_t k, uint64_t unit)
{
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < n; i++)
		it_hist_add(&h, v[i], k, unit);
}

static void test_percentile_midpoint(void **state)
{
	/* 4, 5, 6, 7 ns all land in log2 bucket [4,7]: its middle, 5 (rounded down) */
	const uint64_t v[] = { 4, 5, 6, 7 };

	fill(v, 4, 0, 1);
	assert_int_equal(h.count, 4);
	assert_int_equal(h.slots[3], 4);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 500), 5);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 250), 5);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 1000), 5);
	/* in us: 4..7 us is [4000, 7999] ns, middle 5999 */
	fill((const uint64_t[]){ 4000, 7999 }, 2, 0, 1000);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1000, 500), 5999);
}

static void test_percentile_clamps_to_observed(void **state)
{
	/* 10 equal samples of 200 us: bucket [128,255] us, clamped to exactly 200 us. */
	uint64_t v[10];

	for (int i = 0; i < 10; i++)
		v[i] = 200000;
	fill(v, 10, 0, 1000);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1000, 500), 200000);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1000, 999), 200000);
	/* an exact bucket (k = 5, values below 32) gives the value itself */
	fill((const uint64_t[]){ 3, 9, 9, 31 }, 4, 5, 1);
	assert_int_equal(it_hist_percentile_ns(&h, 5, 1, 500), 9);
}

static void test_percentile_across_buckets(void **state)
{
	/* 90 samples at 3 ns and 10 at 1000 ns: p50 in [2,3], p99 in [512,1023]. */
	uint64_t v[100];

	for (int i = 0; i < 100; i++)
		v[i] = i < 90 ? 3 : 1000;
	fill(v, 100, 0, 1);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 500), 3);	/* middle 2, min-clamped */
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 900), 3);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 990), 767);	/* middle of [512,1023] */
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 999), 767);
	/* the fine buckets the kernel keeps (k = 5): 1000 is in [992, 1007] */
	fill(v, 100, 5, 1);
	assert_int_equal(it_hist_percentile_ns(&h, 5, 1, 990), 999);
}

/* The kernel's fine buckets summed into the table shown: same counts, nested. */
static void test_coarsen(void **state)
{
	static struct it_hist coarse, direct;
	static uint64_t v[3000];

	/* below the fine top slot (2^36), which takes all above it as one */
	rng_state = 777;
	for (size_t i = 0; i < 3000; i++)
		v[i] = (rng() >> 28) >> (rng() % 37);
	for (uint32_t k = 0; k <= IT_HIST_FINE_BITS; k++) {
		fill(v, 3000, IT_HIST_FINE_BITS, 1);
		it_hist_coarsen(&h, IT_HIST_FINE_BITS, k, &coarse);
		memset(&direct, 0, sizeof(direct));
		for (size_t i = 0; i < 3000; i++)
			it_hist_add(&direct, v[i], k, 1);
		assert_memory_equal(coarse.slots, direct.slots, sizeof(direct.slots));
		assert_int_equal(coarse.count, 3000);
		assert_true(coarse.min_ns == direct.min_ns && coarse.max_ns == direct.max_ns);
	}
}

static void test_stats(void **state)
{
	const uint64_t v[] = { 1000, 3000, 2000 };
	struct it_hist_stats st;

	fill(v, 3, 0, 1000);
	it_hist_get_stats(&h, 0, 1000, &st);
	assert_int_equal(st.count, 3);
	assert_int_equal(st.avg_ns, 2000);
	assert_int_equal(st.min_ns, 1000);
	assert_int_equal(st.max_ns, 3000);
	/* buckets in us: 1 -> [1,1], 2,3 -> [2,3]; p50: r = 2 in [2000, 3999] ns: 2999 */
	assert_int_equal(st.p50_ns, 2999);
	assert_int_equal(st.method, IT_PCT_BUCKET);
	assert_int_equal(st.err_ppm, 500000);
	assert_int_equal(st.err_abs_ns, 500);
	memset(&h, 0, sizeof(h));
	it_hist_get_stats(&h, 0, 1, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(it_hist_percentile_ns(&h, 0, 1, 500), 0);
}

/* avg is the nearest integer ns, halves up, even where sum + count / 2 would wrap. */
static void test_stats_avg_rounds(void **state)
{
	const uint64_t v[] = { 1, 2 }, w[] = { 1, 1, 2 };
	struct it_hist_stats st;

	fill(v, 2, 0, 1);
	it_hist_get_stats(&h, 0, 1, &st);
	assert_int_equal(st.avg_ns, 2);		/* 1.5 */
	fill(w, 3, 0, 1);
	it_hist_get_stats(&h, 0, 1, &st);
	assert_int_equal(st.avg_ns, 1);		/* 1.33 */
	memset(&h, 0, sizeof(h));
	h.count = 2;
	h.sum_ns = UINT64_MAX;
	it_hist_get_stats(&h, 0, 1, &st);
	assert_true(st.avg_ns == UINT64_MAX / 2 + 1);
}

/* ---- exact percentiles against a sorted oracle ------------------------ */

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure replays */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}


/* Every permille 1..1000 of v (unsorted) against the oracle. */
static void check_exact(const uint64_t *v, size_t n)
{
	uint64_t *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	struct it_lat_samples s = { .n = n, .cap = n };
	struct it_hist_stats st;
	uint32_t pm;

	assert_non_null(sorted);
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), oracle_cmp_u64);
	for (pm = 1; pm <= 1000; pm++)
		if (it_exact_percentile(sorted, n, pm) != oracle_nearest_rank(sorted, n, pm)) {
			print_message("n %zu p%.1f: %llu, want %llu\n", n, pm / 10.0,
				      (unsigned long long)it_exact_percentile(sorted, n, pm),
				      (unsigned long long)oracle_nearest_rank(sorted, n, pm));
			fail();
		}
	/* the stats path too: from unsorted samples, p50 .. p99.9 */
	s.ns = malloc((n ? n : 1) * sizeof(*s.ns));
	assert_non_null(s.ns);
	memcpy(s.ns, v, n * sizeof(*v));
	fill(v, n, 3, 1);
	it_hist_get_exact_stats(&h, &s, &st);
	assert_int_equal(st.method, IT_PCT_EXACT);
	assert_int_equal(st.count, n);
	assert_true(st.p50_ns == oracle_nearest_rank(sorted, n, 500));
	assert_true(st.p90_ns == oracle_nearest_rank(sorted, n, 900));
	assert_true(st.p99_ns == oracle_nearest_rank(sorted, n, 990));
	assert_true(st.p999_ns == oracle_nearest_rank(sorted, n, 999));
	assert_true(st.min_ns == (n ? sorted[0] : 0));
	assert_true(st.max_ns == (n ? sorted[n - 1] : 0));
	free(s.ns);
	free(sorted);
}

enum shape { UNIFORM, BIMODAL, HEAVY_TAIL };

static uint64_t draw(enum shape sh)
{
	switch (sh) {
	case UNIFORM:
		return 1000 + rng() % 1000000;
	case BIMODAL:	/* a fast path and a slow one, 9 to 1 */
		return rng() % 10 ? 20000 + rng() % 1000 : 5000000 + rng() % 100000;
	default:	/* ~ Pareto: 1 / uniform, a few huge */
		return 1000 * (UINT32_MAX / (1 + (rng() >> 33)));
	}
}

static void test_exact_percentile_shapes(void **state)
{
	/* 1000: ceil(99.9 / 100 * 1000) in doubles is 1000, not 999 */
	const size_t sizes[] = { 2, 3, 7, 10, 99, 100, 101, 999, 1000, 1001, 4093 };
	static uint64_t v[4093];

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int sh = UNIFORM; sh <= HEAVY_TAIL; sh++)
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			for (size_t i = 0; i < sizes[k]; i++)
				v[i] = draw(sh);
			check_exact(v, sizes[k]);
		}
}

static void test_exact_percentile_small(void **state)
{
	const uint64_t one[] = { 42 }, same[] = { 7, 7, 7, 7, 7 }, two[] = { 900, 100 };
	uint64_t sorted_two[] = { 100, 900 };

	check_exact(NULL, 0);
	assert_int_equal(it_exact_percentile(NULL, 0, 500), 0);
	check_exact(one, 1);
	assert_int_equal(it_exact_percentile(one, 1, 1), 42);
	check_exact(same, 5);
	check_exact(two, 2);
	/* two values: p50 is the lower (rank 1), anything above the upper */
	assert_int_equal(it_exact_percentile(sorted_two, 2, 500), 100);
	assert_int_equal(it_exact_percentile(sorted_two, 2, 501), 900);
	assert_int_equal(it_percentile_rank(1000, 999), 999);
	assert_int_equal(it_percentile_rank(UINT64_MAX, 1000), UINT64_MAX);
}

/*
 * The bound hist.h derives for the bucket estimate E of the exact X:
 * |E - X| <= max(X * 2^-(k+1), unit / 2).
 */
static void test_estimate_within_bound(void **state)
{
	const uint64_t units[] = { 1, 1000, 1000000 };
	static uint64_t v[2000];
	struct it_hist_stats st;
	const uint64_t *got[4] = { &st.p50_ns, &st.p90_ns, &st.p99_ns, &st.p999_ns };
	const uint32_t pm[4] = { 500, 900, 990, 999 };

	rng_state = 12345;
	for (uint32_t k = 0; k <= IT_HIST_MAX_SUB_BITS; k++)
		for (size_t u = 0; u < 3; u++)
			for (int sh = UNIFORM; sh <= HEAVY_TAIL; sh++) {
				for (size_t i = 0; i < 2000; i++)
					v[i] = draw(sh) >> (rng() % 12);
				fill(v, 2000, k, units[u]);
				it_hist_get_stats(&h, k, units[u], &st);
				qsort(v, 2000, sizeof(*v), oracle_cmp_u64);
				for (int q = 0; q < 4; q++) {
					double x = (double)oracle_nearest_rank(v, 2000, pm[q]), e = (double)*got[q];
					double bound = x * it_hist_estimate_rel_bound(k);

					if (bound < (double)(units[u] / 2))
						bound = (double)(units[u] / 2);
					assert_true(st.err_ppm == (uint32_t)(1e6 * it_hist_estimate_rel_bound(k)));
					if ((e > x ? e - x : x - e) > bound) {
						print_message("k %u unit %llu p%.1f: %.0f vs %.0f\n", k,
							      (unsigned long long)units[u], pm[q] / 10.0, e, x);
						fail();
					}
				}
			}
}

static void test_fmt_lat(void **state)
{
	char b[32];

	assert_string_equal(it_fmt_lat(b, sizeof(b), 75475388, 1), "75475388");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 0, 1000), "0");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 136760, 1000), "137");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 75475388, 1000), "75475");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 15130, 1000), "15.1");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 1234, 1000), "1.23");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 5, 1000), "0.005");	/* not below 1 ns */
	assert_string_equal(it_fmt_lat(b, sizeof(b), 136760, 1000000), "0.137");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 5130, 1000000), "0.00513");
	assert_string_equal(it_fmt_lat(b, sizeof(b), 300860990, 1000000), "301");
}

/* Render one histogram with stats st through writer name; the output in a malloc'd string. */
static char *render(const char *name, const struct it_hist_stats *st, uint32_t k,
		    uint64_t unit_ns, const char *unit)
{
	struct it_hist_view v = { .group = "chain", .label = "FREE", .id = 2, .h = &h, .st = *st };
	struct it_hist_report r = { .v = &v, .n = 1, .sub_bits = k, .unit_ns = unit_ns,
				    .unit = unit, .final = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct it_writer *w = it_writer_new(name, f, NULL);

	assert_non_null(w);
	it_out_hists(w, &r);
	it_writer_free(w);
	fclose(f);
	return buf;
}

/* Each output says how its percentiles were found, and prints no digit it does not have. */
static void test_output_states_method(void **state)
{
	const uint64_t v[] = { 136760, 140190, 229000, 300860990 };
	struct it_lat_samples s = { .n = 4, .cap = 4 };
	struct it_hist_stats st;
	uint64_t ns[4];
	char *out;

	memcpy(ns, v, sizeof(ns));
	s.ns = ns;
	fill(v, 4, 3, 1);
	it_hist_get_exact_stats(&h, &s, &st);
	out = render("text", &st, 3, 1, "ns");
	assert_non_null(strstr(out, "count 4  avg 75341735  min 136760  max 300860990  p50 140190 "));
	assert_non_null(strstr(out, "percentiles: exact (nearest rank) from 4 recorded latencies\n"));
	assert_null(strstr(out, ".000"));
	free(out);
	out = render("json", &st, 3, 1, "ns");
	assert_non_null(strstr(out, "\"avg_ns\":75341735,\"min_ns\":136760,\"max_ns\":300860990,"
				    "\"p50_ns\":140190,"));
	assert_non_null(strstr(out, "\"percentiles\":\"exact\""));
	assert_null(strstr(out, "percentile_error"));
	free(out);

	fill(v, 4, 3, 1000);
	it_hist_get_stats(&h, 3, 1000, &st);
	out = render("text", &st, 3, 1000, "us");
	assert_non_null(strstr(out, "avg 75342  min 137  max 300861 "));
	assert_non_null(strstr(out, "percentiles: bucket estimate (nearest rank, bucket midpoint), "
				    "within 6.25% of the exact value or 500 ns, whichever is larger\n"));
	free(out);
	out = render("json", &st, 3, 1000, "us");
	assert_non_null(strstr(out, "\"percentiles\":\"bucket estimate\","
				    "\"percentile_error_ppm\":62500,\"percentile_error_abs_ns\":500"));
	free(out);
	/* the kernel's buckets: the stated bound is within 2% */
	fill(v, 4, IT_HIST_FINE_BITS, 1);
	it_hist_get_stats(&h, IT_HIST_FINE_BITS, 1, &st);
	out = render("text", &st, 0, 1, "ns");
	assert_non_null(strstr(out, "within 1.5625% of the exact value or 0 ns"));
	free(out);
}

static void test_table(void **state)
{
	struct it_hist_table t;
	struct it_hist *a, *b;

	it_hist_table_init(&t, 2, 1000);
	a = it_hist_table_get(&t, IT_H_CALLBACK, 0xffffffffa0002340ull);
	b = it_hist_table_get(&t, IT_H_CHAIN, 2);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(it_hist_table_get(&t, IT_H_CHAIN, 2), b);
	it_hist_add(b, 5000, t.sub_bits, t.unit_ns);
	it_hist_table_sort(&t);
	assert_int_equal(t.e[0].key.type, IT_H_CHAIN);
	assert_int_equal(t.e[0].h.count, 1);
	assert_int_equal(it_hist_used_slots(&t.e[0].h), it_hist_bucket(5, 2) + 1);
	it_hist_table_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_buckets),
		cmocka_unit_test(test_loglinear_buckets),
		cmocka_unit_test(test_ranges_invert_buckets),
		cmocka_unit_test(test_percentile_midpoint),
		cmocka_unit_test(test_coarsen),
		cmocka_unit_test(test_percentile_clamps_to_observed),
		cmocka_unit_test(test_percentile_across_buckets),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_avg_rounds),
		cmocka_unit_test(test_exact_percentile_shapes),
		cmocka_unit_test(test_exact_percentile_small),
		cmocka_unit_test(test_estimate_within_bound),
		cmocka_unit_test(test_fmt_lat),
		cmocka_unit_test(test_output_states_method),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
