/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Histogram maths: the same bucketing as the BPF side (it_hist_bucket in
 * ioasid_trace.h), percentiles, and a table of histograms that is filled
 * either from the kernel's per-CPU map (live hist) or from decoded EXIT
 * events (offline), so both give identical buckets.
 */
#ifndef IT_HIST_H
#define IT_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "ioasid_trace.h"

/* Every latency of one histogram, in ns (offline: the recording has them all). */
struct it_lat_samples {
	uint64_t *ns;
	size_t n, cap;
};

struct it_hist_entry {
	struct it_hist_key key;
	struct it_hist h;
	struct it_lat_samples s;	/* empty unless the table keeps samples */
};

struct it_hist_table {
	struct it_hist_entry *e;
	size_t n, cap;
	uint32_t sub_bits;	/* k */
	uint64_t unit_ns;	/* bucket unit */
	bool keep_samples;	/* it_hist_table_add also keeps each latency */
};

/* How the percentiles of it_hist_stats were found. */
enum it_pct_method {
	IT_PCT_BUCKET,	/* estimated from the buckets: see it_hist_percentile_ns */
	IT_PCT_EXACT,	/* nearest rank over every latency */
};

/* Integers in ns: the recorded latencies are integer ns, more digits would be noise. */
struct it_hist_stats {
	uint64_t count;
	uint64_t avg_ns;	/* sum / count, rounded to the nearest ns */
	uint64_t min_ns, max_ns;
	uint64_t p50_ns, p90_ns, p99_ns, p999_ns;
	enum it_pct_method method;
	/* IT_PCT_BUCKET: |E - X| <= max(X * err_ppm / 1e6, err_abs_ns) */
	uint32_t err_ppm;
	uint64_t err_abs_ns;
};

void it_hist_table_init(struct it_hist_table *t, uint32_t sub_bits, uint64_t unit_ns);
void it_hist_table_fini(struct it_hist_table *t);
void it_hist_table_clear(struct it_hist_table *t);
/* The histogram of (type, id), created empty if new.  NULL on ENOMEM. */
struct it_hist *it_hist_table_get(struct it_hist_table *t, uint32_t type, uint64_t id);
/*
 * Add one latency to the histogram of (type, id), and to its samples if the
 * table keeps them.  0 or -ENOMEM.
 */
int it_hist_table_add(struct it_hist_table *t, uint32_t type, uint64_t id, uint64_t lat_ns);
/* Order for display: by type, then id. */
void it_hist_table_sort(struct it_hist_table *t);
/*
 * Add the kernel's per-CPU histogram array (summed over CPUs) to the table,
 * slot i under keys[i] (IT_HIST_KEYS entries; type 0: unused, skipped);
 * reset: zero the slots read afterwards (interval mode).  0 or -errno.
 */
int it_hist_table_load_map(struct it_hist_table *t, int map_fd,
			   const struct it_hist_key *keys, bool reset);

/* Add one latency exactly as hist.bpf.h does. */
void it_hist_add(struct it_hist *h, uint64_t lat_ns, uint32_t sub_bits, uint64_t unit_ns);

/*
 * Nearest rank of percentile permille/10 (500: p50, 999: p99.9) among n
 * values: r = ceil(permille/1000 * n), at least 1, at most n; 0 if n = 0.
 * Integer arithmetic: in doubles, ceil(99.9 / 100 * 1000) is 1000, not 999.
 */
uint64_t it_percentile_rank(uint64_t n, uint32_t permille);
/* The r-th smallest of sorted[0..n) for that rank; 0 if n = 0. */
uint64_t it_exact_percentile(const uint64_t *sorted, size_t n, uint32_t permille);

/*
 * Percentile (permille: 500 = p50, 999 = p99.9) in ns, estimated from the
 * buckets:
 *  1. rank r = it_percentile_rank(N, permille) (nearest rank);
 *  2. the bucket holding the r-th sample, [lo, hi] in units u (ns each),
 *     holds the integer ns values [lo*u, (hi+1)*u - 1];
 *  3. the estimate E is the middle of that range, rounded down;
 *  4. clamped to the observed [min, max] (exact, kept in ns).
 * N = 0 gives 0.
 *
 * What this guarantees.  Let X be the exact r-th smallest latency (ns) and
 * S = 2^k.  X lies in the bucket of step 2, so |E - X| <= W / 2 for W =
 * (hi + 1 - lo) * u - 1, and step 4 only moves E towards X.
 *  - Bucket index < S: one value per bucket, W = u - 1: |E - X| <= u / 2.
 *  - Otherwise the bucket is [m * 2^e, (m+1) * 2^e - 1] with S <= m < 2S
 *    (it_hist_bucket_range), so W < 2^e * u and X >= m * 2^e * u >= S *
 *    2^e * u: |E - X| < X / (2S) = X * 2^-(k+1).
 * Hence |E - X| <= max(X * 2^-(k+1), u / 2).  The kernel buckets with
 * k = IT_HIST_FINE_BITS = 5: within 1.5625%, as HdrHistogram and DDSketch
 * state theirs.  The clamped top slot (values >= 2^36 units) has no such
 * bound; E is then at most max.
 */
uint64_t it_hist_percentile_ns(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
			       uint32_t permille);
/* The relative bound above, 2^-(k+1), for k = sub_bits (clamped like the buckets). */
double it_hist_estimate_rel_bound(uint32_t sub_bits);
/*
 * out = fine (bucketed with fine_bits) summed into buckets of bits <=
 * fine_bits: the log2 table, or --linear=K, shown from the kernel's fine
 * buckets.  Counts, sum, min and max are copied.
 */
void it_hist_coarsen(const struct it_hist *fine, uint32_t fine_bits, uint32_t bits,
		     struct it_hist *out);
/* count, avg, min, max from h (exact); percentiles estimated (IT_PCT_BUCKET). */
void it_hist_get_stats(const struct it_hist *h, uint32_t sub_bits, uint64_t unit_ns,
		       struct it_hist_stats *st);
/*
 * The same with exact nearest-rank percentiles over s (IT_PCT_EXACT), which
 * must hold every latency added to h; sorts s in place.
 */
void it_hist_get_exact_stats(const struct it_hist *h, struct it_lat_samples *s,
			     struct it_hist_stats *st);
/* One past the highest non-empty bucket (0 if empty). */
uint32_t it_hist_used_slots(const struct it_hist *h);

#endif
