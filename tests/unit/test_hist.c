// SPDX-License-Identifier: GPL-2.0
/* Histogram bucketing (shared with BPF) and the percentile rule of hist.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"

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

static void fill(const uint64_t *v, size_t n, uint32_t k, uint64_t unit)
{
	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < n; i++)
		it_hist_add(&h, v[i], k, unit);
}

static void test_percentile_interpolation(void **state)
{
	/* 4, 5, 6, 7 ns all land in log2 bucket [4,7] (continuous [4,8)). */
	const uint64_t v[] = { 4, 5, 6, 7 };

	fill(v, 4, 0, 1);
	assert_int_equal(h.count, 4);
	assert_int_equal(h.slots[3], 4);
	/* p50: r = ceil(2) = 2, j = 2 of n = 4: 4 + 4 * 1.5 / 4 = 5.5 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 50), 5.5, 1e-9);
	/* p25: r = 1: 4 + 4 * 0.5 / 4 = 4.5 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 25), 4.5, 1e-9);
	/* p90: r = ceil(3.6) = 4: 7.5, clamped to the observed max 7 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 90), 7.0, 1e-9);
	assert_float_equal(it_hist_percentile(&h, 0, 1, 100), 7.0, 1e-9);
}

static void test_percentile_clamps_to_observed(void **state)
{
	/* 10 equal samples of 200 us: bucket [128,255] us, result exactly 200. */
	uint64_t v[10];

	for (int i = 0; i < 10; i++)
		v[i] = 200000;
	fill(v, 10, 0, 1000);
	assert_float_equal(it_hist_percentile(&h, 0, 1000, 50), 200.0, 1e-9);
	assert_float_equal(it_hist_percentile(&h, 0, 1000, 99.9), 200.0, 1e-9);
}

static void test_percentile_across_buckets(void **state)
{
	/* 90 samples at 3 ns and 10 at 1000 ns: p50 in [2,3], p99 in [512,1023]. */
	uint64_t v[100];

	for (int i = 0; i < 100; i++)
		v[i] = i < 90 ? 3 : 1000;
	fill(v, 100, 0, 1);
	/* p50: r = 50, bucket [2,3] holds 90: 2 + 2 * 49.5 / 90 = 3.1, max-clamp n/a, =3.1 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 50), 2.0 + 2.0 * 49.5 / 90.0, 1e-9);
	/* p90: r = 90: the last of the 90: 2 + 2 * 89.5 / 90 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 90), 2.0 + 2.0 * 89.5 / 90.0, 1e-9);
	/* p99: r = 99, 9th of 10 in [512,1023]: 512 + 512 * 8.5 / 10 = 947.2 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 99), 947.2, 1e-9);
	/* p99.9: r = ceil(99.9) = 100 -> 512 + 512 * 9.5 / 10 = 998.4 */
	assert_float_equal(it_hist_percentile(&h, 0, 1, 99.9), 998.4, 1e-9);
}

static void test_stats(void **state)
{
	const uint64_t v[] = { 1000, 3000, 2000 };
	struct it_hist_stats st;

	fill(v, 3, 0, 1000);
	it_hist_get_stats(&h, 0, 1000, &st);
	assert_int_equal(st.count, 3);
	assert_float_equal(st.avg, 2.0, 1e-9);
	assert_float_equal(st.min, 1.0, 1e-9);
	assert_float_equal(st.max, 3.0, 1e-9);
	/* buckets in us: 1 -> [1,1], 2,3 -> [2,3]; p50: r = 2, j = 1 of 2 in [2,4): 2.5 */
	assert_float_equal(st.p50, 2.5, 1e-9);
	memset(&h, 0, sizeof(h));
	it_hist_get_stats(&h, 0, 1, &st);
	assert_int_equal(st.count, 0);
	assert_float_equal(it_hist_percentile(&h, 0, 1, 50), 0.0, 1e-9);
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
		cmocka_unit_test(test_percentile_interpolation),
		cmocka_unit_test(test_percentile_clamps_to_observed),
		cmocka_unit_test(test_percentile_across_buckets),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
